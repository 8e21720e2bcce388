package radapter.cli;

import java.io.PrintStream;
import java.lang.System.Logger.Level;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import radapter.tensor.io.Json;

/**
 * What a command prints, at the verbosity the user asked for: a picocli mixin that gives every
 * command {@code -q/--quiet} and {@code -v/--verbose}, and routes its lines.
 *
 * <ul>
 *   <li>{@link #info} — what the command is doing (standard output; hidden by {@code --quiet});</li>
 *   <li>{@link #detail} — more of it (only with {@code --verbose});</li>
 *   <li>{@link #result} — the numbers a human came for (standard output, even with {@code --quiet});</li>
 *   <li>{@link #warn} — one {@code radapter: warning: ...} line on standard error, always.</li>
 * </ul>
 *
 * With {@code --json} (see {@link JsonOption}), standard output carries exactly one JSON document:
 * human lines move to standard error and results are left to the JSON.
 */
@Command(showDefaultValues = true) // mixed into every command: --help shows every default
final class Console {
    /** How much a command says. */
    enum Verbosity { QUIET, NORMAL, VERBOSE }

    private Verbosity verbosity = Verbosity.NORMAL;
    private boolean json;

    /** The console of the command line parsed last (the running command's), for code outside the command such as hub downloads. */
    private static volatile Console current = null;

    Console() {
        // One instance per parsed command line: start from the default level every time.
        CliLog.threshold(Level.WARNING);
        current = this;
    }

    /** The running command's console, or a default one when none was parsed (library use, tests). */
    static Console current() {
        Console c = current;
        return c != null ? c : new Console();
    }

    @Option(names = {"-q", "--quiet"}, description = "Print only results and errors: no progress, no status lines, no warnings.")
    void quiet(boolean on) {
        if (on) {
            verbosity = Verbosity.QUIET;
            CliLog.threshold(Level.ERROR);
        }
    }

    @Option(names = {"-v", "--verbose"}, description = "Also print details: every setting, library log records down to debug.")
    void verbose(boolean on) {
        if (on) {
            verbosity = Verbosity.VERBOSE;
            CliLog.threshold(Level.DEBUG);
        }
    }

    /** Switches to JSON output when {@code option} is set; returns this. */
    Console jsonOutput(JsonOption option) {
        json = option != null && option.on;
        return this;
    }

    /** Errors only, no JSON: for the processes of a data-parallel run other than rank 0, which speaks for all. */
    void silence() {
        verbosity = Verbosity.QUIET;
        json = false;
        CliLog.threshold(Level.ERROR);
    }

    Verbosity verbosity() {
        return verbosity;
    }

    boolean quiet() {
        return verbosity == Verbosity.QUIET;
    }

    boolean verbose() {
        return verbosity == Verbosity.VERBOSE;
    }

    boolean jsonMode() {
        return json;
    }

    /** A status line (hidden by {@code --quiet}; on standard error with {@code --json}). */
    void info(String format, Object... args) {
        if (!quiet()) {
            human().println(args.length == 0 ? format : String.format(format, args));
        }
    }

    /** A detail line, only with {@code --verbose}. */
    void detail(String format, Object... args) {
        if (verbose()) {
            human().println(args.length == 0 ? format : String.format(format, args));
        }
    }

    /** A result line for people (the JSON document replaces it with {@code --json}). */
    void result(String format, Object... args) {
        if (!json) {
            System.out.println(args.length == 0 ? format : String.format(format, args));
        }
    }

    /** A warning on standard error (hidden only by {@code --quiet}). */
    void warn(String format, Object... args) {
        if (!quiet()) {
            System.err.println("radapter: warning: " + (args.length == 0 ? format : String.format(format, args)));
        }
    }

    /** With {@code --json}, prints {@code value} (maps, lists, strings, numbers) as the command's one JSON document. */
    void json(Object value) {
        if (json) {
            System.out.print(Json.writePretty(value));
        }
    }

    /** A progress display for a long operation, chosen for where output goes (see {@link ConsoleProgress}). */
    ConsoleProgress progress() {
        return new ConsoleProgress(this);
    }

    private PrintStream human() {
        return json ? System.err : System.out;
    }
}
