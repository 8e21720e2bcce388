package radapter.tensor.gpu;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import radapter.tensor.Backend;
import radapter.tensor.Backends;
import radapter.tensor.Device;
import radapter.tensor.MemoryScope;
import radapter.tensor.Shapes;
import radapter.tensor.Storage;
import radapter.tensor.Tensor;

/**
 * A {@link TaskGraph} frozen for execution. The first {@link #execute()} uploads the inputs, runs
 * the task bodies while recording what they ask of the device, and downloads the results; every
 * later one uploads the {@link DataTransferMode#EVERY_EXECUTION} inputs into the same buffers,
 * replays the recorded device commands and downloads the results. The plan owns every device
 * buffer involved (inputs, intermediates, results, temporaries) until {@link #close()}.
 *
 * <p>Executions are serialised (one at a time per plan); the driver itself may be shared with
 * other threads' eager ops.
 */
public final class ExecutionPlan implements AutoCloseable {

    /** A declared input and when it is uploaded. */
    record Input(Tensor host, DataTransferMode mode) {
    }

    private final String name;
    private final Device device;
    private final List<Input> inputs;
    private final Map<String, Function<TaskContext, Tensor>> tasks;
    private final Map<String, DataTransferMode> outputs;

    private GpuBackend backend;
    private Arena captured;
    private final Map<Tensor, Tensor> deviceInputs = new IdentityHashMap<>();
    private final Map<Tensor, Long> uploadCounts = new IdentityHashMap<>();
    private final Map<String, Tensor> results = new LinkedHashMap<>();
    private List<RecordingDriver.Step> steps = List.of();
    private List<GpuBuffer> owned = List.of();
    private long executions;
    private long uploadedBytes;
    private boolean closed;

    ExecutionPlan(String name, Device device, List<Input> inputs, Map<String, Function<TaskContext, Tensor>> tasks,
            Map<String, DataTransferMode> outputs) {
        this.name = name;
        this.device = device;
        this.inputs = List.copyOf(inputs);
        this.tasks = tasks;
        this.outputs = outputs;
    }

    /**
     * Runs the graph once: records it the first time, replays it afterwards. Returns the host
     * copies of the results that this execution transfers.
     */
    public synchronized ExecutionResult execute() {
        if (closed) {
            throw new IllegalStateException("execution plan of task graph '" + name + "' is closed");
        }
        boolean first = executions == 0;
        if (first) {
            recordFirstExecution();
        } else {
            uploadInputs(false);
            replay();
        }
        executions++;
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (Map.Entry<String, DataTransferMode> e : outputs.entrySet()) {
            if (e.getValue() == DataTransferMode.EVERY_EXECUTION || (first && e.getValue() == DataTransferMode.FIRST_EXECUTION)) {
                out.put(e.getKey(), download(e.getKey()));
            }
        }
        return new ExecutionResult(out);
    }

    /** Downloads {@code task}'s latest result now (any task, whatever its transfer mode). */
    public synchronized Tensor transferToHost(String task) {
        if (closed) {
            throw new IllegalStateException("execution plan of task graph '" + name + "' is closed");
        }
        if (executions == 0) {
            throw new IllegalStateException("task graph '" + name + "' has not been executed yet");
        }
        return download(task);
    }

    // ================================================================ first execution: record

    private void recordFirstExecution() {
        Backend b = Backends.forDevice(device);
        if (!(b instanceof GpuBackend gpu)) {
            throw new IllegalStateException("device " + device + " is not run by a GPU backend (" + b.name() + ")");
        }
        backend = gpu;
        captured = Arena.ofShared();
        RecordingDriver recorder = new RecordingDriver(backend.trackingDriver(), name, captured);
        try {
            placeInputs(recorder);
            backend.record(recorder);
            // Task bodies run with the graph's backend selected, so that ops on host tensors run
            // (and are recorded) on the device too, and declared host inputs resolve to their copies.
            try (Backends.Selection ignored = Backends.use(backend)) {
                MemoryScope.outsideScopes(() -> {
                    TaskContext context = new Context();
                    for (Map.Entry<String, Function<TaskContext, Tensor>> t : tasks.entrySet()) {
                        recorder.task(t.getKey());
                        Tensor r = t.getValue().apply(context);
                        if (r == null || !r.device().equals(device)) {
                            throw new IllegalStateException("task '" + t.getKey() + "' of task graph '" + name + "' must return a tensor on "
                                    + device + ", got " + (r == null ? "null" : "one on " + r.device()));
                        }
                        // Results are downloaded as one run of bytes, so a strided view is made contiguous (recorded too).
                        results.put(t.getKey(), r.isContiguous() ? r : r.contiguous());
                    }
                    return null;
                });
            } finally {
                backend.record(null);
            }
            steps = List.copyOf(recorder.steps());
            owned = List.copyOf(recorder.owned());
        } catch (RuntimeException | Error e) {
            owned = List.copyOf(recorder.owned());
            close();
            throw e;
        }
    }

    /** Allocates the plan's device copy of every input (owned by the recording), uploads it, and maps host storage to it. */
    private void placeInputs(RecordingDriver recorder) {
        for (Input in : inputs) {
            Tensor host = in.host();
            if (!host.storage().isHost()) {
                deviceInputs.put(host, host); // already resident on this device
                continue;
            }
            long bytes = host.numel() * host.dtype().byteSize();
            GpuBuffer buffer = recorder.allocate(bytes);
            long[] shape = host.shape();
            Tensor dev = MemoryScope.outsideScopes(() -> new Tensor(host.dtype(), shape, Shapes.contiguousStrides(shape), 0,
                    Storage.onDevice(buffer)));
            deviceInputs.put(host, dev);
            if (host.isContiguous()) {
                recorder.addAlias(host.storage(), buffer, host.offset() * host.dtype().byteSize(), bytes);
            }
        }
        uploadInputs(true);
    }

    private void uploadInputs(boolean first) {
        GpuDriver raw = backend.rawDriver();
        for (Input in : inputs) {
            Tensor host = in.host();
            if (!host.storage().isHost() || !(first || in.mode() == DataTransferMode.EVERY_EXECUTION)) {
                continue;
            }
            GpuBuffer buffer = backend.bufferOf(deviceInputs.get(host));
            long bytes = host.numel() * host.dtype().byteSize();
            if (host.isContiguous()) {
                raw.upload(host.segment().asSlice(host.offset() * host.dtype().byteSize(), bytes), buffer, 0);
            } else {
                try (MemoryScope ignored = MemoryScope.open()) {
                    Tensor c = Tensor.empty(host.dtype(), host.shape());
                    GpuBackend.hostBackend(host.dtype(), host.dtype()).copy(host, c);
                    raw.upload(c.segment().asSlice(0, bytes), buffer, 0);
                }
            }
            uploadCounts.merge(host, 1L, Long::sum);
            uploadedBytes += bytes;
        }
    }

    /** What task bodies see. */
    private final class Context implements TaskContext {
        @Override
        public Tensor get(Tensor hostInput) {
            Tensor d = deviceInputs.get(hostInput);
            if (d == null) {
                throw new IllegalArgumentException("task graph '" + name + "': this tensor was not declared with transferToDevice "
                        + "(shape " + Shapes.str(hostInput.shape()) + ")");
            }
            return d;
        }

        @Override
        public Tensor result(String task) {
            Tensor r = results.get(task);
            if (r == null) {
                throw new IllegalArgumentException("task graph '" + name + "': no result of task '" + task + "' yet (tasks run in the "
                        + "order they were added; done so far: " + results.keySet() + ")");
            }
            return r;
        }

        @Override
        public Device device() {
            return device;
        }
    }

    // ================================================================ later executions: replay

    private void replay() {
        GpuDriver raw = backend.rawDriver();
        for (RecordingDriver.Step s : steps) {
            switch (s) {
                case RecordingDriver.Upload u -> raw.upload(u.bytes(), u.dst(), u.offset());
                case RecordingDriver.Copy c -> raw.copy(c.src(), c.srcOffset(), c.dst(), c.dstOffset(), c.bytes());
                case RecordingDriver.Launch l -> raw.launch(l.kernel(), l.global(), l.local(), l.args());
            }
        }
    }

    private Tensor download(String task) {
        Tensor r = results.get(task);
        if (r == null) {
            throw new IllegalArgumentException("task graph '" + name + "' has no task '" + task + "'");
        }
        Tensor host = Tensor.empty(r.dtype(), r.shape());
        long es = r.dtype().byteSize();
        MemorySegment dst = host.segment().asSlice(0, r.numel() * es);
        backend.rawDriver().download(backend.bufferOf(r), r.offset() * es, dst);
        return host;
    }

    // ================================================================ statistics

    /** Executions so far. */
    public synchronized long executions() {
        return executions;
    }

    /** How many times {@code input} (a tensor given to {@link TaskGraph#transferToDevice}) was uploaded. */
    public synchronized long uploads(Tensor input) {
        return uploadCounts.getOrDefault(input, 0L);
    }

    /** Bytes of declared inputs uploaded so far. */
    public synchronized long uploadedBytes() {
        return uploadedBytes;
    }

    /** Kernel launches one replay performs. */
    public synchronized int recordedLaunches() {
        return (int) steps.stream().filter(s -> s instanceof RecordingDriver.Launch).count();
    }

    /**
     * Uploads one replay performs besides the declared inputs (host data the tasks copied onto the
     * device explicitly; staged host constants are uploaded once, not replayed).
     */
    public synchronized int recordedUploads() {
        return (int) steps.stream().filter(s -> s instanceof RecordingDriver.Upload).count();
    }

    /** Device bytes this plan holds (inputs, intermediates, results, temporaries); 0 once closed. */
    public synchronized long deviceBytes() {
        long n = 0;
        for (GpuBuffer b : owned) {
            n += b.byteSize();
        }
        return n;
    }

    /** Releases every device buffer of the plan and the recorded upload data. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        List<GpuBuffer> toRelease = new ArrayList<>(owned);
        owned = List.of();
        steps = List.of();
        results.clear();
        deviceInputs.clear();
        RuntimeException failure = null;
        for (GpuBuffer b : toRelease) {
            try {
                b.release();
            } catch (RuntimeException e) {
                failure = failure == null ? e : failure;
            }
        }
        if (captured != null) {
            captured.close();
        }
        if (failure != null) {
            throw failure;
        }
    }
}
