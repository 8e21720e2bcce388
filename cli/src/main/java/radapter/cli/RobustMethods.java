package radapter.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import radapter.adapters.report.Plots;
import radapter.adapters.robust.LpFt;
import radapter.adapters.robust.WiseFt;
import radapter.adapters.train.BatchSource;
import radapter.adapters.train.FineTuner;
import radapter.adapters.train.LinearProbe;
import radapter.data.dataset.Dataset;
import radapter.models.clip.Clip;
import radapter.models.clip.ClipLoader;
import radapter.models.clip.LoadedClip;
import radapter.tensor.Tensor;
import radapter.tensor.dist.Collective;
import radapter.tensor.io.AtomicFiles;
import radapter.tensor.io.SafeTensors;

/**
 * The command-line side of the robust fine-tuning baselines: {@code finetune --method full|lp-ft}
 * and {@code eval --wise-ft ZS,FT}. Kept apart from the commands so their own options stay small.
 */
final class RobustMethods {
    private RobustMethods() {
    }

    /** The fine-tuning methods {@code finetune --method} accepts. */
    enum Method {
        RADAPTER("radapter"), FULL("full"), LP_FT("lp-ft");

        final String id;

        Method(String id) {
            this.id = id;
        }

        static Method of(String s) {
            for (Method m : values()) {
                if (m.id.equalsIgnoreCase(s)) {
                    return m;
                }
            }
            throw new IllegalArgumentException("--method must be radapter, full or lp-ft, got '" + s + "'");
        }

        /** Default peak learning rate: R-Adapter's recipe, or the 1e-5 FLYP and LP-FT use for full fine-tuning. */
        double defaultLr() {
            return this == RADAPTER ? 5e-4 : 1e-5;
        }
    }

    /** Options that only R-Adapter has; given with another method they are a mistake, not something to ignore. */
    static void checkOptions(FinetuneCommand c, Method m) {
        if (m == Method.RADAPTER) {
            return;
        }
        if (c.bma != null || (c.ema != null && c.ema > 0)) {
            throw new IllegalArgumentException("--ema/--bma average the adapters; --method " + m.id + " has none");
        }
        if (m == Method.LP_FT) {
            if (c.task.equals("retrieval")) {
                throw new IllegalArgumentException("--method lp-ft trains a classifier head; it does not apply to --task retrieval");
            }
            if (c.resume != null) {
                throw new IllegalArgumentException("--method lp-ft cannot resume (its two stages keep no checkpoints); start it again");
            }
        }
    }

    /**
     * Full fine-tuning (FLYP): every weight but the logit scale trains with the CLIP loss on the
     * batches' image–text pairs. Writes checkpoints, the fine-tuned {@code model.safetensors} (the
     * checkpoint's own layout) and the loss curve. Data-parallel over {@code group} as R-Adapter is
     * (each process its shard, one all-reduce of all gradients per step); rank 0 writes.
     */
    static void full(FinetuneCommand c, LoadedClip m, BatchSource source, long steps, Path dir, Collective group) throws IOException {
        Clip clip = m.clip();
        clip.materialize(); // the loaded weights are read-only views of the file; these ones train
        clip.requiresGrad(true);
        clip.logitScale().requiresGrad(false);
        Console.current().info("full fine-tuning (FLYP) of %,d parameters: %s", clip.parameterCount(true), c.plan.describe());
        FineTuner.Result r;
        try (ConsoleProgress progress = Console.current().progress()) {
            progress.stage("full fine-tuning (FLYP)", steps);
            r = FineTuner.builder().model(clip).loss(FineTuner.LossKind.CLIP).labelSmoothing(0).lr(c.lr()).weightDecay(c.wd)
                    .warmup(c.plan.warmup()).minLr(c.minLr).steps(steps).gradClip(c.gradClip).seed(c.seed)
                    .microBatch(c.plan.accumulation() > 1 ? c.plan.microBatch() : 0)
                    .activationCheckpointing(c.activationCheckpointing).device(c.model.device())
                    .checkpoints(dir.resolve("checkpoints"), c.checkpointEvery, 2).resume(true)
                    .collective(group)
                    .listener((step, total, loss, rate) -> progress.step(step + 1, String.format("loss %.4f lr %.2e", loss, rate)))
                    .build().run(source);
        }
        clip.freeze();
        if (!group.isMain()) {
            return; // every process holds the same weights; rank 0 writes them
        }
        writeLosses(dir, "Full fine-tuning (FLYP) loss", "CLIP loss", r.losses());
        export(m, dir.resolve("model.safetensors"), Map.of("radapter.source", RunRecord.relative(dir, c.model.model), "radapter.method", "full"));
        Console.current().info("wrote the fine-tuned %s; WiSE-FT: radapter eval --model %s --wise-ft %s,%s --alpha 0.5 --data ...",
                dir.resolve("model.safetensors"), c.model.model, c.model.model, dir.resolve("model.safetensors"));
    }

    /**
     * LP-FT: a linear probe on the frozen image features of the training set (λ chosen on a
     * held-out 20 %), then the image tower and the probe's head fine-tuned together with the
     * cross-entropy loss. Writes {@code model.safetensors}, the head as {@code linear_probe.safetensors}
     * (score both with {@code eval --model OUT/model.safetensors --probe OUT}) and the loss curve.
     */
    static void lpFt(FinetuneCommand c, LoadedClip m, Dataset data, List<String> classNames, BatchSource source, long steps, Path dir)
            throws IOException {
        Clip clip = m.clip();
        clip.materialize(); // the loaded weights are read-only views of the file; the image tower trains
        List<Long> labels = new ArrayList<>();
        Tensor features = ClassificationData.imageFeatures(m, data, c.batchSize, labels, new AtomicInteger(), Console.current(),
                "LP-FT stage 1: encoding the training images", c.train);
        LinearProbe.Result probe = LinearProbe.builder().seed(c.seed).build()
                .fit(features, labels.stream().mapToLong(Long::longValue).toArray(), classNames);
        Console.current().info("stage 1, linear probe: λ = %s, training top-1 %.2f%%; stage 2, fine-tuning %,d image-tower parameters and the head: %s",
                LinearProbeCommand.fmt(probe.lambda()), 100 * probe.trainTop1(), clip.visual().parameterCount(false), c.plan.describe());
        LpFt.Result r;
        try (ConsoleProgress progress = Console.current().progress()) {
            progress.stage("LP-FT", steps);
            r = LpFt.builder().lr(c.lr()).weightDecay(c.wd).warmup(c.plan.warmup()).minLr(c.minLr).steps(steps).gradClip(c.gradClip)
                    .listener((step, total, loss, rate) -> progress.step(step + 1, String.format("loss %.4f lr %.2e", loss, rate)))
                    .build().run(clip, probe.classifier(), source);
        }
        writeLosses(dir, "LP-FT loss", "cross-entropy", r.losses());
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("radapter.source", RunRecord.relative(dir, c.model.model));
        meta.put("radapter.method", "lp-ft");
        meta.put("radapter.lambda", Double.toString(probe.lambda()));
        r.head().save(dir.resolve(LinearProbeCommand.FILE), meta);
        export(m, dir.resolve("model.safetensors"), meta);
        Console.current().info("wrote %s and its head %s; score them with: radapter eval --model %s --probe %s --data ...",
                dir.resolve("model.safetensors"), dir.resolve(LinearProbeCommand.FILE), dir.resolve("model.safetensors"), dir);
    }

    /**
     * {@code eval --wise-ft ZS,FT}: loads the two checkpoints and puts their weight-space ensemble
     * at {@code alpha} into {@code m} (which gives the architecture and the tokenizer).
     */
    static void applyWiseFt(LoadedClip m, String spec, double alpha, Path config) throws IOException {
        String[] parts = spec.split(",", -1);
        if (parts.length != 2 || parts[0].isBlank() || parts[1].isBlank()) {
            throw new IllegalArgumentException("--wise-ft takes two checkpoints, ZERO_SHOT,FINE_TUNED, got '" + spec + "'");
        }
        try (LoadedClip zs = ClipLoader.load(Path.of(parts[0].strip()), config);
                LoadedClip ft = ClipLoader.load(Path.of(parts[1].strip()), config)) {
            if (!zs.config().vision().equals(ft.config().vision()) || !zs.config().text().equals(ft.config().text())
                    || zs.config().activation() != ft.config().activation()) {
                throw new IllegalArgumentException("--wise-ft: " + parts[0] + " and " + parts[1] + " are different architectures");
            }
            Map<String, Tensor> mixed = WiseFt.interpolate(zs.clip().stateDict(), ft.clip().stateDict(), alpha);
            m.clip().loadStateDict(mixed, true);
            m.clip().to(m.clip().logitScale().data().device());
        }
    }

    private static void export(LoadedClip m, Path file, Map<String, String> metadata) throws IOException {
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("format", "pt");
        meta.put("producer", "radapter");
        meta.putAll(metadata);
        Map<String, Tensor> state = new LinkedHashMap<>();
        m.clip().stateDict().forEach((k, v) -> state.put(k, v.cpu()));
        SafeTensors.write(file, m.layout().fromCanonical(state), meta);
    }

    private static void writeLosses(Path dir, String title, String series, List<Double> losses) throws IOException {
        StringBuilder csv = new StringBuilder("step,loss\n");
        for (int i = 0; i < losses.size(); i++) {
            csv.append(i).append(',').append(losses.get(i)).append('\n');
        }
        AtomicFiles.writeString(dir.resolve("losses.csv"), csv.toString());
        Plots.lossCurves(dir.resolve("loss.png"), title, Map.of(series, losses));
    }
}
