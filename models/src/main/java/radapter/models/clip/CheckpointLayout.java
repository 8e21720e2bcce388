package radapter.models.clip;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import radapter.tensor.Join;
import radapter.tensor.Tensor;
import radapter.tensor.io.TensorSource;

/**
 * The two key layouts CLIP checkpoints come in, and the translation between them. radapter's
 * module tree uses the OpenAI/open_clip names ("canonical"); Hugging Face {@code CLIPModel}
 * checkpoints split the attention input projection into q/k/v and store both projections
 * transposed. Translation is zero-copy except for the q/k/v concatenation.
 */
public enum CheckpointLayout {
    /** OpenAI / open_clip state-dict names ({@code visual.conv1.weight}, {@code transformer.resblocks.N...}). */
    OPENAI,
    /** Hugging Face transformers {@code CLIPModel} names ({@code vision_model.encoder.layers.N...}). */
    HUGGING_FACE;

    private static final List<String> IGNORED_SUFFIXES = List.of("position_ids", "input_resolution", "context_length", "vocab_size");

    /** Guesses the layout from the tensor names, or fails naming what it looked for. */
    public static CheckpointLayout detect(TensorSource src, String where) {
        if (src.contains("vision_model.embeddings.patch_embedding.weight") || src.contains("text_model.embeddings.token_embedding.weight")) {
            return HUGGING_FACE;
        }
        if (findPrefix(src) != null) {
            return OPENAI;
        }
        throw new IllegalArgumentException(where + ": not a CLIP checkpoint: found neither 'visual.conv1.weight' (OpenAI/open_clip layout)"
                + " nor 'vision_model.embeddings.patch_embedding.weight' (Hugging Face layout)");
    }

    /** The prefix (e.g. {@code module.model.} of DDP training checkpoints) in front of OpenAI names, or null. */
    static String findPrefix(TensorSource src) {
        for (String p : List.of("", "module.model.", "module.", "model.")) {
            if (src.contains(p + "visual.conv1.weight") || src.contains(p + "token_embedding.weight")) {
                return p;
            }
        }
        return null;
    }

    /** Reads every tensor of {@code src} under its canonical (OpenAI) name, as F32 (zero-copy where stored as F32). */
    public Map<String, Tensor> toCanonical(TensorSource src) throws IOException {
        Map<String, Tensor> out = new LinkedHashMap<>();
        if (this == OPENAI) {
            String prefix = findPrefix(src);
            for (String n : src.names()) {
                if (ignored(n)) {
                    continue;
                }
                String key = prefix != null && n.startsWith(prefix) ? n.substring(prefix.length()) : n;
                out.put(key, src.getF32(n));
            }
            return out;
        }
        Map<String, Tensor[]> qkvWeights = new LinkedHashMap<>();
        Map<String, Tensor[]> qkvBiases = new LinkedHashMap<>();
        for (String n : src.names()) {
            if (ignored(n)) {
                continue;
            }
            Matcher m = QKV.matcher(n);
            if (m.matches()) {
                String block = canonicalBlock(m.group(1), m.group(2));
                int which = "qkv".indexOf(m.group(3));
                Map<String, Tensor[]> target = m.group(4).equals("weight") ? qkvWeights : qkvBiases;
                target.computeIfAbsent(block, k -> new Tensor[3])[which] = src.getF32(n);
                continue;
            }
            String key = hfToCanonical(n);
            if (key == null) {
                out.put(n, src.getF32(n)); // unknown: surfaces as an unexpected key
                continue;
            }
            Tensor t = src.getF32(n);
            out.put(key, key.equals("visual.proj") || key.equals("text_projection") ? t.mT() : t);
        }
        concatQkv(qkvWeights, out, "in_proj_weight");
        concatQkv(qkvBiases, out, "in_proj_bias");
        return out;
    }

    private static void concatQkv(Map<String, Tensor[]> parts, Map<String, Tensor> out, String suffix) {
        for (Map.Entry<String, Tensor[]> e : parts.entrySet()) {
            Tensor[] qkv = e.getValue();
            for (int i = 0; i < 3; i++) {
                if (qkv[i] == null) {
                    throw new IllegalArgumentException("attention projection '" + "qkv".charAt(i) + "_proj' is missing for " + e.getKey());
                }
            }
            out.put(e.getKey() + ".attn." + suffix, Join.cat(0, qkv[0], qkv[1], qkv[2]));
        }
    }

    /**
     * Translates canonical tensors to this layout's names for export. Views are returned where
     * possible (q/k/v are row slices of the fused projection; projections are transposed views).
     */
    public Map<String, Tensor> fromCanonical(Map<String, Tensor> canonical) {
        if (this == OPENAI) {
            return new LinkedHashMap<>(canonical);
        }
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (Map.Entry<String, Tensor> e : canonical.entrySet()) {
            String k = e.getKey();
            Tensor t = e.getValue();
            Matcher m = CANON_INPROJ.matcher(k);
            if (m.matches()) {
                String hfBlock = hfBlock(m.group(1), m.group(2));
                long d = t.size(0) / 3;
                String kind = m.group(3).equals("in_proj_weight") ? "weight" : "bias";
                for (int i = 0; i < 3; i++) {
                    out.put(hfBlock + ".self_attn." + "qkv".charAt(i) + "_proj." + kind, t.narrow(0, i * d, d));
                }
                continue;
            }
            String hf = canonicalToHf(k);
            if (hf == null) {
                throw new IllegalArgumentException("no Hugging Face name for tensor '" + k + "'");
            }
            out.put(hf, k.equals("visual.proj") || k.equals("text_projection") ? t.mT() : t);
        }
        return out;
    }

    private static boolean ignored(String name) {
        for (String s : IGNORED_SUFFIXES) {
            if (name.endsWith(s)) {
                return true;
            }
        }
        return false;
    }

    private static final Pattern QKV = Pattern.compile("(vision|text)_model\\.encoder\\.layers\\.(\\d+)\\.self_attn\\.([qkv])_proj\\.(weight|bias)");
    private static final Pattern HF_LAYER = Pattern.compile("(vision|text)_model\\.encoder\\.layers\\.(\\d+)\\.(.+)");
    private static final Pattern CANON_LAYER = Pattern.compile("(visual\\.)?transformer\\.resblocks\\.(\\d+)\\.(.+)");
    private static final Pattern CANON_INPROJ = Pattern.compile("(visual\\.)?transformer\\.resblocks\\.(\\d+)\\.attn\\.(in_proj_weight|in_proj_bias)");

    private static String canonicalBlock(String tower, String index) {
        return (tower.equals("vision") ? "visual." : "") + "transformer.resblocks." + index;
    }

    private static String hfBlock(String visualPrefix, String index) {
        return (visualPrefix != null ? "vision_model" : "text_model") + ".encoder.layers." + index;
    }

    private static final String[][] FIXED = {
        {"vision_model.embeddings.patch_embedding.weight", "visual.conv1.weight"},
        {"vision_model.embeddings.class_embedding", "visual.class_embedding"},
        {"vision_model.embeddings.position_embedding.weight", "visual.positional_embedding"},
        {"vision_model.pre_layrnorm.weight", "visual.ln_pre.weight"},
        {"vision_model.pre_layrnorm.bias", "visual.ln_pre.bias"},
        {"vision_model.post_layernorm.weight", "visual.ln_post.weight"},
        {"vision_model.post_layernorm.bias", "visual.ln_post.bias"},
        {"visual_projection.weight", "visual.proj"},
        {"text_model.embeddings.token_embedding.weight", "token_embedding.weight"},
        {"text_model.embeddings.position_embedding.weight", "positional_embedding"},
        {"text_model.final_layer_norm.weight", "ln_final.weight"},
        {"text_model.final_layer_norm.bias", "ln_final.bias"},
        {"text_projection.weight", "text_projection"},
        {"logit_scale", "logit_scale"},
    };

    private static final String[][] BLOCK = {
        {"layer_norm1.", "ln_1."},
        {"layer_norm2.", "ln_2."},
        {"self_attn.out_proj.", "attn.out_proj."},
        {"mlp.fc1.", "mlp.c_fc."},
        {"mlp.fc2.", "mlp.c_proj."},
    };

    static String hfToCanonical(String hf) {
        for (String[] f : FIXED) {
            if (f[0].equals(hf)) {
                return f[1];
            }
        }
        Matcher m = HF_LAYER.matcher(hf);
        if (m.matches()) {
            for (String[] b : BLOCK) {
                if (m.group(3).startsWith(b[0])) {
                    return canonicalBlock(m.group(1), m.group(2)) + "." + b[1] + m.group(3).substring(b[0].length());
                }
            }
        }
        return null;
    }

    static String canonicalToHf(String canon) {
        for (String[] f : FIXED) {
            if (f[1].equals(canon)) {
                return f[0];
            }
        }
        Matcher m = CANON_LAYER.matcher(canon);
        if (m.matches()) {
            for (String[] b : BLOCK) {
                if (m.group(3).startsWith(b[1])) {
                    return hfBlock(m.group(1), m.group(2)) + "." + b[0] + m.group(3).substring(b[1].length());
                }
            }
        }
        return null;
    }

    /** Names of canonical tensors for tests and messages. */
    static List<String> names(Map<String, Tensor> m) {
        return new ArrayList<>(m.keySet());
    }
}
