package radapter.tensor.gpu;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import radapter.tensor.Backend;
import radapter.tensor.Backends;
import radapter.tensor.BinaryOp;
import radapter.tensor.DType;
import radapter.tensor.Device;
import radapter.tensor.DeviceMemory;
import radapter.tensor.Elements;
import radapter.tensor.Epilogue;
import radapter.tensor.MemoryScope;
import radapter.tensor.ReduceOp;
import radapter.tensor.Shapes;
import radapter.tensor.Storage;
import radapter.tensor.Tensor;
import radapter.tensor.UnaryOp;
import radapter.tensor.gpu.OpCodes.GemmFlag;
import radapter.tensor.gpu.OpCodes.LayerNormFlag;

/**
 * A {@link Backend} implemented entirely on a {@link GpuDriver}: the mapping from ops to kernels,
 * the kernel sources ({@link KernelSources}), host staging, memory accounting and task-graph
 * recording are all here, so an API backend (OpenCL, CUDA) is a subclass that only says how to
 * open its driver and what it is called.
 *
 * <p><b>What it computes.</b> F32 ({@link #supports}); integer index tensors (I32/I64) are read
 * where the SPI takes them and argmax/argmin write I64. {@link #copy} and {@link #fill} handle
 * every dtype: same-dtype copies move bits, conversions between F32, I32, I64 and from F16/BF16
 * run as kernels, and the rest (to F16/BF16, anything with F64) convert on the host in between.
 *
 * <p><b>Where the data is.</b> Outputs are allocated by {@link #allocate} on the device. Inputs
 * and outputs may also be host tensors: host inputs are uploaded to temporary buffers (the span of
 * storage the view touches, once per storage) that are released when the call returns, and a
 * host output is downloaded into place. A device tensor of another device is an error.
 * {@link #fill} of a host tensor and {@link #copy} between two host tensors run on the host
 * backend (there is nothing to compute), and so does any op whose tensors, outputs included, are
 * all on the host while a task graph records on this thread (it builds one of the graph's
 * constants, and the recording refuses downloads).
 *
 * <p><b>Memory.</b> Every device allocation goes through a counting layer, so
 * {@link #liveDeviceBytes()} says exactly what tensors, temporaries and task-graph plans hold;
 * the backend's own caches (layout meta buffers, compiled programs) are counted apart in
 * {@link #cachedDeviceBytes()}. Programs are compiled once per family and driver, on first use.
 *
 * <p><b>Semantics.</b> Results match {@code reference} within the parity suite's tolerance,
 * NaN and infinity included: max/min/maximum/minimum/argmax propagate NaN, sums are compensated,
 * layer norm is two-pass. {@link #indexAdd} uses float atomics, so repeated indices accumulate in
 * an unspecified order (last-bit differences between runs).
 */
public abstract class GpuBackend implements Backend {
    /** Work-group size of the 1-D kernels (RADAPTER_WG in the generated kernel header). */
    static final int WG = OpCodes.WORK_GROUP;
    /** Most work-groups per launch dimension; kernels loop over the rest (CUDA caps y and z at this). */
    static final long MAX_GROUPS = 65535;
    /** Layouts kept resident; beyond this many distinct ones, a layout is uploaded per call. */
    private static final int META_CACHE_LIMIT = 4096;
    private static final Object[] NONE = {};


    private final String kind;
    private final Supplier<? extends GpuDriver> opener;
    private final Object lock = new Object();
    /** A {@link Ready} once opened, or the one-line reason this backend cannot run. */
    private volatile Object state;
    private final ThreadLocal<RecordingDriver> recording = new ThreadLocal<>();
    private static volatile Backend hostF32;

    /** The opened driver and everything cached per driver. */
    private static final class Ready {
        final GpuDriver raw;
        final TrackingDriver tracked;
        final ConcurrentHashMap<String, GpuDriver.GpuProgram> programs = new ConcurrentHashMap<>();
        final ConcurrentHashMap<String, GpuKernel> kernels = new ConcurrentHashMap<>();
        final ConcurrentHashMap<MetaKey, GpuBuffer> meta = new ConcurrentHashMap<>();
        final AtomicLong cachedBytes = new AtomicLong();
        final GpuBuffer dummy;

        Ready(GpuDriver raw) {
            this.raw = raw;
            this.tracked = new TrackingDriver(raw);
            // A valid buffer for optional kernel arguments that are switched off, and a check that
            // the device answers at all (upload, then read back).
            this.dummy = raw.allocate(16);
            cachedBytes.addAndGet(16);
            MemorySegment probe = MemorySegment.ofArray(new long[] {0x5EED_F00DL, 0});
            raw.upload(probe, dummy, 0);
            long[] back = new long[2];
            raw.download(dummy, 0, MemorySegment.ofArray(back));
            if (back[0] != 0x5EED_F00DL) {
                throw new IllegalStateException("the device returned different bytes than were uploaded");
            }
        }
    }

    /** Layout words compared by content (the meta cache's key). */
    private record MetaKey(long[] words) {
        @Override
        public boolean equals(Object o) {
            return o instanceof MetaKey k && Arrays.equals(words, k.words);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(words);
        }
    }

    /**
     * @param kind   the device family, as in {@link Device#kind()} ({@code "opencl"}, {@code "cuda"})
     * @param opener opens the driver on first use; whatever it throws makes the backend unavailable
     *               with that message (it is called at most once)
     */
    protected GpuBackend(String kind, Supplier<? extends GpuDriver> opener) {
        this.kind = kind;
        this.opener = opener;
    }

    // ================================================================ availability and identity

    private Object state() {
        Object s = state;
        if (s == null) {
            synchronized (lock) {
                s = state;
                if (s == null) {
                    try {
                        s = new Ready(opener.get());
                    } catch (Throwable t) {
                        String m = t.getMessage() == null ? t.toString() : t.getMessage();
                        s = m.lines().findFirst().orElse(t.toString());
                    }
                    state = s;
                }
            }
        }
        return s;
    }

    private Ready ready() {
        Object s = state();
        if (s instanceof Ready r) {
            return r;
        }
        throw new IllegalStateException("backend '" + name() + "' is not available: " + s);
    }

    @Override
    public boolean isAvailable() {
        return state() instanceof Ready;
    }

    @Override
    public String unavailableReason() {
        return state() instanceof String s ? s : "";
    }

    /** A GPU backend computes on its device, never on the host (answered without opening the driver). */
    @Override
    public boolean computesOnHost() {
        return false;
    }

    /** The driver's device, or {@code kind:0} when the driver cannot be opened (this never throws). */
    @Override
    public Device device() {
        return state() instanceof Ready r ? r.raw.device() : new Device(kind, 0);
    }

    @Override
    public boolean supports(DType dtype) {
        return dtype == DType.F32;
    }

    /** The device and driver, for logs and benchmark reports. */
    public String description() {
        Object s = state();
        return s instanceof Ready r ? r.raw.description() : name() + " (unavailable: " + s + ")";
    }

    /** Device bytes held now by tensors, temporaries and task-graph plans of this backend. */
    public long liveDeviceBytes() {
        return ready().tracked.liveBytes();
    }

    /** Device bytes of the backend's own caches (layout meta buffers), not counted in {@link #liveDeviceBytes()}. */
    public long cachedDeviceBytes() {
        return ready().cachedBytes.get();
    }

    /** Waits until every queued kernel and transfer has finished (for timing). */
    public void synchronize() {
        ready().raw.finish();
    }

    @Override
    public String toString() {
        return name() + " backend on " + description();
    }

    // ================================================================ plumbing for the ops

    /** The driver ops use on this thread: the recording one while a task graph records, else the counting one. */
    final GpuDriver driver() {
        RecordingDriver r = recording.get();
        return r != null ? r : ready().tracked;
    }

    /** The driver without any layer (replays go straight to it). */
    final GpuDriver rawDriver() {
        return ready().raw;
    }

    /** The counting driver (task-graph plans allocate their inputs through it). */
    final GpuDriver trackingDriver() {
        return ready().tracked;
    }

    final RecordingDriver recorder() {
        return recording.get();
    }

    /** Makes this thread's ops go through {@code r} (null ends the recording). */
    final void record(RecordingDriver r) {
        if (r == null) {
            recording.remove();
        } else {
            recording.set(r);
        }
    }

    final GpuBuffer dummy() {
        return ready().dummy;
    }

    /** The driver buffer of a device tensor of this backend's device. */
    final GpuBuffer bufferOf(Tensor t) {
        DeviceMemory m = t.storage().deviceMemory();
        if (!(m instanceof GpuBuffer b) || !t.device().equals(device())) {
            throw new IllegalArgumentException("a tensor on " + t.device() + " was given to backend '" + name() + "' on " + device()
                    + "; move it with tensor.to(device) first");
        }
        return WrappedBuffer.raw(b);
    }

    private GpuKernel kernel(String family, String name) {
        Ready r = ready();
        String key = family + '/' + name;
        GpuKernel k = r.kernels.get(key);
        if (k == null) {
            GpuDriver.GpuProgram p = r.programs.computeIfAbsent(family, f -> r.raw.compile(f, KernelSources.family(f)));
            k = r.kernels.computeIfAbsent(key, x -> r.raw.kernel(p, name));
        }
        return k;
    }

    private void launch(String family, String name, long[] global, long[] local, Object... args) {
        driver().launch(kernel(family, name), global, local, args);
    }

    /** A grid-stride 1-D launch over {@code n} items. */
    private void launchItems(String family, String name, long n, Object... args) {
        long groups = Math.min((n + WG - 1) / WG, MAX_GROUPS);
        launch(family, name, new long[] {groups * WG}, new long[] {WG}, args);
    }

    /** A launch with one work-group per row (looping over rows beyond {@link #MAX_GROUPS}). */
    private void launchRows(String family, String name, long rows, Object... args) {
        long groups = Math.min(rows, MAX_GROUPS);
        launch(family, name, new long[] {groups * WG}, new long[] {WG}, args);
    }

    /** A device buffer holding {@code words}: cached per distinct layout, else a temporary of the call. */
    private GpuBuffer meta(Call c, long[] words) {
        Ready r = ready();
        MetaKey key = new MetaKey(words);
        GpuBuffer b = r.meta.get(key);
        if (b != null) {
            return b;
        }
        if (r.meta.size() < META_CACHE_LIMIT) {
            synchronized (r.meta) {
                b = r.meta.get(key);
                if (b == null) {
                    b = r.raw.allocate(words.length * 8L);
                    r.raw.upload(MemorySegment.ofArray(words), b, 0);
                    r.meta.put(key, b);
                    r.cachedBytes.addAndGet(words.length * 8L);
                }
            }
            return b;
        }
        b = c.temp(words.length * 8L);
        c.constant(b);
        driver().upload(MemorySegment.ofArray(words), b, 0);
        return b;
    }

    /**
     * Runs {@code <base>_flat} or {@code <base>_strided} of {@code family} over the views (output
     * first, all of the output's shape): arguments are {@code lead..., n}, then per view
     * {@code buffer, offset, step} (flat) or {@code meta} and per view {@code buffer, offset}
     * (strided), then {@code trail...}.
     */
    private void pointwise(Call c, String family, String base, Object[] lead, Object[] trail, DeviceView... views) {
        long[] shape = views[0].shape();
        long n = Shapes.numel(shape);
        if (n == 0) {
            return;
        }
        long[][] strides = new long[views.length][];
        for (int k = 0; k < views.length; k++) {
            strides[k] = views[k].strides();
        }
        StridedLayout layout = StridedLayout.of(shape, strides);
        List<Object> args = new ArrayList<>(Arrays.asList(lead));
        args.add(n);
        if (layout.flat()) {
            for (int k = 0; k < views.length; k++) {
                args.add(views[k].buffer());
                args.add(views[k].offset());
                args.add(layout.step(k));
            }
        } else {
            args.add(meta(c, layout.words()));
            for (DeviceView v : views) {
                args.add(v.buffer());
                args.add(v.offset());
            }
        }
        args.addAll(Arrays.asList(trail));
        launchItems(family, base + (layout.flat() ? "_flat" : "_strided"), n, args.toArray());
    }

    private static Tensor[] ts(Tensor... t) {
        return t;
    }

    private static void requireF32(String what, Tensor... ts) {
        for (Tensor t : ts) {
            if (t != null && t.dtype() != DType.F32) {
                throw new IllegalArgumentException(what + " on a GPU backend computes in float32, got " + t.dtype().pyName());
            }
        }
    }

    private static void requireIndex(Tensor index) {
        if (index.dtype() != DType.I32 && index.dtype() != DType.I64) {
            throw new IllegalArgumentException("an index must be int32 or int64, got " + index.dtype().pyName());
        }
    }

    /** The host backend for ops that stay on the host: cpu for F32 when it runs here, else reference. */
    static Backend hostBackend(DType... dtypes) {
        for (DType d : dtypes) {
            if (d != DType.F32) {
                return Backends.reference();
            }
        }
        Backend b = hostF32;
        if (b == null) {
            b = Backends.reference();
            for (Backend x : Backends.available()) {
                if (x.name().equals("cpu") && x.device().equals(Device.CPU)) {
                    b = x;
                    break;
                }
            }
            hostF32 = b;
        }
        return b;
    }

    /** While a task graph records on this thread, an op on host tensors only stays on the host (it builds a constant). */
    private Backend hostWhileRecording(Tensor... ts) {
        if (recording.get() == null) {
            return null;
        }
        for (Tensor t : ts) {
            if (t != null && !t.storage().isHost()) {
                return null;
            }
        }
        return hostBackend(DType.F32);
    }

    // ================================================================ memory

    @Override
    public Storage allocate(long byteSize, boolean zeroed) {
        GpuBuffer b = driver().allocate(byteSize);
        if (zeroed && byteSize > 0) {
            GpuBuffer raw = WrappedBuffer.raw(b);
            long halves = byteSize / 2;
            if (halves > 0) {
                launchItems("copy", "fill_b16_flat", halves, halves, raw, 0L, 1L, 0L);
            }
            if (byteSize % 2 != 0) {
                driver().upload(MemorySegment.ofArray(new byte[1]), raw, byteSize - 1);
            }
        }
        return Storage.onDevice(b);
    }

    // ================================================================ copy and fill

    private static String dtypeName(DType d) {
        return switch (d) {
            case F32 -> "f32";
            case F64 -> "f64";
            case F16 -> "f16";
            case BF16 -> "bf16";
            case I32 -> "i32";
            case I64 -> "i64";
        };
    }

    /** The copy.gpu kernel for {@code src → dst}, or null when the conversion has none. */
    private static String copyKernel(DType src, DType dst) {
        if (src == dst) {
            return "copy_b" + 8 * src.byteSize();
        }
        boolean fromOk = src != DType.F64;
        boolean toOk = dst == DType.F32 || dst == DType.I32 || dst == DType.I64;
        return fromOk && toOk ? "convert_" + dtypeName(src) + "_" + dtypeName(dst) : null;
    }

    @Override
    public void copy(Tensor src, Tensor dst) {
        if (!Arrays.equals(src.shape(), dst.shape())) {
            throw new IllegalArgumentException("copy between shapes " + Shapes.str(src.shape()) + " and " + Shapes.str(dst.shape()));
        }
        if (dst.numel() == 0) {
            return;
        }
        boolean srcHost = src.storage().isHost();
        boolean dstHost = dst.storage().isHost();
        if (srcHost && dstHost) {
            hostBackend(src.dtype(), dst.dtype()).copy(src, dst);
            return;
        }
        DType sd = src.dtype();
        DType dd = dst.dtype();
        // Whole contiguous runs move as one transfer, except host sources while recording: they
        // must go through staging, which maps declared graph inputs to their device copies.
        if (sd == dd && src.isContiguous() && dst.isContiguous() && !(srcHost && recorder() != null)) {
            long es = sd.byteSize();
            long bytes = dst.numel() * es;
            if (srcHost) {
                driver().upload(src.segment().asSlice(src.offset() * es, bytes), bufferOf(dst), dst.offset() * es);
            } else if (dstHost) {
                driver().download(bufferOf(src), src.offset() * es, dst.segment().asSlice(dst.offset() * es, bytes));
            } else {
                driver().copy(bufferOf(src), src.offset() * es, bufferOf(dst), dst.offset() * es, bytes);
            }
            return;
        }
        String kernel = copyKernel(sd, dd);
        if (kernel == null) {
            copyThroughHost(src, dst);
            return;
        }
        try (Call c = new Call(this, ts(src), ts(dst))) {
            pointwise(c, "copy", kernel, NONE, NONE, c.view(dst), c.view(src));
            c.complete();
        }
    }

    /** Conversions without a kernel (to F16/BF16, from or to F64): on the host, with transfers around. */
    private void copyThroughHost(Tensor src, Tensor dst) {
        try (MemoryScope ignored = MemoryScope.open()) {
            Tensor hostSrc = src;
            if (!src.storage().isHost()) {
                hostSrc = Tensor.empty(src.dtype(), src.shape());
                copy(src, hostSrc);
            }
            Tensor converted = Tensor.empty(dst.dtype(), dst.shape());
            Backends.reference().copy(hostSrc, converted);
            copy(converted, dst);
        }
    }

    /** The bit pattern {@code value} has as one {@code dtype} element (the reference's conversion rules). */
    static long bits(DType dtype, double value) {
        return switch (dtype) {
            case F32 -> Float.floatToRawIntBits((float) value) & 0xFFFF_FFFFL;
            case F64 -> Double.doubleToRawLongBits(value);
            case F16 -> Float.floatToFloat16((float) value) & 0xFFFFL;
            case BF16 -> Elements.floatToBf16((float) value) & 0xFFFFL;
            case I32 -> ((int) value) & 0xFFFF_FFFFL;
            case I64 -> (long) value;
        };
    }

    @Override
    public void fill(Tensor dst, double value) {
        if (dst.numel() == 0) {
            return;
        }
        if (dst.storage().isHost()) {
            hostBackend(dst.dtype()).fill(dst, value);
            return;
        }
        long bits = bits(dst.dtype(), value);
        try (Call c = new Call(this, ts(), ts(dst))) {
            pointwise(c, "copy", "fill_b" + 8 * dst.dtype().byteSize(), NONE, new Object[] {bits}, c.view(dst));
            c.complete();
        }
    }

    // ================================================================ element-wise

    @Override
    public void unary(UnaryOp op, Tensor x, Tensor out) {
        requireF32(op.pyName(), x, out);
        if (out.numel() == 0) {
            return;
        }
        Backend host = hostWhileRecording(x, out);
        if (host != null) {
            host.unary(op, x, out);
            return;
        }
        try (Call c = new Call(this, ts(x), ts(out))) {
            pointwise(c, "elementwise", "unary", new Object[] {OpCodes.code(op)}, NONE, c.view(out), c.view(x));
            c.complete();
        }
    }

    @Override
    public void binary(BinaryOp op, Tensor a, Tensor b, Tensor out) {
        requireF32(op.name().toLowerCase(java.util.Locale.ROOT), a, b, out);
        if (out.numel() == 0) {
            return;
        }
        Backend host = hostWhileRecording(a, b, out);
        if (host != null) {
            host.binary(op, a, b, out);
            return;
        }
        try (Call c = new Call(this, ts(a, b), ts(out))) {
            pointwise(c, "elementwise", "binary", new Object[] {OpCodes.code(op)}, NONE, c.view(out), c.view(a), c.view(b));
            c.complete();
        }
    }

    @Override
    public void where(Tensor cond, Tensor a, Tensor b, Tensor out) {
        requireF32("where", cond, a, b, out);
        if (out.numel() == 0) {
            return;
        }
        Backend host = hostWhileRecording(cond, a, b, out);
        if (host != null) {
            host.where(cond, a, b, out);
            return;
        }
        try (Call c = new Call(this, ts(cond, a, b), ts(out))) {
            pointwise(c, "elementwise", "where", NONE, NONE, c.view(out), c.view(cond), c.view(a), c.view(b));
            c.complete();
        }
    }

    // ================================================================ reductions

    @Override
    public void reduce(ReduceOp op, Tensor x, boolean[] dims, Tensor out) {
        requireF32("reduce", x, out);
        long outN = out.numel();
        if (outN == 0) {
            return;
        }
        Backend host = hostWhileRecording(x, out);
        if (host != null) {
            host.reduce(op, x, dims, out);
            return;
        }
        try (Call c = new Call(this, ts(x), ts(out))) {
            DeviceView xv = c.view(x);
            DeviceView ov = c.view(out);
            long[] shape = x.shape();
            long[] strides = x.strides();
            int kept = 0;
            for (boolean f : dims) {
                if (!f) {
                    kept++;
                }
            }
            long[] keptShape = new long[kept];
            long[] keptStrides = new long[kept];
            long[] redShape = new long[shape.length - kept];
            long[] redStrides = new long[shape.length - kept];
            for (int d = 0, i = 0, j = 0; d < shape.length; d++) {
                if (dims[d]) {
                    redShape[j] = shape[d];
                    redStrides[j++] = strides[d];
                } else {
                    keptShape[i] = shape[d];
                    keptStrides[i++] = strides[d];
                }
            }
            long redN = Shapes.numel(redShape);
            if (redN == 0) {
                pointwise(c, "copy", "fill_b32", NONE, new Object[] {bits(DType.F32, op.identity())}, ov);
            } else {
                reduceOnDevice(c, OpCodes.code(op), xv.buffer(), xv.offset(), StridedLayout.of(keptShape, keptStrides),
                        StridedLayout.of(redShape, redStrides), outN, redN, ov.buffer(), ov.offset());
            }
            c.complete();
        }
    }

    /**
     * Output o (contiguous at {@code out + oOff + o}) folds x over the reduced layout at the kept
     * layout's offset of o. Short reductions, or many outputs reading neighbouring columns, run one
     * work-item per output; long ones a work-group per output, split into partial sums first when
     * there are too few outputs to keep a GPU busy.
     */
    private void reduceOnDevice(Call c, int op, GpuBuffer x, long xOff, StridedLayout kept, StridedLayout reduced, long outN, long redN,
            GpuBuffer out, long oOff) {
        GpuBuffer meta = meta(c, StridedLayout.concat(kept.words(), reduced.words()));
        boolean keptInnerUnit = kept.rank() > 0 && kept.strides[0][kept.rank() - 1] == 1;
        boolean reducedInnerUnit = reduced.rank() > 0 && reduced.strides[0][reduced.rank() - 1] == 1;
        if (redN <= 32 || (outN >= 1024 && keptInnerUnit && !reducedInnerUnit)) {
            launchItems("reduce", "reduce_serial", outN, op, outN, redN, meta, out, oOff, x, xOff);
            return;
        }
        long parts = outN >= 64 ? 1 : Math.clamp(redN / 4096, 1, 64);
        if (parts == 1) {
            launchRows("reduce", "reduce_group", outN, op, outN, 1L, redN, meta, out, oOff, x, xOff);
            return;
        }
        GpuBuffer partial = c.temp(outN * parts * Float.BYTES);
        launchRows("reduce", "reduce_group", outN * parts, op, outN, parts, redN, meta, partial, 0L, x, xOff);
        reduceOnDevice(c, op, partial, 0, StridedLayout.of(new long[] {outN}, new long[] {parts}),
                StridedLayout.of(new long[] {parts}, new long[] {1}), outN, parts, out, oOff);
    }

    @Override
    public void argReduce(boolean max, Tensor x, int dim, Tensor out) {
        requireF32("arg" + (max ? "max" : "min"), x);
        if (out.dtype() != DType.I64) {
            throw new IllegalArgumentException("argmax/argmin write int64, got an output of " + out.dtype().pyName());
        }
        long outN = out.numel();
        if (outN == 0) {
            return;
        }
        Backend host = hostWhileRecording(x, out);
        if (host != null) {
            host.argReduce(max, x, dim, out);
            return;
        }
        try (Call c = new Call(this, ts(x), ts(out))) {
            DeviceView xv = c.view(x);
            DeviceView ov = c.view(out);
            long[] shape = x.shape();
            long[] strides = x.strides();
            long[] otherShape = new long[shape.length - 1];
            long[] otherStrides = new long[shape.length - 1];
            for (int d = 0, i = 0; d < shape.length; d++) {
                if (d != dim) {
                    otherShape[i] = shape[d];
                    otherStrides[i++] = strides[d];
                }
            }
            GpuBuffer meta = meta(c, StridedLayout.of(otherShape, otherStrides).words());
            launchItems("reduce", "argreduce", outN, max ? 1 : 0, outN, shape[dim], strides[dim], meta, ov.buffer(), ov.offset(),
                    xv.buffer(), xv.offset());
            c.complete();
        }
    }

    // ================================================================ matrix products

    /** One matrix operand of {@link #gemm}: a view and its row and column strides. */
    private record Mat(DeviceView v, long rowStride, long colStride) {
        static Mat of(DeviceView v) {
            return new Mat(v, v.stride(-2), v.stride(-1));
        }

        Mat t() {
            return new Mat(v, colStride, rowStride);
        }
    }

    /**
     * Launches matmul.gpu's gemm: {@code C = R + s · rowScale ⊙ (A · diag(kScale) · B)} for each
     * batch of the batch layout (A, B, C, R strides), with the optional parts on when non-null.
     */
    private void gemm(Call c, long m, long n, long k, long[] batchShape, long[][] batchStrides, Mat a, Mat b, Mat out, DeviceView scale,
            Mat residual, DeviceView rowScale, long rowScaleStride, DeviceView kScale, long kScaleStride) {
        GpuBuffer dummy = dummy();
        int flags = (scale != null ? GemmFlag.SCALE.bit() : 0) | (residual != null ? GemmFlag.RESIDUAL.bit() : 0)
                | (rowScale != null ? GemmFlag.ROW_SCALE.bit() : 0) | (kScale != null ? GemmFlag.K_SCALE.bit() : 0);
        long batches = Shapes.numel(batchShape);
        GpuBuffer meta = meta(c, StridedLayout.of(batchShape, batchStrides).words());
        long tilesN = Math.min((n + 63) / 64, MAX_GROUPS);
        long tilesM = Math.min((m + 63) / 64, MAX_GROUPS);
        launch("matmul", "gemm", new long[] {16 * tilesN, 16 * tilesM, Math.min(batches, MAX_GROUPS)}, new long[] {16, 16, 1},
                m, n, k, batches, meta,
                a.v().buffer(), a.v().offset(), a.rowStride(), a.colStride(),
                b.v().buffer(), b.v().offset(), b.rowStride(), b.colStride(),
                out.v().buffer(), out.v().offset(), out.rowStride(), out.colStride(),
                flags,
                scale != null ? scale.buffer() : dummy, scale != null ? scale.offset() : 0L,
                residual != null ? residual.v().buffer() : dummy, residual != null ? residual.v().offset() : 0L,
                residual != null ? residual.rowStride() : 0L, residual != null ? residual.colStride() : 0L,
                rowScale != null ? rowScale.buffer() : dummy, rowScale != null ? rowScale.offset() : 0L, rowScaleStride,
                kScale != null ? kScale.buffer() : dummy, kScale != null ? kScale.offset() : 0L, kScaleStride);
    }

    private static final long[] NO_BATCH = {};
    private static final long[][] NO_BATCH_STRIDES = {{}, {}, {}, {}};

    @Override
    public void matmul(Tensor a, Tensor b, Tensor out) {
        requireF32("matmul", a, b, out);
        if (out.numel() == 0) {
            return;
        }
        Backend host = hostWhileRecording(a, b, out);
        if (host != null) {
            host.matmul(a, b, out);
            return;
        }
        try (Call c = new Call(this, ts(a, b), ts(out))) {
            DeviceView av = c.view(a);
            DeviceView bv = c.view(b);
            DeviceView ov = c.view(out);
            int r = out.dim();
            long[] batch = Arrays.copyOf(out.shape(), r - 2);
            long[][] batchStrides = {Arrays.copyOf(a.strides(), r - 2), Arrays.copyOf(b.strides(), r - 2),
                Arrays.copyOf(out.strides(), r - 2), new long[r - 2]};
            gemm(c, out.size(-2), out.size(-1), a.size(-1), batch, batchStrides, Mat.of(av), Mat.of(bv), Mat.of(ov), null, null, null, 0,
                    null, 0);
            c.complete();
        }
    }

    // ================================================================ gather and scatter

    @Override
    public void indexSelect(Tensor src, int dim, Tensor index, Tensor out) {
        requireF32("index_select", src, out);
        requireIndex(index);
        long n = out.numel();
        if (n == 0) {
            return;
        }
        Backend host = hostWhileRecording(src, index, out);
        if (host != null) {
            host.indexSelect(src, dim, index, out);
            return;
        }
        try (Call c = new Call(this, ts(src, index), ts(out))) {
            DeviceView sv = c.view(src);
            DeviceView iv = c.view(index);
            DeviceView ov = c.view(out);
            int r = out.dim();
            long[] words = new long[1 + 2 * r];
            words[0] = r;
            System.arraycopy(out.shape(), 0, words, 1, r);
            System.arraycopy(src.strides(), 0, words, 1 + r, r);
            launchItems("index", "index_select_" + dtypeName(index.dtype()), n, n, dim, meta(c, words), ov.buffer(), ov.offset(),
                    sv.buffer(), sv.offset(), iv.buffer(), iv.offset(), index.stride(0));
            c.complete();
        }
    }

    @Override
    public void indexAdd(Tensor dst, int dim, Tensor index, Tensor src) {
        requireF32("index_add", dst, src);
        requireIndex(index);
        long n = src.numel();
        if (n == 0) {
            return;
        }
        Backend host = hostWhileRecording(dst, index, src);
        if (host != null) {
            host.indexAdd(dst, dim, index, src);
            return;
        }
        try (Call c = new Call(this, ts(dst, src, index), ts(dst))) {
            DeviceView dv = c.view(dst);
            DeviceView sv = c.view(src);
            DeviceView iv = c.view(index);
            int r = src.dim();
            long[] words = new long[1 + 3 * r];
            words[0] = r;
            System.arraycopy(src.shape(), 0, words, 1, r);
            System.arraycopy(src.strides(), 0, words, 1 + r, r);
            System.arraycopy(dst.strides(), 0, words, 1 + 2 * r, r);
            launchItems("index", "index_add_" + dtypeName(index.dtype()), n, n, dim, meta(c, words), dv.buffer(), dv.offset(),
                    sv.buffer(), sv.offset(), iv.buffer(), iv.offset(), index.stride(0));
            c.complete();
        }
    }

    // ================================================================ softmax and layer norm

    @Override
    public void softmax(Tensor x, int dim, boolean log, Tensor out) {
        requireF32(log ? "log_softmax" : "softmax", x, out);
        long total = x.numel();
        if (total == 0) {
            return;
        }
        Backend host = hostWhileRecording(x, out);
        if (host != null) {
            host.softmax(x, dim, log, out);
            return;
        }
        try (Call c = new Call(this, ts(x), ts(out))) {
            DeviceView xv = c.view(x);
            DeviceView ov = c.view(out);
            long[] shape = x.shape();
            long len = shape[dim];
            long rows = total / len;
            long[] otherShape = new long[shape.length - 1];
            long[] xStrides = new long[shape.length - 1];
            long[] oStrides = new long[shape.length - 1];
            for (int d = 0, i = 0; d < shape.length; d++) {
                if (d != dim) {
                    otherShape[i] = shape[d];
                    xStrides[i] = x.stride(d);
                    oStrides[i++] = out.stride(d);
                }
            }
            GpuBuffer meta = meta(c, StridedLayout.of(otherShape, xStrides, oStrides).words());
            launchRows("softmax", "softmax_rows", rows, log ? 1 : 0, rows, len, meta, ov.buffer(), ov.offset(), out.stride(dim),
                    xv.buffer(), xv.offset(), x.stride(dim));
            c.complete();
        }
    }

    @Override
    public void layerNorm(Tensor x, Tensor weight, Tensor bias, double eps, Tensor out, Tensor mean, Tensor rstd) {
        requireF32("layer_norm", x, weight, bias, out, mean, rstd);
        long total = x.numel();
        if (total == 0) {
            return;
        }
        Backend host = hostWhileRecording(x, weight, bias, out, mean, rstd);
        if (host != null) {
            host.layerNorm(x, weight, bias, eps, out, mean, rstd);
            return;
        }
        try (Call c = new Call(this, ts(x, weight, bias), ts(out, mean, rstd))) {
            DeviceView xv = c.view(x);
            DeviceView ov = c.view(out);
            long[] shape = x.shape();
            int r = shape.length;
            long len = shape[r - 1];
            long rows = total / len;
            GpuBuffer meta = meta(c, StridedLayout.of(Arrays.copyOf(shape, r - 1), Arrays.copyOf(x.strides(), r - 1)).words());
            int flags = (weight != null ? LayerNormFlag.WEIGHT.bit() : 0) | (bias != null ? LayerNormFlag.BIAS.bit() : 0)
                    | (mean != null ? LayerNormFlag.MEAN.bit() : 0) | (rstd != null ? LayerNormFlag.RSTD.bit() : 0);
            GpuBuffer dummy = dummy();
            DeviceView wv = c.view(weight);
            DeviceView bv = c.view(bias);
            DeviceView mv = c.view(mean);
            DeviceView rv = c.view(rstd);
            launchRows("layernorm", "layernorm_rows", rows, rows, len, (float) eps, flags, meta,
                    xv.buffer(), xv.offset(), x.stride(-1),
                    wv != null ? wv.buffer() : dummy, wv != null ? wv.offset() : 0L, weight != null ? weight.stride(0) : 0L,
                    bv != null ? bv.buffer() : dummy, bv != null ? bv.offset() : 0L, bias != null ? bias.stride(0) : 0L,
                    ov.buffer(), ov.offset(),
                    mv != null ? mv.buffer() : dummy, mv != null ? mv.offset() : 0L,
                    rv != null ? rv.buffer() : dummy, rv != null ? rv.offset() : 0L);
            c.complete();
        }
    }

    /**
     * One gemm launch with the epilogue fused (scale, row scale and residual are flags of
     * matmul.gpu's gemm; the row scale is shared by every batch, as the epilogue defines it). α and
     * β other than 1 have no kernel flag yet, so those cases compose primitives instead.
     */
    @Override
    public void matmul(Tensor a, Tensor b, Tensor out, Epilogue e) {
        e.check(out);
        requireF32("matmul", a, b, out, e.scale(), e.rowScale(), e.hasResidual() ? e.residual() : null);
        boolean fused = e.alpha() == 1 && (!e.hasResidual() || e.beta() == 1);
        if (!fused) {
            Backend.super.matmul(a, b, out, e);
            return;
        }
        if (out.numel() == 0) {
            return;
        }
        Tensor residual = e.hasResidual() ? e.residual() : null;
        Backend host = hostWhileRecording(a, b, e.scale(), e.rowScale(), residual, out);
        if (host != null) {
            host.matmul(a, b, out, e);
            return;
        }
        try (Call c = new Call(this, ts(a, b, e.scale(), e.rowScale(), residual), ts(out))) {
            DeviceView av = c.view(a);
            DeviceView bv = c.view(b);
            DeviceView ov = c.view(out);
            // the residual is often an operand (x + s·x·Wᵀ): one view of the same tensor serves both
            DeviceView rv = residual == null ? null : residual == a ? av : residual == b ? bv : c.view(residual);
            DeviceView sv = e.scale() == null ? null : c.view(e.scale());
            DeviceView mv = e.rowScale() == null ? null : c.view(e.rowScale());
            int r = out.dim();
            long[] batch = Arrays.copyOf(out.shape(), r - 2);
            long[][] batchStrides = {Arrays.copyOf(a.strides(), r - 2), Arrays.copyOf(b.strides(), r - 2),
                Arrays.copyOf(out.strides(), r - 2), residual == null ? new long[r - 2] : Arrays.copyOf(residual.strides(), r - 2)};
            gemm(c, out.size(-2), out.size(-1), a.size(-1), batch, batchStrides, Mat.of(av), Mat.of(bv), Mat.of(ov), sv,
                    rv == null ? null : Mat.of(rv), mv, mv == null ? 0L : e.rowScale().stride(0), null, 0);
            c.complete();
        }
    }
}
