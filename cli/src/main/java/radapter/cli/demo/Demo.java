package radapter.cli.demo;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import radapter.adapters.AdaptedClip;
import radapter.adapters.AdapterConfig;
import radapter.adapters.DropMaskAxis;
import radapter.adapters.eval.Classifier;
import radapter.adapters.eval.FeatureEncoder;
import radapter.adapters.eval.Metrics;
import radapter.adapters.eval.ZeroShotHead;
import radapter.adapters.report.Plots;
import radapter.adapters.robust.LpFt;
import radapter.adapters.robust.WiseFt;
import radapter.adapters.train.FineTuner;
import radapter.adapters.train.LinearProbe;
import radapter.data.dataset.PromptTemplates;
import radapter.data.image.RgbImage;
import radapter.data.synthetic.Split;
import radapter.data.synthetic.SyntheticDataset;
import radapter.data.synthetic.SyntheticShapes;
import radapter.models.clip.CheckpointLayout;
import radapter.models.clip.Clip;
import radapter.models.clip.ClipConfig;
import radapter.models.clip.ClipInit;
import radapter.models.nn.Activation;
import radapter.models.tokenizer.WordTokenizer;
import radapter.tensor.MemoryScope;
import radapter.tensor.Rng;
import radapter.tensor.Tensor;
import radapter.tensor.io.AtomicFiles;
import radapter.tensor.io.Json;

/**
 * The built-in demo: the paper's story in miniature, on synthetic data, from scratch.
 * <ol>
 *   <li>Synthetic shapes: a broad pre-training mix, an in-distribution fine-tuning set, and four
 *       distribution-shifted test sets (sketch, texture, palette, geometry).</li>
 *   <li>Pre-train a small CLIP with the contrastive loss on the broad mix: the zero-shot model.</li>
 *   <li>Zero-shot evaluation with a template head.</li>
 *   <li>Baseline: a linear probe (logistic regression) on the zero-shot model's frozen image
 *       features of the ID set.</li>
 *   <li>Fine-tune on the ID set: full fine-tuning (FLYP loss), WiSE-FT (its weights mixed with the
 *       zero-shot ones), LP-FT (from the probe's head), R-Adapter with all its parts, and R-Adapter
 *       without self-ensembling (no dropping, no EMA, α = 1).</li>
 *   <li>Evaluate all; sweep α for R-Adapter and WiSE-FT; merge and check the merged model scores
 *       the same.</li>
 *   <li>Write report.md, results.json, PNG plots and the merged model.safetensors.</li>
 * </ol>
 * Every number in the report is measured in the run.
 */
public final class Demo {
    /** Sizes of a run. */
    public record Settings(boolean quick, long seed, Path out, int pretrainSteps, int pretrainBatch, int finetuneSteps,
            int finetuneBatch, int evalPerSplit) {
        public static Settings of(boolean quick, long seed, Path out) {
            return quick
                    ? new Settings(true, seed, out, 224, 48, 60, 32, 200)
                    : new Settings(false, seed, out, 1200, 96, 300, 64, 600);
        }

        /** The same run with other step counts (0 keeps a value). */
        public Settings withSteps(int pretrain, int finetune) {
            return new Settings(quick, seed, out, pretrain > 0 ? pretrain : pretrainSteps, pretrainBatch,
                    finetune > 0 ? finetune : finetuneSteps, finetuneBatch, evalPerSplit);
        }
    }

    /** Progress reporting hooks (the CLI draws progress bars with them). */
    public interface Progress {
        void stage(String name, long total);

        void step(long done, String detail);

        void message(String line);
    }

    /** One method's evaluation. */
    public record Scores(String method, Map<String, Double> accuracy, double oodAverage, long trainable, double trainSeconds) {
        /** The same accuracies under another name, with a parameter count and training time. */
        Scores renamed(String name, long params, double seconds) {
            return new Scores(name, accuracy, oodAverage, params, seconds);
        }
    }

    static final String ZERO_SHOT = "zero-shot";
    static final String LINEAR_PROBE = "linear probe";
    static final String FULL = "full fine-tuning (FLYP)";
    static final String WISE_FT = "WiSE-FT (α = 0.5)";
    static final String LP_FT = "LP-FT";
    static final String R_ADAPTER = "R-Adapter (EMA, α = 0.5)";
    static final String R_ADAPTER_PLAIN = "R-Adapter w/o self-ensembling";
    static final String R_ADAPTER_MERGED = "R-Adapter merged (α = 0.5)";
    /** Full fine-tuning's (and LP-FT's) peak learning rate. */
    static final double FULL_LR = 1e-4;
    /**
     * R-Adapter's peak learning rate, 100 times full fine-tuning's: zero-initialised adapters need
     * far larger steps than pre-trained weights (the paper's ImageNet recipe: 5e-4 against
     * FLYP's 1e-5, 50 times), and their learnable scale starts at 0.1, so an adapter's output moves
     * a tenth as fast as its weights. Measured on seeds 0/1/2 against 3e-3 (before the text tower
     * stopped at the last end-of-text token): 3–7 ID points more at
     * α = 0.5 with the OOD average unchanged (±0.2); 3e-2 gained ID on seed 0 but lost 1.2 OOD
     * points on seed 1.
     */
    static final double ADAPTER_LR = 1e-2;
    /**
     * The α of both weight-space ensembling sweeps. Five points draw the curve; each costs a
     * full evaluation, and the two sweeps were a fifth of the run at eleven points each.
     */
    static final double[] ALPHAS = {0, 0.25, 0.5, 0.75, 1.0};
    /** The quick run's sweeps: the two ends (checked exactly) and α = 0.5. */
    static final double[] QUICK_ALPHAS = {0, 0.5, 1.0};

    static final List<String> TEMPLATES = List.of("a photo of a {}.", "a drawing of a {}.", "a picture of a {}.",
            "a {} on a plain background.", "a close-up photo of a {}.", "a pencil drawing of a {}.");
    static final Split[] SHIFTS = {Split.SKETCH, Split.TEXTURE, Split.PALETTE, Split.GEOMETRY};

    private final Settings s;
    private final Progress progress;

    public Demo(Settings settings, Progress progress) {
        this.s = settings;
        this.progress = progress;
    }

    /** Runs everything and returns the score table (also written to the run folder). */
    public List<Scores> run() throws IOException {
        long start = System.nanoTime();
        Files.createDirectories(s.out());
        // About three passes over the pre-training images: more passes over fewer images made the
        // zero-shot model memorise captions and get worse off-distribution.
        int pretrainImages = Math.max(4800, s.pretrainSteps() * s.pretrainBatch() / 3);
        SyntheticShapes data = SyntheticShapes.builder().seed(s.seed()).imageSize(32).size(Split.PRETRAIN, pretrainImages)
                .size(Split.TEST, s.evalPerSplit()).size(Split.SKETCH, s.evalPerSplit()).size(Split.TEXTURE, s.evalPerSplit())
                .size(Split.PALETTE, s.evalPerSplit()).size(Split.GEOMETRY, s.evalPerSplit()).build();
        SyntheticDataset pre = data.split(Split.PRETRAIN);
        SyntheticDataset train = data.split(Split.TRAIN);
        List<String> classNames = train.classNames().asList();
        PromptTemplates templates = PromptTemplates.of("demo", TEMPLATES);

        List<String> corpus = new ArrayList<>();
        for (int i = 0; i < pre.size(); i++) {
            corpus.add(pre.get(i).caption());
        }
        for (String c : classNames) {
            corpus.addAll(templates.formatAll(c));
        }
        WordTokenizer tok = WordTokenizer.fit(corpus, 16);
        ClipConfig cfg = new ClipConfig(64, new ClipConfig.Vision(64, 3, 4, 8, 32), new ClipConfig.Text(64, 2, 4, 16, tok.vocabSize()),
                Activation.QUICK_GELU, 1e-5, "radapter demo (trained from scratch)");
        progress.message(String.format("data: %d pre-training, %d fine-tuning, %d per test split, %d classes; vocabulary %d words",
                pre.size(), train.size(), s.evalPerSplit(), classNames.size(), tok.vocabSize()));

        Map<String, Tensor> zeroShotState;
        List<Double> pretrainLosses;
        Map<String, Tensor> evalPixels = new LinkedHashMap<>();
        Map<String, long[]> evalLabels = new LinkedHashMap<>();
        for (Split split : evalSplits()) {
            SyntheticDataset d = data.split(split);
            evalPixels.put(split.id(), MemoryScope.outsideScopes(() -> DemoData.pixels(d, 0, d.size())));
            evalLabels.put(split.id(), DemoData.labels(d));
        }

        RgbImage[] preImages = DemoData.render(pre);
        RgbImage[] trainImages = DemoData.render(train);

        // 2. Pre-train the zero-shot model.
        Clip base = ClipInit.initialize(new Clip(cfg), new Rng(s.seed()));
        base.logitScale().requiresGrad(false);
        progress.stage("pre-training a CLIP from scratch", s.pretrainSteps());
        FineTuner pt = FineTuner.builder().model(base).loss(FineTuner.LossKind.CLIP).labelSmoothing(0)
                .lr(2e-3).weightDecay(0.1).warmup(Math.max(10, s.pretrainSteps() / 20)).minLr(1e-5).steps(s.pretrainSteps())
                .gradClip(1.0).seed(s.seed()).listener(listener()).build();
        long t0 = System.nanoTime();
        pretrainLosses = pt.run(DemoData.captioned(pre, preImages, tok, s.pretrainBatch(), s.seed() + 1)).losses();
        double pretrainSeconds = (System.nanoTime() - t0) / 1e9;
        zeroShotState = snapshot(base);

        // 3. Zero-shot, and the linear probe on its frozen features (the CLIP paper's protocol;
        // also LP-FT's first stage).
        Clip zs = fresh(cfg, zeroShotState);
        Scores zeroShot = evaluate(ZERO_SHOT, zs, tok, classNames, templates, evalPixels, evalLabels, 0, 0);
        progress.stage("linear probe", 1);
        t0 = System.nanoTime();
        Tensor trainFeatures = frozenFeatures(zs, trainImages);
        LinearProbe.Result probe = LinearProbe.builder().seed(s.seed() + 5).build()
                .fit(trainFeatures, DemoData.labels(train), train.classNames().asList());
        double probeSeconds = (System.nanoTime() - t0) / 1e9;
        progress.step(1, String.format("λ = %.0e", probe.lambda()));
        Scores probeScores = evaluate(LINEAR_PROBE, zs, probe.classifier(), tok, classNames, templates, evalPixels, evalLabels,
                probe.classifier().weight().numel() + probe.classifier().bias().numel(), probeSeconds);

        Map<String, List<Double>> ftCurves = new LinkedHashMap<>();
        // 4a. Full fine-tuning with the FLYP loss (CLIP loss on class prompts).
        Clip full = fresh(cfg, zeroShotState);
        full.requiresGrad(true);
        full.logitScale().requiresGrad(false);
        progress.stage("full fine-tuning (FLYP)", s.finetuneSteps());
        t0 = System.nanoTime();
        FineTuner.Result fr = FineTuner.builder().model(full).loss(FineTuner.LossKind.CLIP).labelSmoothing(0).lr(FULL_LR).weightDecay(0.1)
                .warmup(s.finetuneSteps() / 10).minLr(1e-6).steps(s.finetuneSteps()).gradClip(1.0).seed(s.seed() + 2).listener(listener())
                .build().run(DemoData.classification(train, trainImages, tok, templates, s.finetuneBatch(), s.seed() + 3));
        double fullSeconds = (System.nanoTime() - t0) / 1e9;
        long fullParams = full.parameterCount(true);
        full.freeze();
        ftCurves.put(FULL, fr.losses());
        Scores fullScores = evaluate(FULL, full, tok, classNames, templates, evalPixels, evalLabels, fullParams, fullSeconds);
        Map<String, Tensor> fineTunedState = snapshot(full);

        // 4b. WiSE-FT: the weight-space ensemble of the zero-shot and the fully fine-tuned weights.
        double[] alphas = s.quick() ? QUICK_ALPHAS : ALPHAS;
        int mid = java.util.Arrays.binarySearch(alphas, 0.5);
        Sweep wise = new Sweep(alphas.length);
        Clip wiseModel = fresh(cfg, zeroShotState);
        progress.stage("WiSE-FT α sweep", alphas.length);
        for (int i = 0; i < alphas.length; i++) {
            double a = alphas[i];
            MemoryScope.outsideScopes(() -> {
                WiseFt.apply(wiseModel, zeroShotState, fineTunedState, a);
                return null;
            });
            wise.put(i, evaluate("WiSE-FT α=" + a, wiseModel, tok, classNames, templates, evalPixels, evalLabels, 0, 0));
            progress.step(i + 1, String.format("α %.2f: ID %.1f%%, OOD %.1f%%", a, 100 * wise.id[i], 100 * wise.ood[i]));
        }
        Scores wiseScores = wise.scores[mid].renamed(WISE_FT, fullParams, fullSeconds);
        boolean wiseEndsExact = wise.scores[0].accuracy().equals(zeroShot.accuracy())
                && wise.scores[alphas.length - 1].accuracy().equals(fullScores.accuracy());

        // 4c. LP-FT: full fine-tuning of the image tower from the linear probe's head, cross-entropy.
        Clip lpft = fresh(cfg, zeroShotState);
        progress.stage("LP-FT", s.finetuneSteps());
        t0 = System.nanoTime();
        LpFt.Result lpftRun = LpFt.builder().lr(FULL_LR).weightDecay(0.1).warmup(s.finetuneSteps() / 10).minLr(1e-6).steps(s.finetuneSteps())
                .gradClip(1.0).listener(listener()).build()
                .run(lpft, probe.classifier(), DemoData.classification(train, trainImages, tok, templates, s.finetuneBatch(), s.seed() + 3));
        ftCurves.put(LP_FT, lpftRun.losses());
        Scores lpftScores = evaluate(LP_FT, lpft, lpftRun.head(), tok, classNames, templates, evalPixels, evalLabels,
                lpft.visual().parameterCount(false) + lpftRun.head().weight().numel() + lpftRun.head().bias().numel(), probeSeconds + lpftRun.seconds());

        // 4d. R-Adapter with adapter dropping, EMA and α = 0.5.
        double ema = s.quick() ? 0.95 : 0.98;
        Clip ra = fresh(cfg, zeroShotState);
        AdaptedClip adapted = AdaptedClip.install(ra, AdapterConfig.builder().ranks(64, 64).dropPath(0.2).dropAxis(DropMaskAxis.PER_SAMPLE)
                .ema(ema).evalScale(0.5).build(), new Rng(s.seed() + 4));
        progress.stage("R-Adapter fine-tuning", s.finetuneSteps());
        t0 = System.nanoTime();
        FineTuner.Result rr = rAdapterTuner(adapted).build()
                .run(DemoData.classification(train, trainImages, tok, templates, s.finetuneBatch(), s.seed() + 3));
        double raSeconds = (System.nanoTime() - t0) / 1e9;
        ftCurves.put("R-Adapter", rr.losses());
        Scores unmerged = evaluate(R_ADAPTER, ra, tok, classNames, templates, evalPixels, evalLabels, adapted.trainableCount(), raSeconds);

        // 4e. R-Adapter without self-ensembling: no dropping, no EMA, full strength.
        Clip plain = fresh(cfg, zeroShotState);
        AdaptedClip plainAdapted = AdaptedClip.install(plain, AdapterConfig.builder().ranks(64, 64).dropPath(0).ema(0).evalScale(1.0).build(),
                new Rng(s.seed() + 4));
        progress.stage("R-Adapter without self-ensembling", s.finetuneSteps());
        t0 = System.nanoTime();
        FineTuner.Result pr = rAdapterTuner(plainAdapted).build()
                .run(DemoData.classification(train, trainImages, tok, templates, s.finetuneBatch(), s.seed() + 3));
        ftCurves.put(R_ADAPTER_PLAIN, pr.losses());
        Scores plainScores = evaluate(R_ADAPTER_PLAIN, plain, tok, classNames, templates, evalPixels, evalLabels,
                plainAdapted.trainableCount(), (System.nanoTime() - t0) / 1e9);

        // 5. R-Adapter's α sweep (weight-space ensembling for free) and the merge check.
        Sweep raSweep = new Sweep(alphas.length);
        progress.stage("R-Adapter α sweep", alphas.length);
        for (int i = 0; i < alphas.length; i++) {
            adapted.setEvalScale(alphas[i]);
            // α = 0.5 is the configuration evaluated above as the R-Adapter row: the same computation.
            raSweep.put(i, i == mid ? unmerged : evaluate("α=" + alphas[i], ra, tok, classNames, templates, evalPixels, evalLabels, 0, 0));
            progress.step(i + 1, String.format("α %.2f: ID %.1f%%, OOD %.1f%%", alphas[i], 100 * raSweep.id[i], 100 * raSweep.ood[i]));
        }
        adapted.setEvalScale(0.5);
        adapted.merge(0.5);
        Scores merged = evaluate(R_ADAPTER_MERGED, ra, tok, classNames, templates, evalPixels, evalLabels, adapted.trainableCount(), raSeconds);
        Path modelFile = s.out().resolve("model.safetensors");
        adapted.exportMerged(modelFile, CheckpointLayout.OPENAI, Map.of("radapter.demo_seed", Long.toString(s.seed())));
        adapted.unmerge();
        double mergeGap = 0;
        for (String k : unmerged.accuracy().keySet()) {
            mergeGap = Math.max(mergeGap, Math.abs(unmerged.accuracy().get(k) - merged.accuracy().get(k)));
        }
        writeModelConfig(cfg, tok);

        List<Scores> table = List.of(zeroShot, probeScores, fullScores, wiseScores, lpftScores, unmerged, plainScores, merged);

        // 6. Reports and plots.
        Map<String, List<Double>> pre2 = new LinkedHashMap<>();
        pre2.put("pre-training (CLIP loss)", pretrainLosses);
        Plots.lossCurves(s.out().resolve("pretrain_loss.png"), "Pre-training loss", pre2);
        Plots.lossCurves(s.out().resolve("finetune_loss.png"), "Fine-tuning loss", ftCurves);
        Map<String, double[]> points = new LinkedHashMap<>();
        for (Scores sc : List.of(zeroShot, fullScores, lpftScores, probeScores, plainScores)) {
            points.put(sc.method(), new double[] {sc.accuracy().get(Split.TEST.id()), sc.oodAverage()});
        }
        Plots.alphaCurves(s.out().resolve("alpha_sweep.png"), "Weight-space ensembling: α = 0 (zero-shot) … 1",
                List.of(new Plots.AlphaCurve("R-Adapter, α = 0 … 1", alphas, raSweep.id, raSweep.ood),
                        new Plots.AlphaCurve("WiSE-FT, α = 0 … 1", alphas, wise.id, wise.ood)), points);
        double totalSeconds = (System.nanoTime() - start) / 1e9;
        Report.write(new Report.Run(s, table, alphas, raSweep.id, raSweep.ood, wise.id, wise.ood, wiseEndsExact, mergeGap, pretrainSeconds,
                pretrainLosses, totalSeconds, cfg, probe));
        return table;
    }

    /** Accuracies along an α sweep. */
    private static final class Sweep {
        final double[] id;
        final double[] ood;
        final Scores[] scores;

        Sweep(int n) {
            id = new double[n];
            ood = new double[n];
            scores = new Scores[n];
        }

        void put(int i, Scores sc) {
            scores[i] = sc;
            id[i] = sc.accuracy().get(Split.TEST.id());
            ood[i] = sc.oodAverage();
        }
    }

    private FineTuner.Builder rAdapterTuner(AdaptedClip a) {
        return FineTuner.builder().adapters(a).loss(FineTuner.LossKind.MPM_NCE).margin(0.05).labelSmoothing(0.02).lr(ADAPTER_LR)
                .weightDecay(0).warmup(s.finetuneSteps() / 10).minLr(1e-6).steps(s.finetuneSteps()).gradClip(1.0).listener(listener());
    }

    private FineTuner.Listener listener() {
        return (step, total, loss, lr) -> progress.step(step + 1, String.format("loss %.4f lr %.2e", loss, lr));
    }

    static List<Split> evalSplits() {
        List<Split> l = new ArrayList<>();
        l.add(Split.TEST);
        l.addAll(List.of(SHIFTS));
        return l;
    }

    private static Map<String, Tensor> snapshot(Clip c) {
        Map<String, Tensor> m = new LinkedHashMap<>();
        c.stateDict().forEach((k, v) -> m.put(k, MemoryScope.outsideScopes(v::clone)));
        return m;
    }

    static Clip fresh(ClipConfig cfg, Map<String, Tensor> state) {
        Clip c = new Clip(cfg);
        c.loadStateDict(state, true);
        c.materialize();
        c.freeze();
        c.eval();
        return c;
    }

    private Scores evaluate(String method, Clip clip, WordTokenizer tok, List<String> classNames, PromptTemplates templates,
            Map<String, Tensor> pixels, Map<String, long[]> labels, long trainable, double seconds) {
        return evaluate(method, clip, null, tok, classNames, templates, pixels, labels, trainable, seconds);
    }

    /** Scores {@code clip}'s image features with {@code probe}, or with a zero-shot head from the templates when it is null. */
    private Scores evaluate(String method, Clip clip, Classifier probe, WordTokenizer tok, List<String> classNames, PromptTemplates templates,
            Map<String, Tensor> pixels, Map<String, long[]> labels, long trainable, double seconds) {
        clip.eval();
        Map<String, Double> acc = new LinkedHashMap<>();
        try (MemoryScope scope = MemoryScope.open()) {
            Classifier head = probe != null ? probe : ZeroShotHead.build(clip, tok, classNames, templates.templates());
            for (Map.Entry<String, Tensor> e : pixels.entrySet()) {
                Tensor logits = head.logits(FeatureEncoder.images(clip, e.getValue(), 256));
                acc.put(e.getKey(), Metrics.topK(logits, labels.get(e.getKey()), 1));
            }
        }
        double ood = 0;
        for (Split sp : SHIFTS) {
            ood += acc.get(sp.id());
        }
        ood /= SHIFTS.length;
        Scores sc = new Scores(method, acc, ood, trainable, seconds);
        if (trainable > 0 || method.equals(ZERO_SHOT)) {
            progress.message(String.format("%-32s ID %5.1f%%  OOD avg %5.1f%%", method, 100 * acc.get(Split.TEST.id()), 100 * ood));
        }
        return sc;
    }

    /** {@code clip}'s image features of every one of {@code images}, outside any memory scope. */
    private static Tensor frozenFeatures(Clip clip, RgbImage[] images) {
        clip.eval();
        try (MemoryScope scope = MemoryScope.open()) {
            return scope.keep(FeatureEncoder.images(clip, DemoData.pixels(images, java.util.stream.IntStream.range(0, images.length).toArray()), 256));
        }
    }

    private void writeModelConfig(ClipConfig cfg, WordTokenizer tok) throws IOException {
        Map<String, Object> vision = new LinkedHashMap<>();
        vision.put("image_size", (long) cfg.vision().imageSize());
        vision.put("layers", (long) cfg.vision().layers());
        vision.put("width", cfg.vision().width());
        vision.put("patch_size", (long) cfg.vision().patchSize());
        vision.put("heads", (long) cfg.vision().heads());
        Map<String, Object> text = new LinkedHashMap<>();
        text.put("context_length", (long) cfg.text().contextLength());
        text.put("vocab_size", (long) cfg.text().vocabSize());
        text.put("width", cfg.text().width());
        text.put("heads", (long) cfg.text().heads());
        text.put("layers", (long) cfg.text().layers());
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("embed_dim", cfg.embedDim());
        c.put("quick_gelu", true);
        c.put("vision_cfg", vision);
        c.put("text_cfg", text);
        write(s.out().resolve("model.json"), Json.writePretty(c));
        write(s.out().resolve("vocab.txt"), String.join("\n", tok.words()) + "\n");
    }

    static void write(Path file, String content) throws IOException {
        AtomicFiles.writeString(file, content);
    }
}
