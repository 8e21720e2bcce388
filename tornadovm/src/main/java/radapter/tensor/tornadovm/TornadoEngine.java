package radapter.tensor.tornadovm;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.WeakHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import radapter.tensor.BinaryOp;
import radapter.tensor.DType;
import radapter.tensor.Shapes;
import radapter.tensor.Storage;
import radapter.tensor.Tensor;
import radapter.tensor.UnaryOp;
import radapter.tensor.gpu.OpCodes;
import uk.ac.manchester.tornado.api.TaskGraph;
import uk.ac.manchester.tornado.api.TornadoExecutionPlan;
import uk.ac.manchester.tornado.api.common.TornadoDevice;
import uk.ac.manchester.tornado.api.enums.DataTransferMode;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;

/**
 * Everything that touches TornadoVM: the selected device, the cache of execution plans and the
 * device-resident copies of immutable storages. Only {@link TornadoBackend} uses it, and only
 * after {@link #open} succeeded, so a JVM without TornadoVM never links this class.
 *
 * <p><b>Plans.</b> One TornadoVM {@code TornadoExecutionPlan} per key = (kernel, shapes, operand
 * layouts, resident weights), built on first use and reused by every later call with the same
 * key, so TornadoVM compiles each kernel once per shape and keeps its device buffers. A plan owns
 * staging {@code FloatArray}s for its inputs (declared {@link DataTransferMode#EVERY_EXECUTION}:
 * refilled from the tensors and uploaded before every execution) and for its results (downloaded
 * after every execution). Plans are kept in least-recently-used order up to a budget; an evicted
 * plan is closed, which frees its device memory.
 *
 * <p><b>Weights.</b> An operand whose storage cannot change ({@link TornadoBackend#isImmutable}) is
 * not staged: the whole storage is copied once into a {@code FloatArray} shared by every plan that
 * reads it, declared {@link DataTransferMode#FIRST_EXECUTION}, so each plan uploads it once and then
 * keeps it on the device. This is radapter's task-graph rule (weights resident, inputs streamed)
 * in TornadoVM's own API.
 *
 * <p>Calls are thread-safe: a plan's staging arrays are used under the plan's lock.
 */
final class TornadoEngine {
    /** Operand spans up to this many times the view's elements are uploaded as they are (strided); larger ones are gathered. */
    private static final long SPAN_SLACK = 2;

    private final TornadoDevice device;
    private final String description;
    private final int maxPlans;

    /** Access-ordered: iteration starts at the least recently used plan. Guarded by itself. */
    private final LinkedHashMap<String, Plan> plans = new LinkedHashMap<>(16, 0.75f, true);
    /** Device-resident copies, weakly keyed by the host storage (identity: Storage has no equals). */
    private final Map<Storage, Resident> residents = Collections.synchronizedMap(new WeakHashMap<>());

    private final AtomicLong ids = new AtomicLong();
    private final AtomicLong plansBuilt = new AtomicLong();
    private final AtomicLong executions = new AtomicLong();
    private final AtomicLong residentArrays = new AtomicLong();

    private TornadoEngine(TornadoDevice device, String description, int maxPlans) {
        this.device = device;
        this.description = description;
        this.maxPlans = maxPlans;
    }

    /**
     * Opens TornadoVM on device {@code spec} ({@code BACKEND:DEVICE}) and runs a self-test kernel.
     * Throws (anything: a TornadoVM exception, a linkage error) when that is impossible here.
     */
    static TornadoEngine open(String spec, int maxPlans) {
        int[] index = parseDevice(spec);
        // TornadoDeviceMap lists what the runtime found; it is also the first call that starts the runtime.
        var map = TornadoExecutionPlan.getTornadoDeviceMap();
        int backends = map.getNumBackends();
        if (backends == 0) {
            throw new IllegalStateException("TornadoVM found no backend (see tornado --devices)");
        }
        if (index[0] >= backends) {
            throw new IllegalStateException("there is no TornadoVM backend " + index[0] + " (" + backends
                    + " installed; see tornado --devices); set -D" + TornadoBackend.DEVICE_PROPERTY);
        }
        var backend = map.getAllBackends().get(index[0]);
        int devices = backend.getAllDevices().size();
        if (devices == 0) {
            throw new IllegalStateException("TornadoVM backend " + index[0] + " (" + backend.getName() + ") has no device");
        }
        if (index[1] >= devices) {
            throw new IllegalStateException("TornadoVM backend " + index[0] + " (" + backend.getName() + ") has " + devices
                    + " device(s), not " + (index[1] + 1) + "; set -D" + TornadoBackend.DEVICE_PROPERTY);
        }
        TornadoDevice device = TornadoExecutionPlan.getDevice(index[0], index[1]);
        String description = device.getDeviceName() + " (" + backend.getName() + ", device " + index[0] + ":" + index[1] + ")";
        // The kernels' op codes are static finals computed at class initialisation; TornadoVM folds
        // them into the device code only once they hold their values.
        try {
            MethodHandles.lookup().ensureInitialized(Kernels.class);
        } catch (IllegalAccessException e) {
            throw new IllegalStateException("cannot initialise the TornadoVM kernels", e);
        }
        TornadoEngine engine = new TornadoEngine(device, description, maxPlans);
        engine.selfTest();
        return engine;
    }

    private static int[] parseDevice(String spec) {
        String[] parts = spec.trim().split(":");
        try {
            if (parts.length == 2) {
                int b = Integer.parseInt(parts[0].trim());
                int d = Integer.parseInt(parts[1].trim());
                if (b >= 0 && d >= 0) {
                    return new int[] {b, d};
                }
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException("-D" + TornadoBackend.DEVICE_PROPERTY + " must be BACKEND:DEVICE as listed by "
                + "tornado --devices (e.g. 0:1), got '" + spec + "'");
    }

    /** Compiles and runs one small kernel: proves the JIT, the driver and the transfers work before the backend says it is available. */
    private void selfTest() {
        float[] values = {1.5f, -2.0f, 0.0f, 1e30f, -7.25f};
        Tensor x = Tensor.of(values);
        Tensor y = Tensor.empty(DType.F32, values.length);
        unary(UnaryOp.NEG, x, y);
        float[] got = y.toFloatArray();
        for (int i = 0; i < values.length; i++) {
            if (Float.compare(got[i], -values[i]) != 0) {
                throw new IllegalStateException("the self-test kernel on " + description + " returned " + Arrays.toString(got)
                        + " for the negation of " + Arrays.toString(values));
            }
        }
    }

    String description() {
        return description;
    }

    TornadoBackend.Stats stats() {
        int cached;
        synchronized (plans) {
            cached = plans.size();
        }
        return new TornadoBackend.Stats(plansBuilt.get(), cached, executions.get(), residentArrays.get());
    }

    // ================================================================ ops

    void unary(UnaryOp op, Tensor x, Tensor out) {
        int n = Math.toIntExact(out.numel());
        String key = "unary|" + op + "|" + n;
        run(key, () -> {
            FloatArray in = new FloatArray(n);
            FloatArray result = new FloatArray(n);
            TaskGraph graph = new TaskGraph(graphName("unary"))
                    .transferToDevice(DataTransferMode.EVERY_EXECUTION, in)
                    .task("unary", Kernels::unary, in, result, unaryCode(op), n)
                    .transferToHost(DataTransferMode.EVERY_EXECUTION, result);
            return new Plan(graph, new FloatArray[] {in}, new FloatArray[] {result});
        }, plan -> {
            // Every input is read before any result is written, so out may be x itself (in-place ops).
            HostTransfer.gather(x, data(plan.inputs[0]));
            plan.execute();
            HostTransfer.scatter(data(plan.outputs[0]), 0, out);
        });
    }

    void binary(BinaryOp op, Tensor a, Tensor b, Tensor out) {
        int n = Math.toIntExact(out.numel());
        String key = "binary|" + op + "|" + n;
        run(key, () -> {
            FloatArray left = new FloatArray(n);
            FloatArray right = new FloatArray(n);
            FloatArray result = new FloatArray(n);
            TaskGraph graph = new TaskGraph(graphName("binary"))
                    .transferToDevice(DataTransferMode.EVERY_EXECUTION, left, right)
                    .task("binary", Kernels::binary, left, right, result, binaryCode(op), n)
                    .transferToHost(DataTransferMode.EVERY_EXECUTION, result);
            return new Plan(graph, new FloatArray[] {left, right}, new FloatArray[] {result});
        }, plan -> {
            // Broadcast operands (stride 0) are materialised here; the kernel is a flat loop.
            HostTransfer.gather(a, data(plan.inputs[0]));
            HostTransfer.gather(b, data(plan.inputs[1]));
            plan.execute();
            HostTransfer.scatter(data(plan.outputs[0]), 0, out);
        });
    }

    void matmul(Tensor a, Tensor b, Tensor out) {
        int rank = out.dim();
        long[] shape = out.shape();
        int m = Math.toIntExact(shape[rank - 2]);
        int n = Math.toIntExact(shape[rank - 1]);
        int k = Math.toIntExact(a.size(-1));
        long[] batchShape = Arrays.copyOf(shape, rank - 2);
        int batches = Math.toIntExact(Shapes.numel(batchShape));
        int rows = Math.multiplyExact(batches, m);
        Operand left = operand(a, true);
        Operand right = operand(b, true);
        String key = "matmul|" + Shapes.str(shape) + "|k=" + k + "|" + left.key() + "|" + right.key();
        run(key, () -> {
            FloatArray aArray = left.newArray();
            FloatArray bArray = right.newArray();
            IntArray aBatch = IntArray.fromArray(left.batchOffsets(batchShape));
            IntArray bBatch = IntArray.fromArray(right.batchOffsets(batchShape));
            FloatArray result = new FloatArray(rows * n);
            TaskGraph graph = new TaskGraph(graphName("matmul"));
            // Weights and the (per-plan constant) batch offsets cross once; staged operands every time.
            transfer(graph, DataTransferMode.FIRST_EXECUTION, left.resident(aArray), right.resident(bArray), aBatch, bBatch);
            transfer(graph, DataTransferMode.EVERY_EXECUTION, left.staged(aArray), right.staged(bArray));
            graph.task("matmul", Kernels::matmul, aArray, bArray, result, aBatch, bBatch, rows, n, k, m,
                    left.stride(rank - 2), left.stride(rank - 1), right.stride(rank - 2), right.stride(rank - 1))
                    .transferToHost(DataTransferMode.EVERY_EXECUTION, result);
            return new Plan(graph, new FloatArray[] {left.staged(aArray), right.staged(bArray)}, new FloatArray[] {result});
        }, plan -> {
            left.fill(plan.inputs[0]);
            right.fill(plan.inputs[1]);
            plan.execute();
            HostTransfer.scatter(data(plan.outputs[0]), 0, out);
        });
    }

    void softmax(Tensor x, int dim, boolean log, Tensor out) {
        long[] shape = x.shape();
        int d = Shapes.dim(dim, Math.max(shape.length, 1));
        int len = shape.length == 0 ? 1 : Math.toIntExact(shape[d]);
        int inner = 1;
        for (int i = d + 1; i < shape.length; i++) {
            inner = Math.multiplyExact(inner, Math.toIntExact(shape[i]));
        }
        int total = Math.toIntExact(x.numel());
        int lines = total / len;
        int innerFinal = inner;
        String key = "softmax|" + total + "|" + len + "|" + inner + "|" + log;
        run(key, () -> {
            FloatArray in = new FloatArray(total);
            FloatArray result = new FloatArray(total);
            TaskGraph graph = new TaskGraph(graphName("softmax"))
                    .transferToDevice(DataTransferMode.EVERY_EXECUTION, in)
                    .task("softmax", Kernels::softmax, in, result, lines, len, innerFinal, log ? 1 : 0)
                    .transferToHost(DataTransferMode.EVERY_EXECUTION, result);
            return new Plan(graph, new FloatArray[] {in}, new FloatArray[] {result});
        }, plan -> {
            HostTransfer.gather(x, data(plan.inputs[0]));
            plan.execute();
            HostTransfer.scatter(data(plan.outputs[0]), 0, out);
        });
    }

    void layerNorm(Tensor x, Tensor weight, Tensor bias, double eps, Tensor out, Tensor mean, Tensor rstd) {
        int len = Math.toIntExact(x.size(-1));
        int rows = Math.toIntExact(x.numel() / len);
        Operand w = weight == null ? null : operand(weight, true);
        Operand b = bias == null ? null : operand(bias, true);
        int affine = (w != null ? Kernels.HAS_WEIGHT : 0) | (b != null ? Kernels.HAS_BIAS : 0);
        float epsilon = (float) eps;
        String key = "layerNorm|" + rows + "|" + len + "|" + Float.floatToRawIntBits(epsilon) + "|" + (w == null ? "-" : w.key()) + "|"
                + (b == null ? "-" : b.key());
        run(key, () -> {
            FloatArray in = new FloatArray(rows * len);
            // An absent weight or bias still needs an argument: a one-element placeholder the kernel never reads.
            FloatArray none = new FloatArray(1);
            FloatArray wArray = w == null ? none : w.newArray();
            FloatArray bArray = b == null ? none : b.newArray();
            FloatArray result = new FloatArray(rows * len);
            FloatArray stats = new FloatArray(2 * rows);
            TaskGraph graph = new TaskGraph(graphName("layerNorm"));
            transfer(graph, DataTransferMode.FIRST_EXECUTION, none, w == null ? null : w.resident(wArray),
                    b == null ? null : b.resident(bArray));
            transfer(graph, DataTransferMode.EVERY_EXECUTION, in, w == null ? null : w.staged(wArray), b == null ? null : b.staged(bArray));
            graph.task("layerNorm", Kernels::layerNorm, in, wArray, bArray, result, stats, rows, len,
                    w == null ? 0 : w.originIndex(), w == null ? 0 : w.stride(0), b == null ? 0 : b.originIndex(), b == null ? 0 : b.stride(0),
                    affine, epsilon)
                    .transferToHost(DataTransferMode.EVERY_EXECUTION, result, stats);
            return new Plan(graph,
                    new FloatArray[] {in, w == null ? null : w.staged(wArray), b == null ? null : b.staged(bArray)},
                    new FloatArray[] {result, stats});
        }, plan -> {
            HostTransfer.gather(x, data(plan.inputs[0]));
            if (w != null) {
                w.fill(plan.inputs[1]);
            }
            if (b != null) {
                b.fill(plan.inputs[2]);
            }
            plan.execute();
            HostTransfer.scatter(data(plan.outputs[0]), 0, out);
            if (mean != null || rstd != null) {
                MemorySegment s = data(plan.outputs[1]);
                for (int r = 0; r < rows; r++) {
                    // Statistics are interleaved (mean, rstd) per row; the outputs may be any F32 layout.
                    if (mean != null) {
                        HostTransfer.scatter(s, 2L * r, rowOf(mean, r));
                    }
                    if (rstd != null) {
                        HostTransfer.scatter(s, 2L * r + 1, rowOf(rstd, r));
                    }
                }
            }
        });
    }

    /** Element {@code r} (row-major) of a statistics tensor shaped like x's leading dimensions, as a 0-d view. */
    private static Tensor rowOf(Tensor t, int r) {
        long at = t.offset();
        long rest = r;
        long[] shape = t.shape();
        long[] strides = t.strides();
        for (int d = shape.length - 1; d >= 0; d--) {
            at += (rest % shape[d]) * strides[d];
            rest /= shape[d];
        }
        return new Tensor(t.dtype(), new long[0], new long[0], at, t.storage());
    }

    // ================================================================ operands

    /** A device-resident copy of a whole immutable storage, shared by all plans that read it. */
    private record Resident(long id, FloatArray array) {
    }

    private Resident resident(Storage storage) {
        return residents.computeIfAbsent(storage, s -> {
            long n = s.byteSize() / Float.BYTES;
            FloatArray array = new FloatArray((int) n);
            MemorySegment.copy(s.segment(), 0, data(array), 0, n * Float.BYTES);
            residentArrays.incrementAndGet();
            return new Resident(ids.incrementAndGet(), array);
        });
    }

    /**
     * Chooses how a strided operand reaches a kernel that indexes it with strides: the resident
     * copy of its immutable storage, else the span of storage it touches uploaded as it is (a
     * transposed or broadcast view costs no copy on the host), else, when that span is mostly
     * gaps (a narrow slice of a large tensor), its elements gathered into a contiguous array.
     */
    private Operand operand(Tensor t, boolean mayBeResident) {
        if (mayBeResident && TornadoBackend.isImmutable(t) && t.storage().byteSize() / Float.BYTES <= HostTransfer.MAX_ELEMENTS) {
            Resident r = resident(t.storage());
            return new Operand(t, r, -1, r.array().getSize(), t.offset(), t.strides());
        }
        long[] span = HostTransfer.span(t);
        long count = span[1] - span[0] + 1;
        if (count <= SPAN_SLACK * t.numel() + 64 && count <= HostTransfer.MAX_ELEMENTS) {
            return new Operand(t, null, span[0], (int) count, t.offset() - span[0], t.strides());
        }
        return new Operand(t, null, -1, Math.toIntExact(t.numel()), 0, Shapes.contiguousStrides(t.shape()));
    }

    /**
     * One kernel input: {@code resident} (the shared device copy) or staged in a plan-owned array of
     * {@code count} elements, filled either with the storage span from {@code first} or, when
     * {@code first < 0}, with the gathered elements. {@code origin} and {@code strides} locate the
     * view's elements in that array.
     */
    private record Operand(Tensor tensor, Resident resident, long first, int count, long origin, long[] strides) {

        /** The part of a plan key this operand decides: everything that shapes the plan, nothing that changes per call. */
        String key() {
            String layout = Shapes.str(tensor.shape()) + "@" + origin + Arrays.toString(strides);
            if (resident != null) {
                return "resident#" + resident.id() + layout;
            }
            return (first >= 0 ? "span" : "gathered") + count + layout;
        }

        /** The array the plan's kernel reads: the resident one, or a new staging array. */
        FloatArray newArray() {
            return resident != null ? resident.array() : new FloatArray(count);
        }

        /** {@code array} if it is the resident copy (uploaded once), else null. */
        FloatArray resident(FloatArray array) {
            return resident != null ? array : null;
        }

        /** {@code array} if it is a staging array (uploaded every time), else null. */
        FloatArray staged(FloatArray array) {
            return resident == null ? array : null;
        }

        /** Copies this call's elements into the plan's staging array (nothing for a resident operand). */
        void fill(FloatArray staging) {
            if (resident != null) {
                return;
            }
            if (first >= 0) {
                HostTransfer.copySpan(tensor, first, count, data(staging));
            } else {
                HostTransfer.gather(tensor, data(staging));
            }
        }

        /** {@link #origin()} as the kernel's int index. */
        int originIndex() {
            return Math.toIntExact(origin);
        }

        int stride(int d) {
            return Math.toIntExact(strides[d]);
        }

        /** The array offset of element [b..., 0, 0] for each batch index b (row-major over {@code batchShape}). */
        int[] batchOffsets(long[] batchShape) {
            int batches = Math.toIntExact(Shapes.numel(batchShape));
            int[] offsets = new int[Math.max(batches, 1)];
            for (int i = 0; i < batches; i++) {
                long at = origin;
                long rest = i;
                for (int d = batchShape.length - 1; d >= 0; d--) {
                    at += (rest % batchShape[d]) * strides[d];
                    rest /= batchShape[d];
                }
                offsets[i] = Math.toIntExact(at);
            }
            return offsets;
        }
    }

    // ================================================================ plans

    /** A compiled-once, executed-many TornadoVM plan and the host arrays bound to it. */
    private final class Plan {
        final TornadoExecutionPlan executable;
        /** Staging inputs refilled before each execution (null entries: resident or absent operands). */
        final FloatArray[] inputs;
        final FloatArray[] outputs;
        boolean closed;

        Plan(TaskGraph graph, FloatArray[] inputs, FloatArray[] outputs) {
            this.inputs = inputs;
            this.outputs = outputs;
            this.executable = new TornadoExecutionPlan(graph.snapshot());
            // Sets the device of every task of the plan (the returned view shares this plan's executor).
            executable.withDevice(device);
        }

        /** Runs the kernel; blocks until the EVERY_EXECUTION results are back in the host arrays. */
        void execute() {
            executable.execute();
            executions.incrementAndGet();
        }

        /** Frees the plan's device buffers. */
        void close() {
            closed = true;
            try {
                executable.close();
            } catch (Exception e) {
                // Nothing to recover: the buffers are TornadoVM's to reclaim; the plan is unusable either way.
            }
        }
    }

    /** The work of one call against the plan it found (its inputs filled, executed, results read back). */
    @FunctionalInterface
    private interface PlanUse {
        void accept(Plan plan);
    }

    /**
     * Finds or builds the plan for {@code key} and runs {@code use} under its lock. A plan evicted
     * between lookup and lock is closed; the lookup is then simply repeated.
     */
    private void run(String key, Supplier<Plan> build, PlanUse use) {
        while (true) {
            Plan plan = plan(key, build);
            synchronized (plan) {
                if (plan.closed) {
                    continue;
                }
                use.accept(plan);
                return;
            }
        }
    }

    private Plan plan(String key, Supplier<Plan> build) {
        List<Plan> evicted = new ArrayList<>();
        Plan plan;
        synchronized (plans) {
            plan = plans.get(key);
            if (plan == null) {
                plan = build.get();
                plansBuilt.incrementAndGet();
                plans.put(key, plan);
                Iterator<Plan> lru = plans.values().iterator();
                while (plans.size() > maxPlans && lru.hasNext()) {
                    Plan old = lru.next();
                    if (old != plan) {
                        lru.remove();
                        evicted.add(old);
                    }
                }
            }
        }
        // Closed outside the map's lock: a plan still executing on another thread finishes first.
        for (Plan old : evicted) {
            synchronized (old) {
                old.close();
            }
        }
        return plan;
    }

    private String graphName(String kernel) {
        return "radapter_" + kernel + "_" + ids.incrementAndGet();
    }

    /** Declares the non-null arrays among {@code arrays} (each once) as transferred to the device in {@code mode}. */
    private static void transfer(TaskGraph graph, int mode, Object... arrays) {
        Set<Object> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        List<Object> distinct = new ArrayList<>();
        for (Object a : arrays) {
            if (a != null && seen.add(a)) {
                distinct.add(a);
            }
        }
        if (!distinct.isEmpty()) {
            graph.transferToDevice(mode, distinct.toArray());
        }
    }

    /**
     * The element data of a TornadoVM array. Older TornadoVM releases return the header too from
     * {@code getSegment()}, newer ones only the data; either way the data are its last
     * {@code getSize()} floats.
     */
    static MemorySegment data(FloatArray array) {
        MemorySegment segment = array.getSegment();
        long bytes = (long) array.getSize() * Float.BYTES;
        return segment.byteSize() == bytes ? segment : segment.asSlice(segment.byteSize() - bytes, bytes);
    }

    /** The kernel's code for {@code op} (one numbering for every GPU backend: {@link OpCodes}). */
    private static int unaryCode(UnaryOp op) {
        if (!Kernels.onDevice(op)) {
            throw new IllegalArgumentException(op + " is computed by reference, not on the device");
        }
        return OpCodes.code(op);
    }

    /** The kernel's code for {@code op} (one numbering for every GPU backend: {@link OpCodes}). */
    private static int binaryCode(BinaryOp op) {
        if (!Kernels.onDevice(op)) {
            throw new IllegalArgumentException(op + " is computed by reference, not on the device");
        }
        return OpCodes.code(op);
    }
}
