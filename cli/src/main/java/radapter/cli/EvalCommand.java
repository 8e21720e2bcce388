package radapter.cli;

import java.nio.file.Files;
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
import radapter.adapters.AdaptedClip;
import radapter.adapters.eval.FeatureEncoder;
import radapter.adapters.eval.ClassSubset;
import radapter.adapters.eval.Classifier;
import radapter.adapters.eval.EvalReport;
import radapter.adapters.eval.LinearClassifier;
import radapter.adapters.eval.Metrics;
import radapter.adapters.eval.ZeroShotHead;
import radapter.data.dataset.CaptionDataset;
import radapter.data.dataset.ClassNames;
import radapter.data.dataset.Dataset;
import radapter.data.dataset.PromptTemplates;
import radapter.data.dataset.Sample;
import radapter.data.transforms.ClipPreprocess;
import radapter.models.clip.Clip;
import radapter.models.clip.LoadedClip;
import radapter.tensor.Join;
import radapter.tensor.MemoryScope;
import radapter.tensor.Tensor;

/**
 * {@code radapter eval}: classification accuracy on an in-distribution set and any number of
 * shifted sets (with the OOD average), or image-text retrieval recall@1/5/10, optionally with
 * trained adapters applied at scale α, or with a trained linear probe instead of the zero-shot
 * head. Shifts that cover part of the label space are scored on a class subset; {@code --report}
 * writes the results as Markdown, CSV and JSON, and {@code --alpha-sweep} adds a weight-space
 * ensembling sweep. Every option is checked before the model loads, so a mistake costs nothing.
 */
@Command(name = "eval", mixinStandardHelpOptions = true, description = "Evaluate classification under distribution shift, or retrieval.")
final class EvalCommand implements Callable<Integer> {
    @Mixin
    ModelOptions model;

    @Mixin
    Console console;

    @Mixin
    JsonOption json;

    @Option(names = "--adapters", paramLabel = "DIR", description = "Apply adapters from a finetune output folder.")
    Path adapters;

    @Option(names = "--alpha", description = "Eval scale α for the adapters (default: as trained).")
    Double alpha;

    @Option(names = "--wise-ft", paramLabel = "ZS,FT", description = "Evaluate WiSE-FT: the weight-space ensemble (1-α)·ZS + α·FT of a "
            + "zero-shot and a fully fine-tuned checkpoint (finetune --method full), at --alpha; --model gives the architecture and tokenizer.")
    String wiseFt;

    @Option(names = "--task", defaultValue = "classification", description = "classification or retrieval.")
    String task;

    @Option(names = "--data", required = true, paramLabel = "NAME=PATH", description = "Datasets; the first is in-distribution, the rest are shifts. Repeatable.")
    Map<String, Path> data = new LinkedHashMap<>();

    @Option(names = "--classes", paramLabel = "FILE")
    Path classes;

    @Option(names = "--templates", defaultValue = "openai", paramLabel = "openai|simple|FILE")
    String templates;

    @Option(names = "--batch-size", defaultValue = "32")
    int batchSize;

    @Option(names = "--subset", paramLabel = "NAME=FILE|auto", description = "Score set NAME on a subset of the classes (like ImageNet-R's "
            + "200 of 1000): FILE lists class names, one per line; auto takes the classes present in that set. Repeatable.")
    Map<String, String> subsets = new LinkedHashMap<>();

    @Option(names = "--probe", paramLabel = "FILE|DIR", description = "Score with a linear probe (from radapter linear-probe) instead of the zero-shot head.")
    Path probe;

    @Option(names = "--report", paramLabel = "DIR", description = "Also write report.md, results.csv and results.json to DIR.")
    Path report;

    @Option(names = "--alpha-sweep", paramLabel = "LIST", description = "Evaluate the un-merged adapters at each α of LIST, "
            + "such as 0,0.25,0.5,0.75,1 (needs --adapters, --report and a shifted set); writes alpha_sweep.csv and the ID-against-OOD plot "
            + "alpha_sweep.png.")
    String alphaSweep;

    @Override
    public Integer call() throws Exception {
        console.jsonOutput(json);
        boolean retrieval = switch (task) {
            case "retrieval" -> true;
            case "classification" -> false;
            default -> throw new IllegalArgumentException("--task must be classification or retrieval, got " + task);
        };
        if (alpha != null) {
            OptionChecks.between("--alpha", alpha, 0, 10);
        }
        OptionChecks.count("--batch-size", batchSize, 1, 1 << 16);
        double[] sweep = alphaSweep == null ? null : parseAlphas(alphaSweep);
        checkCombinations(retrieval, sweep);
        EvalReport rep = new EvalReport(settings());
        if (retrieval) {
            try (MemoryScope scope = MemoryScope.open(); LoadedClip m = model.load()) {
                applyAdapters(m);
                for (Map.Entry<String, Path> e : data.entrySet()) {
                    rep.add(retrieval(m, e.getKey(), e.getValue()));
                }
            }
            writeReport(rep);
            console.json(rep.toJson());
            return 0;
        }
        // Everything a user can get wrong is checked here, before the (slow) model load.
        LinearClassifier probeHead = probe == null ? null : LinearClassifier.load(Files.isDirectory(probe) ? probe.resolve(LinearProbeCommand.FILE) : probe);
        ClassNames given = probeHead != null ? ClassNames.of(probeHead.classNames())
                : classes != null ? ClassNames.fromFile(classes) : ClassNames.NONE;
        // The first set may name the classes (class folders); every set's labels are then checked against them.
        Map.Entry<String, Path> firstEntry = data.entrySet().iterator().next();
        Dataset firstSet = ClassificationData.openLabelled(firstEntry.getValue(), given);
        List<String> names = classNames(firstSet, probeHead);
        Map<String, Dataset> sets = new LinkedHashMap<>();
        for (Map.Entry<String, Path> e : data.entrySet()) {
            sets.put(e.getKey(), e.getKey().equals(firstEntry.getKey()) ? firstSet : ClassificationData.openLabelled(e.getValue(), ClassNames.of(names)));
        }
        Map<String, ClassSubset> subsetOf = resolveSubsets(sets, names);
        PromptTemplates t = probeHead == null ? ClassificationData.templates(templates) : null;

        try (MemoryScope scope = MemoryScope.open(); LoadedClip m = model.load()) {
            AdaptedClip a = applyAdapters(m);
            Classifier head = probeHead != null ? probeHead : ZeroShotHead.build(m.clip(), model.tokenizer(m), names, t.templates());
            boolean first = true;
            for (Map.Entry<String, Dataset> e : sets.entrySet()) {
                ClassSubset sub = subsetOf.get(e.getKey());
                ZeroShotCommand.Result r;
                try (ConsoleProgress progress = console.progress()) {
                    progress.stage("scoring " + e.getKey(), e.getValue().size());
                    r = ZeroShotCommand.evaluate(m, head, e.getValue(), batchSize, sub, progress);
                }
                console.result("%-16s top-1 %6.2f%%  top-5 %6.2f%%  (%d images%s%s)", e.getKey() + (first ? " (ID)" : ""), 100 * r.top1(),
                        100 * r.top5(), r.count(), r.skipped() > 0 ? ", " + r.skipped() + " skipped" : "",
                        sub != null ? ", " + sub.size() + " of " + sub.totalClasses() + " classes" : "");
                rep.add(new EvalReport.Classification(e.getKey(), first, r.top1(), r.top5(), r.count(), r.skipped(),
                        sub != null ? sub.size() : head.numClasses(), sub));
                first = false;
            }
            if (sets.size() > 1) {
                console.result("%-16s top-1 %6.2f%%", "OOD average", 100 * rep.oodAverage());
            }
            if (sweep != null) {
                sweep(m, a, names, t, sets, subsetOf, sweep, rep);
            }
        }
        writeReport(rep);
        console.json(rep.toJson());
        return 0;
    }

    /** Option combinations that cannot work, each as one clear message. */
    private void checkCombinations(boolean retrieval, double[] sweep) {
        if (wiseFt != null && (alpha == null || adapters != null || sweep != null)) {
            throw new IllegalArgumentException("--wise-ft ZS,FT needs --alpha A (0 = zero-shot, 1 = fine-tuned) and no --adapters or --alpha-sweep");
        }
        if (sweep != null) {
            if (adapters == null) {
                throw new IllegalArgumentException("--alpha-sweep varies the adapters' scale α: give --adapters DIR (a finetune output folder)");
            }
            if (retrieval) {
                throw new IllegalArgumentException("--alpha-sweep plots ID against OOD classification accuracy; it does not apply to --task retrieval");
            }
            if (report == null) {
                throw new IllegalArgumentException("--alpha-sweep writes alpha_sweep.csv and alpha_sweep.png: give --report DIR");
            }
            if (data.size() < 2) {
                throw new IllegalArgumentException("--alpha-sweep plots ID against OOD accuracy: give a shifted set too (a second --data)");
            }
        }
        if (retrieval && !subsets.isEmpty()) {
            throw new IllegalArgumentException("--subset restricts classification logits; it does not apply to --task retrieval");
        }
        if (probe != null && retrieval) {
            throw new IllegalArgumentException("--probe is a classifier; it does not apply to --task retrieval");
        }
        if (probe != null && adapters != null) {
            throw new IllegalArgumentException("--probe was trained on the base model's features; it cannot be combined with --adapters");
        }
        for (String name : subsets.keySet()) {
            if (!data.containsKey(name)) {
                throw new IllegalArgumentException("--subset " + name + ": there is no --data " + name + " (sets: " + String.join(", ", data.keySet()) + ")");
            }
        }
    }

    /** Parses {@code 0,0.25,0.5}: finite numbers ≥ 0, comma-separated. */
    static double[] parseAlphas(String list) {
        String[] parts = list.split(",", -1);
        double[] out = new double[parts.length];
        for (int i = 0; i < parts.length; i++) {
            String p = parts[i].strip();
            try {
                out[i] = Double.parseDouble(p);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--alpha-sweep: '" + p + "' is not a number; give a comma-separated list such as 0,0.25,0.5,0.75,1");
            }
            if (!(out[i] >= 0) || Double.isInfinite(out[i])) {
                throw new IllegalArgumentException("--alpha-sweep: α must be a finite number >= 0, got " + p);
            }
        }
        return out;
    }

    private List<String> classNames(Dataset firstSet, LinearClassifier probeHead) throws Exception {
        if (probeHead == null) {
            ClassNames names = ClassificationData.classNames(classes, firstSet);
            return names.asList();
        }
        // The probe knows its classes; a --classes file may repeat them but not contradict them.
        if (classes != null && !ClassNames.fromFile(classes).asList().equals(probeHead.classNames())) {
            throw new IllegalArgumentException("--classes " + classes + " differs from the " + probeHead.numClasses() + " classes the probe was trained on");
        }
        return probeHead.classNames();
    }

    /** Reads each {@code --subset} and checks that it covers every label of its set. */
    private Map<String, ClassSubset> resolveSubsets(Map<String, Dataset> sets, List<String> names) throws Exception {
        Map<String, ClassSubset> out = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : subsets.entrySet()) {
            Dataset ds = sets.get(e.getKey());
            int[] labels = ds.labels();
            ClassSubset sub = e.getValue().equals("auto")
                    ? ClassSubset.present(labels, names, "auto: the classes present in " + e.getKey())
                    : ClassSubset.fromFile(Path.of(e.getValue()), names);
            int missing = sub.firstMissing(labels);
            if (missing >= 0) {
                throw new IllegalArgumentException("--subset " + e.getKey() + ": the set has images of class '"
                        + (missing < names.size() ? names.get(missing) : "#" + missing) + "', which " + e.getValue() + " does not list");
            }
            out.put(e.getKey(), sub);
        }
        return out;
    }

    private AdaptedClip applyAdapters(LoadedClip m) throws Exception {
        if (wiseFt != null) {
            RobustMethods.applyWiseFt(m, wiseFt, alpha, model.config);
            System.out.printf("WiSE-FT: %s at α = %.3f%n", wiseFt, alpha);
        }
        if (adapters == null) {
            return null;
        }
        AdaptedClip a = AdapterFiles.load(adapters, m.clip());
        if (alpha != null) {
            a.setEvalScale(alpha);
        }
        a.merge();
        console.info("adapters from %s merged at α = %.3f", adapters, a.evalScale());
        return a;
    }

    /**
     * Weight-space ensembling: the adapters un-merged, each α in turn, with a fresh zero-shot head
     * per α because the text tower's adapters move with it.
     */
    private void sweep(LoadedClip m, AdaptedClip a, List<String> names, PromptTemplates t, Map<String, Dataset> sets,
            Map<String, ClassSubset> subsetOf, double[] alphas, EvalReport rep) {
        a.unmerge();
        a.train(false);
        console.result("α sweep (un-merged adapters):");
        for (double al : alphas) {
            a.setEvalScale(al);
            Map<String, Double> top1 = new LinkedHashMap<>();
            try (MemoryScope s = MemoryScope.open()) {
                ZeroShotHead head = ZeroShotHead.build(m.clip(), model.tokenizer(m), names, t.templates());
                for (Map.Entry<String, Dataset> e : sets.entrySet()) {
                    top1.put(e.getKey(), ZeroShotCommand.evaluate(m, head, e.getValue(), batchSize, subsetOf.get(e.getKey())).top1());
                }
            }
            EvalReport.AlphaPoint p = new EvalReport.AlphaPoint(al, top1);
            rep.add(p);
            console.result("  α %-6s ID top-1 %6.2f%%  OOD avg %6.2f%%", trim(al), 100 * p.id(), 100 * p.oodAverage());
        }
    }

    private static String trim(double a) {
        return java.math.BigDecimal.valueOf(a).stripTrailingZeros().toPlainString();
    }

    private Map<String, String> settings() {
        Map<String, String> s = new LinkedHashMap<>();
        s.put("task", task);
        s.put("model", shown(model.model));
        s.put("adapters", adapters == null ? "none" : shown(adapters));
        if (adapters != null) {
            s.put("alpha", alpha == null ? "as trained" : Double.toString(alpha));
        }
        if (!task.equals("retrieval")) {
            s.put("classifier", probe != null ? "linear probe " + shown(probe) : "zero-shot head, templates " + (templates.equals("openai") || templates.equals("simple") ? templates : shown(Path.of(templates))));
        }
        return s;
    }

    /** A path as the report shows it: relative to the report folder, so report files hold no absolute local path. */
    private String shown(Path p) {
        return report != null ? RunRecord.relative(report, p) : p.toString();
    }

    private void writeReport(EvalReport rep) throws Exception {
        if (report == null) {
            return;
        }
        List<Path> files = rep.write(report);
        console.info("%s", "wrote " + String.join(", ", files.stream().map(p -> p.getFileName().toString()).toList()) + " to " + report);
    }

    private EvalReport.Retrieval retrieval(LoadedClip m, String name, Path file) throws Exception {
        CaptionDataset caps = file.toString().endsWith(".json") ? CaptionDataset.reader().read(file)
                : CaptionDataset.fromCsv(ClassificationData.open(file));
        List<CaptionDataset.Entry> entries = caps.entries();
        Clip clip = m.clip();
        ClipPreprocess pre = ClipPreprocess.eval(m.config().vision().imageSize());
        List<Tensor> img = new ArrayList<>();
        List<String> texts = new ArrayList<>();
        List<Integer> owner = new ArrayList<>();
        Dataset paths = new Dataset() {
            @Override
            public int size() {
                return entries.size();
            }

            @Override
            public Sample get(int index) {
                return new Sample(index, entries.get(index).path(), Sample.NO_LABEL, null);
            }
        };
        for (int from = 0; from < entries.size(); from += batchSize) {
            int n = Math.min(batchSize, entries.size() - from);
            int[] idx = new int[n];
            for (int i = 0; i < n; i++) {
                idx[i] = from + i;
            }
            List<Integer> kept = new ArrayList<>();
            Tensor px = ClassificationData.pixels(paths, idx, pre, null, kept, new AtomicInteger());
            if (kept.size() != n) {
                throw new IllegalArgumentException(file + ": unreadable images in a retrieval set; fix or remove them");
            }
            try (MemoryScope s = MemoryScope.open()) {
                img.add(s.keep(Clip.normalize(clip.encodeImage(px))));
            }
        }
        for (int i = 0; i < entries.size(); i++) {
            for (String c : entries.get(i).captions()) {
                texts.add(c);
                owner.add(i);
            }
        }
        var tok = model.tokenizer(m);
        Tensor txt = Clip.normalize(FeatureEncoder.texts(clip, tok, texts, 256));
        Tensor sim = Join.cat(0, img).matmul(txt.mT());
        Metrics.Recall r = Metrics.recall(sim, owner.stream().mapToInt(Integer::intValue).toArray(), 1, 5, 10);
        console.result("%s: %d images, %d captions", name, entries.size(), texts.size());
        console.result("  image→text R@1 %.2f  R@5 %.2f  R@10 %.2f  (median rank %.1f)", r.imageToText()[0], r.imageToText()[1],
                r.imageToText()[2], r.medianRankI2T());
        console.result("  text→image R@1 %.2f  R@5 %.2f  R@10 %.2f  (median rank %.1f)", r.textToImage()[0], r.textToImage()[1],
                r.textToImage()[2], r.medianRankT2I());
        return new EvalReport.Retrieval(name, entries.size(), texts.size(), r);
    }
}
