package radapter.spark;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import radapter.data.dataset.CsvDataset;
import radapter.data.image.ImageDecoder;
import radapter.data.loader.Batch;
import radapter.data.loader.DataLoader;
import radapter.data.synthetic.Split;
import radapter.data.synthetic.SyntheticShapes;
import radapter.data.transforms.ClipPreprocess;
import radapter.models.clip.ClipLoader;
import radapter.models.clip.LoadedClip;
import radapter.tensor.MemoryScope;
import radapter.tensor.Tensor;
import radapter.tensor.io.SafeTensors;

/**
 * Throughput of the Spark job against the single-process library path on the same images, in the
 * same JVM and the same minutes (the machine may be shared, so the two alternate round by round).
 * Not a test: run by hand (see the README's Spark section).
 *
 * <pre>java @jvm.options @spark/spark-jvm.options -cp TEST_CLASSPATH radapter.spark.SparkThroughput DATA_DIR IMAGES MODEL ROUNDS [BATCH]</pre>
 */
public final class SparkThroughput {
    private SparkThroughput() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        int n = Integer.parseInt(args[1]);
        Path model = Path.of(args[2]);
        int rounds = Integer.parseInt(args[3]);
        int batch = args.length > 4 ? Integer.parseInt(args[4]) : 32;
        Path csv = dir.resolve("test.csv");
        if (!Files.exists(csv)) {
            long t = System.nanoTime();
            SyntheticShapes.builder().seed(11).imageSize(64).size(Split.TEST, n).build().writeTo(dir, Split.TEST);
            System.out.printf("wrote %d images in %.1f s%n", n, (System.nanoTime() - t) / 1e9);
        }
        CsvDataset ds = CsvDataset.read(csv);
        int cores = Runtime.getRuntime().availableProcessors();
        long t0 = System.nanoTime();
        SparkSession spark = SparkSession.builder().master("local[*]").appName("radapter-spark throughput").config("spark.ui.enabled", "false")
                .config("spark.task.cpus", Integer.toString(cores)).getOrCreate();
        spark.sparkContext().setLogLevel("WARN");
        System.out.printf("Spark session start %.1f s; %d images, %d cores, batch %d%n", (System.nanoTime() - t0) / 1e9, ds.size(), cores, batch);
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        ModelSpec spec = ModelSpec.of(model, null);
        double sp = 0;
        double sk = 0;
        for (int r = 0; r < rounds; r++) {
            double a = singleProcess(model, ds, batch, dir.resolve("single.safetensors"));
            System.out.printf("round %d: single-process %.2f s%n", r, a);
            Path out = Files.createTempDirectory(dir, "spark-").resolve("out");
            long t = System.nanoTime();
            EmbeddingJob.embed(spark, ImageTable.of(jsc, ds, batch, 1), spec, batch, -1, false, jsc.sc().longAccumulator()).write().parquet(out.toString());
            double b = (System.nanoTime() - t) / 1e9;
            System.out.printf("round %d: single-process %.2f s (%.1f images/s), spark %.2f s (%.1f images/s), spark/single time %.3f%n", r, a,
                    ds.size() / a, b, ds.size() / b, b / a);
            if (r > 0) { // round 0 warms both paths up (JIT, model mapping, Spark's code generation)
                sp += a;
                sk += b;
            }
        }
        if (rounds > 1) {
            System.out.printf("rounds 1..%d: single-process %.1f images/s, spark %.1f images/s, spark/single time %.3f%n", rounds - 1,
                    (rounds - 1) * ds.size() / sp, (rounds - 1) * ds.size() / sk, sk / sp);
        }
        spark.stop();
    }

    /** The library path radapter embed takes: one loader, batches encoded in turn, features written to safetensors. */
    static double singleProcess(Path model, CsvDataset ds, int batch, Path out) throws Exception {
        long t = System.nanoTime();
        try (LoadedClip m = ClipLoader.load(model, null);
                DataLoader loader = DataLoader.builder(ds).images(ImageDecoder::decode)
                        .preprocess(ClipPreprocess.eval(m.config().vision().imageSize())).batchSize(batch).build()) {
            float[] all = null;
            int dim = 0;
            for (Batch b : loader.epoch(0)) {
                try (MemoryScope s = MemoryScope.open()) {
                    Tensor f = m.clip().encodeImage(b.images());
                    dim = Math.toIntExact(f.size(1));
                    if (all == null) {
                        all = new float[ds.size() * dim];
                    }
                    float[] part = f.contiguous().toFloatArray();
                    for (int i = 0; i < b.size(); i++) {
                        System.arraycopy(part, i * dim, all, b.indices()[i] * dim, dim);
                    }
                }
            }
            SafeTensors.write(out, Map.of("image_features", Tensor.of(all, ds.size(), dim)), Map.of("producer", "SparkThroughput"));
        }
        return (System.nanoTime() - t) / 1e9;
    }
}
