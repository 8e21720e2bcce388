package radapter.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import radapter.adapters.eval.LinearClassifier;
import radapter.adapters.eval.Metrics;
import radapter.adapters.eval.ZeroShotHead;
import radapter.data.dataset.ClassNames;
import radapter.data.dataset.CsvDataset;
import radapter.data.dataset.Dataset;
import radapter.data.dataset.PromptTemplates;
import radapter.data.image.ImageDecoder;
import radapter.data.loader.Batch;
import radapter.data.loader.DataLoader;
import radapter.data.synthetic.Split;
import radapter.data.synthetic.SyntheticShapes;
import radapter.data.transforms.ClipPreprocess;
import radapter.models.clip.Clip;
import radapter.models.clip.ClipLoader;
import radapter.models.clip.LoadedClip;
import radapter.models.tokenizer.ClipTokenizer;
import radapter.tensor.Tensor;
import radapter.tensor.io.Json;
import radapter.testing.Shared;

/**
 * The Spark job in {@code local[2]} against the single-process library path (DataLoader, CLIP,
 * zero-shot head, Metrics) on the tiny fixture CLIP and a synthetic dataset written to disk:
 * identical features, identical accuracy. One Spark session serves every test (it takes seconds to
 * start); the commands find it as the active session.
 */
class SparkJobTest {
    @TempDir
    static Path tmp;

    static SparkSession spark;
    static Path data;

    @BeforeAll
    static void start() throws Exception {
        data = tmp.resolve("shapes");
        SyntheticShapes.builder().seed(3).imageSize(32).sizeAll(40).build().writeTo(data, Split.TEST, Split.SKETCH);
        spark = SparkSession.builder().master("local[2]").appName("radapter-spark test").config("spark.ui.enabled", "false")
                .config("spark.sql.shuffle.partitions", "2").getOrCreate();
    }

    @AfterAll
    static void stop() {
        if (spark != null) {
            spark.stop();
        }
    }

    record Outcome(int code, String out, String err) {
    }

    static Outcome exec(String... args) {
        PrintStream out = System.out;
        PrintStream err = System.err;
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        System.setOut(new PrintStream(o, true));
        System.setErr(new PrintStream(e, true));
        int code;
        try {
            code = SparkMain.execute(args);
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
        return new Outcome(code, o.toString(), e.toString());
    }

    static String ok(String... args) {
        Outcome r = exec(args);
        assertEquals(0, r.code(), () -> String.join(" ", args) + " failed:\n" + r.out() + r.err());
        return r.out();
    }

    /** Features of every sample through the single-process library path, in dataset order. */
    static float[][] singleProcess(Path model, Dataset ds, int batchSize) throws Exception {
        try (LoadedClip m = ClipLoader.load(model, null);
                DataLoader loader = DataLoader.builder(ds).images(ImageDecoder::decode)
                        .preprocess(ClipPreprocess.eval(m.config().vision().imageSize())).batchSize(batchSize).build()) {
            float[][] out = new float[ds.size()][];
            for (Batch b : loader.epoch(0)) {
                Tensor f = m.clip().encodeImage(b.images());
                int dim = Math.toIntExact(f.size(1));
                float[] all = f.contiguous().toFloatArray();
                for (int i = 0; i < b.size(); i++) {
                    out[b.indices()[i]] = java.util.Arrays.copyOfRange(all, i * dim, (i + 1) * dim);
                }
            }
            return out;
        }
    }

    static float[] floats(Row r) {
        List<Float> l = r.getList(r.fieldIndex(EmbeddingSchema.FEATURES));
        float[] f = new float[l.size()];
        for (int i = 0; i < f.length; i++) {
            f[i] = l.get(i);
        }
        return f;
    }

    @Test
    void embedWritesParquetIdenticalToTheSingleProcessPath() throws Exception {
        Path model = Shared.fixtures("tiny_clip/model_openai.safetensors");
        Path csv = data.resolve("test.csv");
        Path out = tmp.resolve("emb-csv");
        String console = ok("embed", "--model", model.toString(), "--images", csv.toString(), "--batch-size", "8", "--partitions", "3",
                "--out", out.toString());
        assertTrue(console.contains("image_features 40 images"), console);

        CsvDataset ds = CsvDataset.read(csv);
        float[][] expected = singleProcess(model, ds, 8);
        List<Row> rows = spark.read().parquet(out.toString()).orderBy(EmbeddingSchema.INDEX).collectAsList();
        assertEquals(ds.size(), rows.size());
        for (int i = 0; i < rows.size(); i++) {
            Row r = rows.get(i);
            assertEquals(i, r.getLong(0));
            assertEquals(ds.get(i).path().toString(), r.getString(1));
            assertEquals(ds.get(i).label(), r.getInt(2));
            assertArrayEquals(expected[i], floats(r), 0f, "features of image " + i + " (bit-identical)");
        }
        // Two tasks ran at once in this JVM (local[2], 3 partitions) and shared one mapping of the weights.
        assertEquals(1, ExecutorModels.loadedCount());
    }

    @Test
    void binaryFileSourceGivesTheSameFeaturesAndFolderLabels() throws Exception {
        Path model = Shared.fixtures("tiny_clip/model_openai.safetensors");
        CsvDataset ds = CsvDataset.read(data.resolve("sketch.csv"));
        float[][] expected = singleProcess(model, ds, 8);
        Map<String, Integer> byPath = new HashMap<>();
        for (int i = 0; i < ds.size(); i++) {
            byPath.put(ds.get(i).path().toString(), i);
        }
        Path folder = ds.get(0).path().getParent().getParent(); // sketch/<class>/<file>
        // Class names are the folder names here, so labels come from the folders.
        List<String> folders = new ArrayList<>();
        try (var s = Files.list(folder)) {
            s.filter(Files::isDirectory).map(p -> p.getFileName().toString()).sorted().forEach(folders::add);
        }
        Path classes = tmp.resolve("folders.txt");
        Files.write(classes, folders);
        Path out = tmp.resolve("emb-binary");
        ok("embed", "--model", model.toString(), "--images", folder.toString(), "--binary-files", "--classes", classes.toString(),
                "--batch-size", "8", "--partitions", "2", "--out", out.toString());
        List<Row> rows = spark.read().parquet(out.toString()).orderBy(EmbeddingSchema.INDEX).collectAsList();
        assertEquals(ds.size(), rows.size());
        for (Row r : rows) {
            String path = Path.of(java.net.URI.create(r.getString(1))).toString();
            Integer i = byPath.get(path);
            assertTrue(i != null, "unexpected path " + path);
            assertEquals(folders.indexOf(ds.get(i).path().getParent().getFileName().toString()), r.getInt(2));
            assertArrayEquals(expected[i], floats(r), 0f, "features of " + path);
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void zeroShotAccuracyEqualsTheSingleProcessOne() throws Exception {
        Path model = Shared.fixtures("tiny_clip/model_openai.safetensors");
        Path vocab = Shared.path("clip/bpe_simple_vocab_16e6.txt.gz");
        Path rep = tmp.resolve("report");
        Path emb = tmp.resolve("eval-emb");
        String console = ok("eval", "--model", model.toString(), "--vocab", vocab.toString(), "--classes", data.resolve("classnames.txt").toString(),
                "--templates", "simple", "--data", "test=" + data.resolve("test.csv"), "--data", "sketch=" + data.resolve("sketch.csv"),
                "--subset", "sketch=auto", "--batch-size", "8", "--partitions", "2", "--report", rep.toString(), "--embeddings", emb.toString());
        assertTrue(console.contains("OOD average"), console);
        assertEquals(40, spark.read().parquet(emb.resolve("test").toString()).count(), "--embeddings keeps each set's features");

        Map<String, Object> json = Json.parseObject(Files.readString(rep.resolve("results.json")));
        List<Object> cls = (List<Object>) json.get("classification");
        List<String> names = ClassNames.fromFile(data.resolve("classnames.txt")).asList();
        try (LoadedClip m = ClipLoader.load(model, null)) {
            ClipTokenizer tok = ClipTokenizer.fromBpeGz(vocab).withContextLength(m.config().text().contextLength());
            ZeroShotHead head = ZeroShotHead.build(m.clip(), tok, names, PromptTemplates.simple().templates());
            for (Object o : cls) {
                Map<String, Object> c = (Map<String, Object>) o;
                String set = (String) c.get("dataset");
                CsvDataset ds = CsvDataset.read(data.resolve(set + ".csv"));
                var h = set.equals("sketch") ? head.restrict(radapter.adapters.eval.ClassSubset.present(ds.labels(), names, "auto").indices()) : head;
                int[] present = set.equals("sketch") ? radapter.adapters.eval.ClassSubset.present(ds.labels(), names, "auto").indices() : null;
                float[][] f = singleProcess(model, ds, 8);
                int dim = f[0].length;
                float[] all = new float[f.length * dim];
                long[] y = new long[f.length];
                for (int i = 0; i < f.length; i++) {
                    System.arraycopy(f[i], 0, all, i * dim, dim);
                    int label = ds.get(i).label();
                    y[i] = present == null ? label : java.util.Arrays.binarySearch(present, label);
                }
                Tensor logits = h.logits(Tensor.of(all, f.length, dim));
                assertEquals(100 * Metrics.topK(logits, y, 1), ((Number) c.get("top1_pct")).doubleValue(), 0.0, "top-1 of " + set);
                assertEquals(100 * Metrics.topK(logits, y, Math.min(5, h.numClasses())), ((Number) c.get("top5_pct")).doubleValue(), 0.0,
                        "top-5 of " + set);
                assertEquals((long) f.length, c.get("images"));
            }
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void linearProbeScoresLikeTheSingleProcessPath() throws Exception {
        Path model = Shared.fixtures("tiny_clip/model_openai.safetensors");
        List<String> names = ClassNames.fromFile(data.resolve("classnames.txt")).asList();
        CsvDataset ds = CsvDataset.read(data.resolve("test.csv"));
        float[][] f = singleProcess(model, ds, 8);
        int dim = f[0].length;
        // Any probe will do for the comparison: a seeded random one.
        radapter.tensor.Rng rng = new radapter.tensor.Rng(5);
        LinearClassifier probe = LinearClassifier.of(Tensor.randn(rng, names.size(), dim), Tensor.randn(rng, names.size()).mul(0.1), names);
        Path probeDir = Files.createDirectories(tmp.resolve("probe"));
        probe.save(probeDir.resolve(SparkEvalCommand.PROBE_FILE), Map.of());
        Path rep = tmp.resolve("probe-report");
        ok("eval", "--model", model.toString(), "--probe", probeDir.toString(), "--data", "test=" + data.resolve("test.csv"), "--batch-size", "8",
                "--partitions", "2", "--report", rep.toString());
        Map<String, Object> c = (Map<String, Object>) ((List<Object>) Json.parseObject(Files.readString(rep.resolve("results.json")))
                .get("classification")).get(0);
        float[] all = new float[f.length * dim];
        long[] y = new long[f.length];
        for (int i = 0; i < f.length; i++) {
            System.arraycopy(f[i], 0, all, i * dim, dim);
            y[i] = ds.get(i).label();
        }
        Tensor logits = probe.logits(Tensor.of(all, f.length, dim));
        assertEquals(100 * Metrics.topK(logits, y, 1), ((Number) c.get("top1_pct")).doubleValue(), 0.0, "top-1");
        assertEquals(100 * Metrics.topK(logits, y, 5), ((Number) c.get("top5_pct")).doubleValue(), 0.0, "top-5");
    }

    @Test
    void userMistakesGiveOneLine() throws Exception {
        Path model = Shared.fixtures("tiny_clip/model_openai.safetensors");
        String csv = data.resolve("test.csv").toString();
        Outcome r = exec("embed", "--model", model.toString(), "--images", tmp.resolve("nope.csv").toString(), "--out", tmp.resolve("x").toString());
        assertEquals(1, r.code());
        assertEquals("radapter-spark: " + tmp.resolve("nope.csv") + ": no such dataset (give a CSV/TSV file or a class-folder directory)", r.err().strip());
        r = exec("embed", "--model", model.toString(), "--images", csv, "--device", "cuda", "--out", tmp.resolve("y").toString());
        assertEquals(1, r.code());
        assertTrue(r.err().strip().startsWith("radapter-spark: --device cuda:"), r.err());
        r = exec("eval", "--model", model.toString(), "--data", "id=" + csv, "--adapters", tmp.toString());
        assertEquals(1, r.code());
        assertTrue(r.err().contains("radapter merge"), r.err());
        assertFalse(r.err().strip().contains("\n"), r.err());
        r = exec("embed", "--model", tmp.resolve("missing.safetensors").toString(), "--images", csv, "--out", tmp.resolve("z").toString());
        assertEquals(1, r.code());
        assertEquals("radapter-spark: " + tmp.resolve("missing.safetensors") + ": no such model (give a .safetensors file or a Hugging Face folder, "
                + "at a path every executor sees)", r.err().strip());
        // A file every executor fails on (not a checkpoint): the executor's reason, in one line, not Spark's task history.
        Path bad = Files.writeString(tmp.resolve("bad.safetensors"), "not a checkpoint");
        r = exec("embed", "--model", bad.toString(), "--images", csv, "--out", tmp.resolve("w").toString());
        assertEquals(1, r.code());
        String line = r.err().strip().lines().filter(l -> l.startsWith("radapter-spark:")).findFirst().orElse("");
        assertTrue(line.contains("bad.safetensors"), r.err());
    }
}
