package radapter.tensor;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.Objects;

/**
 * An N-dimensional array: a {@link DType}, a shape, strides and an offset (both in elements) over
 * a {@link Storage}. Views (reshape, permute, narrow, select, expand, squeeze, ...) share the
 * storage and never copy; {@link #contiguous()} is the one op that copies, and only when needed.
 *
 * <p>Tensors are immutable in their metadata. Their elements change only through the explicitly
 * named in-place methods ({@link #copy_}, {@link #fill_}), which autograd never uses on values it
 * saved.
 *
 * <p>New tensors are allocated in the current {@link MemoryScope}.
 */
public final class Tensor {
    private final DType dtype;
    private final long[] shape;
    private final long[] strides;
    private final long offset;
    private final Storage storage;

    /** A view over {@code storage}; shapes and strides are trusted (checked by the view methods). */
    public Tensor(DType dtype, long[] shape, long[] strides, long offset, Storage storage) {
        this.dtype = Objects.requireNonNull(dtype);
        this.shape = shape;
        this.strides = strides;
        this.offset = offset;
        this.storage = storage;
        if (shape.length != strides.length) {
            throw new IllegalArgumentException("shape " + Shapes.str(shape) + " and strides " + Shapes.str(strides) + " differ in rank");
        }
    }

    // ---------------------------------------------------------------- creation

    /**
     * A contiguous tensor in the current memory scope whose elements are unspecified (like
     * {@code torch.empty}): recycled memory is not cleared. Op outputs use it because kernels
     * write every element; use {@link #zeros} when the values matter.
     */
    public static Tensor empty(DType dtype, long... shape) {
        return allocate(dtype, false, shape);
    }

    /**
     * As {@link #empty(DType, long...)}, on {@code device} (its backend allocates: device memory
     * for a GPU, scope memory for the host).
     */
    public static Tensor empty(Device device, DType dtype, long... shape) {
        if (device.equals(Device.CPU)) {
            return empty(dtype, shape);
        }
        long[] s = checkedShape(shape);
        long bytes = Math.multiplyExact(Shapes.numel(s), dtype.byteSize());
        Storage storage = Backends.forDevice(device).allocate(bytes, false);
        return new Tensor(dtype, s, Shapes.contiguousStrides(s), 0, storage);
    }

    private static long[] checkedShape(long[] shape) {
        for (long d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("negative dimension in shape " + Shapes.str(shape));
            }
        }
        return shape.clone();
    }

    private static Tensor allocate(DType dtype, boolean zeroed, long... shape) {
        for (long d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("negative dimension in shape " + Shapes.str(shape));
            }
        }
        long[] s = shape.clone();
        long bytes = Math.multiplyExact(Shapes.numel(s), dtype.byteSize());
        return new Tensor(dtype, s, Shapes.contiguousStrides(s), 0, Storage.allocate(bytes, zeroed));
    }

    /** Zeros on {@code device}. */
    public static Tensor zeros(Device device, DType dtype, long... shape) {
        return device.equals(Device.CPU) ? zeros(dtype, shape) : empty(device, dtype, shape).fill_(0);
    }

    /** F32 zeros. */
    public static Tensor zeros(long... shape) {
        return allocate(DType.F32, true, shape);
    }

    /** Zeros of any dtype. */
    public static Tensor zeros(DType dtype, long... shape) {
        return allocate(dtype, true, shape);
    }

    /** F32 ones. */
    public static Tensor ones(long... shape) {
        return full(1.0, shape);
    }

    /** F32 tensor filled with {@code value}. */
    public static Tensor full(double value, long... shape) {
        return full(DType.F32, value, shape);
    }

    /** Tensor of {@code dtype} filled with {@code value}. */
    public static Tensor full(DType dtype, double value, long... shape) {
        if (value == 0.0 && Double.doubleToRawLongBits(value) == 0) {
            return zeros(dtype, shape);
        }
        return empty(dtype, shape).fill_(value);
    }

    /** A 0-dimensional F32 tensor. */
    public static Tensor scalar(double value) {
        return full(value);
    }

    /** {@code [0, 1, ..., n-1]} as F32. */
    public static Tensor arange(long n) {
        return arange(0, n, 1);
    }

    /** {@code start, start+step, ...} below {@code end} (above, for a negative step), as F32. */
    public static Tensor arange(double start, double end, double step) {
        return arange(DType.F32, start, end, step);
    }

    /** {@link #arange(double, double, double)} in any dtype (I64 for index vectors). */
    public static Tensor arange(DType dtype, double start, double end, double step) {
        if (step == 0) {
            throw new IllegalArgumentException("arange step must be nonzero");
        }
        long n = Math.max(0, (long) Math.ceil((end - start) / step));
        Tensor t = empty(dtype, n);
        MemorySegment seg = t.storage.segment();
        for (long i = 0; i < n; i++) {
            Elements.write(dtype, seg, i, start + i * step);
        }
        return t;
    }

    /** Uniform [0, 1) F32 samples from {@code rng}. */
    public static Tensor rand(Rng rng, long... shape) {
        Tensor t = empty(DType.F32, shape);
        MemorySegment seg = t.storage.segment();
        long n = t.numel();
        for (long i = 0; i < n; i++) {
            seg.setAtIndex(Elements.F32, i, rng.nextFloat());
        }
        return t;
    }

    /** Standard-normal F32 samples from {@code rng}. */
    public static Tensor randn(Rng rng, long... shape) {
        Tensor t = empty(DType.F32, shape);
        MemorySegment seg = t.storage.segment();
        long n = t.numel();
        for (long i = 0; i < n; i++) {
            seg.setAtIndex(Elements.F32, i, (float) rng.nextGaussian());
        }
        return t;
    }

    /** F32 tensor holding {@code data} in row-major order; with no shape given, a vector. */
    public static Tensor of(float[] data, long... shape) {
        long[] s = shape.length == 0 ? new long[] {data.length} : shape;
        checkLength(data.length, s);
        Tensor t = empty(DType.F32, s);
        MemorySegment.copy(data, 0, t.storage.segment(), Elements.F32, 0, data.length);
        return t;
    }

    /** F64 tensor holding {@code data} (for gradient checks on the reference backend). */
    public static Tensor of(double[] data, long... shape) {
        long[] s = shape.length == 0 ? new long[] {data.length} : shape;
        checkLength(data.length, s);
        Tensor t = empty(DType.F64, s);
        MemorySegment.copy(data, 0, t.storage.segment(), Elements.F64, 0, data.length);
        return t;
    }

    /** I32 tensor holding {@code data}. */
    public static Tensor ofInts(int[] data, long... shape) {
        long[] s = shape.length == 0 ? new long[] {data.length} : shape;
        checkLength(data.length, s);
        Tensor t = empty(DType.I32, s);
        MemorySegment.copy(data, 0, t.storage.segment(), Elements.I32, 0, data.length);
        return t;
    }

    /** I64 tensor holding {@code data}. */
    public static Tensor ofLongs(long[] data, long... shape) {
        long[] s = shape.length == 0 ? new long[] {data.length} : shape;
        checkLength(data.length, s);
        Tensor t = empty(DType.I64, s);
        MemorySegment.copy(data, 0, t.storage.segment(), Elements.I64, 0, data.length);
        return t;
    }

    private static void checkLength(int length, long[] shape) {
        if (Shapes.numel(shape) != length) {
            throw new IllegalArgumentException(length + " values do not fill shape " + Shapes.str(shape));
        }
    }

    // ---------------------------------------------------------------- metadata

    public DType dtype() {
        return dtype;
    }

    /** A copy of the shape. */
    public long[] shape() {
        return shape.clone();
    }

    /** Size of dimension {@code d} (negative counts from the end). */
    public long size(int d) {
        return shape[Shapes.dim(d, shape.length)];
    }

    /** A copy of the strides, in elements. */
    public long[] strides() {
        return strides.clone();
    }

    /** Stride of dimension {@code d}, in elements. */
    public long stride(int d) {
        return strides[Shapes.dim(d, shape.length)];
    }

    /** Offset of element [0, ..., 0] in the storage, in elements. */
    public long offset() {
        return offset;
    }

    public Storage storage() {
        return storage;
    }

    /** The storage's segment (the whole of it; index it with {@link #offset()} and strides). */
    public MemorySegment segment() {
        return storage.segment();
    }

    public Device device() {
        return storage.device();
    }

    /** Number of dimensions. */
    public int dim() {
        return shape.length;
    }

    public long numel() {
        return Shapes.numel(shape);
    }

    /** True when elements are laid out row-major without gaps (size-1 dimensions' strides ignored). */
    public boolean isContiguous() {
        if (numel() == 0) {
            return true;
        }
        long expected = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            if (shape[i] != 1) {
                if (strides[i] != expected) {
                    return false;
                }
                expected *= shape[i];
            }
        }
        return true;
    }

    /** True when the shapes are equal. */
    public boolean sameShape(Tensor other) {
        return Arrays.equals(shape, other.shape);
    }

    // ---------------------------------------------------------------- views (never copy)

    /** Same elements, new shape; fails when the strides do not allow a view (use {@link #reshape}). */
    public Tensor view(long... newShape) {
        long[] s = Shapes.inferShape(newShape, numel());
        long[] st = Shapes.viewStrides(shape, strides, s);
        if (st == null) {
            throw new IllegalArgumentException("view of shape " + Shapes.str(shape) + " with strides " + Shapes.str(strides)
                    + " as " + Shapes.str(s) + " is impossible without a copy; use reshape()");
        }
        return new Tensor(dtype, s, st, offset, storage);
    }

    /** Like {@link #view}, but copies into a contiguous tensor when a view is impossible. */
    public Tensor reshape(long... newShape) {
        long[] s = Shapes.inferShape(newShape, numel());
        long[] st = Shapes.viewStrides(shape, strides, s);
        if (st != null) {
            return new Tensor(dtype, s, st, offset, storage);
        }
        return contiguous().view(s);
    }

    /** Flattens dimensions {@code start..end} (inclusive) into one. */
    public Tensor flatten(int start, int end) {
        int r = Math.max(shape.length, 1);
        int s = Shapes.dim(start, r);
        int e = Shapes.dim(end, r);
        if (shape.length == 0) {
            return reshape(1);
        }
        if (s > e) {
            throw new IllegalArgumentException("flatten: start dimension " + start + " comes after end dimension " + end);
        }
        long[] ns = new long[shape.length - (e - s)];
        int j = 0;
        for (int i = 0; i < s; i++) {
            ns[j++] = shape[i];
        }
        long m = 1;
        for (int i = s; i <= e; i++) {
            m *= shape[i];
        }
        ns[j++] = m;
        for (int i = e + 1; i < shape.length; i++) {
            ns[j++] = shape[i];
        }
        return reshape(ns);
    }

    /** Reorders dimensions: result dimension i is this tensor's dimension {@code order[i]}. */
    public Tensor permute(int... order) {
        if (order.length != shape.length) {
            throw new IllegalArgumentException("permute order " + Arrays.toString(order) + " does not match rank " + shape.length);
        }
        long[] s = new long[order.length];
        long[] st = new long[order.length];
        boolean[] seen = new boolean[order.length];
        for (int i = 0; i < order.length; i++) {
            int d = Shapes.dim(order[i], shape.length);
            if (seen[d]) {
                throw new IllegalArgumentException("permute order " + Arrays.toString(order) + " repeats dimension " + d);
            }
            seen[d] = true;
            s[i] = shape[d];
            st[i] = strides[d];
        }
        return new Tensor(dtype, s, st, offset, storage);
    }

    /** Swaps two dimensions. */
    public Tensor transpose(int d0, int d1) {
        int a = Shapes.dim(d0, shape.length);
        int b = Shapes.dim(d1, shape.length);
        long[] s = shape.clone();
        long[] st = strides.clone();
        s[a] = shape[b];
        s[b] = shape[a];
        st[a] = strides[b];
        st[b] = strides[a];
        return new Tensor(dtype, s, st, offset, storage);
    }

    /** Transpose of the last two dimensions (a matrix's transpose). */
    public Tensor mT() {
        if (shape.length < 2) {
            throw new IllegalArgumentException("mT needs at least 2 dimensions, got shape " + Shapes.str(shape));
        }
        return transpose(-2, -1);
    }

    /** Elements {@code start .. start+length-1} along {@code dim}. */
    public Tensor narrow(int dim, long start, long length) {
        int d = Shapes.dim(dim, shape.length);
        long s0 = start < 0 ? start + shape[d] : start;
        if (s0 < 0 || s0 > shape[d] || length < 0 || length > shape[d] - s0) {
            throw new IndexOutOfBoundsException("narrow(" + dim + ", " + start + ", " + length + ") is out of range for size "
                    + shape[d] + " in shape " + Shapes.str(shape));
        }
        long[] s = shape.clone();
        s[d] = length;
        return new Tensor(dtype, s, strides.clone(), offset + s0 * strides[d], storage);
    }

    /** Python-style {@code [start:end:step]} along {@code dim}; negative bounds count from the end, bounds clamp. */
    public Tensor slice(int dim, long start, long end, long step) {
        int d = Shapes.dim(dim, shape.length);
        if (step <= 0) {
            throw new IllegalArgumentException("slice step must be positive, got " + step);
        }
        long n = shape[d];
        long s0 = Math.clamp(start < 0 ? start + n : start, 0, n);
        long e0 = Math.clamp(end < 0 ? end + n : end, 0, n);
        long len = e0 > s0 ? (e0 - s0 + step - 1) / step : 0;
        long[] s = shape.clone();
        long[] st = strides.clone();
        s[d] = len;
        st[d] = strides[d] * step;
        return new Tensor(dtype, s, st, offset + (len > 0 ? s0 * strides[d] : 0), storage);
    }

    /** Removes dimension {@code dim} by fixing it at {@code index} (negative counts from the end). */
    public Tensor select(int dim, long index) {
        int d = Shapes.dim(dim, shape.length);
        long i = index < 0 ? index + shape[d] : index;
        if (i < 0 || i >= shape[d]) {
            throw new IndexOutOfBoundsException("index " + index + " is out of range for dimension " + d + " of size " + shape[d]);
        }
        long[] s = new long[shape.length - 1];
        long[] st = new long[shape.length - 1];
        for (int k = 0, j = 0; k < shape.length; k++) {
            if (k != d) {
                s[j] = shape[k];
                st[j++] = strides[k];
            }
        }
        return new Tensor(dtype, s, st, offset + i * strides[d], storage);
    }

    /**
     * A view with explicit shape, strides and offset over the same storage ({@code torch.as_strided}).
     * Checked to stay inside the storage; overlapping windows (im2col) are allowed.
     */
    public Tensor asStrided(long[] newShape, long[] newStrides, long newOffset) {
        if (newShape.length != newStrides.length) {
            throw new IllegalArgumentException("as_strided shape " + Shapes.str(newShape) + " and strides " + Shapes.str(newStrides) + " differ in rank");
        }
        for (long d : newShape) {
            if (d < 0) {
                throw new IllegalArgumentException("negative size in as_strided shape " + Shapes.str(newShape));
            }
        }
        if (Shapes.numel(newShape) > 0) {
            long lo = newOffset;
            long hi = newOffset;
            for (int i = 0; i < newShape.length; i++) {
                long span = (newShape[i] - 1) * newStrides[i];
                if (span < 0) {
                    lo += span;
                } else {
                    hi += span;
                }
            }
            long capacity = storage.byteSize() / dtype.byteSize();
            if (lo < 0 || hi >= capacity) {
                throw new IndexOutOfBoundsException("as_strided view " + Shapes.str(newShape) + " / " + Shapes.str(newStrides)
                        + " at offset " + newOffset + " leaves the storage of " + capacity + " elements");
            }
        }
        return new Tensor(dtype, newShape.clone(), newStrides.clone(), newOffset, storage);
    }

    /**
     * Broadcasts to {@code newShape} with stride-0 dimensions (PyTorch {@code expand}); new leading
     * dimensions may be added and size-1 dimensions stretched; {@code -1} keeps a size.
     */
    public Tensor expand(long... newShape) {
        int extra = newShape.length - shape.length;
        if (extra < 0) {
            throw new IllegalArgumentException("cannot expand shape " + Shapes.str(shape) + " to fewer dimensions " + Shapes.str(newShape));
        }
        long[] s = new long[newShape.length];
        long[] st = new long[newShape.length];
        for (int i = 0; i < newShape.length; i++) {
            if (i < extra) {
                if (newShape[i] < 0) {
                    throw new IllegalArgumentException("-1 is not allowed for a new leading dimension in expand to " + Shapes.str(newShape));
                }
                s[i] = newShape[i];
                st[i] = 0;
            } else {
                long old = shape[i - extra];
                long want = newShape[i] == -1 ? old : newShape[i];
                if (want < 0) {
                    throw new IllegalArgumentException("invalid size " + newShape[i] + " in expand to " + Shapes.str(newShape));
                }
                if (old == want) {
                    s[i] = old;
                    st[i] = strides[i - extra];
                } else if (old == 1) {
                    s[i] = want;
                    st[i] = 0;
                } else {
                    throw new IllegalArgumentException("cannot expand shape " + Shapes.str(shape) + " to " + Shapes.str(newShape)
                            + ": dimension " + i + " has size " + old);
                }
            }
        }
        return new Tensor(dtype, s, st, offset, storage);
    }

    /** {@link #expand} to a shape; the name PyTorch uses for the function form. */
    public Tensor broadcastTo(long... newShape) {
        return expand(newShape);
    }

    /** Removes every size-1 dimension. */
    public Tensor squeeze() {
        int n = 0;
        for (long d : shape) {
            if (d != 1) {
                n++;
            }
        }
        long[] s = new long[n];
        long[] st = new long[n];
        for (int k = 0, j = 0; k < shape.length; k++) {
            if (shape[k] != 1) {
                s[j] = shape[k];
                st[j++] = strides[k];
            }
        }
        return new Tensor(dtype, s, st, offset, storage);
    }

    /** Removes dimension {@code dim} if its size is 1 (otherwise returns this view unchanged, like PyTorch). */
    public Tensor squeeze(int dim) {
        int d = Shapes.dim(dim, shape.length);
        if (shape[d] != 1) {
            return this;
        }
        return select(d, 0);
    }

    /** Inserts a size-1 dimension at {@code dim} (in the result's numbering). */
    public Tensor unsqueeze(int dim) {
        int d = Shapes.dim(dim, shape.length + 1);
        long[] s = new long[shape.length + 1];
        long[] st = new long[shape.length + 1];
        for (int k = 0, j = 0; k < s.length; k++) {
            if (k == d) {
                s[k] = 1;
                st[k] = d < shape.length ? strides[d] * shape[d] : 1;
            } else {
                s[k] = shape[j];
                st[k] = strides[j++];
            }
        }
        return new Tensor(dtype, s, st, offset, storage);
    }

    // ---------------------------------------------------------------- copies and conversion

    /** This tensor if already contiguous, else a contiguous copy. */
    public Tensor contiguous() {
        return isContiguous() ? this : clone();
    }

    /** A contiguous copy in fresh storage (in the current memory scope). */
    @Override
    @SuppressWarnings("MethodDoesntCallSuperMethod")
    public Tensor clone() {
        Tensor out = empty(device(), dtype, shape);
        out.copy_(this);
        return out;
    }

    /** This tensor if it already has {@code target} dtype, else a converted contiguous copy. */
    public Tensor to(DType target) {
        if (target == dtype) {
            return this;
        }
        Tensor out = empty(device(), target, shape);
        out.copy_(this);
        return out;
    }

    /**
     * This tensor if it already lives on {@code target}, else a contiguous copy there: an upload
     * to an accelerator, or a download to the host ({@code Device.CPU}). The device's backend
     * moves the bytes.
     */
    public Tensor to(Device target) {
        if (target.equals(device())) {
            return this;
        }
        Tensor out = empty(target, dtype, shape);
        Backend mover = target.equals(Device.CPU) ? Backends.forDevice(device()) : Backends.forDevice(target);
        mover.copy(this, out);
        return out;
    }

    /** This tensor on the host: itself when it already is, else a download. */
    public Tensor cpu() {
        return to(Device.CPU);
    }

    /** In place: {@code this ← src}, with broadcasting of {@code src} and dtype conversion. */
    public Tensor copy_(Tensor src) {
        Tensor s = src.sameShape(this) ? src : src.expand(shape);
        Backend b = Backends.forOp(dtype, s, this);
        if (b.device().equals(Device.CPU) && !(dtype == DType.F32 && s.dtype == DType.F32)) {
            b = Backends.reference();
        }
        b.copy(s, this);
        return this;
    }

    /** In place: every element ← {@code value}. */
    public Tensor fill_(double value) {
        Backends.forOp(dtype, this).fill(this, value);
        return this;
    }

    /**
     * In place: {@code this ← op(this, other)} with {@code other} broadcast to this shape. This
     * tensor must be contiguous (optimizers and gradient accumulation update their own buffers).
     */
    public Tensor apply_(BinaryOp op, Tensor other) {
        if (!isContiguous()) {
            throw new IllegalStateException("in-place " + op.name().toLowerCase() + "_ needs a contiguous tensor, shape "
                    + Shapes.str(shape) + " strides " + Shapes.str(strides));
        }
        Tensor o = other.dtype() == dtype ? other : other.to(dtype);
        Backends.forOp(dtype, this, o).binary(op, this, o.expand(shape), this);
        return this;
    }

    public Tensor add_(Tensor o) { return apply_(BinaryOp.ADD, o); }
    public Tensor sub_(Tensor o) { return apply_(BinaryOp.SUB, o); }
    public Tensor mul_(Tensor o) { return apply_(BinaryOp.MUL, o); }
    public Tensor div_(Tensor o) { return apply_(BinaryOp.DIV, o); }
    public Tensor add_(double s) { return apply_(BinaryOp.ADD, full(dtype, s)); }
    public Tensor mul_(double s) { return apply_(BinaryOp.MUL, full(dtype, s)); }

    // ---------------------------------------------------------------- element access (slow path)

    private long linearIndex(long[] index) {
        if (index.length != shape.length) {
            throw new IllegalArgumentException("index " + Arrays.toString(index) + " has rank " + index.length + " but the tensor has rank " + shape.length);
        }
        long at = offset;
        for (int i = 0; i < index.length; i++) {
            long ix = index[i] < 0 ? index[i] + shape[i] : index[i];
            if (ix < 0 || ix >= shape[i]) {
                throw new IndexOutOfBoundsException("index " + Arrays.toString(index) + " is out of range for shape " + Shapes.str(shape));
            }
            at += ix * strides[i];
        }
        return at;
    }

    /** One element, converted to double. */
    public double get(long... index) {
        if (!storage.isHost()) {
            return cpu().get(index);
        }
        return Elements.read(dtype, storage.segment(), linearIndex(index));
    }

    /** One integer element, exactly. */
    public long getLong(long... index) {
        if (!storage.isHost()) {
            return cpu().getLong(index);
        }
        return Elements.readLong(dtype, storage.segment(), linearIndex(index));
    }

    /** In place: sets one element. */
    public void set(double value, long... index) {
        Elements.write(dtype, storage.segment(), linearIndex(index), value);
    }

    /** The value of a one-element tensor. */
    public double item() {
        if (numel() != 1) {
            throw new IllegalStateException("item() needs exactly one element, the shape is " + Shapes.str(shape));
        }
        if (!storage.isHost()) {
            return cpu().item();
        }
        return Elements.read(dtype, storage.segment(), offset);
    }

    /** All elements in row-major order, as floats. */
    public float[] toFloatArray() {
        Tensor c = cpu().contiguous().to(DType.F32).contiguous();
        float[] out = new float[Math.toIntExact(c.numel())];
        MemorySegment.copy(c.segment(), Elements.F32, c.offset * 4, out, 0, out.length);
        return out;
    }

    /** All elements in row-major order, as doubles. */
    public double[] toDoubleArray() {
        Tensor c = cpu().contiguous();
        double[] out = new double[Math.toIntExact(c.numel())];
        for (int i = 0; i < out.length; i++) {
            out[i] = Elements.read(c.dtype, c.segment(), c.offset + i);
        }
        return out;
    }

    /** All elements in row-major order, as longs (exact for I32/I64). */
    public long[] toLongArray() {
        Tensor c = cpu().contiguous();
        long[] out = new long[Math.toIntExact(c.numel())];
        for (int i = 0; i < out.length; i++) {
            out[i] = Elements.readLong(c.dtype, c.segment(), c.offset + i);
        }
        return out;
    }

    /** All elements in row-major order, as ints. */
    public int[] toIntArray() {
        long[] l = toLongArray();
        int[] out = new int[l.length];
        for (int i = 0; i < l.length; i++) {
            out[i] = Math.toIntExact(l[i]);
        }
        return out;
    }

    // ---------------------------------------------------------------- fluent forms of the ops

    public Tensor add(Tensor o) { return Pointwise.binary(BinaryOp.ADD, this, o); }
    public Tensor sub(Tensor o) { return Pointwise.binary(BinaryOp.SUB, this, o); }
    public Tensor mul(Tensor o) { return Pointwise.binary(BinaryOp.MUL, this, o); }
    public Tensor div(Tensor o) { return Pointwise.binary(BinaryOp.DIV, this, o); }
    public Tensor pow(Tensor o) { return Pointwise.binary(BinaryOp.POW, this, o); }
    public Tensor maximum(Tensor o) { return Pointwise.binary(BinaryOp.MAXIMUM, this, o); }
    public Tensor minimum(Tensor o) { return Pointwise.binary(BinaryOp.MINIMUM, this, o); }
    public Tensor eq(Tensor o) { return Pointwise.binary(BinaryOp.EQ, this, o); }
    public Tensor ne(Tensor o) { return Pointwise.binary(BinaryOp.NE, this, o); }
    public Tensor lt(Tensor o) { return Pointwise.binary(BinaryOp.LT, this, o); }
    public Tensor le(Tensor o) { return Pointwise.binary(BinaryOp.LE, this, o); }
    public Tensor gt(Tensor o) { return Pointwise.binary(BinaryOp.GT, this, o); }
    public Tensor ge(Tensor o) { return Pointwise.binary(BinaryOp.GE, this, o); }

    public Tensor add(double s) { return Pointwise.binary(BinaryOp.ADD, this, s); }
    public Tensor sub(double s) { return Pointwise.binary(BinaryOp.SUB, this, s); }
    public Tensor mul(double s) { return Pointwise.binary(BinaryOp.MUL, this, s); }
    public Tensor div(double s) { return Pointwise.binary(BinaryOp.DIV, this, s); }
    public Tensor pow(double s) { return Pointwise.binary(BinaryOp.POW, this, s); }
    public Tensor maximum(double s) { return Pointwise.binary(BinaryOp.MAXIMUM, this, s); }
    public Tensor minimum(double s) { return Pointwise.binary(BinaryOp.MINIMUM, this, s); }
    public Tensor eq(double s) { return Pointwise.binary(BinaryOp.EQ, this, s); }
    public Tensor ne(double s) { return Pointwise.binary(BinaryOp.NE, this, s); }
    public Tensor lt(double s) { return Pointwise.binary(BinaryOp.LT, this, s); }
    public Tensor le(double s) { return Pointwise.binary(BinaryOp.LE, this, s); }
    public Tensor gt(double s) { return Pointwise.binary(BinaryOp.GT, this, s); }
    public Tensor ge(double s) { return Pointwise.binary(BinaryOp.GE, this, s); }

    public Tensor neg() { return Pointwise.unary(UnaryOp.NEG, this); }
    public Tensor abs() { return Pointwise.unary(UnaryOp.ABS, this); }
    public Tensor exp() { return Pointwise.unary(UnaryOp.EXP, this); }
    public Tensor log() { return Pointwise.unary(UnaryOp.LOG, this); }
    public Tensor sqrt() { return Pointwise.unary(UnaryOp.SQRT, this); }
    public Tensor rsqrt() { return Pointwise.unary(UnaryOp.RSQRT, this); }
    public Tensor square() { return Pointwise.unary(UnaryOp.SQUARE, this); }
    public Tensor reciprocal() { return Pointwise.unary(UnaryOp.RECIPROCAL, this); }
    public Tensor tanh() { return Pointwise.unary(UnaryOp.TANH, this); }
    public Tensor sigmoid() { return Pointwise.unary(UnaryOp.SIGMOID, this); }
    public Tensor relu() { return Pointwise.unary(UnaryOp.RELU, this); }
    public Tensor gelu() { return Pointwise.unary(UnaryOp.GELU, this); }
    public Tensor geluTanh() { return Pointwise.unary(UnaryOp.GELU_TANH, this); }
    public Tensor quickGelu() { return Pointwise.unary(UnaryOp.QUICK_GELU, this); }

    /** Elements of {@code this} where {@code mask} is nonzero are replaced by {@code value}. */
    public Tensor maskedFill(Tensor mask, double value) { return Pointwise.maskedFill(this, mask, value); }

    /** Sum of all elements (0-d). */
    public Tensor sum() { return Reductions.sum(this); }
    /** Sum over {@code dims}. */
    public Tensor sum(int[] dims, boolean keepdim) { return Reductions.sum(this, dims, keepdim); }
    public Tensor sum(int dim) { return Reductions.sum(this, new int[] {dim}, false); }
    public Tensor mean() { return Reductions.mean(this); }
    public Tensor mean(int[] dims, boolean keepdim) { return Reductions.mean(this, dims, keepdim); }
    public Tensor mean(int dim) { return Reductions.mean(this, new int[] {dim}, false); }
    public Tensor max() { return Reductions.max(this); }
    public Tensor max(int[] dims, boolean keepdim) { return Reductions.max(this, dims, keepdim); }
    public Tensor min() { return Reductions.min(this); }
    public Tensor min(int[] dims, boolean keepdim) { return Reductions.min(this, dims, keepdim); }
    public Tensor argmax(int dim, boolean keepdim) { return Reductions.argmax(this, dim, keepdim); }
    public Tensor argmin(int dim, boolean keepdim) { return Reductions.argmin(this, dim, keepdim); }
    /** Variance with Bessel's correction (PyTorch's default {@code correction=1}). */
    public Tensor var(int[] dims, boolean keepdim) { return Reductions.var(this, dims, 1, keepdim); }

    /** Matrix product with NumPy/PyTorch {@code matmul} semantics. */
    public Tensor matmul(Tensor o) { return LinearAlgebra.matmul(this, o); }
    public Tensor softmax(int dim) { return NN.softmax(this, dim); }
    public Tensor logSoftmax(int dim) { return NN.logSoftmax(this, dim); }

    // ---------------------------------------------------------------- printing

    /** PyTorch-like rendering; large tensors are summarised with "...". */
    @Override
    public String toString() {
        if (!storage.isHost()) {
            String host = cpu().toString();
            return host.substring(0, host.length() - 1) + ", device=" + device() + ")";
        }
        StringBuilder sb = new StringBuilder("tensor(");
        if (numel() == 0) {
            sb.append("[]");
        } else {
            render(sb, 0, offset, 7);
        }
        sb.append(", shape=").append(Shapes.str(shape)).append(", dtype=").append(dtype.pyName());
        if (!device().equals(Device.CPU)) {
            sb.append(", device=").append(device());
        }
        return sb.append(')').toString();
    }

    private void render(StringBuilder sb, int d, long at, int indent) {
        if (d == shape.length) {
            double v = Elements.read(dtype, storage.segment(), at);
            if (dtype.isFloating()) {
                sb.append(formatFloat(v));
            } else {
                sb.append(Elements.readLong(dtype, storage.segment(), at));
            }
            return;
        }
        sb.append('[');
        long n = shape[d];
        boolean summarise = numel() > 1000 && n > 6;
        for (long i = 0; i < n; i++) {
            if (summarise && i == 3) {
                sb.append(d == shape.length - 1 ? "..., " : "...,\n" + " ".repeat(indent + d + 1));
                i = n - 3;
            }
            render(sb, d + 1, at + i * strides[d], indent);
            if (i < n - 1) {
                sb.append(d == shape.length - 1 ? ", " : ",\n" + " ".repeat(indent + d + 1));
            }
        }
        sb.append(']');
    }

    private static String formatFloat(double v) {
        if (Double.isNaN(v) || Double.isInfinite(v)) {
            return Double.toString(v).replace("Infinity", "inf").replace("NaN", "nan");
        }
        double a = Math.abs(v);
        if (a != 0 && (a < 1e-4 || a >= 1e6)) {
            return String.format(java.util.Locale.ROOT, "%.4e", v);
        }
        return String.format(java.util.Locale.ROOT, "%.4f", v);
    }
}
