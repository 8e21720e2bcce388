package radapter.adapters.train;

/**
 * Where training batches come from. {@link #batch(long)} must depend only on the step index (and
 * the source's own seed), so that a resumed run sees exactly the batches the interrupted one
 * would have seen.
 */
@FunctionalInterface
public interface BatchSource {
    TrainBatch batch(long step);
}
