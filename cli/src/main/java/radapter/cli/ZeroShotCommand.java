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
import radapter.adapters.eval.ClassSubset;
import radapter.adapters.eval.Classifier;
import radapter.adapters.eval.Metrics;
import radapter.adapters.eval.ZeroShotHead;
import radapter.data.dataset.ClassNames;
import radapter.data.dataset.Dataset;
import radapter.data.dataset.PromptTemplates;
import radapter.data.transforms.ClipPreprocess;
import radapter.models.clip.LoadedClip;
import radapter.tensor.Join;
import radapter.tensor.MemoryScope;
import radapter.tensor.Tensor;

/** {@code radapter zeroshot}: zero-shot classification accuracy of a CLIP checkpoint on a labelled dataset. */
@Command(name = "zeroshot", mixinStandardHelpOptions = true, description = "Zero-shot classification with a template head.")
final class ZeroShotCommand implements Callable<Integer> {
    @Mixin
    ModelOptions model;

    @Mixin
    Console console;

    @Mixin
    JsonOption json;

    @Option(names = "--classes", paramLabel = "FILE", description = "Class names, one per line in label order (default: the class folders).")
    Path classes;

    @Option(names = "--templates", defaultValue = "openai", paramLabel = "openai|simple|FILE", description = "Prompt templates.")
    String templates;

    @Option(names = "--data", required = true, paramLabel = "CSV|DIR", description = "Labelled images: a CSV/TSV (filepath, class) or class folders.")
    Path data;

    @Option(names = "--batch-size", defaultValue = "32", description = "Images encoded at once.")
    int batchSize;

    @Override
    public Integer call() throws Exception {
        console.jsonOutput(json);
        OptionChecks.count("--batch-size", batchSize, 1, 1 << 16);
        // The class list first, so that every label is checked against it before the model loads.
        ClassNames given = classes == null ? ClassNames.NONE : ClassNames.fromFile(classes);
        Dataset ds = ClassificationData.openLabelled(data, given);
        ClassNames names = ClassificationData.classNames(classes, ds);
        try (MemoryScope scope = MemoryScope.open(); LoadedClip m = model.load()) {
            PromptTemplates t = ClassificationData.templates(templates);
            ZeroShotHead head = ZeroShotHead.build(m.clip(), model.tokenizer(m), names.asList(), t.templates());
            Result r;
            try (ConsoleProgress progress = console.progress()) {
                progress.stage("zero-shot " + data.getFileName(), ds.size());
                r = evaluate(m, head, ds, batchSize, null, progress);
            }
            console.result("%s: top-1 %.2f%%  top-5 %.2f%%  (%d images, %d classes, %d templates, %d skipped)", data,
                    100 * r.top1(), 100 * r.top5(), r.count(), names.size(), t.size(), r.skipped());
            Map<String, Object> j = new LinkedHashMap<>();
            j.put("data", data.toString());
            j.put("top1", r.top1());
            j.put("top5", r.top5());
            j.put("top5_k", (long) Math.min(5, names.size()));
            j.put("images", (long) r.count());
            j.put("skipped", (long) r.skipped());
            j.put("classes", (long) names.size());
            j.put("templates", (long) t.size());
            console.json(j);
        }
        return 0;
    }

    record Result(double top1, double top5, int count, int skipped) {
    }

    static Result evaluate(LoadedClip m, Classifier head, Dataset ds, int batchSize) {
        return evaluate(m, head, ds, batchSize, null, null);
    }

    static Result evaluate(LoadedClip m, Classifier fullHead, Dataset ds, int batchSize, ClassSubset subset) {
        return evaluate(m, fullHead, ds, batchSize, subset, null);
    }

    /**
     * Top-1/top-5 of {@code head} on {@code ds}; with a {@code subset}, the logits are restricted to
     * its classes and each label becomes its position in the subset.
     */
    /** As above; {@code progress} (may be null) is stepped by images, the caller having started its stage. */
    static Result evaluate(LoadedClip m, Classifier fullHead, Dataset ds, int batchSize, ClassSubset subset, ConsoleProgress progress) {
        Classifier head = subset == null ? fullHead : fullHead.restrict(subset.indices());
        ClipPreprocess pre = ClipPreprocess.eval(m.config().vision().imageSize());
        List<Tensor> logits = new ArrayList<>();
        List<Long> labels = new ArrayList<>();
        AtomicInteger skipped = new AtomicInteger();
        for (int from = 0; from < ds.size(); from += batchSize) {
            int n = Math.min(batchSize, ds.size() - from);
            int[] idx = new int[n];
            for (int i = 0; i < n; i++) {
                idx[i] = from + i;
            }
            List<Integer> kept = new ArrayList<>();
            Tensor px = ClassificationData.pixels(ds, idx, pre, null, kept, skipped);
            if (progress != null) {
                progress.step(from + n, "");
            }
            if (kept.isEmpty()) {
                continue;
            }
            try (MemoryScope s = MemoryScope.open()) {
                logits.add(s.keep(head.logits(m.clip().encodeImage(px))));
            }
            for (int k : kept) {
                int label = ds.get(idx[k]).label();
                int mapped = subset == null ? label : subset.position(label);
                if (mapped < 0) {
                    throw new IllegalArgumentException("sample " + idx[k] + " has class " + label + ", which is not in the subset " + subset.describe());
                }
                labels.add((long) mapped);
            }
        }
        if (labels.isEmpty()) {
            throw new IllegalArgumentException("no readable images in the dataset");
        }
        Tensor all = Join.cat(0, logits);
        long[] y = labels.stream().mapToLong(Long::longValue).toArray();
        return new Result(Metrics.topK(all, y, 1), Metrics.topK(all, y, Math.min(5, (int) all.size(1))), y.length, skipped.get());
    }
}
