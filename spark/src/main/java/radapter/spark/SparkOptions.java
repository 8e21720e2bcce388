package radapter.spark;

import java.nio.file.Path;
import java.util.Locale;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Option;

/** The options every Spark command shares: the model, the batch shape and where Spark runs. */
final class SparkOptions {
    @Option(names = "--model", required = true, paramLabel = "MODEL", description = "A .safetensors file or a Hugging Face folder, at a path every executor sees.")
    Path model;

    @Option(names = "--config", paramLabel = "FILE", description = "HF config.json or open_clip model config (default: found beside the weights).")
    Path config;

    @Option(names = "--device", defaultValue = "cpu", paramLabel = "DEVICE", description = "Executors encode on the CPU (the only device this job supports).")
    String device;

    @Option(names = "--batch-size", defaultValue = "32", description = "Images per encoder call (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--master", paramLabel = "URL", description = "Spark master (default: spark-submit's, else local[*]).")
    String master;

    @Option(names = "--partitions", paramLabel = "N", description = "Partitions of the image list (default: one per executor, see README).")
    Integer partitions;

    @Option(names = "--workers", defaultValue = "-1", paramLabel = "N", description = "Image loading threads per task (default: the executor's cores).")
    int workers;

    @Option(names = "--binary-files", description = "Read the images through Spark's binaryFile source (automatic for URIs such as hdfs:// or s3a://).")
    boolean binaryFiles;

    void check() {
        if (!device.toLowerCase(Locale.ROOT).equals("cpu")) {
            throw new IllegalArgumentException("--device " + device + ": the Spark job encodes on the executors' CPUs; give --device cpu");
        }
        if (batchSize < 1) {
            throw new IllegalArgumentException("--batch-size must be at least 1, got " + batchSize);
        }
        if (!java.nio.file.Files.exists(model)) {
            // The executors read the same path; a typo is cheaper to report before Spark starts.
            throw new IllegalArgumentException(model + ": no such model (give a .safetensors file or a Hugging Face folder, at a path every executor sees)");
        }
        if (partitions != null && partitions < 1) {
            throw new IllegalArgumentException("--partitions must be at least 1, got " + partitions);
        }
    }

    /**
     * Opens the checkpoint once on the driver (memory-mapped, so cheap): a file that is not a CLIP
     * checkpoint is then one line here rather than a failed task on every executor.
     */
    void checkModel() throws java.io.IOException {
        try (var m = radapter.models.clip.ClipLoader.load(model, config)) {
            m.config();
        }
    }

    ModelSpec modelSpec() {
        return ModelSpec.of(model, config);
    }

    /** True when {@code location} goes through binaryFile: asked for, or a URI a driver cannot list itself. */
    boolean viaBinaryFiles(String location) {
        return binaryFiles || location.matches("^[a-zA-Z][a-zA-Z0-9+.-]*://.*");
    }

    /**
     * Partitions of the image list: as asked, else one per task slot of the cluster (executors ×
     * cores ÷ {@code spark.task.cpus}), so each task's radapter threads have the cores to themselves.
     */
    int partitions(SparkSession spark) {
        if (partitions != null) {
            return partitions;
        }
        int taskCpus = spark.sparkContext().getConf().getInt("spark.task.cpus", 1);
        return Math.max(1, spark.sparkContext().defaultParallelism() / taskCpus);
    }

    /**
     * The active session (tests, notebooks), else a new one: on {@code --master}, on the master
     * spark-submit set, or in-process on {@code local[*]}. A session this method starts in local
     * mode gets {@code spark.task.cpus} = the machine's cores, so one task runs at a time and
     * radapter's own threads use every core.
     */
    Session session(String app) {
        var active = SparkSession.getActiveSession();
        if (active.isDefined()) {
            return new Session(active.get(), false);
        }
        SparkConf conf = new SparkConf();
        SparkSession.Builder b = SparkSession.builder().appName(app);
        String m = master != null ? master : conf.contains("spark.master") ? null : "local[*]";
        if (m != null) {
            b.master(m);
        }
        if (master == null && m != null && !conf.contains("spark.task.cpus")) {
            b.config("spark.task.cpus", Integer.toString(Runtime.getRuntime().availableProcessors()));
        }
        SparkSession session = b.getOrCreate();
        // Spark's INFO lines would bury the results; spark-submit users can raise it with log4j2.properties.
        session.sparkContext().setLogLevel("WARN");
        return new Session(session, true);
    }

    /** A session and whether this command stops it at the end. */
    record Session(SparkSession spark, boolean owned) implements AutoCloseable {
        @Override
        public void close() {
            if (owned) {
                spark.stop();
            }
        }
    }
}
