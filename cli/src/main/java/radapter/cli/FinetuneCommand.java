package radapter.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import radapter.adapters.AdaptedClip;
import radapter.adapters.AdapterConfig;
import radapter.adapters.DropMaskAxis;
import radapter.adapters.RankRule;
import radapter.adapters.report.Plots;
import radapter.adapters.train.BatchSource;
import radapter.adapters.train.FineTuner;
import radapter.tensor.dist.Collective;
import radapter.data.dataset.ClassNames;
import radapter.data.dataset.Dataset;
import radapter.data.dataset.KShot;
import radapter.data.dataset.PromptTemplates;
import radapter.data.transforms.ClipPreprocess;
import radapter.models.clip.LoadedClip;
import radapter.models.tokenizer.ClipTokenizer;
import radapter.tensor.MemoryScope;
import radapter.tensor.Rng;
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

    @Mixin
    Console console;

    @Mixin
    JsonOption json;

    @Spec
    CommandSpec spec;

    @Option(names = "--train", paramLabel = "CSV", description = "Training CSV/TSV (filepath, title, class) or class folders.")
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

    @Option(names = "--adapter", defaultValue = "768,512", split = ",", description = "Adapter ranks vision,text; <= 0 disables a tower.")
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

    @Option(names = "--ema", paramLabel = "M", description = "EMA momentum of the averaged adapters evaluation uses; 0 = live adapters "
            + "(default: derived from the run length T: 1 - 10/T, at most 0.999, 0 for T <= 10, so the average spans the last tenth of the run).")
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

    @Option(names = "--warmup", paramLabel = "STEPS", description = "Linear learning-rate warm-up steps (default: a tenth of the run, "
            + "at most 500; a warm-up longer than the run is capped, with a warning).")
    Long warmup;

    @Option(names = "--open-clip", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Also write open_clip_model.safetensors (open_clip's tensor names) so open_clip's local-dir: loads the folder; "
                    + "model.safetensors (Hugging Face names) is always written (default: on).")
    boolean openClip;

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

    @Option(names = "--resume", paramLabel = "DIR", description = "Continue the run whose output folder is DIR from its newest checkpoint; "
            + "alone, with the settings the run was started with.")
    Path resume;

    @Option(names = "--overwrite", description = "Start a new run in a non-empty --out, deleting the previous run's checkpoints.")
    boolean overwrite;

    @Option(names = "--out", paramLabel = "DIR", description = "The run folder (required unless --resume): checkpoints, adapters, merged model.")
    Path out;

    @Override
    public Integer call() throws Exception {
        console.jsonOutput(json);
        if (resume != null && model.model == null) {
            return resumeWithSavedSettings();
        }
        checkOptions();
        Path dir = resume != null ? resume : out;
        RunFolder.Mode mode = resume != null ? RunFolder.Mode.RESUME : overwrite ? RunFolder.Mode.OVERWRITE : RunFolder.Mode.NEW;
        // Under mpirun every process runs this command; rank 0 owns the run folder, prints and writes.
        Collective group = Collective.fromEnvironment();
        int code;
        if (!group.isMain()) {
            console.silence();
            group.barrier(); // rank 0 has taken (and, with --overwrite, cleared) the folder
            code = train(dir, mode, group);
        } else {
            try (RunFolder run = RunFolder.take(dir, mode, resume != null ? "--resume" : "--out")) {
                checkResumeSettings(dir, mode);
                group.barrier();
                code = train(dir, mode, group);
            }
        }
        // MPI is finalized here, on the thread that initialized it, once every process succeeded; a
        // failing process exits and mpirun stops the others.
        group.close();
        return code;
    }

    /** {@code --resume DIR} alone: the run's own command line again, with what was given now on top. */
    private int resumeWithSavedSettings() throws Exception {
        ResumeOptions.Saved saved = ResumeOptions.read(resume);
        if (saved == null) {
            throw new IllegalArgumentException("--resume " + resume + ": no finetune run to resume there (no checkpoints/" + ResumeOptions.FILE
                    + "); give the run folder a radapter finetune wrote, or --model/--train to start a run");
        }
        List<String> args = new ArrayList<>();
        args.add("finetune");
        List<String> before = saved.arguments();
        for (int i = 0; i < before.size(); i++) {
            // The run folder is the one named by --resume now, wherever it was at the start.
            if (before.get(i).equals("--out")) {
                i++;
            } else if (!before.get(i).startsWith("--out=")) {
                args.add(before.get(i));
            }
        }
        args.addAll(ResumeOptions.startArguments(spec));
        args.add("--resume");
        args.add(resume.toString());
        return Main.commandLine().setOverwrittenOptionsAllowed(true).execute(args.toArray(String[]::new));
    }

    /** A resume must continue the same run: the same settings, except those that do not change the result. */
    private void checkResumeSettings(Path dir, RunFolder.Mode mode) throws IOException {
        Map<String, String> now = ResumeOptions.settings(spec);
        if (mode != RunFolder.Mode.RESUME) {
            ResumeOptions.save(dir, ResumeOptions.startArguments(spec), now);
            return;
        }
        ResumeOptions.Saved saved = ResumeOptions.read(dir);
        if (saved == null) {
            if (!java.nio.file.Files.isDirectory(dir.resolve("checkpoints"))) {
                throw new IllegalArgumentException("--resume " + dir + ": no finetune run there to resume (no checkpoints/)");
            }
            return; // a run from before command.json existed: nothing to compare with
        }
        String diff = saved.differences(now);
        if (!diff.isEmpty()) {
            throw new IllegalArgumentException("--resume " + dir + ": this command differs from the run's settings: " + diff
                    + "; resume with the run's own settings (--resume " + dir + " alone) or start a new run (a new --out, or --overwrite)");
        }
    }

    /** Every option checked before anything is read or loaded. */
    private void checkOptions() {
        if (model.model == null) {
            throw new IllegalArgumentException("missing --model MODEL (or give --resume DIR alone to continue a run)");
        }
        if (train == null) {
            throw new IllegalArgumentException("missing --train CSV");
        }
        if (out == null && resume == null) {
            throw new IllegalArgumentException("missing --out DIR (the run folder)");
        }
        if (resume != null && overwrite) {
            throw new IllegalArgumentException("--resume continues a run and --overwrite replaces it: give one of them");
        }
        if (resume != null && out != null && !resume.toAbsolutePath().normalize().equals(out.toAbsolutePath().normalize())) {
            throw new IllegalArgumentException("--resume " + resume + " and --out " + out + " name different folders; a resumed run writes into its own folder");
        }
        if (bma != null && ema != null && ema > 0) {
            throw new IllegalArgumentException("--bma and --ema are alternatives for the averaged adapters: give one of them (or --ema 0)");
        }
        if (adapter.length < 1 || adapter.length > 2) {
            throw new IllegalArgumentException("--adapter takes one rank for both towers or two (vision,text), got " + adapter.length);
        }
        for (int r : adapter) {
            OptionChecks.count("--adapter", r, -1, 1 << 16);
        }
        OptionChecks.aboveOpen("--lr", lr(), 0, 1);
        OptionChecks.between("--min-lr", minLr, 0, lr());
        OptionChecks.between("--wd", wd, 0, 10);
        OptionChecks.belowOpen("--drop-path", dropPath, 0, 1);
        OptionChecks.between("--eval-scale", evalScale, 0, 10);
        OptionChecks.belowOpen("--ls", ls, 0, 1);
        OptionChecks.between("--mg", mg, 0, 10);
        OptionChecks.between("--grad-clip-norm", gradClip, 0, 1e6);
        OptionChecks.aboveOpen("--crop-scale", cropScale, 0, 1);
        OptionChecks.count("--epochs", epochs, 1, 1_000_000);
        OptionChecks.count("--batch-size", batchSize, 1, 1 << 20);
        OptionChecks.count("--grad-accum", gradAccum, 1, batchSize);
        if (warmup != null) {
            OptionChecks.count("--warmup", warmup, 0, Long.MAX_VALUE / 2);
        }
        OptionChecks.count("--k-shot", kShot, 0, Integer.MAX_VALUE);
        OptionChecks.count("--checkpoint-every", checkpointEvery, 0, Long.MAX_VALUE / 2);
        if (ema != null) {
            OptionChecks.belowOpen("--ema", ema, 0, 1);
        }
        if (bma != null) {
            OptionChecks.aboveOpen("--bma", bma, 0, 1e6);
        }
        RobustMethods.checkOptions(this, RobustMethods.Method.of(method));
        if (!task.equals("classification") && !task.equals("retrieval")) {
            throw new IllegalArgumentException("--task must be classification or retrieval, got " + task);
        }
    }

    private int train(Path dir, RunFolder.Mode mode, Collective group) throws Exception {
        Dataset ds = task.equals("retrieval") ? ClassificationData.open(train) : ClassificationData.openLabelled(train);
        if (kShot > 0) {
            ds = KShot.select(ds, kShot, new Rng(seed));
        }
        Dataset data = ds;
        TrainingPlan plan = TrainingPlan.of(data.size(), batchSize, gradAccum, epochs, warmup, ema, bma != null);
        this.plan = plan;
        long steps = plan.steps();
        try (MemoryScope scope = MemoryScope.open(); LoadedClip m = model.load()) {
            ClipTokenizer tok = model.tokenizer(m);
            RobustMethods.Method m0 = RobustMethods.Method.of(method);
            if (m0 == RobustMethods.Method.LP_FT && group.size() > 1) {
                throw new IllegalArgumentException("--method lp-ft runs in one process; data-parallel runs (mpirun) train R-Adapter or --method full");
            }
            if (m0 == RobustMethods.Method.FULL) {
                RobustMethods.full(this, m, batches(data, tok, m.config().vision().imageSize(), plan.batch()), steps, dir, group);
                return 0;
            }
            if (m0 == RobustMethods.Method.LP_FT) {
                RobustMethods.lpFt(this, m, data, ClassificationData.classNames(classes, data).asList(),
                        batches(data, tok, m.config().vision().imageSize(), plan.batch()), steps, dir);
                return 0;
            }
            AdapterConfig.Builder cfg = AdapterConfig.builder().ranks(adapter[0], adapter.length > 1 ? adapter[1] : adapter[0])
                    .rankRule(rankRule).dropPath(dropPath).dropAxis(dropAxis).evalScale(evalScale).ema(plan.ema());
            if (bma != null) {
                cfg.bma(bma);
            }
            AdaptedClip a = AdaptedClip.install(m.clip(), cfg.build(), new Rng(seed));
            console.info("training %,d adapter parameters on %,d pairs: %s", a.trainableCount(), data.size(), plan.describe());
            console.info("averaging: %s; lr %s (cosine to %s), seed %d", plan.describeAveraging(bma), LinearProbeCommand.fmt(lr()), LinearProbeCommand.fmt(minLr), seed);
            plan.warnings().forEach(w -> console.warn("%s", w));
            if (group.size() > 1) {
                console.info("data parallel over %d processes (%s): %d pairs of each batch per process", group.size(), group, plan.batch() / group.size());
            }
            RunRecord record = new RunRecord(spec, dir);
            if (console.verbose()) {
                ((Map<?, ?>) record.asMap().get("settings")).forEach((k, v) -> console.detail("  --%s %s", k, v));
            }
            BatchSource source = batches(data, tok, m.config().vision().imageSize(), plan.batch());
            FineTuner.Result result;
            FineTuner tuner;
            try (ConsoleProgress progress = console.progress()) {
                progress.stage("R-Adapter fine-tuning", steps);
                tuner = FineTuner.builder().adapters(a).loss(FineTuner.LossKind.MPM_NCE).margin(mg).labelSmoothing(ls).lr(lr()).weightDecay(wd)
                        .warmup(plan.warmup()).minLr(minLr).steps(steps).gradClip(gradClip)
                        .microBatch(plan.accumulation() > 1 ? plan.microBatch() : 0)
                        .activationCheckpointing(activationCheckpointing).device(model.device())
                        .checkpoints(dir.resolve("checkpoints"), checkpointEvery, 2).resume(mode == RunFolder.Mode.RESUME)
                        .notices(msg -> console.warn("%s", msg))
                        .collective(group)
                        .listener((step, total, loss, rate) -> progress.step(step + 1, String.format("loss %.4f lr %.2e", loss, rate)))
                        .build();
                result = tuner.run(source);
            }
            if (!group.isMain()) {
                return 0; // every process holds the same adapters; rank 0 writes them
            }
            writeLossCurve(dir, result.losses());
            AdapterFiles.write(dir, a);
            String source0 = RunRecord.relative(dir, model.model);
            List<Path> files = a.exportPretrained(dir, tok, openClip, Map.of("radapter.source", source0));
            record.put("seed", seed);
            if (templates != null && !templates.equals("openai") && !templates.equals("simple")) {
                record.setting("templates", Path.of(templates));
            }
            record.put("data", Map.of("train", train));
            record.put("effective", effective(plan, a));
            Map<String, Object> res = resultJson(result);
            res.put("timings", timingsJson(tuner.timings()));
            if (group.size() > 1) {
                FineTuner.Timings tm = tuner.timings();
                console.info("per step on rank 0: reading its shard %.1f ms, gradient all-reduce %.2f ms, feature all-gather %.2f ms",
                        1e3 * tm.perStep(tm.dataSeconds()), 1e3 * tm.perStep(tm.allReduceSeconds()), 1e3 * tm.perStep(tm.allGatherSeconds()));
            }
            record.put("result", res);
            record.write();
            console.info("wrote %s: adapters.safetensors, the merged model (%s), configs, tokenizer files, run.json, loss.png",
                    dir, files.stream().filter(f -> f.toString().endsWith(".safetensors")).map(f -> f.getFileName().toString())
                            .collect(java.util.stream.Collectors.joining(", ")));
            console.result("final loss %.4f after %,d steps (%s)", lastLoss(result.losses()), steps, Durations.format(result.seconds()));
            Map<String, Object> j = new java.util.LinkedHashMap<>(res);
            j.put("out", dir.toString());
            j.put("effective", effective(plan, a));
            console.json(j);
        }
        return 0;
    }

    /** What the defaults resolved to for this run (run.json and --json). */
    private static Map<String, Object> effective(TrainingPlan plan, AdaptedClip a) {
        Map<String, Object> e = new java.util.LinkedHashMap<>();
        e.put("pairs", (long) plan.pairs());
        e.put("batch", (long) plan.batch());
        e.put("micro_batch", (long) plan.microBatch());
        e.put("accumulation", (long) plan.accumulation());
        e.put("steps_per_epoch", plan.stepsPerEpoch());
        e.put("steps", plan.steps());
        e.put("warmup", plan.warmup());
        e.put("ema", plan.ema());
        e.put("ema_derived", plan.emaDerived());
        e.put("trainable_parameters", a.trainableCount());
        return e;
    }

    private static Map<String, Object> resultJson(FineTuner.Result r) {
        Map<String, Object> m = new java.util.LinkedHashMap<>();
        m.put("steps_run", r.steps());
        m.put("resumed_from", r.resumedFrom());
        m.put("final_loss", r.losses().isEmpty() ? null : lastLoss(r.losses()));
        m.put("seconds", r.seconds());
        return m;
    }

    /** Seconds per step spent reading batches and in the collectives (run.json's {@code result.timings}). */
    private static Map<String, Object> timingsJson(FineTuner.Timings t) {
        Map<String, Object> m = new java.util.LinkedHashMap<>();
        m.put("steps", t.steps());
        m.put("data_seconds_per_step", t.perStep(t.dataSeconds()));
        m.put("allreduce_seconds_per_step", t.perStep(t.allReduceSeconds()));
        m.put("allgather_seconds_per_step", t.perStep(t.allGatherSeconds()));
        return m;
    }

    /** Mean of the last ten losses: one step's loss is too noisy to report. */
    private static double lastLoss(List<Double> losses) {
        int n = Math.min(10, losses.size());
        double s = 0;
        for (int i = losses.size() - n; i < losses.size(); i++) {
            s += losses.get(i);
        }
        return n == 0 ? Double.NaN : s / n;
    }

    /** What this run really does (batch, steps, warm-up), once the dataset is read; the baselines read it too. */
    TrainingPlan plan;

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

    BatchSource batches(Dataset data, ClipTokenizer tok, int imageSize, int batchSize) throws Exception {
        boolean retrieval = task.equals("retrieval");
        if (!retrieval && !task.equals("classification")) {
            throw new IllegalArgumentException("--task must be classification or retrieval, got " + task);
        }
        PromptTemplates t = templates == null ? null : ClassificationData.templates(templates);
        ClassNames names = t == null ? null : ClassificationData.classNames(classes, data);
        return new TrainingBatches(data, tok, ClipPreprocess.train(imageSize, cropScale), t, names, retrieval, seed, batchSize, train);
    }
}
