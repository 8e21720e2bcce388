package radapter.models.hub;

/**
 * Hears how a download goes, file by file (a command line draws a progress bar from it).
 * Callbacks come from the downloading thread.
 */
public interface DownloadListener {
    /** Hears nothing. */
    DownloadListener NONE = new DownloadListener() {
    };

    /**
     * A file starts downloading.
     *
     * @param file the file's name in the repository
     * @param size its size in bytes, or -1 when the hub did not say
     * @param resumedFrom bytes already there from an interrupted download (0 for a fresh one)
     */
    default void started(String file, long size, long resumedFrom) {
    }

    /** {@code done} bytes of {@code file} are on disk. */
    default void progress(String file, long done) {
    }

    /** {@code file} is complete and verified. */
    default void finished(String file) {
    }
}
