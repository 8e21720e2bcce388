package radapter.cli;

import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import radapter.adapters.demo.Demo;

/** Progress bars on the terminal for long library operations (one bar per stage). */
final class ConsoleProgress implements Demo.Progress, AutoCloseable {
    private ProgressBar bar;

    @Override
    public void stage(String name, long total) {
        close();
        bar = new ProgressBarBuilder().setTaskName(name).setInitialMax(total).setStyle(ProgressBarStyle.ASCII)
                .setUpdateIntervalMillis(250).continuousUpdate().build();
    }

    @Override
    public void step(long done, String detail) {
        if (bar != null) {
            bar.stepTo(done);
            bar.setExtraMessage(" " + detail);
        }
    }

    @Override
    public void message(String line) {
        close();
        System.out.println(line);
    }

    @Override
    public void close() {
        if (bar != null) {
            bar.close();
            bar = null;
        }
    }
}
