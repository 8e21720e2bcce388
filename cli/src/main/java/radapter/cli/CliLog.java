package radapter.cli;

import java.io.PrintStream;
import java.lang.System.Logger.Level;
import java.text.MessageFormat;
import java.util.ResourceBundle;
import java.util.function.Supplier;

/**
 * The command line's back end for {@link System.Logger}, the one logging facade the library uses:
 * each record becomes one line on standard error, {@code radapter: warning: ...} style, filtered
 * by the verbosity of the running command ({@code --quiet}: errors only; default: warnings;
 * {@code --verbose}: everything down to debug). Registered as the {@link System.LoggerFinder}
 * service, so library code never needs to know it runs under the CLI.
 */
public final class CliLog extends System.LoggerFinder {
    private static volatile Level threshold = Level.WARNING;
    private static volatile PrintStream sink;

    /** The lowest level printed (set by the command's {@code --quiet}/{@code --verbose}). */
    static void threshold(Level level) {
        threshold = level;
    }

    static Level threshold() {
        return threshold;
    }

    /** Where log lines go; {@code null} means the current {@link System#err} (tests swap it). */
    static void sink(PrintStream out) {
        sink = out;
    }

    @Override
    public System.Logger getLogger(String name, Module module) {
        return new Line(name);
    }

    /** One line per record: library messages carry their own subject, so the logger name is not printed. */
    private record Line(String name) implements System.Logger {
        @Override
        public String getName() {
            return name;
        }

        @Override
        public boolean isLoggable(Level level) {
            return level != Level.OFF && level.getSeverity() >= threshold.getSeverity();
        }

        @Override
        public void log(Level level, ResourceBundle bundle, String msg, Throwable thrown) {
            if (!isLoggable(level)) {
                return;
            }
            String text = msg == null ? "" : msg;
            if (thrown != null) {
                text += (text.isEmpty() ? "" : ": ") + thrown;
            }
            print(level, text);
        }

        @Override
        public void log(Level level, ResourceBundle bundle, String format, Object... params) {
            if (isLoggable(level)) {
                print(level, params == null || params.length == 0 ? format : MessageFormat.format(format, params));
            }
        }

        @Override
        public void log(Level level, Supplier<String> msg) {
            if (isLoggable(level)) {
                print(level, msg.get());
            }
        }

        private static void print(Level level, String text) {
            // Library warning sinks already hand over "radapter: ..." lines; do not prefix them twice.
            String prefix = text.startsWith("radapter:") ? "" : switch (level) {
                case ERROR -> "radapter: error: ";
                case WARNING -> "radapter: warning: ";
                default -> "radapter: ";
            };
            PrintStream out = sink != null ? sink : System.err;
            out.println(prefix + text);
        }
    }
}
