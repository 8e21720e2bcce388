package radapter.models.hub;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import radapter.tensor.io.Json;

/**
 * Turns a model name as a user types it into the files to load:
 *
 * <ul>
 *   <li>an existing file or folder is used as it is (a local folder wins over a hub id of the
 *       same spelling, as in {@code from_pretrained});</li>
 *   <li>{@code org/name} (optionally {@code hf-hub:org/name}, {@code org/name@revision}) is a hub
 *       repository, found in the cache or fetched into it;</li>
 *   <li>an open_clip architecture with a pretrained tag ({@code ViT-B-16} + {@code openai}) is
 *       looked up in {@link OpenClipNames} and fetched the same way.</li>
 * </ul>
 *
 * From a repository only what radapter reads is fetched: open_clip's
 * {@code open_clip_model.safetensors} and {@code open_clip_config.json} when the repository has
 * them (timm's repositories also hold a vision-only {@code model.safetensors}), else the Hugging
 * Face {@code model.safetensors} (or its shards) and {@code config.json}; plus the tokenizer
 * files. Repositories without a tokenizer (open_clip models bundle theirs) get CLIP's BPE
 * vocabulary from {@value #CLIP_TOKENIZER_REPO}, the same vocabulary in the Hugging Face format.
 */
public final class Pretrained {
    /** Where the CLIP BPE vocabulary comes from for repositories that do not carry one. */
    public static final String CLIP_TOKENIZER_REPO = "openai/clip-vit-base-patch32";

    private static final List<String> TOKENIZER_FILES = List.of("vocab.json", "merges.txt", "tokenizer.json", "tokenizer_config.json",
            "special_tokens_map.json");
    private static final List<String> HF_EXTRAS = List.of("preprocessor_config.json");

    private Pretrained() {
    }

    /**
     * What to load.
     *
     * @param name what the user asked for, for messages
     * @param weights a {@code .safetensors} file or a folder {@code ClipLoader} reads
     * @param config the model config to read, or null to let the loader look beside the weights
     * @param vocabulary a folder with {@code vocab.json} and {@code merges.txt}, or null when the
     *     repository has none ({@link Pretrained#vocabulary} fetches CLIP's) or the model is local
     * @param snapshot the hub snapshot folder, or null for a local model
     */
    public record Resolved(String name, Path weights, Path config, Path vocabulary, Path snapshot) {
        /** Whether the model came from the hub cache. */
        public boolean fromHub() {
            return snapshot != null;
        }
    }

    /**
     * Resolves {@code model} (a path, a hub id, or an open_clip name when {@code pretrainedTag}
     * is given) with {@code hub}, downloading what is missing.
     *
     * @param pretrainedTag open_clip's pretrained tag, or null
     */
    public static Resolved resolve(String model, String pretrainedTag, Hub hub) throws IOException {
        if (pretrainedTag != null && !pretrainedTag.isBlank()) {
            String repo = OpenClipNames.require(model, pretrainedTag);
            return fromHub(model + " (" + pretrainedTag + ")", repo, "main", hub);
        }
        Path local = localPath(model);
        if (local != null && Files.exists(local)) {
            return new Resolved(model, local, null, null, null);
        }
        String id = model.startsWith("hf-hub:") ? model.substring("hf-hub:".length()) : model;
        String revision = "main";
        int at = id.indexOf('@');
        if (at > 0) {
            revision = id.substring(at + 1);
            id = id.substring(0, at);
        }
        if (Hub.isRepoId(id) && !revision.isBlank()) {
            return fromHub(model, id, revision, hub);
        }
        if (OpenClipNames.isModel(model)) {
            throw new IllegalArgumentException(model + " is an open_clip architecture: say which weights with --pretrained "
                    + String.join("|", OpenClipNames.tags(model)));
        }
        throw new IllegalArgumentException(model + ": no such file or folder, and not a hub id (org/name) "
                + "or an open_clip name with --pretrained");
    }

    private static Path localPath(String model) {
        try {
            return Path.of(model);
        } catch (java.nio.file.InvalidPathException e) {
            return null; // "hf-hub:org/name" on Windows
        }
    }

    /** Fetches (or finds) the files radapter reads from {@code repoId} at {@code revision}. */
    public static Resolved fromHub(String name, String repoId, String revision, Hub hub) throws IOException {
        Path snap = hub.snapshot(repoId, revision, files -> select(repoId, files));
        Path weights;
        Path config;
        if (Files.isRegularFile(snap.resolve("open_clip_model.safetensors"))) {
            weights = snap.resolve("open_clip_model.safetensors");
            config = snap.resolve("open_clip_config.json");
        } else {
            weights = snap;
            config = Files.isRegularFile(snap.resolve("config.json")) ? snap.resolve("config.json") : null;
        }
        warnOnOtherNormalisation(name, config);
        boolean hasVocab = Files.isRegularFile(snap.resolve("vocab.json")) && Files.isRegularFile(snap.resolve("merges.txt"));
        Path vocabulary = hasVocab ? snap : null;
        return new Resolved(name, weights, config, vocabulary, snap);
    }

    private static final double[] CLIP_MEAN = {0.48145466, 0.4578275, 0.40821073};

    /**
     * Logs a warning when an open_clip config asks for another pixel normalisation than CLIP's
     * (radapter's preprocessing uses CLIP's mean and std), so features that differ from
     * open_clip's are not a silent surprise.
     */
    private static void warnOnOtherNormalisation(String name, Path config) {
        if (config == null || !config.getFileName().toString().equals("open_clip_config.json")) {
            return;
        }
        try {
            Map<String, Object> root = Json.parseObject(Files.readString(config));
            if (root.get("preprocess_cfg") instanceof Map<?, ?> pre && pre.get("mean") instanceof List<?> mean && mean.size() == 3) {
                for (int i = 0; i < 3; i++) {
                    if (!(mean.get(i) instanceof Number n) || Math.abs(n.doubleValue() - CLIP_MEAN[i]) > 1e-6) {
                        System.getLogger(Pretrained.class.getName()).log(System.Logger.Level.WARNING,
                                "{0} normalises pixels with mean {1}; radapter''s preprocessing uses CLIP''s, so features will differ from open_clip''s",
                                name, mean);
                        return;
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            // The loader reports a broken config with its own message; nothing to add here.
        }
    }

    /**
     * The folder with the tokenizer files ({@code vocab.json}, {@code merges.txt}) of a model from
     * the hub: its own, or CLIP's BPE vocabulary from {@value #CLIP_TOKENIZER_REPO} when the
     * repository carries none (open_clip's repositories; open_clip bundles the same vocabulary).
     * Null for a local model (look beside the weights).
     */
    public static Path vocabulary(Resolved model, Hub hub) throws IOException {
        if (model.vocabulary() != null || !model.fromHub()) {
            return model.vocabulary();
        }
        return hub.snapshot(CLIP_TOKENIZER_REPO, "main", files -> Hub.present(files, "vocab.json", "merges.txt"));
    }

    /**
     * The files of a repository radapter needs, or a one-line error when it holds no CLIP
     * weights in safetensors.
     */
    static List<String> select(String repoId, List<String> files) {
        List<String> out = new ArrayList<>();
        if (files.contains("open_clip_model.safetensors") && files.contains("open_clip_config.json")) {
            out.add("open_clip_config.json");
            out.add("open_clip_model.safetensors");
        } else if (files.contains("model.safetensors") || files.contains("model.safetensors.index.json")) {
            out.addAll(Hub.present(files, "config.json"));
            if (files.contains("model.safetensors")) {
                out.add("model.safetensors");
            } else {
                out.add("model.safetensors.index.json");
                // Shards are named model-00001-of-00002.safetensors by transformers.
                files.stream().filter(f -> f.matches("model-\\d+-of-\\d+\\.safetensors")).forEach(out::add);
            }
            out.addAll(Hub.present(files, HF_EXTRAS.toArray(String[]::new)));
        } else {
            boolean pickle = files.stream().anyMatch(f -> f.endsWith(".bin") || f.endsWith(".pt") || f.endsWith(".pth"));
            throw new IllegalArgumentException(repoId + ": no CLIP weights in safetensors (open_clip_model.safetensors or model.safetensors)"
                    + (pickle ? "; radapter does not read PyTorch pickles (.bin/.pt)" : "") + "; files: " + files);
        }
        out.addAll(Hub.present(files, TOKENIZER_FILES.toArray(String[]::new)));
        return out;
    }
}
