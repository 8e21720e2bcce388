package radapter.tensor.gpu;

import java.util.Map;
import java.util.Set;
import radapter.tensor.Tensor;

/**
 * The host copies one {@link ExecutionPlan#execute()} downloaded: the results of the tasks named
 * in {@link TaskGraph#transferToHost} (every execution for {@link DataTransferMode#EVERY_EXECUTION},
 * the first for {@link DataTransferMode#FIRST_EXECUTION}). They are fresh host tensors in the
 * memory scope that was current at {@code execute()}, so a later execution does not change them.
 */
public final class ExecutionResult {
    private final Map<String, Tensor> results;

    ExecutionResult(Map<String, Tensor> results) {
        this.results = Map.copyOf(results);
    }

    /** The host copy of {@code task}'s result; fails when it was not downloaded by this execution. */
    public Tensor get(String task) {
        Tensor t = results.get(task);
        if (t == null) {
            throw new IllegalArgumentException("task '" + task + "' was not transferred to the host by this execution; transferred: "
                    + results.keySet());
        }
        return t;
    }

    /** Names of the tasks whose results this execution downloaded. */
    public Set<String> tasks() {
        return results.keySet();
    }
}
