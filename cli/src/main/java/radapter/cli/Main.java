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
        try {
            return commandLine().execute(args);
        } catch (Error e) {
            // Out of memory and the like escape picocli's handlers; they still get one line.
            return Failures.report(e, new java.io.PrintWriter(System.err, true));
        }
    }

    /** The configured command line: the shared error path (Failures) for every command. */
    static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Main());
        // One shared error path: a user mistake is one clear line, never a stack trace (Failures).
        Failures failures = new Failures();
        cl.setExecutionExceptionHandler(failures);
        cl.setParameterExceptionHandler(failures);
        ResumeOptions.relax(cl.getSubcommands().get("finetune"));
        return cl;
    }
}
