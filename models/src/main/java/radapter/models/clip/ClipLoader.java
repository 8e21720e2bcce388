package radapter.models.clip;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import radapter.models.nn.Activation;
import radapter.tensor.Shapes;
import radapter.tensor.Tensor;
import radapter.tensor.io.Json;
import radapter.tensor.io.ShardedSafeTensors;
import radapter.tensor.io.TensorSource;

/**
 * Loads CLIP checkpoints: finds the weights (a {@code .safetensors} file, a sharded index, or a
 * Hugging Face folder), detects the key layout, infers the configuration from the tensors, and
 * takes what tensors cannot tell (attention heads when the head width is not 64, the activation,
 * the LayerNorm epsilon) from a config file: the HF {@code config.json} beside an HF checkpoint,
 * or an open_clip model config ({@code <name>.json}, {@code open_clip_config.json} or
 * {@code config.json} beside the weights), or one given explicitly.
 */
public final class ClipLoader {
    private ClipLoader() {
    }

    /** Loads {@code path}; {@code configFile} may be null to search beside the weights. */
    public static LoadedClip load(Path path, Path configFile) throws IOException {
        if (!Files.exists(path)) {
            throw new java.nio.file.NoSuchFileException(path.toString(), null, "no such checkpoint");
        }
        TensorSource src = ShardedSafeTensors.openAny(path);
        try {
            CheckpointLayout layout = CheckpointLayout.detect(src, path.toString());
            Map<String, Tensor> canonical = layout.toCanonical(src);
            ConfigHints hints = findHints(path, configFile);
            ClipConfig cfg = inferConfig(canonical, hints, path.toString());
            Clip clip = new Clip(cfg);
            clip.loadStateDict(canonical, true);
            clip.freeze();
            clip.eval();
            return new LoadedClip(clip, layout, path, src);
        } catch (IOException | RuntimeException e) {
            src.close();
            throw e;
        }
    }

    /** What a config file says about the fields tensors cannot tell; null fields mean "not said". */
    record ConfigHints(Integer visionHeads, Integer visionHeadWidth, Integer textHeads, Integer textHeadWidth,
            Activation activation, Double layerNormEps, String source) {
        static final ConfigHints NONE = new ConfigHints(null, null, null, null, null, null, null);
    }

    static ConfigHints findHints(Path weights, Path explicit) throws IOException {
        if (explicit != null) {
            ConfigHints h = parseConfig(explicit);
            if (h == null) {
                throw new IllegalArgumentException(explicit + ": not a Hugging Face CLIP config (vision_config/text_config) "
                        + "nor an open_clip model config (vision_cfg/text_cfg)");
            }
            return h;
        }
        Path dir = Files.isDirectory(weights) ? weights : weights.toAbsolutePath().getParent();
        List<Path> candidates = new ArrayList<>();
        if (!Files.isDirectory(weights)) {
            String f = weights.getFileName().toString();
            int dot = f.lastIndexOf('.');
            candidates.add(dir.resolve((dot > 0 ? f.substring(0, dot) : f) + ".json"));
        }
        candidates.add(dir.resolve("open_clip_config.json"));
        candidates.add(dir.resolve("config.json"));
        for (Path c : candidates) {
            if (Files.isRegularFile(c)) {
                ConfigHints h = parseConfig(c);
                if (h != null) {
                    return h;
                }
            }
        }
        return ConfigHints.NONE;
    }

    /** Parses an HF or open_clip config, or returns null for JSON of another kind. */
    static ConfigHints parseConfig(Path file) throws IOException {
        Map<String, Object> root;
        try {
            root = Json.parseObject(radapter.tensor.io.TextFiles.readString(file));
        } catch (Json.JsonException e) {
            throw new IllegalArgumentException(file + ": invalid JSON: " + e.getMessage());
        }
        if (root.get("model_cfg") instanceof Map<?, ?> wrapped) {
            @SuppressWarnings("unchecked")
            Map<String, Object> inner = (Map<String, Object>) wrapped;
            root = inner;
        }
        if (root.get("vision_config") instanceof Map<?, ?> v && root.get("text_config") instanceof Map<?, ?> t) {
            Activation act = null;
            Object ha = t.get("hidden_act") != null ? t.get("hidden_act") : v.get("hidden_act");
            if (ha instanceof String s) {
                act = Activation.fromHuggingFace(s);
            }
            Double eps = t.get("layer_norm_eps") == null ? null : epsilon(t.get("layer_norm_eps"), "text_config.layer_norm_eps", file);
            return new ConfigHints(count(v, "num_attention_heads", "vision_config", file), null, count(t, "num_attention_heads", "text_config", file),
                    null, act, eps, file.toString());
        }
        if (root.get("vision_cfg") instanceof Map<?, ?> v && root.get("text_cfg") instanceof Map<?, ?> t) {
            // open_clip: quick_gelu defaults to false (exact GELU) when absent.
            Activation act = Boolean.TRUE.equals(root.get("quick_gelu")) ? Activation.QUICK_GELU : Activation.GELU;
            return new ConfigHints(count(v, "heads", "vision_cfg", file), count(v, "head_width", "vision_cfg", file),
                    count(t, "heads", "text_cfg", file), count(t, "head_width", "text_cfg", file), act, null, file.toString());
        }
        return null;
    }

    /** Largest head count or head width a config may give: far above any CLIP, far below int overflow. */
    private static final long MAX_COUNT = 1 << 16;

    /**
     * A positive whole number from a config (a head count or width), or null when absent; anything
     * else (0, negative, fractional, beyond {@link #MAX_COUNT}, not a number) is an error naming the
     * file and the key rather than a value silently cut to an int.
     */
    private static Integer count(Map<?, ?> m, String key, String section, Path file) {
        Object o = m.get(key);
        if (o == null) {
            return null;
        }
        if (o instanceof Number n) {
            double d = n.doubleValue();
            if (d == Math.rint(d) && d >= 1 && d <= MAX_COUNT) {
                return (int) d;
            }
        }
        throw new IllegalArgumentException(file + ": " + section + "." + key + " must be a whole number from 1 to " + MAX_COUNT + ", got "
                + Json.write(o));
    }

    /** A layer-norm epsilon: finite, positive and small. */
    private static double epsilon(Object o, String key, Path file) {
        if (o instanceof Number n && n.doubleValue() > 0 && n.doubleValue() < 1) {
            return n.doubleValue();
        }
        throw new IllegalArgumentException(file + ": " + key + " must be a number above 0 and below 1 (CLIP uses 1e-5), got " + Json.write(o));
    }

    private static final Pattern BLOCK = Pattern.compile("(visual\\.)?transformer\\.resblocks\\.(\\d+)\\.attn\\.in_proj_weight");

    static ClipConfig inferConfig(Map<String, Tensor> t, ConfigHints hints, String where) {
        Tensor conv = require(t, "visual.conv1.weight", where, 4);
        long vWidth = conv.size(0);
        int patch = Math.toIntExact(conv.size(2));
        long vTokens = require(t, "visual.positional_embedding", where, 2).size(0);
        int grid = (int) Math.round(Math.sqrt(vTokens - 1));
        if ((long) grid * grid + 1 != vTokens) {
            throw new IllegalArgumentException(where + ": visual.positional_embedding has " + vTokens
                    + " rows, which is not 1 + a square number of patches");
        }
        Tensor vProj = require(t, "visual.proj", where, 2);
        Tensor tok = require(t, "token_embedding.weight", where, 2);
        long tWidth = tok.size(1);
        int context = Math.toIntExact(require(t, "positional_embedding", where, 2).size(0));
        Tensor tProj = require(t, "text_projection", where, 2);
        if (vProj.size(1) != tProj.size(1)) {
            throw new IllegalArgumentException(where + ": visual.proj " + Shapes.str(vProj.shape()) + " and text_projection "
                    + Shapes.str(tProj.shape()) + " disagree on the embedding width");
        }
        int vLayers = 0;
        int tLayers = 0;
        for (String k : t.keySet()) {
            Matcher m = BLOCK.matcher(k);
            if (m.matches()) {
                int idx = Integer.parseInt(m.group(2)) + 1;
                if (m.group(1) != null) {
                    vLayers = Math.max(vLayers, idx);
                } else {
                    tLayers = Math.max(tLayers, idx);
                }
            }
        }
        String headsFrom = hints.source() != null ? hints.source() : where;
        int vHeads = heads(vWidth, hints.visionHeads(), hints.visionHeadWidth(), "vision", headsFrom);
        int tHeads = heads(tWidth, hints.textHeads(), hints.textHeadWidth(), "text", headsFrom);
        Activation act = hints.activation() != null ? hints.activation() : Activation.QUICK_GELU;
        double eps = hints.layerNormEps() != null ? hints.layerNormEps() : 1e-5;
        String source = hints.source() != null ? "config " + hints.source()
                : "no config file found: heads = width/64 and QuickGELU assumed (the OpenAI convention)";
        return new ClipConfig(vProj.size(1),
                new ClipConfig.Vision(vWidth, vLayers, vHeads, patch, grid * patch),
                new ClipConfig.Text(tWidth, tLayers, tHeads, context, Math.toIntExact(tok.size(0))),
                act, eps, source);
    }

    private static int heads(long width, Integer heads, Integer headWidth, String tower, String where) {
        if (heads != null) {
            if (width % heads != 0) {
                throw new IllegalArgumentException(where + ": the " + tower + " width " + width + " of the weights cannot be split into " + heads
                        + " attention heads (not a divisor); check the head count");
            }
            return heads;
        }
        long hw = headWidth != null ? headWidth : 64;
        if (width % hw != 0) {
            throw new IllegalArgumentException(where + ": the " + tower + " width " + width + " is not a multiple of the head width "
                    + hw + "; give the head count in a config file (--config)");
        }
        return Math.toIntExact(width / hw);
    }

    private static Tensor require(Map<String, Tensor> t, String key, String where, int rank) {
        Tensor x = t.get(key);
        if (x == null) {
            throw new IllegalArgumentException(where + ": missing tensor '" + key + "'");
        }
        if (x.dim() != rank) {
            throw new IllegalArgumentException(where + ": tensor '" + key + "' has shape " + Shapes.str(x.shape())
                    + ", expected rank " + rank);
        }
        return x;
    }
}
