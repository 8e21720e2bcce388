package radapter.cli;

import radapter.models.hub.DownloadListener;
import radapter.models.hub.Hub;

/** The hub client the commands use: configured from the environment, drawing download progress. */
final class HubDownloads {
    private static final long MIB = 1L << 20;

    private HubDownloads() {
    }

    /** A client from {@code HF_*} variables (or JVM properties of the same names) that shows progress per file. */
    static Hub hub() {
        return Hub.fromEnvironment().withListener(new Bars());
    }

    /** One progress bar per file, in MiB (KiB for files under 1 MiB). */
    private static final class Bars implements DownloadListener {
        private ConsoleProgress bar;
        private long unit;
        private long total;

        @Override
        public void started(String file, long size, long resumedFrom) {
            unit = size >= 0 && size < MIB ? 1024 : MIB;
            total = size < 0 ? -1 : Math.max(1, (size + unit - 1) / unit);
            bar = Console.current().progress();
            bar.stage((resumedFrom > 0 ? "resuming " : "downloading ") + file + (unit == MIB ? " (MiB)" : " (KiB)"), total);
            bar.step(resumedFrom / unit, "");
        }

        @Override
        public void progress(String file, long done) {
            if (bar != null) {
                bar.step(done / unit, "");
            }
        }

        @Override
        public void finished(String file) {
            if (bar != null) {
                if (total > 0) {
                    bar.step(total, "verified");
                }
                bar.close();
                bar = null;
            }
        }
    }
}
