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

    /** Softmax (or log-softmax) along {@code dim}, subtracting the maximum first. */
    void softmax(Tensor x, int dim, boolean log, Tensor out);

    /**
     * Layer normalisation over the last dimension with biased variance, like
     * {@code torch.nn.functional.layer_norm}. {@code weight} and {@code bias} (shape [last]) may be
     * null. When {@code mean} and {@code rstd} are non-null (shape = x's leading dims) they receive
     * the per-row statistics that a backward pass needs.
     */
    void layerNorm(Tensor x, Tensor weight, Tensor bias, double eps, Tensor out, Tensor mean, Tensor rstd);

    // ---------------------------------------------------------------- the R-Adapter op (fused fast path)

    /**
     * The R-Adapter update {@code out = r + s · mask ⊙ (x · Wᵀ)}: x is [N, D] (rows: tokens),
     * {@code weight} W is [D_out, D] in PyTorch's [out, in] orientation and bias-free (the adapter's
     * {@code f.weight}, or {@code u.weight · d.weight} when it is factored), {@code scale} s has one
     * element (the learnable scale, times the eval scale at evaluation), {@code mask} is [N], one
     * keep-scale per row (0 or 1/(1−p) for drop-path; a per-sample mask is expanded to rows by the
     * caller), or null for none. The residual r is {@code residual} ([N, D_out]) or, when null, x
     * itself (then W must be square). {@code out} is [N, D_out], contiguous, and distinct from the
     * inputs.
     *
     * <p>This default composes the backend's own primitives (one matmul and three element-wise ops
     * through a temporary in the current memory scope); GPU backends replace it with one fused
     * kernel launch.
     */
    default void adapterForward(Tensor x, Tensor weight, Tensor scale, Tensor mask, Tensor residual, Tensor out) {
        checkAdapterArguments(x, weight, scale, mask, residual == null);
        long n = x.size(0);
        long dOut = weight.size(0);
        if (residual != null && !java.util.Arrays.equals(residual.shape(), new long[] {n, dOut})) {
            throw new IllegalArgumentException("adapter: the residual must be [" + n + ", " + dOut + "], got " + Shapes.str(residual.shape()));
        }
        Tensor z = adapterTemporary(out.dtype(), n, dOut);
        matmul(x, weight.mT(), z);
        if (mask != null) {
            binary(BinaryOp.MUL, z, adapterRows(mask, n, dOut), z);
        }
        binary(BinaryOp.MUL, z, adapterScalar(scale, n, dOut), z);
        binary(BinaryOp.ADD, residual == null ? x : residual, z, out);
    }

    /**
     * Gradients of {@link #adapterForward} given {@code gradOut} = ∂L/∂out ([N, D_out]):
     * <ul>
     * <li>{@code gradX} [N, D] ← {@code s · (mask ⊙ gradOut) · W}, plus {@code gradOut} itself when
     * {@code residualIsX} (the forward's residual was x);</li>
     * <li>{@code gradWeight} [D_out, D] ← {@code s · (mask ⊙ gradOut)ᵀ · x};</li>
     * <li>{@code gradScale} (one element, s's shape) ← {@code Σ mask ⊙ gradOut ⊙ (x · Wᵀ)},
     * computed as {@code ⟨W, (mask ⊙ gradOut)ᵀ · x⟩}, which needs no copy of {@code x · Wᵀ}.</li>
     * </ul>
     * Any of the three outputs may be null (frozen weights, a fixed scale) and is then not computed.
     * The gradient of a separate residual is {@code gradOut} itself and is left to the caller.
     * Outputs are fresh and contiguous; this default composes primitives like {@link #adapterForward}.
     */
    default void adapterBackward(Tensor x, Tensor weight, Tensor scale, Tensor mask, boolean residualIsX, Tensor gradOut,
            Tensor gradX, Tensor gradWeight, Tensor gradScale) {
        checkAdapterArguments(x, weight, scale, mask, residualIsX);
        long n = x.size(0);
        long d = x.size(1);
        long dOut = weight.size(0);
        DType dt = gradOut.dtype();
        Tensor g = gradOut;
        if (mask != null) {
            g = adapterTemporary(dt, n, dOut);
            binary(BinaryOp.MUL, gradOut, adapterRows(mask, n, dOut), g);
        }
        if (gradX != null) {
            Tensor t = adapterTemporary(dt, n, d);
            matmul(g, weight, t);
            if (residualIsX) {
                binary(BinaryOp.MUL, t, adapterScalar(scale, n, d), t);
                binary(BinaryOp.ADD, gradOut, t, gradX);
            } else {
                binary(BinaryOp.MUL, t, adapterScalar(scale, n, d), gradX);
            }
        }
        if (gradWeight != null || gradScale != null) {
            Tensor gt = adapterTemporary(dt, dOut, d);
            matmul(g.mT(), x, gt);
            if (gradScale != null) {
                Tensor product = adapterTemporary(dt, dOut, d);
                binary(BinaryOp.MUL, gt, weight, product);
                reduce(ReduceOp.SUM, product, new boolean[] {true, true},
                        new Tensor(gradScale.dtype(), new long[] {1, 1}, new long[] {1, 1}, gradScale.offset(), gradScale.storage()));
            }
            if (gradWeight != null) {
                binary(BinaryOp.MUL, gt, adapterScalar(scale, dOut, d), gradWeight);
            }
        }
    }

    private static void checkAdapterArguments(Tensor x, Tensor weight, Tensor scale, Tensor mask, boolean residualIsX) {
        if (x.dim() != 2 || weight.dim() != 2 || weight.size(1) != x.size(1)) {
            throw new IllegalArgumentException("adapter: x must be [N, D] and weight [D_out, D], got " + Shapes.str(x.shape()) + " and "
                    + Shapes.str(weight.shape()));
        }
        if (scale.numel() != 1) {
            throw new IllegalArgumentException("adapter: the scale must have one element, got shape " + Shapes.str(scale.shape()));
        }
        if (mask != null && (mask.dim() != 1 || mask.size(0) != x.size(0))) {
            throw new IllegalArgumentException("adapter: the mask must be [" + x.size(0) + "], got " + Shapes.str(mask.shape()));
        }
        if (residualIsX && weight.size(0) != x.size(1)) {
            throw new IllegalArgumentException("adapter: x is the residual, so the weight must be square, got " + Shapes.str(weight.shape()));
        }
    }

    /** A contiguous scratch tensor of this backend, owned by the current memory scope. */
    private Tensor adapterTemporary(DType dtype, long rows, long cols) {
        long[] shape = {rows, cols};
        return new Tensor(dtype, shape, Shapes.contiguousStrides(shape), 0,
                allocate(Math.multiplyExact(rows * cols, (long) dtype.byteSize()), false));
    }

    /** The one-element {@code scale} broadcast to [rows, cols] (stride 0, no copy). */
    private static Tensor adapterScalar(Tensor scale, long rows, long cols) {
        return new Tensor(scale.dtype(), new long[] {rows, cols}, new long[] {0, 0}, scale.offset(), scale.storage());
    }

    /** The per-row {@code mask} [rows] broadcast along columns (stride 0, no copy). */
    private static Tensor adapterRows(Tensor mask, long rows, long cols) {
        return new Tensor(mask.dtype(), new long[] {rows, cols}, new long[] {mask.stride(0), 0}, mask.offset(), mask.storage());
    }
}
