package radapter.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicInteger;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import radapter.adapters.AdaptedClip;
import radapter.adapters.AdapterConfig;
import radapter.adapters.DropMaskAxis;
import radapter.adapters.RankRule;
import radapter.adapters.report.Plots;
import radapter.adapters.train.BatchSource;
import radapter.adapters.train.FineTuner;
import radapter.adapters.train.TrainBatch;
import radapter.data.dataset.ClassNames;
import radapter.data.dataset.Dataset;
import radapter.data.dataset.KShot;
import radapter.data.dataset.PromptTemplates;
import radapter.data.dataset.Sample;
import radapter.data.transforms.ClipPreprocess;
import radapter.models.clip.LoadedClip;
import radapter.models.tokenizer.ClipTokenizer;
import radapter.tensor.MemoryScope;
import radapter.tensor.Rng;
import radapter.tensor.Tensor;
import radapter.tensor.io.AtomicFiles;

/**
 * {@code radapter finetune}: R-Adapter fine-tuning of a CLIP checkpoint on a CSV in the official
 * format (filepath, title, class), with the official scripts' flag names. Writes checkpoints,
 * the adapters, and the merged model (in the checkpoint's own layout) to {@code --out}.
 * {@code --method full|lp-ft} runs the baselines instead ({@link RobustMethods}).
 */
@Command(name = "finetune", mixinStandardHelpOptions = true, description = "Fine-tune a CLIP checkpoint with R-Adapter.")
final class FinetuneCommand implements Callable<Integer> {
    @Mixin
    ModelOptions model;

    @Option(names = "--train", required = true, paramLabel = "CSV", description = "Training CSV/TSV (filepath, title, class) or class folders.")
    Path train;

    @Option(names = "--method", defaultValue = "radapter", paramLabel = "radapter|full|lp-ft", description = "radapter (default); full: "
            + "full fine-tuning with the CLIP loss (FLYP); lp-ft: a linear probe on frozen features, then full fine-tuning of the image "
            + "tower from the probe's head (Kumar et al. 2022).")
    String method;

    @Option(names = "--task", defaultValue = "classification", description = "classification (same class = positives) or retrieval (same image = positives).")
    String task;

    @Option(names = "--templates", paramLabel = "openai|simple|FILE", description = "Pair each image with a random template of its class instead of the title column.")
    String templates;

    @Option(names = "--classes", paramLabel = "FILE", description = "Class names for --templates (default: the class folders).")
    Path classes;

    @Option(names = "--adapter", defaultValue = "768,512", split = ",", description = "Adapter ranks vision,text; <= 0 disables a tower (default: ${DEFAULT-VALUE}).")
    int[] adapter;

    @Option(names = "--activation-checkpointing", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Recompute each transformer block in backward instead of keeping its activations: "
                    + "a full-size model trains in a fraction of the memory for about one more forward pass (default: on).")
    boolean activationCheckpointing;

    @Option(names = "--rank-rule", defaultValue = "PAPER", description = "PAPER (r < D is low rank) or OFFICIAL (full rank unless r > D).")
    RankRule rankRule;

    @Option(names = "--drop-path", defaultValue = "0.2")
    double dropPath;

    @Option(names = "--drop-axis", defaultValue = "PER_SAMPLE", description = "PER_SAMPLE (default) or PER_TOKEN (the official code).")
    DropMaskAxis dropAxis;

    @Option(names = "--ema", paramLabel = "M", description = "EMA momentum of the averaged adapters evaluation uses (default 0.999; 0 = live adapters).")
    Double ema;

    @Option(names = "--bma", paramLabel = "BETA", description = "Average the adapters with BMA instead of EMA: step t of T weighs "
            + "BetaPDF((t+0.5)/(T+1); β, β). Replaces the default EMA; cannot be combined with --ema above 0.")
    Double bma;

    @Option(names = "--eval-scale", defaultValue = "0.5", description = "α for evaluation and the merge.")
    double evalScale;

    @Option(names = "--ls", defaultValue = "0.02", description = "Label smoothing.")
    double ls;

    @Option(names = "--mg", defaultValue = "0.05", description = "Margin on negatives.")
    double mg;

    @Option(names = "--lr", description = "Peak learning rate (default: 5e-4 for radapter, 1e-5 for full and lp-ft).")
    Double lr;

    @Option(names = "--wd", defaultValue = "0")
    double wd;

    @Option(names = "--epochs", defaultValue = "10")
    int epochs;

    @Option(names = "--batch-size", defaultValue = "512", description = "Pairs per optimizer step (the whole contrastive batch).")
    int batchSize;

    @Option(names = "--grad-accum", defaultValue = "1", description = "Split each batch into this many micro-batches (exact: the loss still covers the whole batch).")
    int gradAccum;

    @Option(names = "--warmup", defaultValue = "500")
    long warmup;

    @Option(names = "--min-lr", defaultValue = "1e-6")
    double minLr;

    @Option(names = "--grad-clip-norm", defaultValue = "1.0", description = "0 disables clipping.")
    double gradClip;

    @Option(names = "--k-shot", defaultValue = "0", description = "Train on k images per class (0 = all).")
    int kShot;

    @Option(names = "--crop-scale", defaultValue = "0.9", description = "RandomResizedCrop minimum scale.")
    double cropScale;

    @Option(names = "--seed", defaultValue = "0")
    long seed;

    @Option(names = "--checkpoint-every", defaultValue = "500")
    long checkpointEvery;

    @Option(names = "--resume", paramLabel = "DIR", description = "Continue the run whose output folder is DIR.")
    Path resume;

    @Option(names = "--out", required = true, paramLabel = "DIR")
    Path out;

    @Override
    public Integer call() throws Exception {
        if (bma != null && ema != null && ema > 0) {
            throw new IllegalArgumentException("--bma and --ema are alternatives for the averaged adapters: give one of them (or --ema 0)");
        }
        RobustMethods.Method m0 = RobustMethods.Method.of(method);
        RobustMethods.checkOptions(this, m0);
        Path dir = resume != null ? resume : out;
        Dataset ds = ClassificationData.open(train);
        if (kShot > 0) {
            ds = KShot.select(ds, kShot, new Rng(seed));
        }
        Dataset data = ds;
        long stepsPerEpoch = Math.max(1, data.size() / batchSize);
        long steps = stepsPerEpoch * epochs;
        try (MemoryScope scope = MemoryScope.open(); LoadedClip m = model.load()) {
            ClipTokenizer tok = model.tokenizer(m);
            if (m0 == RobustMethods.Method.FULL) {
                RobustMethods.full(this, m, batches(data, tok, m.config().vision().imageSize()), steps, dir);
                return 0;
            }
            if (m0 == RobustMethods.Method.LP_FT) {
                RobustMethods.lpFt(this, m, data, ClassificationData.classNames(classes, data).asList(),
                        batches(data, tok, m.config().vision().imageSize()), steps, dir);
                return 0;
            }
            AdapterConfig.Builder cfg = AdapterConfig.builder().ranks(adapter[0], adapter.length > 1 ? adapter[1] : adapter[0])
                    .rankRule(rankRule).dropPath(dropPath).dropAxis(dropAxis).evalScale(evalScale);
            if (ema != null) {
                cfg.ema(ema);
            }
            if (bma != null) {
                cfg.bma(bma);
            }
            AdaptedClip a = AdaptedClip.install(m.clip(), cfg.build(), new Rng(seed));
            System.out.printf("training %,d adapter parameters on %,d pairs: %d steps of %d (%d micro-batches)%n", a.trainableCount(),
                    data.size(), steps, batchSize, gradAccum);
            BatchSource source = batches(data, tok, m.config().vision().imageSize());
            FineTuner.Result result;
            try (ConsoleProgress progress = new ConsoleProgress()) {
                progress.stage("R-Adapter fine-tuning", steps);
                result = FineTuner.builder().adapters(a).loss(FineTuner.LossKind.MPM_NCE).margin(mg).labelSmoothing(ls).lr(lr()).weightDecay(wd)
                        .warmup(Math.min(warmup, steps - 1)).minLr(minLr).steps(steps).gradClip(gradClip)
                        .microBatch(gradAccum > 1 ? Math.max(1, batchSize / gradAccum) : 0)
                        .activationCheckpointing(activationCheckpointing).device(model.device())
                        .checkpoints(dir.resolve("checkpoints"), checkpointEvery, 2).resume(true)
                        .listener((step, total, loss, rate) -> progress.step(step + 1, String.format("loss %.4f lr %.2e", loss, rate)))
                        .build().run(source);
            }
            writeLossCurve(dir, result.losses());
            AdapterFiles.write(dir, a);
            a.exportMerged(dir.resolve("model.safetensors"), m.layout(), Map.of("radapter.source", model.model.toString()));
            System.out.println("wrote " + dir.resolve("adapters.safetensors") + " and the merged " + dir.resolve("model.safetensors"));
        }
        return 0;
    }

    /** The peak learning rate: {@code --lr}, or the method's default. */
    double lr() {
        return lr != null ? lr : RobustMethods.Method.of(method).defaultLr();
    }

    /** {@code losses.csv} (step, loss) and {@code loss.png}, both written atomically. */
    private static void writeLossCurve(Path dir, List<Double> losses) throws IOException {
        StringBuilder csv = new StringBuilder("step,loss\n");
        for (int i = 0; i < losses.size(); i++) {
            csv.append(i).append(',').append(losses.get(i)).append('\n');
        }
        AtomicFiles.writeString(dir.resolve("losses.csv"), csv.toString());
        Plots.lossCurves(dir.resolve("loss.png"), "R-Adapter fine-tuning loss", Map.of("MPM-NCE", losses));
    }

    BatchSource batches(Dataset data, ClipTokenizer tok, int imageSize) throws Exception {
        ClipPreprocess pre = ClipPreprocess.train(imageSize, cropScale);
        boolean retrieval = task.equals("retrieval");
        if (!retrieval && !task.equals("classification")) {
            throw new IllegalArgumentException("--task must be classification or retrieval, got " + task);
        }
        PromptTemplates t = templates == null ? null : ClassificationData.templates(templates);
        ClassNames names = t == null ? null : ClassificationData.classNames(classes, data);
        Map<Path, Long> imageIds = new HashMap<>();
        for (int i = 0; i < data.size(); i++) {
            imageIds.putIfAbsent(data.get(i).path(), (long) imageIds.size());
        }
        long perEpoch = Math.max(1, data.size() / batchSize);
        return step -> {
            long epoch = step / perEpoch;
            int[] order = new Rng(seed).fork(epoch).permutation(data.size());
            int from = (int) ((step % perEpoch) * batchSize);
            int[] idx = java.util.Arrays.copyOfRange(order, from, Math.min(from + batchSize, order.length));
            Rng r = new Rng(seed).fork(1_000_003L * (step + 1));
            List<Integer> kept = new ArrayList<>();
            Tensor px = ClassificationData.pixels(data, idx, pre, r, kept, new AtomicInteger());
            List<String> texts = new ArrayList<>();
            long[] labels = new long[kept.size()];
            for (int k = 0; k < kept.size(); k++) {
                Sample s = data.get(idx[kept.get(k)]);
                String text = t != null ? t.random(r, names.get(s.label())) : s.caption();
                if (text == null) {
                    throw new IllegalArgumentException(train + ": row " + s.index() + " has no title; give --templates to build prompts from class names");
                }
                texts.add(text);
                labels[k] = retrieval ? imageIds.get(s.path()) : s.label();
            }
            return new TrainBatch(px, tok.tokenizeTensor(texts), labels);
        };
    }
}
