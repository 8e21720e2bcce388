package radapter.spark;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Row;
import org.apache.spark.storage.StorageLevel;
import org.apache.spark.util.LongAccumulator;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import radapter.adapters.eval.ClassSubset;
import radapter.adapters.eval.Classifier;
import radapter.adapters.eval.EvalReport;
import radapter.adapters.eval.LinearClassifier;
import radapter.adapters.eval.ZeroShotHead;
import radapter.data.dataset.ClassNames;
import radapter.data.dataset.PromptTemplates;
import radapter.models.clip.ClipLoader;
import radapter.models.clip.LoadedClip;
import radapter.models.tokenizer.ClipTokenizer;

/**
 * {@code radapter-spark eval}: zero-shot (or linear-probe) accuracy on an in-distribution set and
 * shifted sets, as {@code radapter eval} computes it, with the images encoded by a Spark job. The
 * class weights are computed once on the driver and broadcast; {@code --embeddings} also keeps
 * every set's features in Parquet (the linear-probe features of that set).
 */
@Command(name = "eval", mixinStandardHelpOptions = true, description = "Zero-shot accuracy on ID and shifted sets, encoded by a Spark job.")
final class SparkEvalCommand implements Callable<Integer> {
    static final String PROBE_FILE = "linear_probe.safetensors";

    @Mixin
    SparkOptions spark;

    @Option(names = "--vocab", paramLabel = "FILE", description = "CLIP vocabulary (bpe_simple_vocab_16e6.txt.gz or an HF folder; default: beside the model, else CLIP's built-in one).")
    Path vocab;

    @Option(names = "--data", required = true, paramLabel = "NAME=PATH", description = "Datasets; the first is in-distribution, the rest are shifts. Repeatable.")
    Map<String, String> data = new LinkedHashMap<>();

    @Option(names = "--classes", paramLabel = "FILE", description = "Class names, one per line (default: the first set's class folders).")
    Path classes;

    @Option(names = "--templates", defaultValue = "openai", paramLabel = "openai|simple|FILE")
    String templates;

    @Option(names = "--subset", paramLabel = "NAME=FILE|auto", description = "Score set NAME on a subset of the classes: FILE lists class names; auto takes the classes present. Repeatable.")
    Map<String, String> subsets = new LinkedHashMap<>();

    @Option(names = "--probe", paramLabel = "FILE|DIR", description = "Score with a linear probe (from radapter linear-probe) instead of the zero-shot head.")
    Path probe;

    @Option(names = "--adapters", paramLabel = "DIR", hidden = true)
    Path adapters;

    @Option(names = "--report", paramLabel = "DIR", description = "Also write report.md, results.csv and results.json to DIR.")
    Path report;

    @Option(names = "--embeddings", paramLabel = "DIR", description = "Also write each set's image features to DIR/NAME (Parquet).")
    String embeddings;

    @Override
    public Integer call() throws Exception {
        spark.check();
        if (adapters != null) {
            throw new IllegalArgumentException("--adapters: fold them into the weights first (radapter merge --model M --adapters " + adapters
                    + " --out merged.safetensors), then give --model merged.safetensors");
        }
        for (String name : subsets.keySet()) {
            if (!data.containsKey(name)) {
                throw new IllegalArgumentException("--subset " + name + ": there is no --data " + name + " (sets: " + String.join(", ", data.keySet()) + ")");
            }
        }
        // Everything a user can get wrong on the driver is checked before Spark starts.
        Map<String, radapter.data.dataset.Dataset> listed = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : data.entrySet()) {
            listed.put(e.getKey(), spark.viaBinaryFiles(e.getValue()) ? null : ImageTable.open(Path.of(e.getValue())));
        }
        LinearClassifier probeHead = probe == null ? null : LinearClassifier.load(Files.isDirectory(probe) ? probe.resolve(PROBE_FILE) : probe);
        List<String> names = classNames(listed.values().iterator().next(), probeHead);
        PromptTemplates t = probeHead == null ? templates(templates) : null;

        Classifier head;
        if (probeHead != null) {
            head = probeHead;
        } else {
            // Outside any memory scope, so the class weights outlive the driver's copy of the model.
            try (LoadedClip m = ClipLoader.load(spark.model, spark.config)) {
                ClipTokenizer tok = tokenizer(spark.model, vocab, m.config().text().vocabSize()).withContextLength(m.config().text().contextLength());
                head = ZeroShotHead.build(m.clip(), tok, names, t.templates());
            }
        }
        EvalReport rep = new EvalReport(settings());
        try (SparkOptions.Session s = spark.session("radapter-spark eval")) {
            JavaSparkContext jsc = JavaSparkContext.fromSparkContext(s.spark().sparkContext());
            int parts = spark.partitions(s.spark());
            ClassNames classNames = ClassNames.of(names);
            boolean first = true;
            for (Map.Entry<String, String> e : data.entrySet()) {
                String name = e.getKey();
                radapter.data.dataset.Dataset ds = listed.get(name);
                JavaRDD<ImageRow> rows = ds != null ? ImageTable.of(jsc, ds, spark.batchSize, parts)
                        : ImageTable.binaryFiles(s.spark(), e.getValue(), classNames, parts);
                ClassSubset sub = subset(name, ds, rows, names);
                Classifier h = sub == null ? head : head.restrict(sub.indices());
                Broadcast<HeadWeights> weights = jsc.broadcast(HeadWeights.of(h));
                LongAccumulator skipped = jsc.sc().longAccumulator("skipped images " + name);
                org.apache.spark.sql.Dataset<Row> emb = EmbeddingJob.embed(s.spark(), rows, spark.modelSpec(), spark.batchSize, spark.workers, false, skipped);
                if (embeddings != null) {
                    // Encode once: the Parquet write and the scoring read the same persisted rows.
                    emb = emb.persist(StorageLevel.MEMORY_AND_DISK());
                    emb.write().parquet(embeddings + "/" + name);
                }
                ScorePartition.Hits hits = emb.javaRDD().mapPartitions(new ScorePartition(weights, positions(sub), Math.min(5, h.numClasses())))
                        .fold(new ScorePartition.Hits(0, 0, 0), ScorePartition.Hits::plus);
                if (embeddings != null) {
                    emb.unpersist();
                }
                weights.destroy();
                if (hits.count() == 0) {
                    throw new IllegalArgumentException(name + ": no readable images in the dataset");
                }
                double top1 = (double) hits.top1() / hits.count();
                double top5 = (double) hits.topK() / hits.count();
                System.out.printf("%-16s top-1 %6.2f%%  top-5 %6.2f%%  (%d images%s%s)%n", name + (first ? " (ID)" : ""), 100 * top1, 100 * top5,
                        hits.count(), skipped.value() > 0 ? ", " + skipped.value() + " skipped" : "",
                        sub != null ? ", " + sub.size() + " of " + sub.totalClasses() + " classes" : "");
                rep.add(new EvalReport.Classification(name, first, top1, top5, Math.toIntExact(hits.count()), Math.toIntExact(skipped.value()),
                        sub != null ? sub.size() : h.numClasses(), sub));
                first = false;
            }
        }
        if (data.size() > 1) {
            System.out.printf("%-16s top-1 %6.2f%%%n", "OOD average", 100 * rep.oodAverage());
        }
        if (report != null) {
            List<Path> files = rep.write(report);
            System.out.println("wrote " + String.join(", ", files.stream().map(p -> p.getFileName().toString()).toList()) + " to " + report);
        }
        return 0;
    }

    private List<String> classNames(radapter.data.dataset.Dataset firstSet, LinearClassifier probeHead) throws Exception {
        if (probeHead != null) {
            if (classes != null && !ClassNames.fromFile(classes).asList().equals(probeHead.classNames())) {
                throw new IllegalArgumentException("--classes " + classes + " differs from the " + probeHead.numClasses() + " classes the probe was trained on");
            }
            return probeHead.classNames();
        }
        if (classes != null) {
            return ClassNames.fromFile(classes).asList();
        }
        if (firstSet != null && !firstSet.classNames().isEmpty()) {
            return firstSet.classNames().asList();
        }
        throw new IllegalArgumentException("the dataset does not name its classes; give --classes FILE (one class name per line, in label order)");
    }

    /** The set's class subset, when {@code --subset} names it; checked to cover every label of the set. */
    private ClassSubset subset(String name, radapter.data.dataset.Dataset ds, JavaRDD<ImageRow> rows, List<String> names) throws Exception {
        String spec = subsets.get(name);
        if (spec == null) {
            return null;
        }
        int[] labels = ds != null ? ds.labels() : rows.map(ImageRow::label).distinct().collect().stream().mapToInt(Integer::intValue).toArray();
        ClassSubset sub = spec.equals("auto") ? ClassSubset.present(labels, names, "auto: the classes present in " + name)
                : ClassSubset.fromFile(Path.of(spec), names);
        int missing = sub.firstMissing(labels);
        if (missing >= 0) {
            throw new IllegalArgumentException("--subset " + name + ": the set has images of class '"
                    + (missing < names.size() ? names.get(missing) : "#" + missing) + "', which " + spec + " does not list");
        }
        return sub;
    }

    /** For each original label, its column in the subset (or -1). */
    private static int[] positions(ClassSubset sub) {
        if (sub == null) {
            return null;
        }
        int[] pos = new int[sub.totalClasses()];
        Arrays.fill(pos, -1);
        int[] idx = sub.indices();
        for (int j = 0; j < idx.length; j++) {
            pos[idx[j]] = j;
        }
        return pos;
    }

    private Map<String, String> settings() {
        Map<String, String> s = new LinkedHashMap<>();
        s.put("task", "classification");
        s.put("model", spark.model.toString());
        s.put("adapters", "none");
        s.put("classifier", probe != null ? "linear probe " + probe : "zero-shot head, templates " + templates);
        s.put("engine", "spark");
        return s;
    }

    static PromptTemplates templates(String spec) throws java.io.IOException {
        return switch (spec) {
            case "openai" -> PromptTemplates.openAiImageNet();
            case "simple" -> PromptTemplates.simple();
            default -> PromptTemplates.fromFile(Path.of(spec));
        };
    }

    /**
     * The vocabulary: {@code --vocab} (a .gz BPE file or an HF folder), else beside the model,
     * else CLIP's built-in one when the model's text tower has CLIP's {@code vocabSize} ids.
     */
    static ClipTokenizer tokenizer(Path model, Path explicit, int vocabSize) {
        Path where = explicit != null ? explicit : Files.isDirectory(model) ? model : model.toAbsolutePath().getParent();
        if (Files.isDirectory(where)) {
            if (Files.isRegularFile(where.resolve("vocab.json")) && Files.isRegularFile(where.resolve("merges.txt"))) {
                return ClipTokenizer.fromHuggingFace(where.resolve("vocab.json"), where.resolve("merges.txt"));
            }
            if (explicit == null && Files.isRegularFile(where.resolve("bpe_simple_vocab_16e6.txt.gz"))) {
                return ClipTokenizer.fromBpeGz(where.resolve("bpe_simple_vocab_16e6.txt.gz"));
            }
            if (explicit == null && vocabSize == ClipTokenizer.DEFAULT_VOCAB_SIZE) {
                return ClipTokenizer.fromDefaultBpe();
            }
            throw new IllegalArgumentException(explicit != null ? explicit + ": no vocab.json and merges.txt in this folder"
                    : "no vocabulary found beside " + model + " and its text tower has " + vocabSize + " token ids, not CLIP's "
                            + ClipTokenizer.DEFAULT_VOCAB_SIZE + "; give --vocab FILE");
        }
        if (!Files.isRegularFile(where)) {
            throw new IllegalArgumentException(where + ": no such vocabulary file");
        }
        return ClipTokenizer.fromBpeGz(where);
    }
}
