package radapter.tensor;

/**
 * The service-provider interface every compute backend implements: a small set of primitive
 * kernels over tensors. Front-ends ({@link Pointwise}, {@link Reductions}, {@link LinearAlgebra},
 * {@link NN}, {@link Join}) do shape checking, broadcasting (as stride-0 {@link Tensor#expand}
 * views) and output allocation; a backend only computes.
 *
 * <p>Contract for every method: {@code out} is freshly allocated by the caller, contiguous, and has
 * the documented shape and dtype; inputs may be any strided view (transposed, sliced, broadcast
 * with stride 0). A backend must not keep references to the tensors after returning. For
 * {@link #unary}, {@link #binary} and {@link #where}, {@code out} may also be one of the inputs
 * itself (same storage, offset and strides): that is how in-place updates such as
 * {@link Tensor#add_} run, so element-wise kernels must read each element before writing it.
 *
 * <p>Backends offer primitives only. Fused application ops and their backward passes (the
 * R-Adapter update in {@link NN#adapter} and {@link NN#adapterBackward}, for one) are composed by
 * the front-ends from these primitives, chiefly {@link #matmul(Tensor, Tensor, Tensor, Epilogue)},
 * whose epilogue is what a GPU fuses into one launch.
 *
 * <p>Backends are discovered with {@link java.util.ServiceLoader} and chosen with
 * {@link Backends}; they never import each other. Availability is probed by
 * {@link #isAvailable()}, which must not throw even when a native driver is missing.
 */
public interface Backend {

    /** Short name used by {@code -Dradapter.backend=} and the CLI, e.g. {@code "cpu"}. */
    String name();

    /** Higher wins when no backend is requested explicitly. */
    int priority();

    /** Whether the backend can run here. Never throws. */
    default boolean isAvailable() {
        return true;
    }

    /** Why {@link #isAvailable()} is false, in one line a user can act on. */
    default String unavailableReason() {
        return "";
    }

    /**
     * Whether this backend computes on the host ({@link Device#CPU}), answered without probing
     * any driver. Only host backends are candidates for the implicit default.
     */
    default boolean computesOnHost() {
        return true;
    }

    /** The device this backend computes on; host backends share {@link Device#CPU}. */
    default Device device() {
        return Device.CPU;
    }

    /**
     * Fresh storage on {@link #device()} in the current memory scope; unless {@code zeroed} its
     * bytes are unspecified. Host backends use scope memory; GPU backends allocate device memory.
     */
    default Storage allocate(long byteSize, boolean zeroed) {
        return Storage.allocate(byteSize, zeroed);
    }

    /** Element types this backend computes in; others are routed to {@code reference}. */
    boolean supports(DType dtype);

    /**
     * {@code dst ← src} element-wise with dtype conversion; same shapes, any strides. A device
     * backend also transfers: either side may be host memory, the other on its device.
     */
    void copy(Tensor src, Tensor dst);

    /** Sets every element of {@code dst} (any strides) to {@code value}. */
    void fill(Tensor dst, double value);

    /** {@code out ← op(x)}; {@code x} has {@code out}'s shape. */
    void unary(UnaryOp op, Tensor x, Tensor out);

    /** {@code out ← op(a, b)}; {@code a} and {@code b} are already broadcast to {@code out}'s shape. */
    void binary(BinaryOp op, Tensor a, Tensor b, Tensor out);

    /** {@code out ← cond ≠ 0 ? a : b}; all three already broadcast to {@code out}'s shape. */
    void where(Tensor cond, Tensor a, Tensor b, Tensor out);

    /**
     * Reduces {@code x} over the dimensions flagged in {@code dims}; {@code out} has {@code x}'s rank
     * with those dimensions set to 1.
     */
    void reduce(ReduceOp op, Tensor x, boolean[] dims, Tensor out);

    /**
     * Index of the maximum ({@code max = true}) or minimum along {@code dim}, first occurrence on
     * ties, NaN counting as the extreme; {@code out} is I64 with {@code x}'s shape and {@code dim} = 1.
     */
    void argReduce(boolean max, Tensor x, int dim, Tensor out);

    /**
     * Batched matrix product {@code out[..., m, n] = Σ_k a[..., m, k] · b[..., k, n]}. All three have
     * the same rank ≥ 2 and equal batch dimensions (broadcast batches arrive as stride-0 views);
     * transposed operands arrive as swapped strides and must not be copied by the caller.
     */
    void matmul(Tensor a, Tensor b, Tensor out);

    /**
     * {@code out} is {@code src} with dimension {@code dim} replaced by the rows {@code index}
     * (I32 or I64, rank 1). Indices are validated by the front-end.
     */
    void indexSelect(Tensor src, int dim, Tensor index, Tensor out);

    /**
     * {@code dst[..., index[i], ...] += src[..., i, ...]} along {@code dim}, accumulating repeated
     * indices (the backward of {@link #indexSelect}). {@code dst} is contiguous and is updated in place.
     */
    void indexAdd(Tensor dst, int dim, Tensor index, Tensor src);

    /**
     * Softmax (or log-softmax) along {@code dim}, subtracting the maximum first. An optional fast
     * path: this default composes {@link #reduce}, {@link #binary} and {@link #unary} through
     * temporaries in the current memory scope, so a new backend is correct before it has a fused
     * kernel.
     */
    default void softmax(Tensor x, int dim, boolean log, Tensor out) {
        long[] shape = x.shape();
        boolean[] dims = new boolean[shape.length];
        dims[dim] = true;
        long[] rowShape = shape.clone();
        rowShape[dim] = 1;
        Tensor max = scratch(out.dtype(), rowShape);
        reduce(ReduceOp.MAX, x, dims, max);
        binary(BinaryOp.SUB, x, max.expand(shape), out);
        Tensor e = log ? scratch(out.dtype(), shape) : out;
        unary(UnaryOp.EXP, out, e);
        Tensor sum = scratch(out.dtype(), rowShape);
        reduce(ReduceOp.SUM, e, dims, sum);
        if (log) {
            unary(UnaryOp.LOG, sum, sum);
            binary(BinaryOp.SUB, out, sum.expand(shape), out);
        } else {
            binary(BinaryOp.DIV, out, sum.expand(shape), out);
        }
    }

    /**
     * Layer normalisation over the last dimension with biased variance, like
     * {@code torch.nn.functional.layer_norm}. {@code weight} and {@code bias} (shape [last]) may be
     * null. When {@code mean} and {@code rstd} are non-null (shape = x's leading dims) they receive
     * the per-row statistics that a backward pass needs.
     */
    default void layerNorm(Tensor x, Tensor weight, Tensor bias, double eps, Tensor out, Tensor mean, Tensor rstd) {
        // An optional fast path: two-pass mean and biased variance composed from primitives.
        long[] shape = x.shape();
        int last = shape.length - 1;
        boolean[] dims = new boolean[shape.length];
        dims[last] = true;
        long[] rowShape = shape.clone();
        rowShape[last] = 1;
        DType dt = out.dtype();
        Tensor inverseWidth = scalar(dt, 1.0 / shape[last]).expand(rowShape);
        Tensor mu = scratch(dt, rowShape);
        reduce(ReduceOp.SUM, x, dims, mu);
        binary(BinaryOp.MUL, mu, inverseWidth, mu);
        Tensor centred = scratch(dt, shape);
        binary(BinaryOp.SUB, x, mu.expand(shape), centred);
        unary(UnaryOp.SQUARE, centred, out);
        Tensor r = scratch(dt, rowShape);
        reduce(ReduceOp.SUM, out, dims, r);
        binary(BinaryOp.MUL, r, inverseWidth, r);
        binary(BinaryOp.ADD, r, scalar(dt, eps).expand(rowShape), r);
        unary(UnaryOp.RSQRT, r, r);
        binary(BinaryOp.MUL, centred, r.expand(shape), out);
        if (weight != null) {
            binary(BinaryOp.MUL, out, weight.expand(shape), out);
        }
        if (bias != null) {
            binary(BinaryOp.ADD, out, bias.expand(shape), out);
        }
        if (mean != null) {
            copy(mu, mean.unsqueeze(last));
        }
        if (rstd != null) {
            copy(r, rstd.unsqueeze(last));
        }
    }

    /**
     * {@link #matmul(Tensor, Tensor, Tensor)} with a fused epilogue:
     * {@code out = β·R + α·s·rowScale ⊙ (A·B)} (see {@link Epilogue}). Same operand rules as the
     * plain product; the epilogue's tensors may be any strided view, and {@code out} is distinct
     * from every input.
     *
     * <p>This default composes the backend's own primitives (the plain product into {@code out},
     * then in-place element-wise ops, with no temporary unless α or β is neither 0 nor 1); GPU
     * backends replace it with one kernel launch.
     */
    default void matmul(Tensor a, Tensor b, Tensor out, Epilogue e) {
        e.check(out);
        matmul(a, b, out);
        if (e.rowScale() != null) {
            binary(BinaryOp.MUL, out, e.rowScaleAs(out), out);
        }
        if (e.scale() != null) {
            binary(BinaryOp.MUL, out, e.scaleAs(out), out);
        }
        if (e.alpha() != 1) {
            binary(BinaryOp.MUL, out, constant(out, e.alpha()), out);
        }
        if (e.hasResidual()) {
            Tensor r = e.residual();
            if (e.beta() != 1) {
                Tensor scaled = scratch(out.dtype(), out.shape());
                binary(BinaryOp.MUL, r, constant(out, e.beta()), scaled);
                r = scaled;
            }
            binary(BinaryOp.ADD, r, out, out);
        }
    }

    /** A contiguous scratch tensor of this backend, owned by the current memory scope. */
    private Tensor scratch(DType dtype, long[] shape) {
        long n = 1;
        for (long d : shape) {
            n = Math.multiplyExact(n, d);
        }
        return new Tensor(dtype, shape, Shapes.contiguousStrides(shape), 0, allocate(Math.multiplyExact(n, (long) dtype.byteSize()), false));
    }

    /** {@code value} in {@code like}'s dtype on this backend, as a stride-0 view of its shape. */
    private Tensor constant(Tensor like, double value) {
        return scalar(like.dtype(), value).expand(like.shape());
    }

    /** A one-element tensor of this backend holding {@code value}. */
    private Tensor scalar(DType dtype, double value) {
        Tensor one = new Tensor(dtype, new long[] {1}, new long[] {1}, 0, allocate(dtype.byteSize(), false));
        fill(one, value);
        return one;
    }
}
