package radapter.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import jdk.incubator.vector.FloatVector;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import radapter.models.clip.ClipConfig;
import radapter.models.clip.ClipLoader;
import radapter.models.hub.Pretrained;
import radapter.models.clip.LoadedClip;
import radapter.models.clip.PretrainedConfigs;
import radapter.tensor.Backend;
import radapter.tensor.Backends;

/**
 * {@code radapter info [MODEL]}: without a model, the runtime, vector width and backends; with
 * one, its layout, inferred configuration and parameter counts per tower.
 */
@Command(name = "info", mixinStandardHelpOptions = true,
        description = "Show the runtime and backends, or a checkpoint's layout, configuration and parameter counts.")
final class InfoCommand implements Callable<Integer> {
    @Mixin
    Console console;

    @Mixin
    JsonOption json;

    @Parameters(index = "0", arity = "0..1", paramLabel = "MODEL",
            description = "A .safetensors file, a Hugging Face folder, a hub id or an open_clip name with --pretrained.")
    Path model;

    @Option(names = "--pretrained", paramLabel = "TAG", description = "open_clip pretrained tag for an open_clip MODEL name.")
    String pretrained;

    @Option(names = "--config", paramLabel = "FILE", description = "HF config.json or open_clip model config (default: found beside the weights).")
    Path config;

    @Override
    public Integer call() throws Exception {
        console.jsonOutput(json);
        Map<String, Object> j = new LinkedHashMap<>();
        if (model == null) {
            console.result("java      %s (%s)", System.getProperty("java.version"), System.getProperty("java.vm.name"));
            console.result("cpu       %d cores, preferred float vector %d lanes (%d bits)",
                    Runtime.getRuntime().availableProcessors(), FloatVector.SPECIES_PREFERRED.length(),
                    FloatVector.SPECIES_PREFERRED.vectorBitSize());
            console.result("backends  (current: %s)", Backends.current().name());
            List<Object> backends = new ArrayList<>();
            for (Backend b : Backends.all()) {
                console.result("  %-10s priority %-3d %s", b.name(), b.priority(),
                        b.isAvailable() ? "available" : "unavailable: " + b.unavailableReason());
                Map<String, Object> bj = new LinkedHashMap<>();
                bj.put("name", b.name());
                bj.put("priority", (long) b.priority());
                bj.put("available", b.isAvailable());
                if (!b.isAvailable()) {
                    bj.put("reason", b.unavailableReason());
                }
                backends.add(bj);
            }
            j.put("java", System.getProperty("java.version"));
            j.put("radapter_version", BuildInfo.current().version());
            j.put("cores", (long) Runtime.getRuntime().availableProcessors());
            j.put("vector_bits", (long) FloatVector.SPECIES_PREFERRED.vectorBitSize());
            j.put("backend", Backends.current().name());
            j.put("backends", backends);
            console.json(j);
            return 0;
        }
        Pretrained.Resolved r = Pretrained.resolve(model.toString(), pretrained, HubDownloads.hub());
        long t0 = System.nanoTime();
        try (LoadedClip m = ClipLoader.load(r.weights(), config != null ? config : r.config())) {
            double ms = (System.nanoTime() - t0) / 1e6;
            ClipConfig c = m.config();
            long vision = 0;
            long text = 0;
            for (var e : m.clip().namedParameters().entrySet()) {
                long n = e.getValue().data().numel();
                if (e.getKey().startsWith("visual.")) {
                    vision += n;
                } else if (!e.getKey().equals("logit_scale")) {
                    text += n;
                }
            }
            console.result("model       %s", m.path());
            console.result("layout      %s", m.layout());
            console.result("vision      width %d, layers %d, heads %d, patch %d, image %d px, %d tokens",
                    c.vision().width(), c.vision().layers(), c.vision().heads(), c.vision().patchSize(), c.vision().imageSize(),
                    c.vision().tokens());
            console.result("text        width %d, layers %d, heads %d, context %d, vocabulary %d",
                    c.text().width(), c.text().layers(), c.text().heads(), c.text().contextLength(), c.text().vocabSize());
            console.result("embedding   %d, activation %s, layer-norm eps %g", c.embedDim(), c.activation(), c.layerNormEps());
            console.result("config      %s", c.source());
            console.result("parameters  %,d (vision %,d, text %,d, logit scale 1)", vision + text + 1, vision, text);
            console.result("logit scale exp = %.4f", m.clip().logitScaleExp());
            console.result("loaded in   %.0f ms (memory-mapped)", ms);
            j.put("model", m.path().toString());
            j.put("layout", m.layout().name());
            j.put("huggingface_config", PretrainedConfigs.huggingFace(c));
            j.put("parameters", vision + text + 1);
            j.put("vision_parameters", vision);
            j.put("text_parameters", text);
            j.put("logit_scale_exp", m.clip().logitScaleExp());
            j.put("load_ms", ms);
            console.json(j);
        }
        return 0;
    }
}
