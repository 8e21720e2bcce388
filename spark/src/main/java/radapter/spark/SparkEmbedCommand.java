package radapter.spark;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Row;
import org.apache.spark.util.LongAccumulator;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import radapter.data.dataset.ClassNames;

/** {@code radapter-spark embed}: image features of a dataset, written to Parquet by a Spark job. */
@Command(name = "embed", mixinStandardHelpOptions = true, description = "Write CLIP image features of a dataset to Parquet (index, path, label, features).")
final class SparkEmbedCommand implements Callable<Integer> {
    @Mixin
    SparkOptions spark;

    @Option(names = "--images", required = true, paramLabel = "DIR|CSV|URI", description = "A class-folder tree, an R-Adapter CSV/TSV, or (binaryFile) a folder or URI.")
    String images;

    @Option(names = "--classes", paramLabel = "FILE", description = "Class names, one per line: labels for --binary-files from each image's folder name.")
    Path classes;

    @Option(names = "--normalize", description = "Write L2-normalised features.")
    boolean normalize;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Output Parquet folder (must not exist; Spark commits it as a whole).")
    String out;

    @Override
    public Integer call() throws Exception {
        spark.check();
        spark.checkModel();
        ModelSpec model = spark.modelSpec();
        radapter.data.dataset.Dataset listed = spark.viaBinaryFiles(images) ? null : ImageTable.open(Path.of(images));
        ClassNames names = classes != null ? ClassNames.fromFile(classes) : ClassNames.NONE;
        try (SparkOptions.Session s = spark.session("radapter-spark embed")) {
            JavaSparkContext jsc = JavaSparkContext.fromSparkContext(s.spark().sparkContext());
            int parts = spark.partitions(s.spark());
            JavaRDD<ImageRow> rows = listed != null ? ImageTable.of(jsc, listed, spark.batchSize, parts)
                    : ImageTable.binaryFiles(s.spark(), images, names, parts);
            LongAccumulator skipped = jsc.sc().longAccumulator("skipped images");
            long t0 = System.nanoTime();
            org.apache.spark.sql.Dataset<Row> emb = EmbeddingJob.embed(s.spark(), rows, model, spark.batchSize, spark.workers, normalize, skipped);
            emb.write().parquet(out);
            double sec = (System.nanoTime() - t0) / 1e9;
            long n = s.spark().read().parquet(out).count();
            System.out.printf("image_features %d images -> %s (%.1f s, %.1f images/s%s)%n", n, out, sec, n / sec,
                    skipped.value() > 0 ? ", " + skipped.value() + " skipped" : "");
        }
        return 0;
    }
}
