package radapter.spark;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import radapter.data.dataset.ClassFolderDataset;
import radapter.data.dataset.ClassNames;
import radapter.data.dataset.CsvDataset;
import radapter.data.dataset.Dataset;
import radapter.data.dataset.Sample;

/**
 * The images of a job as an RDD of {@link ImageRow}s, from one of two sources:
 * <ul>
 * <li>a list read on the driver (an R-Adapter CSV/TSV or a class-folder tree, as the CLI reads
 * them): the executors read the files themselves, so the paths must be visible to every executor
 * (a shared file system). Partitions hold whole batches in dataset order;</li>
 * <li>Spark's {@code binaryFile} source over a folder or URI ({@code hdfs://}, {@code s3a://}...):
 * Spark lists and reads the bytes; labels come from each file's parent folder name matched against
 * the class names.</li>
 * </ul>
 */
public final class ImageTable {
    private ImageTable() {
    }

    /** A CSV/TSV (filepath, title, class columns) or a class-folder tree, read on the driver. */
    public static Dataset open(Path p) throws IOException {
        if (Files.isDirectory(p)) {
            return ClassFolderDataset.open(p);
        }
        if (!Files.isRegularFile(p)) {
            throw new IllegalArgumentException(p + ": no such dataset (give a CSV/TSV file or a class-folder directory)");
        }
        return CsvDataset.read(p);
    }

    /**
     * The dataset's images in {@code partitions} partitions of whole batches of {@code batchSize}
     * (fewer partitions when there are fewer batches), in dataset order.
     */
    public static JavaRDD<ImageRow> of(JavaSparkContext jsc, Dataset ds, int batchSize, int partitions) {
        if (ds.size() == 0) {
            throw new IllegalArgumentException("the dataset lists no images");
        }
        List<List<ImageRow>> batches = new ArrayList<>();
        for (int from = 0; from < ds.size(); from += batchSize) {
            List<ImageRow> b = new ArrayList<>(batchSize);
            for (int i = from; i < Math.min(ds.size(), from + batchSize); i++) {
                Sample s = ds.get(i);
                b.add(new ImageRow(i, s.path().toString(), s.label(), null));
            }
            batches.add(b);
        }
        // parallelize cuts the list into contiguous slices, so each partition is a run of batches.
        int slices = Math.max(1, Math.min(partitions, batches.size()));
        return jsc.parallelize(batches, slices).flatMap(List::iterator);
    }

    /**
     * Every image file under {@code location} through Spark's {@code binaryFile} source, ordered by
     * path; the label is the index of the parent folder's name in {@code classes} ({@code -1} when
     * {@code classes} is empty, an error when the folder is not a class).
     */
    public static JavaRDD<ImageRow> binaryFiles(SparkSession spark, String location, ClassNames classes, int partitions) {
        List<String> names = classes.asList();
        JavaRDD<Row> files = spark.read().format("binaryFile").option("recursiveFileLookup", "true").load(location)
                .select("path", "content").orderBy("path").javaRDD();
        JavaRDD<ImageRow> rows = files.filter(r -> isImage(r.getString(0))).zipWithIndex().map(t -> {
            String path = t._1().getString(0);
            return new ImageRow(t._2(), path, labelOf(path, names), t._1().getAs(1));
        });
        return rows.getNumPartitions() > partitions ? rows.coalesce(partitions) : rows;
    }

    static boolean isImage(String path) {
        int dot = path.lastIndexOf('.');
        return dot >= 0 && ClassFolderDataset.DEFAULT_EXTENSIONS.contains(path.substring(dot + 1).toLowerCase(Locale.ROOT));
    }

    static int labelOf(String path, List<String> classes) {
        if (classes.isEmpty()) {
            return Sample.NO_LABEL;
        }
        int end = path.lastIndexOf('/');
        int start = end <= 0 ? -1 : path.lastIndexOf('/', end - 1);
        String folder = end <= 0 ? "" : path.substring(start + 1, end);
        int label = classes.indexOf(folder);
        if (label < 0) {
            throw new IllegalArgumentException(path + ": its folder '" + folder + "' is not one of the " + classes.size() + " classes");
        }
        return label;
    }
}
