package radapter.tensor.gpu;

import radapter.tensor.Device;
import radapter.tensor.Tensor;

/** What a {@link TaskGraph} task body sees: the device copies of the graph's inputs and earlier tasks' results. */
public interface TaskContext {

    /**
     * The device tensor holding {@code hostInput}, which must have been declared with
     * {@link TaskGraph#transferToDevice}. (Host inputs used directly also resolve to it when they
     * are contiguous; {@code get} makes the intent explicit.)
     */
    Tensor get(Tensor hostInput);

    /** The result of the earlier task {@code task} (a device tensor). */
    Tensor result(String task);

    /** The graph's device. */
    Device device();
}
