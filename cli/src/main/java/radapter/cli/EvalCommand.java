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
import radapter.adapters.AdaptedClip;
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
 * trained adapters applied at scale α.
 */
@Command(name = "eval", mixinStandardHelpOptions = true, description = "Evaluate classification under distribution shift, or retrieval.")
final class EvalCommand implements Callable<Integer> {
    @Mixin
    ModelOptions model;

    @Option(names = "--adapters", paramLabel = "DIR", description = "Apply adapters from a finetune output folder.")
    Path adapters;

    @Option(names = "--alpha", description = "Eval scale α for the adapters (default: as trained).")
    Double alpha;

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

    @Override
    public Integer call() throws Exception {
        try (MemoryScope scope = MemoryScope.open(); LoadedClip m = model.load()) {
            if (adapters != null) {
                AdaptedClip a = AdapterFiles.load(adapters, m.clip());
                if (alpha != null) {
                    a.setEvalScale(alpha);
                }
                a.merge();
                System.out.printf("adapters from %s merged at α = %.3f%n", adapters, a.evalScale());
            }
            if (task.equals("retrieval")) {
                for (Map.Entry<String, Path> e : data.entrySet()) {
                    retrieval(m, e.getKey(), e.getValue());
                }
                return 0;
            }
            if (!task.equals("classification")) {
                throw new IllegalArgumentException("--task must be classification or retrieval, got " + task);
            }
            PromptTemplates t = ClassificationData.templates(templates);
            ZeroShotHead head = null;
            double oodSum = 0;
            int oodCount = 0;
            boolean first = true;
            for (Map.Entry<String, Path> e : data.entrySet()) {
                Dataset ds = ClassificationData.open(e.getValue());
                if (head == null) {
                    ClassNames names = ClassificationData.classNames(classes, ds);
                    head = ZeroShotHead.build(m.clip(), model.tokenizer(m), names.asList(), t.templates());
                }
                ZeroShotCommand.Result r = ZeroShotCommand.evaluate(m, head, ds, batchSize);
                System.out.printf("%-16s top-1 %6.2f%%  top-5 %6.2f%%  (%d images%s)%n", e.getKey() + (first ? " (ID)" : ""), 100 * r.top1(),
                        100 * r.top5(), r.count(), r.skipped() > 0 ? ", " + r.skipped() + " skipped" : "");
                if (!first) {
                    oodSum += r.top1();
                    oodCount++;
                }
                first = false;
            }
            if (oodCount > 0) {
                System.out.printf("%-16s top-1 %6.2f%%%n", "OOD average", 100 * oodSum / oodCount);
            }
        }
        return 0;
    }

    private void retrieval(LoadedClip m, String name, Path file) throws Exception {
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
        List<Tensor> txt = new ArrayList<>();
        for (int from = 0; from < texts.size(); from += 256) {
            try (MemoryScope s = MemoryScope.open()) {
                txt.add(s.keep(Clip.normalize(clip.encodeText(tok.tokenizeTensor(texts.subList(from, Math.min(texts.size(), from + 256)))))));
            }
        }
        Tensor sim = Join.cat(0, img).matmul(Join.cat(0, txt).mT());
        Metrics.Recall r = Metrics.recall(sim, owner.stream().mapToInt(Integer::intValue).toArray(), 1, 5, 10);
        System.out.printf("%s: %d images, %d captions%n", name, entries.size(), texts.size());
        System.out.printf("  image→text R@1 %.2f  R@5 %.2f  R@10 %.2f  (median rank %.1f)%n", r.imageToText()[0], r.imageToText()[1],
                r.imageToText()[2], r.medianRankI2T());
        System.out.printf("  text→image R@1 %.2f  R@5 %.2f  R@10 %.2f  (median rank %.1f)%n", r.textToImage()[0], r.textToImage()[1],
                r.textToImage()[2], r.medianRankT2I());
    }
}
