package radapter.tensor.tornadovm;

import java.util.Collections;
import java.util.Set;
import java.util.WeakHashMap;
import radapter.tensor.Backend;
import radapter.tensor.Backends;
import radapter.tensor.BinaryOp;
import radapter.tensor.DType;
import radapter.tensor.ReduceOp;
import radapter.tensor.Storage;
import radapter.tensor.Tensor;
import radapter.tensor.UnaryOp;

/**
 * The {@code tornadovm} backend: F32 matmul, softmax, layer norm and element-wise ops compiled by
 * TornadoVM from plain Java kernels ({@code @Parallel} loops) and run on the device TornadoVM
 * selects; every other op, and every other dtype, goes to the {@code reference} backend.
 *
 * <p>Tensors stay in host memory ({@link #device()} is the host): each offloaded op copies its
 * inputs into TornadoVM {@code FloatArray}s, executes a cached TornadoVM execution plan and copies
 * the result back. Plans are built once per (kernel, shapes, layouts) and reused, mirroring
 * radapter's own {@link radapter.tensor.gpu.TaskGraph}: inputs are transferred at every
 * execution, weights at the first one only. A weight is a tensor whose storage cannot change:
 * a read-only segment (a memory-mapped checkpoint, which {@link radapter.tensor.io.SafeTensors}
 * maps read-only) or one passed to {@link #markImmutable}.
 *
 * <p>This class names no TornadoVM type, so {@link java.util.ServiceLoader} can load and
 * instantiate it on any JVM: the TornadoVM runtime is probed on the first {@link #isAvailable()}
 * (or first op), and a missing SDK, runtime or device makes the backend unavailable with a
 * one-line {@link #unavailableReason()} instead of a linkage error. The probe also runs one tiny
 * kernel, so "available" means TornadoVM compiled and ran code here.
 *
 * <p>Its priority is below {@code cpu}'s, so it is never the default; choose it with
 * {@code -Dradapter.backend=tornadovm} or {@code Backends.use("tornadovm")}. This backend was
 * written against the TornadoVM API documentation and has not been run by the radapter project;
 * see the module's README.
 */
public final class TornadoBackend implements Backend {
    /** The name used by {@code -Dradapter.backend=}. */
    public static final String NAME = "tornadovm";
    /** Below {@code cpu} (10), {@code opencl} (5) and {@code cuda} (4); above {@code reference} (0). */
    public static final int PRIORITY = 3;
    /**
     * System property: the TornadoVM device as {@code BACKEND:DEVICE} indices, as listed by
     * {@code tornado --devices} (default {@code 0:0}, TornadoVM's own default device).
     */
    public static final String DEVICE_PROPERTY = "radapter.tornadovm.device";
    /**
     * System property: how many execution plans are kept (least recently used are closed); default
     * 512. A training step touches many (kernel, shape) pairs, forward and backward: with 64 the
     * tiny CLIP's R-Adapter step evicted and recompiled plans every step (29.7 s a step on PoCL,
     * against 1.4 s once they all stay).
     */
    public static final String PLANS_PROPERTY = "radapter.tornadovm.plans";

    /**
     * Storages callers promised not to modify (see {@link #markImmutable}). Weak, so that marking a
     * storage never keeps it alive; identity-keyed, because {@link Storage} has identity equality.
     */
    private static final Set<Storage> IMMUTABLE = Collections.synchronizedSet(Collections.newSetFromMap(new WeakHashMap<>()));

    private final String deviceSpec;
    private final int maxPlans;

    private final Object probeLock = new Object();
    private volatile boolean probed;
    private volatile TornadoEngine engine;
    private volatile String problem = "";
    private volatile Backend reference;

    /** The backend the service loader creates, configured by {@link #DEVICE_PROPERTY} and {@link #PLANS_PROPERTY}. */
    public TornadoBackend() {
        this(System.getProperty(DEVICE_PROPERTY, "0:0"), Integer.getInteger(PLANS_PROPERTY, 512));
    }

    /** A backend on another device ({@code BACKEND:DEVICE}) or with another plan budget (tests use a small one to exercise eviction). */
    TornadoBackend(String deviceSpec, int maxPlans) {
        this.deviceSpec = deviceSpec;
        this.maxPlans = Math.max(1, maxPlans);
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public int priority() {
        return PRIORITY;
    }

    @Override
    public boolean isAvailable() {
        probe();
        return engine != null;
    }

    @Override
    public String unavailableReason() {
        probe();
        return problem;
    }

    @Override
    public boolean supports(DType dtype) {
        return dtype == DType.F32;
    }

    /** The TornadoVM device the kernels run on, e.g. {@code "NVIDIA H100 (backend 0, device 0)"}, or the reason there is none. */
    public String deviceDescription() {
        probe();
        TornadoEngine e = engine;
        return e != null ? e.description() : "none: " + problem;
    }

    /**
     * Declares that the storages of {@code tensors} will not be written again, so that this backend
     * may keep one device-resident copy of each, transferred at the first execution of every plan
     * that reads it (the weights of a model loaded into writable memory, for instance).
     * Memory-mapped read-only storages need no marking. Writing a marked storage afterwards makes
     * later results use stale device copies.
     */
    public static void markImmutable(Tensor... tensors) {
        for (Tensor t : tensors) {
            if (t.storage().isHost()) {
                IMMUTABLE.add(t.storage());
            }
        }
    }

    /** Whether {@code t}'s elements can be cached on the device: a read-only segment or a {@link #markImmutable marked} storage. */
    static boolean isImmutable(Tensor t) {
        Storage s = t.storage();
        return s.isHost() && (s.segment().isReadOnly() || IMMUTABLE.contains(s));
    }

    // ================================================================ the ops

    @Override
    public void copy(Tensor src, Tensor dst) {
        ref().copy(src, dst);
    }

    @Override
    public void fill(Tensor dst, double value) {
        ref().fill(dst, value);
    }

    @Override
    public void unary(UnaryOp op, Tensor x, Tensor out) {
        if (!Kernels.onDevice(op) || !offloadable(x, out)) {
            ref().unary(op, x, out);
            return;
        }
        if (out.numel() > 0) {
            engine().unary(op, x, out);
        }
    }

    @Override
    public void binary(BinaryOp op, Tensor a, Tensor b, Tensor out) {
        if (!Kernels.onDevice(op) || !offloadable(a, b, out)) {
            ref().binary(op, a, b, out);
            return;
        }
        if (out.numel() > 0) {
            engine().binary(op, a, b, out);
        }
    }

    @Override
    public void where(Tensor cond, Tensor a, Tensor b, Tensor out) {
        ref().where(cond, a, b, out);
    }

    @Override
    public void reduce(ReduceOp op, Tensor x, boolean[] dims, Tensor out) {
        ref().reduce(op, x, dims, out);
    }

    @Override
    public void argReduce(boolean max, Tensor x, int dim, Tensor out) {
        ref().argReduce(max, x, dim, out);
    }

    @Override
    public void matmul(Tensor a, Tensor b, Tensor out) {
        if (!offloadable(a, b, out) || out.numel() == 0) {
            ref().matmul(a, b, out);
            return;
        }
        if (a.size(-1) == 0) {
            ref().fill(out, 0); // an empty sum
            return;
        }
        engine().matmul(a, b, out);
    }

    @Override
    public void indexSelect(Tensor src, int dim, Tensor index, Tensor out) {
        ref().indexSelect(src, dim, index, out);
    }

    @Override
    public void indexAdd(Tensor dst, int dim, Tensor index, Tensor src) {
        ref().indexAdd(dst, dim, index, src);
    }

    @Override
    public void softmax(Tensor x, int dim, boolean log, Tensor out) {
        if (!offloadable(x, out)) {
            ref().softmax(x, dim, log, out);
            return;
        }
        if (out.numel() > 0) {
            engine().softmax(x, dim, log, out);
        }
    }

    @Override
    public void layerNorm(Tensor x, Tensor weight, Tensor bias, double eps, Tensor out, Tensor mean, Tensor rstd) {
        // An empty last dimension has NaN statistics; reference defines them.
        if (!offloadable(x, weight, bias, out, mean, rstd) || x.dim() == 0 || x.size(-1) == 0) {
            ref().layerNorm(x, weight, bias, eps, out, mean, rstd);
            return;
        }
        if (out.numel() > 0) {
            engine().layerNorm(x, weight, bias, eps, out, mean, rstd);
        }
    }

    // ================================================================ plumbing

    /**
     * Whether an op over these tensors (nulls ignored) can run on the device: all F32 in host
     * memory, each small enough to index with an {@code int} (TornadoVM arrays are int-indexed),
     * and TornadoVM available. Anything else is computed by {@code reference}, which is always right.
     */
    private boolean offloadable(Tensor... tensors) {
        for (Tensor t : tensors) {
            if (t == null) {
                continue;
            }
            if (t.dtype() != DType.F32 || !t.storage().isHost() || t.numel() > HostTransfer.MAX_ELEMENTS) {
                return false;
            }
        }
        return isAvailable();
    }

    private TornadoEngine engine() {
        TornadoEngine e = engine;
        if (e == null) {
            throw new IllegalStateException("backend 'tornadovm' is not available here: " + unavailableReason());
        }
        return e;
    }

    /** The delegate for everything this backend does not run itself; looked up lazily because the registry is built while backends are instantiated. */
    private Backend ref() {
        Backend r = reference;
        if (r == null) {
            r = Backends.reference();
            reference = r;
        }
        return r;
    }

    /** Opens TornadoVM once. Every failure, including a missing class, becomes the one-line reason. */
    private void probe() {
        if (probed) {
            return;
        }
        synchronized (probeLock) {
            if (probed) {
                return;
            }
            try {
                // Checked by name first, so that a JVM without the SDK never links TornadoEngine at all.
                Class.forName("uk.ac.manchester.tornado.api.TaskGraph", false, TornadoBackend.class.getClassLoader());
            } catch (ClassNotFoundException | LinkageError e) {
                problem = "the TornadoVM API is not on the class path; run under the TornadoVM SDK "
                        + "(java @$TORNADO_SDK/tornado-argfile ..., or the tornado launcher)";
                probed = true;
                return;
            }
            try {
                engine = TornadoEngine.open(deviceSpec, maxPlans);
            } catch (VirtualMachineError e) {
                throw e;
            } catch (Throwable t) {
                // The SDK's classes are present but its runtime is not usable here: no JVMCI flags,
                // no driver, no device, or the self-test kernel failed.
                problem = "TornadoVM is installed but not usable: " + oneLine(t);
            }
            probed = true;
        }
    }

    /** {@code t}'s class and message (and its cause's), on one line. */
    static String oneLine(Throwable t) {
        StringBuilder sb = new StringBuilder();
        for (Throwable c = t; c != null && sb.length() < 400; c = c.getCause() == c ? null : c.getCause()) {
            if (!sb.isEmpty()) {
                sb.append("; caused by ");
            }
            sb.append(c.getClass().getSimpleName());
            if (c.getMessage() != null && !c.getMessage().isBlank()) {
                sb.append(": ").append(c.getMessage().strip());
            }
        }
        return sb.toString().replaceAll("\\s+", " ");
    }

    /**
     * Counters for tests and diagnostics.
     *
     * @param plansBuilt     execution plans created so far (one per new kernel, shape and layout)
     * @param plansCached    plans currently kept
     * @param executions     plan executions so far
     * @param residentArrays immutable storages copied into device-resident arrays so far
     */
    /**
     * False: tensors stay in host memory but the arithmetic runs on the TornadoVM device, so this
     * backend is used only when asked for by name, never as the implicit default.
     */
    @Override
    public boolean computesOnHost() {
        return false;
    }

    record Stats(long plansBuilt, int plansCached, long executions, long residentArrays) {
    }

    /** The engine's counters; all zero while unavailable. */
    Stats stats() {
        TornadoEngine e = engine;
        return e == null ? new Stats(0, 0, 0, 0) : e.stats();
    }
}
