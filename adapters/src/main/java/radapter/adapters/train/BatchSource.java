package radapter.adapters.train;

/**
 * Where training batches come from. {@link #batch(long)} must depend only on the step index (and
 * the source's own seed), so that a resumed run sees exactly the batches the interrupted one
 * would have seen.
 *
 * <p>In a data-parallel run each process asks only for its {@link #shard}. A source that can read
 * single samples overrides it, so that every process decodes and augments its own rows and no
 * others; the union of the shards must then be exactly {@code batch(step)}, row for row, which
 * holds when each sample's randomness comes from the step and its position in the global batch
 * rather than from a stream shared by the batch.
 */
@FunctionalInterface
public interface BatchSource {
    TrainBatch batch(long step);

    /**
     * The rows of {@code batch(step)} that process {@code rank} of {@code ranks} trains on: the
     * {@code rank}-th of {@code ranks} equal consecutive blocks, with the labels of the whole
     * batch (the contrastive loss needs every pair's label). This default reads the whole batch
     * and keeps the block, so every process pays for decoding all of it.
     *
     * @throws IllegalArgumentException when the batch does not split evenly over {@code ranks}
     */
    default BatchShard shard(long step, int rank, int ranks) {
        TrainBatch whole = batch(step);
        int n = BatchShard.rowsPerRank(whole.size(), ranks);
        return new BatchShard(whole.slice(rank * n, n), whole.labels(), rank * n);
    }
}
