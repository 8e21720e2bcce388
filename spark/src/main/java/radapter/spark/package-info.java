/**
 * Dataset-scale CLIP embedding and zero-shot evaluation as an Apache Spark job.
 *
 * <p>The driver lists the images (an R-Adapter CSV, a class-folder tree, or Spark's
 * {@code binaryFile} source) and cuts the list into whole batches; each executor memory-maps the
 * CLIP weights once ({@link radapter.spark.ExecutorModels}) from a path every executor sees, and
 * encodes its partitions with the library's own {@link radapter.data.loader.DataLoader} and CLIP
 * preprocessing ({@link radapter.spark.EncodePartition}). Embeddings go to Parquet
 * ({@code index, path, label, features}); accuracy is counted on the executors against class
 * weights broadcast from the driver ({@link radapter.spark.ScorePartition}).
 *
 * <p>Spark is a {@code provided} dependency: {@code spark-submit} supplies it on a cluster, and
 * nothing else in radapter depends on this module. {@link radapter.spark.SparkMain} is the entry
 * point ({@code embed} and {@code eval}, with the flag names of the CLI's commands).
 */
package radapter.spark;
