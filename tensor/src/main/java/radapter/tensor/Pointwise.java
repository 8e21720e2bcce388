package radapter.tensor;

/**
 * Element-wise op front-ends: dtype promotion, broadcasting and output allocation, then one
 * backend call. Arithmetic runs in F32, or in F64 when any input is F64; integer and half inputs
 * are promoted to F32 first.
 */
public final class Pointwise {
    private Pointwise() {
    }

    /** The dtype element-wise arithmetic on these inputs runs in. */
    static DType computeType(Tensor... ts) {
        for (Tensor t : ts) {
            if (t.dtype() == DType.F64) {
                return DType.F64;
            }
        }
        return DType.F32;
    }

    /** {@code op(x)} element-wise. */
    public static Tensor unary(UnaryOp op, Tensor x) {
        DType ct = computeType(x);
        Tensor in = x.to(ct);
        Backend be = Backends.forOp(ct, in);
        Tensor out = Tensor.empty(be.device(), ct, x.shape());
        be.unary(op, in, out);
        return out;
    }

    /** {@code op(a, b)} with broadcasting. */
    public static Tensor binary(BinaryOp op, Tensor a, Tensor b) {
        DType ct = computeType(a, b);
        long[] shape = Shapes.broadcast(a.shape(), b.shape());
        Backend be = Backends.forOp(ct, a, b);
        Tensor out = Tensor.empty(be.device(), ct, shape);
        be.binary(op, a.to(ct).expand(shape), b.to(ct).expand(shape), out);
        return out;
    }

    /** {@code op(a, s)} with a scalar right operand. */
    public static Tensor binary(BinaryOp op, Tensor a, double s) {
        DType ct = computeType(a);
        return binary(op, a, Tensor.full(ct, s));
    }

    /** {@code op(s, b)} with a scalar left operand (e.g. {@code 1 - x}, {@code 2^x}). */
    public static Tensor binary(BinaryOp op, double s, Tensor b) {
        DType ct = computeType(b);
        return binary(op, Tensor.full(ct, s), b);
    }

    /** {@code cond ≠ 0 ? a : b}, all three broadcast together. */
    public static Tensor where(Tensor cond, Tensor a, Tensor b) {
        DType ct = computeType(a, b);
        long[] shape = Shapes.broadcast(cond.shape(), a.shape(), b.shape());
        Backend be = Backends.forOp(ct, cond, a, b);
        Tensor out = Tensor.empty(be.device(), ct, shape);
        be.where(cond.to(ct).expand(shape), a.to(ct).expand(shape), b.to(ct).expand(shape), out);
        return out;
    }

    /** {@code x} with {@code value} wherever {@code mask} (broadcastable to x) is nonzero. */
    public static Tensor maskedFill(Tensor x, Tensor mask, double value) {
        long[] shape = Shapes.broadcast(x.shape(), mask.shape());
        if (!java.util.Arrays.equals(shape, x.shape())) {
            throw new IllegalArgumentException("masked_fill mask of shape " + Shapes.str(mask.shape())
                    + " does not broadcast to the input's shape " + Shapes.str(x.shape()));
        }
        DType ct = computeType(x);
        return where(mask, Tensor.full(ct, value), x);
    }

    /** {@code min(max(x, lo), hi)}. */
    public static Tensor clamp(Tensor x, double lo, double hi) {
        return x.maximum(lo).minimum(hi);
    }
}
