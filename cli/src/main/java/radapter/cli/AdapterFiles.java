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

    /** Installs adapters described by {@code dir} into {@code clip} and loads their weights. */
    static AdaptedClip load(Path dir, Clip clip) throws IOException {
        Path cfgFile = dir.resolve("adapter_config.json");
        Path weights = dir.resolve("adapters.safetensors");
        if (!Files.isRegularFile(cfgFile) || !Files.isRegularFile(weights)) {
            throw new IllegalArgumentException(dir + ": expected adapter_config.json and adapters.safetensors (written by radapter finetune)");
        }
        Map<String, Object> j = Json.parseObject(radapter.tensor.io.TextFiles.readString(cfgFile));
        AdapterConfig c = AdapterConfig.builder()
                .ranks(((Number) j.get("vision_rank")).intValue(), ((Number) j.get("text_rank")).intValue())
                .rankRule(RankRule.valueOf((String) j.get("rank_rule")))
                .dropPath(((Number) j.get("drop_path")).doubleValue())
                .dropAxis(DropMaskAxis.valueOf((String) j.get("drop_axis")))
                .scaleInit(((Number) j.get("scale_init")).doubleValue())
                .evalScale(((Number) j.get("eval_scale")).doubleValue())
                .ema(((Number) j.get("ema")).doubleValue())
                // Files from before BMA existed have no "bma" key: they averaged with EMA.
                .bma(j.get("bma") instanceof Number b ? b.doubleValue() : 0).build();
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
