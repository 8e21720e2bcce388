package radapter.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import jdk.incubator.vector.FloatVector;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import radapter.models.clip.ClipConfig;
import radapter.models.clip.ClipLoader;
import radapter.models.hub.Pretrained;
import radapter.models.clip.LoadedClip;
import radapter.tensor.Backend;
import radapter.tensor.Backends;

/**
 * {@code radapter info [MODEL]}: without a model, the runtime, vector width and backends; with
 * one, its layout, inferred configuration and parameter counts per tower.
 */
@Command(name = "info", mixinStandardHelpOptions = true,
        description = "Show the runtime and backends, or a checkpoint's layout, configuration and parameter counts.")
final class InfoCommand implements Callable<Integer> {
    @Parameters(index = "0", arity = "0..1", paramLabel = "MODEL",
            description = "A .safetensors file, a Hugging Face folder, a hub id or an open_clip name with --pretrained.")
    Path model;

    @Option(names = "--pretrained", paramLabel = "TAG", description = "open_clip pretrained tag for an open_clip MODEL name.")
    String pretrained;

    @Option(names = "--config", paramLabel = "FILE", description = "HF config.json or open_clip model config (default: found beside the weights).")
    Path config;

    @Override
    public Integer call() throws Exception {
        if (model == null) {
            System.out.printf("java      %s (%s)%n", System.getProperty("java.version"), System.getProperty("java.vm.name"));
            System.out.printf("cpu       %d cores, preferred float vector %d lanes (%d bits)%n",
                    Runtime.getRuntime().availableProcessors(), FloatVector.SPECIES_PREFERRED.length(),
                    FloatVector.SPECIES_PREFERRED.vectorBitSize());
            System.out.println("backends  (current: " + Backends.current().name() + ")");
            for (Backend b : Backends.all()) {
                System.out.printf("  %-10s priority %-3d %s%n", b.name(), b.priority(),
                        b.isAvailable() ? "available" : "unavailable: " + b.unavailableReason());
            }
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
            System.out.println("model       " + m.path());
            System.out.println("layout      " + m.layout());
            System.out.printf("vision      width %d, layers %d, heads %d, patch %d, image %d px, %d tokens%n",
                    c.vision().width(), c.vision().layers(), c.vision().heads(), c.vision().patchSize(), c.vision().imageSize(),
                    c.vision().tokens());
            System.out.printf("text        width %d, layers %d, heads %d, context %d, vocabulary %d%n",
                    c.text().width(), c.text().layers(), c.text().heads(), c.text().contextLength(), c.text().vocabSize());
            System.out.printf("embedding   %d, activation %s, layer-norm eps %g%n", c.embedDim(), c.activation(), c.layerNormEps());
            System.out.println("config      " + c.source());
            System.out.printf("parameters  %,d (vision %,d, text %,d, logit scale 1)%n", vision + text + 1, vision, text);
            System.out.printf("logit scale exp = %.4f%n", m.clip().logitScaleExp());
            System.out.printf("loaded in   %.0f ms (memory-mapped)%n", ms);
        }
        return 0;
    }
}
