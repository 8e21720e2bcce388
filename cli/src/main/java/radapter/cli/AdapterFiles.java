package radapter.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import radapter.adapters.AdaptedClip;
import radapter.adapters.AdapterConfig;
import radapter.adapters.DropMaskAxis;
import radapter.adapters.RankRule;
import radapter.models.clip.Clip;
import radapter.tensor.Rng;
import radapter.tensor.Tensor;
import radapter.tensor.io.AtomicFiles;
import radapter.tensor.io.Json;
import radapter.tensor.io.SafeTensors;
import radapter.tensor.io.TextFiles;

/**
 * The files {@code finetune} writes and {@code merge}/{@code eval} read: {@code adapters.safetensors}
 * (live and averaged (EMA or BMA) adapters under the official key names) and {@code adapter_config.json}.
 */
final class AdapterFiles {
    private AdapterFiles() {
    }

    static void write(Path dir, AdaptedClip a) throws IOException {
        Files.createDirectories(dir);
        AdapterConfig c = a.config();
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("vision_rank", (long) c.visionRank());
        json.put("text_rank", (long) c.textRank());
        json.put("rank_rule", c.rankRule().name());
        json.put("drop_path", c.dropPath());
        json.put("drop_axis", c.dropAxis().name());
        json.put("scale_init", c.scaleInit());
        json.put("eval_scale", c.evalScale());
        json.put("ema", c.emaMomentum());
        json.put("bma", c.bmaBeta());
        SafeTensors.write(dir.resolve("adapters.safetensors"), a.adapterStateDict(), Map.of("producer", "radapter finetune"));
        AtomicFiles.writeString(dir.resolve("adapter_config.json"), Json.writePretty(json));
    }

    private static double number(Map<String, Object> j, String key, Path file) {
        if (j.get(key) instanceof Number n && Double.isFinite(n.doubleValue())) {
            return n.doubleValue();
        }
        throw new IllegalArgumentException(file + ": '" + key + "' must be a finite number, got " + (j.containsKey(key) ? Json.write(j.get(key)) : "nothing"));
    }

    private static int whole(Map<String, Object> j, String key, Path file) {
        double d = number(j, key, file);
        if (d != Math.rint(d) || Math.abs(d) > 1 << 20) {
            throw new IllegalArgumentException(file + ": '" + key + "' must be a whole number, got " + Json.write(j.get(key)));
        }
        return (int) d;
    }

    private static <E extends Enum<E>> E choice(Class<E> type, Map<String, Object> j, String key, Path file) {
        if (j.get(key) instanceof String s) {
            for (E e : type.getEnumConstants()) {
                if (e.name().equals(s)) {
                    return e;
                }
            }
        }
        throw new IllegalArgumentException(file + ": '" + key + "' must be one of " + java.util.Arrays.toString(type.getEnumConstants()) + ", got "
                + (j.containsKey(key) ? Json.write(j.get(key)) : "nothing"));
    }

    /** Installs adapters described by {@code dir} into {@code clip} and loads their weights. */
    static AdaptedClip load(Path dir, Clip clip) throws IOException {
        Path cfgFile = dir.resolve("adapter_config.json");
        Path weights = dir.resolve("adapters.safetensors");
        if (!Files.isRegularFile(cfgFile) || !Files.isRegularFile(weights)) {
            throw new IllegalArgumentException(dir + ": expected adapter_config.json and adapters.safetensors (written by radapter finetune)");
        }
        Map<String, Object> j;
        try {
            j = Json.parseObject(TextFiles.readString(cfgFile));
        } catch (Json.JsonException e) {
            throw new IllegalArgumentException(cfgFile + ": not valid JSON: " + e.getMessage());
        }
        AdapterConfig c;
        try {
            c = AdapterConfig.builder()
                    .ranks(whole(j, "vision_rank", cfgFile), whole(j, "text_rank", cfgFile))
                    .rankRule(choice(RankRule.class, j, "rank_rule", cfgFile))
                    .dropPath(number(j, "drop_path", cfgFile))
                    .dropAxis(choice(DropMaskAxis.class, j, "drop_axis", cfgFile))
                    .scaleInit(number(j, "scale_init", cfgFile))
                    .evalScale(number(j, "eval_scale", cfgFile))
                    .ema(number(j, "ema", cfgFile))
                    // Files from before BMA existed have no "bma" key: they averaged with EMA.
                    .bma(j.containsKey("bma") ? number(j, "bma", cfgFile) : 0).build();
        } catch (IllegalArgumentException e) {
            throw e.getMessage() != null && e.getMessage().startsWith(cfgFile.toString()) ? e
                    : new IllegalArgumentException(cfgFile + ": " + e.getMessage(), e);
        }
        AdaptedClip a = AdaptedClip.install(clip, c, new Rng(0));
        Map<String, Tensor> state = new LinkedHashMap<>();
        try (SafeTensors st = SafeTensors.open(weights)) {
            for (String n : st.names()) {
                state.put(n, st.get(n).clone());
            }
        }
        a.loadAdapterState(state);
        a.train(false);
        return a;
    }
}
