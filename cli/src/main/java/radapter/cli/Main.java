package radapter.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code radapter} command: parses arguments, calls the library, prints. */
@Command(name = "radapter",
        mixinStandardHelpOptions = true,
        version = "radapter 0.1.0-SNAPSHOT",
        description = "Run and robustly fine-tune CLIP on the JVM with R-Adapter.",
        subcommands = {DemoCommand.class, DownloadCommand.class, ZeroShotCommand.class, FinetuneCommand.class, LinearProbeCommand.class, EvalCommand.class,
                MergeCommand.class, InfoCommand.class, EmbedCommand.class, TokenizeCommand.class, BenchCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Runnable {

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }

    /** Entry point used by the {@code ./radapter} launcher. */
    public static void main(String[] args) {
        System.exit(execute(args));
    }

    /** Runs a command line and returns its exit code (tests call this instead of {@link #main}). */
    public static int execute(String... args) {
        CommandLine cl = new CommandLine(new Main());
        // A user mistake is one clear line and a non-zero exit, never a stack trace.
        cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            // DatasetException: a bad CSV row or class-name file, reported with its file and line.
            if (ex instanceof IllegalArgumentException || ex instanceof IllegalStateException
                    || ex instanceof java.io.IOException || ex instanceof IndexOutOfBoundsException
                    || ex instanceof radapter.data.dataset.DatasetException) {
                cmd.getErr().println("radapter: " + ex.getMessage());
                return 2;
            }
            throw ex;
        });
        return cl.execute(args);
    }
}
