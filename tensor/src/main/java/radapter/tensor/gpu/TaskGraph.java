package radapter.tensor.gpu;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import radapter.tensor.Device;
import radapter.tensor.Tensor;

/**
 * A fixed sequence of tensor computations on one GPU device, recorded once and then replayed:
 * TornadoVM's task-graph model, with radapter's own API. Weights go to the device once and stay
 * there; each later execution uploads only the inputs that change, replays the recorded kernel
 * launches over the same device buffers and downloads the results, with no Java-level op dispatch
 * and no device allocation.
 *
 * <pre>{@code
 * TaskGraph g = new TaskGraph("mlp", device)
 *     .transferToDevice(DataTransferMode.FIRST_EXECUTION, w1, b1)   // uploaded once, stay resident
 *     .transferToDevice(DataTransferMode.EVERY_EXECUTION, x)        // re-uploaded on every execute()
 *     .task("forward", dev -> dev.get(x).matmul(dev.get(w1).mT()).add(dev.get(b1)).gelu())
 *     .transferToHost(DataTransferMode.EVERY_EXECUTION, "forward");
 * try (ExecutionPlan plan = g.snapshot()) {
 *     Tensor y = plan.execute().get("forward");
 *     x.copy_(nextBatch);                                            // new input contents
 *     Tensor y2 = plan.execute().get("forward");                     // replay: one upload, the launches, one download
 * }
 * }</pre>
 *
 * <p><b>How.</b> The first {@link ExecutionPlan#execute()} runs the task bodies as ordinary tensor
 * code with the device's {@link GpuBackend} selected (so even ops on host tensors run on the
 * device), while that backend sends every driver call through a
 * recording layer: it keeps each launch (kernel, geometry, arguments), device copy and upload, and
 * takes ownership of every buffer allocated, so that nothing the launches touch is freed or reused
 * until the plan is closed. Later executions are the recorded device commands and nothing else.
 *
 * <p><b>Restrictions</b> (what cannot be replayed):
 * <ul>
 * <li>No host reads inside a task: {@code item()}, {@code get()}, {@code toString()},
 * {@code cpu()} of a device tensor, or an op that writes device results into a host tensor. The
 * recording layer refuses downloads, so such a task fails at the first execution with a message,
 * not silently later.</li>
 * <li>No data-dependent control flow: the sequence of launches is fixed at the first execution.
 * Shapes, dtypes and the set of tasks cannot change; only the contents of declared inputs can.</li>
 * <li>Host tensors a task uses without declaring them are constants taken at the first execution
 * (a contiguous host tensor that <em>is</em> declared is read from its device copy, so both
 * {@code dev.get(x)} and plain {@code x} see new contents). Host-side randomness (a dropout mask
 * drawn inside a task) is frozen too: pass such tensors as {@link DataTransferMode#EVERY_EXECUTION}
 * inputs.</li>
 * <li>A declared input must keep its shape and dtype; its new contents are uploaded by
 * {@code execute()}, so change them before calling it.</li>
 * </ul>
 * A graph is a description; {@link #snapshot()} freezes it into an {@link ExecutionPlan}, which
 * owns the device memory until it is closed.
 */
public final class TaskGraph {
    private final String name;
    private final Device device;
    private final Map<Tensor, DataTransferMode> inputs = new LinkedHashMap<>();
    private final Map<String, Function<TaskContext, Tensor>> tasks = new LinkedHashMap<>();
    private final Map<String, DataTransferMode> outputs = new LinkedHashMap<>();

    /** An empty graph named {@code name} (for messages) that will run on {@code device}. */
    public TaskGraph(String name, Device device) {
        this.name = Objects.requireNonNull(name);
        this.device = Objects.requireNonNull(device);
        if (device.equals(Device.CPU)) {
            throw new IllegalArgumentException("task graph '" + name + "' needs a GPU device, not the host");
        }
    }

    /**
     * Declares host tensors the tasks read: uploaded at the first execution and, with
     * {@link DataTransferMode#EVERY_EXECUTION}, again before every later one. A tensor already on
     * the graph's device is used as it is.
     */
    public TaskGraph transferToDevice(DataTransferMode mode, Tensor... tensors) {
        if (mode == DataTransferMode.UNDER_DEMAND) {
            throw new IllegalArgumentException("inputs are uploaded at the first or at every execution; UNDER_DEMAND is for results");
        }
        for (Tensor t : tensors) {
            Objects.requireNonNull(t, "input tensor");
            if (!t.storage().isHost() && !t.device().equals(device)) {
                throw new IllegalArgumentException("input on " + t.device() + " given to task graph '" + name + "' on " + device);
            }
            inputs.put(t, mode);
        }
        return this;
    }

    /**
     * Adds a task: {@code body} computes one device tensor from the context's inputs and earlier
     * results. Tasks run in the order they are added.
     */
    public TaskGraph task(String taskName, Function<TaskContext, Tensor> body) {
        Objects.requireNonNull(body);
        if (tasks.putIfAbsent(Objects.requireNonNull(taskName), body) != null) {
            throw new IllegalArgumentException("task graph '" + name + "' already has a task '" + taskName + "'");
        }
        return this;
    }

    /** Says which tasks' results {@code execute()} downloads, and when. */
    public TaskGraph transferToHost(DataTransferMode mode, String... taskNames) {
        for (String t : taskNames) {
            if (!tasks.containsKey(t)) {
                throw new IllegalArgumentException("task graph '" + name + "' has no task '" + t + "' (tasks: " + tasks.keySet() + ")");
            }
            outputs.put(t, mode);
        }
        return this;
    }

    /** The graph's name (used in messages). */
    public String name() {
        return name;
    }

    /** The device the graph runs on. */
    public Device device() {
        return device;
    }

    /** Freezes the graph as it is now into a plan (later changes to this graph do not affect it). */
    public ExecutionPlan snapshot() {
        if (tasks.isEmpty()) {
            throw new IllegalStateException("task graph '" + name + "' has no tasks");
        }
        List<ExecutionPlan.Input> in = new ArrayList<>();
        inputs.forEach((t, mode) -> in.add(new ExecutionPlan.Input(t, mode)));
        return new ExecutionPlan(name, device, in, new LinkedHashMap<>(tasks), new LinkedHashMap<>(outputs));
    }
}
