package radapter.spark;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code radapter-spark}: the Spark entry point, with {@code embed} and {@code eval} taking the
 * CLI's flag names. Run in-process on {@code local[*]} ({@code java -cp ... radapter.spark.SparkMain
 * embed ...}) or on a cluster with {@code spark-submit --class radapter.spark.SparkMain
 * radapter-spark-VERSION-all.jar embed ...}.
 */
@Command(name = "radapter-spark", mixinStandardHelpOptions = true, subcommands = {SparkEmbedCommand.class, SparkEvalCommand.class},
        description = "Dataset-scale CLIP embedding and zero-shot evaluation as an Apache Spark job.")
public final class SparkMain implements Runnable {
    @Override
    public void run() {
        throw new CommandLine.ParameterException(new CommandLine(this), "give a command: embed or eval");
    }

    /** Runs one command line and returns its exit code; a user mistake prints one line on stderr. */
    public static int execute(String... args) {
        CommandLine cl = new CommandLine(new SparkMain());
        cl.setExecutionExceptionHandler((e, cmd, parsed) -> {
            cmd.getErr().println("radapter-spark: " + userMessage(e));
            return 1;
        });
        return cl.execute(args);
    }

    /**
     * The message a user should see: the root cause's, since Spark wraps an executor's exception
     * in a "Job aborted due to stage failure" with the task's whole history.
     */
    static String userMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        String m = t.getMessage() == null || t.getMessage().isBlank() ? t.getClass().getSimpleName() : t.getMessage();
        int nl = m.indexOf('\n');
        return nl >= 0 ? m.substring(0, nl).strip() : m;
    }

    public static void main(String[] args) {
        System.exit(execute(args));
    }
}
