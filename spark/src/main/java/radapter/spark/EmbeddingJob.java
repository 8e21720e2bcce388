package radapter.spark;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.util.LongAccumulator;

/** The embedding job: images in, a DataFrame of {@link EmbeddingSchema} rows out (lazily: nothing runs until an action). */
public final class EmbeddingJob {
    private EmbeddingJob() {
    }

    /**
     * Image features of {@code images}, encoded on the executors.
     *
     * @param workers   loader threads per task ({@code -1}: the executor's cores)
     * @param skipped   receives the number of unreadable images once the job has run
     */
    public static org.apache.spark.sql.Dataset<Row> embed(SparkSession spark, JavaRDD<ImageRow> images, ModelSpec model, int batchSize,
            int workers, boolean normalize, LongAccumulator skipped) {
        JavaRDD<Row> rows = images.mapPartitions(new EncodePartition(model, batchSize, workers, normalize, skipped));
        return spark.createDataFrame(rows, EmbeddingSchema.SCHEMA);
    }
}
