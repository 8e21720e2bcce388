package radapter.data.loader;

/** Told after each batch of an epoch is loaded (including batches left empty by skipped images). */
@FunctionalInterface
public interface ProgressListener {
    /**
     * @param done  batches of this epoch loaded so far, 1..total
     * @param total batches in the epoch
     */
    void onProgress(int done, int total);
}
