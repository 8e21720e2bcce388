package radapter.cli;

import java.io.PrintStream;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import radapter.cli.demo.Demo;

/**
 * Progress of long library operations (one stage at a time), shaped for where it ends up:
 *
 * <ul>
 *   <li>on a terminal, a redrawn bar;</li>
 *   <li>into a file or a pipe (CI logs, {@code nohup}), a plain line each time another
 *       {@value #PERCENT_STEP} % is done or {@value #SECONDS_BETWEEN_LINES} s have passed, never a
 *       carriage return;</li>
 *   <li>with {@code --quiet}, nothing; with {@code --verbose} off a terminal, a line per step.</li>
 * </ul>
 *
 * {@code -Dradapter.progress=bar|lines|none} overrides the choice. Progress goes to standard error,
 * so standard output stays the command's results.
 */
final class ConsoleProgress implements Demo.Progress, AutoCloseable {
    static final int PERCENT_STEP = 10;
    static final int SECONDS_BETWEEN_LINES = 30;

    /** How progress is shown. */
    enum Mode { BAR, LINES, NONE }

    private final Console console;
    private final Mode mode;
    private final PrintStream err = System.err;
    private ProgressBar bar;
    private String stage;
    private long total;
    private long startNanos;
    private long lastLineNanos;
    private int lastPercentLine;
    private long lastDone;

    ConsoleProgress(Console console) {
        this.console = console;
        this.mode = mode(console);
    }

    /** The display this run gets: the override, else bar on a terminal, lines elsewhere, none when quiet. */
    static Mode mode(Console console) {
        String forced = System.getProperty("radapter.progress");
        if (forced != null && !forced.isBlank()) {
            try {
                return Mode.valueOf(forced.strip().toUpperCase(java.util.Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("-Dradapter.progress must be bar, lines or none, got " + forced);
            }
        }
        if (console.quiet()) {
            return Mode.NONE;
        }
        java.io.Console c = System.console();
        boolean terminal = c != null && c.isTerminal() && !"dumb".equals(System.getenv("TERM"));
        return terminal ? Mode.BAR : Mode.LINES;
    }

    Mode mode() {
        return mode;
    }

    @Override
    public void stage(String name, long steps) {
        close();
        stage = name;
        total = steps;
        startNanos = System.nanoTime();
        lastLineNanos = startNanos;
        lastPercentLine = 0;
        lastDone = 0;
        if (mode == Mode.BAR) {
            bar = new ProgressBarBuilder().setTaskName(name).setInitialMax(steps).setStyle(ProgressBarStyle.ASCII)
                    .setUpdateIntervalMillis(250).continuousUpdate().build();
        }
    }

    @Override
    public void step(long done, String detail) {
        lastDone = done;
        switch (mode) {
            case BAR -> {
                if (bar != null) {
                    bar.stepTo(done);
                    bar.setExtraMessage(" " + detail);
                }
            }
            case LINES -> {
                long now = System.nanoTime();
                int percent = total > 0 ? (int) (100 * done / total) : 0;
                boolean everyStep = console.verbose();
                boolean nextPercent = percent / PERCENT_STEP > lastPercentLine / PERCENT_STEP;
                boolean overdue = now - lastLineNanos >= SECONDS_BETWEEN_LINES * 1_000_000_000L;
                if (everyStep || nextPercent || overdue || done == total) {
                    err.println(line(done, detail, now));
                    lastLineNanos = now;
                    lastPercentLine = percent;
                }
            }
            case NONE -> {
            }
        }
    }

    /** {@code stage: 40% (12/30) loss 0.53 lr 2.1e-04, 14 s, ~21 s left}. */
    String line(long done, String detail, long now) {
        double seconds = (now - startNanos) / 1e9;
        StringBuilder sb = new StringBuilder(stage).append(": ");
        if (total > 0) {
            sb.append(100 * done / total).append("% (").append(done).append('/').append(total).append(')');
        } else {
            sb.append(done);
        }
        if (detail != null && !detail.isBlank()) {
            sb.append(' ').append(detail.strip());
        }
        sb.append(", ").append(Durations.format(seconds));
        if (total > 0 && done > 0 && done < total) {
            sb.append(", ~").append(Durations.format(seconds * (total - done) / done)).append(" left");
        }
        return sb.toString();
    }

    @Override
    public void message(String line) {
        close();
        console.info("%s", line);
    }

    @Override
    public void close() {
        if (bar != null) {
            bar.close();
            bar = null;
        }
    }

    long lastDone() {
        return lastDone;
    }
}
