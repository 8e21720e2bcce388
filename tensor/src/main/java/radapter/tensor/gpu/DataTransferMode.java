package radapter.tensor.gpu;

/** When a {@link TaskGraph} moves a tensor between the host and the device (TornadoVM's modes). */
public enum DataTransferMode {
    /**
     * Once, at the first execution. For inputs: weights and other tensors that stay resident on
     * the device. For results: downloaded after the first execution only.
     */
    FIRST_EXECUTION,
    /** At every execution: inputs are uploaded again (picking up new host contents), results downloaded again. */
    EVERY_EXECUTION,
    /** Results only: never downloaded automatically, but on request with {@link ExecutionPlan#transferToHost(String)}. */
    UNDER_DEMAND
}
