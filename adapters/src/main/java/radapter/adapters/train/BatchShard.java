package radapter.adapters.train;

/**
 * One process's part of a global training batch: its rows, which are rows {@code first ..
 * first + rows.size() - 1} of the global batch, and the labels of the whole global batch.
 *
 * @param rows   this process's pairs (preprocessed images, token ids and their labels)
 * @param labels the label of every pair of the global batch, in order
 * @param first  where {@code rows} start in the global batch
 */
public record BatchShard(TrainBatch rows, long[] labels, int first) {
    public BatchShard {
        if (first < 0 || first + rows.size() > labels.length) {
            throw new IllegalArgumentException("a shard of " + rows.size() + " rows from row " + first + " does not fit a batch of "
                    + labels.length);
        }
        for (int i = 0; i < rows.size(); i++) {
            if (rows.labels()[i] != labels[first + i]) {
                throw new IllegalArgumentException("row " + (first + i) + " of the shard has label " + rows.labels()[i]
                        + " but the batch says " + labels[first + i]);
            }
        }
    }

    /** Size of the global batch. */
    public int batchSize() {
        return labels.length;
    }

    /**
     * Rows per process when a batch of {@code batch} pairs splits over {@code ranks} processes.
     *
     * @throws IllegalArgumentException when it does not split evenly
     */
    public static int rowsPerRank(int batch, int ranks) {
        if (ranks < 1 || batch % ranks != 0) {
            throw new IllegalArgumentException("a global batch of " + batch + " does not split evenly over " + ranks
                    + " processes; give a batch size that is a multiple of the process count");
        }
        return batch / ranks;
    }
}
