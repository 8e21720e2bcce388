package radapter.tensor;

/** Matrix products: {@code matmul} with PyTorch's rank rules, and {@code linear}. */
public final class LinearAlgebra {
    private LinearAlgebra() {
    }

    /**
     * Matrix product with {@code torch.matmul} semantics: 1-D operands are promoted to a row or a
     * column and the promoted dimension removed again; leading (batch) dimensions broadcast.
     * Transposed and sliced operands are passed to the backend as strides, never copied.
     */
    public static Tensor matmul(Tensor a, Tensor b) {
        if (a.dim() == 0 || b.dim() == 0) {
            throw new IllegalArgumentException("matmul needs operands of rank >= 1, got shapes "
                    + Shapes.str(a.shape()) + " and " + Shapes.str(b.shape()));
        }
        boolean vecA = a.dim() == 1;
        boolean vecB = b.dim() == 1;
        Tensor a2 = vecA ? a.unsqueeze(0) : a;
        Tensor b2 = vecB ? b.unsqueeze(1) : b;
        long m = a2.size(-2);
        long k = a2.size(-1);
        long k2 = b2.size(-2);
        long n = b2.size(-1);
        if (k != k2) {
            throw new IllegalArgumentException("matmul shapes " + Shapes.str(a.shape()) + " and " + Shapes.str(b.shape())
                    + " do not match: " + k + " columns vs " + k2 + " rows");
        }
        long[] batchA = java.util.Arrays.copyOf(a2.shape(), a2.dim() - 2);
        long[] batchB = java.util.Arrays.copyOf(b2.shape(), b2.dim() - 2);
        long[] batch = Shapes.broadcast(batchA, batchB);
        long[] sa = concat(batch, m, k);
        long[] sb = concat(batch, k, n);
        long[] so = concat(batch, m, n);
        DType ct = Pointwise.computeType(a, b);
        Backend be = Backends.forOp(ct, a2, b2);
        Tensor out = Tensor.empty(be.device(), ct, so);
        be.matmul(a2.to(ct).expand(sa), b2.to(ct).expand(sb), out);
        Tensor r = out;
        if (vecA) {
            r = r.squeeze(-2);
        }
        if (vecB) {
            r = r.squeeze(-1);
        }
        return r;
    }

    private static long[] concat(long[] batch, long x, long y) {
        long[] s = java.util.Arrays.copyOf(batch, batch.length + 2);
        s[batch.length] = x;
        s[batch.length + 1] = y;
        return s;
    }

    /**
     * {@code x · weightᵀ + bias} like {@code torch.nn.functional.linear}: x is [..., in], weight is
     * [out, in], bias is [out] or null. Leading dimensions are folded into one matrix when the
     * layout allows, so the product is a single GEMM.
     */
    public static Tensor linear(Tensor x, Tensor weight, Tensor bias) {
        if (weight.dim() != 2) {
            throw new IllegalArgumentException("linear weight must be [out, in], got shape " + Shapes.str(weight.shape()));
        }
        if (x.dim() == 0 || x.size(-1) != weight.size(1)) {
            throw new IllegalArgumentException("linear input of shape " + Shapes.str(x.shape()) + " does not match weight of shape "
                    + Shapes.str(weight.shape()) + " (last dimension must be " + weight.size(1) + ")");
        }
        if (bias != null && (bias.dim() != 1 || bias.size(0) != weight.size(0))) {
            throw new IllegalArgumentException("linear bias must have shape [" + weight.size(0) + "], got " + Shapes.str(bias.shape()));
        }
        long[] lead = java.util.Arrays.copyOf(x.shape(), x.dim() - 1);
        Tensor x2 = x.dim() == 2 ? x : x.reshape(Shapes.numel(lead), x.size(-1));
        Tensor y = matmul(x2, weight.mT());
        if (bias != null) {
            y = y.add(bias);
        }
        long[] outShape = java.util.Arrays.copyOf(lead, lead.length + 1);
        outShape[lead.length] = weight.size(0);
        return y.view(outShape);
    }
}
