package radapter.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicInteger;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import radapter.adapters.train.LinearProbe;
import radapter.data.dataset.ClassNames;
import radapter.data.dataset.Dataset;
import radapter.data.dataset.KShot;
import radapter.models.clip.LoadedClip;
import radapter.tensor.MemoryScope;
import radapter.tensor.Rng;
import radapter.tensor.Tensor;
import radapter.tensor.io.AtomicFiles;
import radapter.tensor.io.Json;

/**
 * {@code radapter linear-probe}: the linear-probe baseline. Encodes the training images once with
 * the frozen image tower, fits an L2-regularised multinomial logistic regression on the normalised
 * features with L-BFGS, choosing λ on a held-out part of the training data (the CLIP paper's
 * protocol), and writes {@code linear_probe.safetensors}, which {@code radapter eval --probe}
 * scores like a zero-shot head. A separate command rather than a {@code finetune} method because
 * none of finetune's adapter, loss or schedule options apply to it.
 */
@Command(name = "linear-probe", mixinStandardHelpOptions = true,
        description = "Train the linear-probe baseline: logistic regression on frozen image features (L-BFGS, λ chosen on held-out data).")
final class LinearProbeCommand implements Callable<Integer> {
    /** The file the command writes and {@code eval --probe DIR} reads. */
    static final String FILE = "linear_probe.safetensors";

    @Mixin
    ModelOptions model;

    @Mixin
    Console console;

    @Mixin
    JsonOption json;

    @Option(names = "--train", required = true, paramLabel = "CSV|DIR", description = "Labelled training images: a CSV/TSV (filepath, class) or class folders.")
    Path train;

    @Option(names = "--classes", paramLabel = "FILE", description = "Class names, one per line in label order (default: the class folders).")
    Path classes;

    @Option(names = "--lambdas", defaultValue = "1e-6,1e-5,1e-4,1e-3,1e-2,1e-1,1", paramLabel = "LIST",
            description = "L2 strengths to choose from on the held-out split; one value skips the choice.")
    String lambdas;

    @Option(names = "--val-fraction", defaultValue = "0.2", description = "Fraction of each class held out for choosing λ.")
    double valFraction;

    @Option(names = "--max-iter", defaultValue = "1000", description = "L-BFGS iteration limit per fit.")
    int maxIter;

    @Option(names = "--k-shot", defaultValue = "0", description = "Train on k images per class (0 = all).")
    int kShot;

    @Option(names = "--seed", defaultValue = "0", description = "Seed of the k-shot draw and the held-out split.")
    long seed;

    @Option(names = "--batch-size", defaultValue = "32", description = "Images encoded at once.")
    int batchSize;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Writes " + FILE + " and linear_probe.json here.")
    Path out;

    @Override
    public Integer call() throws Exception {
        console.jsonOutput(json);
        OptionChecks.count("--batch-size", batchSize, 1, 1 << 16);
        OptionChecks.count("--max-iter", maxIter, 1, 1_000_000);
        OptionChecks.count("--k-shot", kShot, 0, Integer.MAX_VALUE);
        OptionChecks.between("--val-fraction", valFraction, 0, 0.9);
        LinearProbe probe = LinearProbe.builder().lambdas(parseLambdas(lambdas)).validationFraction(valFraction).maxIterations(maxIter)
                .seed(seed).build();
        // With a class list, every label is checked against it as the file is read (file:line: class N is outside ...).
        Dataset ds = ClassificationData.openLabelled(train, classes == null ? ClassNames.NONE : ClassNames.fromFile(classes));
        if (kShot > 0) {
            ds = KShot.select(ds, kShot, new Rng(seed));
        }
        List<String> names = ClassificationData.classNames(classes, ds).asList();
        int[] labels = ds.labels();
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] < 0 || labels[i] >= names.size()) {
                throw new IllegalArgumentException(train + ": sample " + i + " has class " + labels[i] + ", outside the " + names.size() + " classes");
            }
        }
        try (MemoryScope scope = MemoryScope.open(); LoadedClip m = model.load()) {
            List<Long> kept = new ArrayList<>();
            AtomicInteger skipped = new AtomicInteger();
            Tensor features = ClassificationData.imageFeatures(m, ds, batchSize, kept, skipped, console, "encoding training images", train);
            long[] y = kept.stream().mapToLong(Long::longValue).toArray();
            console.info("encoded %d images (%d skipped), %d classes, features of width %d", y.length, skipped.get(), names.size(),
                    features.size(1));
            LinearProbe.Result r = probe.fit(features, y, names);
            for (LinearProbe.Candidate c : r.sweep()) {
                console.result("  λ %-7s held-out top-1 %6.2f%%  loss %.4f  (%d L-BFGS iterations%s)", fmt(c.lambda()), 100 * c.validationTop1(),
                        c.validationLoss(), c.iterations(), c.converged() ? "" : ", not converged");
            }
            console.result("chose λ = %s on %d held-out images; refit on all %d: training top-1 %.2f%% (%d iterations%s, %.1f s)",
                    fmt(r.lambda()), r.validationCount(), y.length, 100 * r.trainTop1(), r.iterations(), r.converged() ? "" : ", not converged",
                    r.seconds());
            Map<String, String> meta = new LinkedHashMap<>();
            meta.put("radapter.lambda", Double.toString(r.lambda()));
            meta.put("radapter.source", RunRecord.relative(out, model.model));
            meta.put("radapter.train", RunRecord.relative(out, train));
            r.classifier().save(out.resolve(FILE), meta);
            AtomicFiles.writeString(out.resolve("linear_probe.json"), Json.writePretty(summary(r, y.length)));
            console.info("wrote %s; score it with: radapter eval --model %s --probe %s --data ...", out.resolve(FILE), model.model, out);
            console.json(summary(r, y.length));
        }
        return 0;
    }

    private static Map<String, Object> summary(LinearProbe.Result r, int samples) {
        Map<String, Object> j = new LinkedHashMap<>();
        j.put("solver", "L-BFGS, full batch, mean cross-entropy + λ/2·‖W‖² (bias not regularised)");
        j.put("lambda", r.lambda());
        j.put("samples", (long) samples);
        j.put("held_out", (long) r.validationCount());
        j.put("train_top1", r.trainTop1());
        j.put("iterations", (long) r.iterations());
        j.put("converged", r.converged());
        List<Object> sweep = new ArrayList<>();
        for (LinearProbe.Candidate c : r.sweep()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("lambda", c.lambda());
            m.put("held_out_top1", c.validationTop1());
            m.put("held_out_loss", c.validationLoss());
            m.put("iterations", (long) c.iterations());
            m.put("converged", c.converged());
            sweep.add(m);
        }
        j.put("sweep", sweep);
        return j;
    }

    /** Parses {@code 1e-4,1e-3}: positive numbers, comma-separated. */
    static double[] parseLambdas(String list) {
        String[] parts = list.split(",", -1);
        double[] out = new double[parts.length];
        for (int i = 0; i < parts.length; i++) {
            String p = parts[i].strip();
            try {
                out[i] = Double.parseDouble(p);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--lambdas: '" + p + "' is not a number; give a comma-separated list such as 1e-4,1e-3,1e-2");
            }
        }
        return out;
    }

    /** {@code 1e-6}, {@code 2.5e-4}, {@code 0.01}: short and exact. */
    static String fmt(double v) {
        return Double.toString(v).replace(".0E", "e").replace("E", "e");
    }
}
