package radapter.tensor;

import java.util.Arrays;

/**
 * Neural-network front-ends: softmax, layer norm, activations, embedding lookup and index
 * select/add, and 2-D convolution (a general im2col path and the ViT patch-embedding fast path).
 */
public final class NN {
    private NN() {
    }

    /** Softmax along {@code dim}, stable (the row maximum is subtracted first). */
    public static Tensor softmax(Tensor x, int dim) {
        return softmax(x, dim, false);
    }

    /** log(softmax(x)) along {@code dim}, computed as x − max − log Σ exp(x − max). */
    public static Tensor logSoftmax(Tensor x, int dim) {
        return softmax(x, dim, true);
    }

    private static Tensor softmax(Tensor x, int dim, boolean log) {
        DType ct = Pointwise.computeType(x);
        int d = Shapes.dim(dim, Math.max(x.dim(), 1));
        Tensor in = x.to(ct);
        if (x.dim() == 0) {
            in = in.unsqueeze(0);
        }
        Backend be = Backends.forOp(ct, in);
        Tensor out = Tensor.empty(be.device(), ct, in.shape());
        be.softmax(in, d, log, out);
        return x.dim() == 0 ? out.squeeze(0) : out;
    }

    /** Output and per-row statistics of a layer norm (the statistics feed its backward). */
    public record LayerNormResult(Tensor output, Tensor mean, Tensor rstd) {
    }

    /** Layer norm over the last dimension ({@code F.layer_norm(x, [x.size(-1)], w, b, eps)}). */
    public static Tensor layerNorm(Tensor x, Tensor weight, Tensor bias, double eps) {
        return layerNorm(x, new long[] {x.size(-1)}, weight, bias, eps, false).output();
    }

    /**
     * Layer norm over the trailing {@code normalizedShape} dimensions; {@code weight} and
     * {@code bias} have that shape or are null. With {@code withStats} the mean and 1/std of each
     * normalised group are returned as well (shape: the leading dimensions).
     */
    public static LayerNormResult layerNorm(Tensor x, long[] normalizedShape, Tensor weight, Tensor bias, double eps,
            boolean withStats) {
        int k = normalizedShape.length;
        long[] shape = x.shape();
        if (k == 0 || k > shape.length
                || !Arrays.equals(Arrays.copyOfRange(shape, shape.length - k, shape.length), normalizedShape)) {
            throw new IllegalArgumentException("layer_norm normalized_shape " + Shapes.str(normalizedShape)
                    + " does not match the trailing dimensions of input shape " + Shapes.str(shape));
        }
        for (Tensor p : new Tensor[] {weight, bias}) {
            if (p != null && !Arrays.equals(p.shape(), normalizedShape)) {
                throw new IllegalArgumentException("layer_norm weight/bias shape " + Shapes.str(p.shape())
                        + " must equal normalized_shape " + Shapes.str(normalizedShape));
            }
        }
        DType ct = Pointwise.computeType(x);
        long inner = Shapes.numel(normalizedShape);
        long[] lead = Arrays.copyOf(shape, shape.length - k);
        Tensor x2 = x.to(ct).reshape(Shapes.numel(lead), inner);
        Tensor w = weight == null ? null : weight.to(ct).reshape(inner);
        Tensor b = bias == null ? null : bias.to(ct).reshape(inner);
        Backend be = Backends.forOp(ct, x2, w, b);
        Tensor out = Tensor.empty(be.device(), ct, x2.shape());
        Tensor mean = withStats ? Tensor.empty(be.device(), ct, x2.size(0)) : null;
        Tensor rstd = withStats ? Tensor.empty(be.device(), ct, x2.size(0)) : null;
        be.layerNorm(x2, w, b, eps, out, mean, rstd);
        return new LayerNormResult(out.view(shape), withStats ? mean.view(lead) : null, withStats ? rstd.view(lead) : null);
    }

    public static Tensor relu(Tensor x) {
        return Pointwise.unary(UnaryOp.RELU, x);
    }

    /** Exact (erf) GELU. */
    public static Tensor gelu(Tensor x) {
        return Pointwise.unary(UnaryOp.GELU, x);
    }

    /** tanh-approximated GELU. */
    public static Tensor geluTanh(Tensor x) {
        return Pointwise.unary(UnaryOp.GELU_TANH, x);
    }

    /** OpenAI CLIP's QuickGELU. */
    public static Tensor quickGelu(Tensor x) {
        return Pointwise.unary(UnaryOp.QUICK_GELU, x);
    }

    private static void checkIndex(Tensor index, long size, String what) {
        if (index.dim() != 1 || (index.dtype() != DType.I32 && index.dtype() != DType.I64)) {
            throw new IllegalArgumentException(what + " index must be a 1-D I32 or I64 tensor, got " + index.dtype().pyName()
                    + " of shape " + Shapes.str(index.shape()));
        }
        long[] values = index.toLongArray();
        for (int i = 0; i < values.length; i++) {
            long v = values[i];
            if (v < 0 || v >= size) {
                throw new IndexOutOfBoundsException(what + " index " + v + " at position " + i + " is out of range [0, " + size + ")");
            }
        }
    }

    /** Rows of {@code src} along {@code dim} picked by a 1-D integer {@code index} (torch.index_select). */
    public static Tensor indexSelect(Tensor src, int dim, Tensor index) {
        int d = Shapes.dim(dim, src.dim());
        checkIndex(index, src.size(d), "index_select");
        DType ct = src.dtype() == DType.F64 ? DType.F64 : src.dtype().isFloating() ? DType.F32 : src.dtype();
        long[] s = src.shape();
        s[d] = index.size(0);
        Backend b = Backends.forOp(ct, src);
        if (b.device().equals(Device.CPU) && ct != DType.F32) {
            b = Backends.reference();
        }
        Tensor out = Tensor.empty(b.device(), ct, s);
        b.indexSelect(src.to(ct), d, index, out);
        return out;
    }

    /**
     * Returns a copy of {@code dst} with {@code src} added at the rows {@code index} along
     * {@code dim}, accumulating repeats (torch.index_add; the backward of index_select).
     */
    public static Tensor indexAdd(Tensor dst, int dim, Tensor index, Tensor src) {
        int d = Shapes.dim(dim, dst.dim());
        checkIndex(index, dst.size(d), "index_add");
        long[] want = dst.shape();
        want[d] = index.size(0);
        if (!Arrays.equals(want, src.shape())) {
            throw new IllegalArgumentException("index_add source shape " + Shapes.str(src.shape()) + " should be " + Shapes.str(want));
        }
        DType ct = Pointwise.computeType(dst, src);
        Tensor out = dst.to(ct).clone();
        Backends.forOp(ct, out, src).indexAdd(out, d, index, src.to(ct));
        return out;
    }

    /** Embedding lookup: {@code weight[ids]} with shape ids.shape + [dim] (ids I32 or I64). */
    public static Tensor embedding(Tensor weight, Tensor ids) {
        if (weight.dim() != 2) {
            throw new IllegalArgumentException("embedding weight must be [vocab, dim], got " + Shapes.str(weight.shape()));
        }
        long[] outShape = Arrays.copyOf(ids.shape(), ids.dim() + 1);
        outShape[ids.dim()] = weight.size(1);
        return indexSelect(weight, 0, ids.reshape(-1)).view(outShape);
    }

    /** Convolution geometry: stride, padding and dilation per spatial axis. */
    public record Conv2dParams(int strideH, int strideW, int padH, int padW, int dilationH, int dilationW) {
        public static Conv2dParams of(int stride, int padding) {
            return new Conv2dParams(stride, stride, padding, padding, 1, 1);
        }
    }

    /**
     * 2-D convolution like {@code F.conv2d(x, weight, bias, stride, padding, dilation)} with
     * groups = 1. x is [N, C, H, W], weight [O, C, kh, kw], bias [O] or null; the result is
     * [N, O, OH, OW]. Uses the patch fast path when stride equals kernel, else im2col + GEMM.
     */
    public static Tensor conv2d(Tensor x, Tensor weight, Tensor bias, Conv2dParams p) {
        Tensor cols = checkedConvColumns(x, weight, p);
        long n = x.size(0);
        long oc = weight.size(0);
        long oh = outSize(x.size(2), weight.size(2), p.strideH(), p.padH(), p.dilationH());
        long ow = outSize(x.size(3), weight.size(3), p.strideW(), p.padW(), p.dilationW());
        Tensor y = LinearAlgebra.linear(cols, weight.reshape(oc, -1), bias); // [N*OH*OW, O]
        return y.view(n, oh, ow, oc).permute(0, 3, 1, 2).contiguous();
    }

    /**
     * The ViT patch embedding: a stride = kernel convolution without bias whose output is returned
     * as tokens [N, OH·OW, O] (row-major over the patch grid), as CLIP's vision tower wants it.
     */
    public static Tensor patchEmbed(Tensor x, Tensor weight) {
        int k = Math.toIntExact(weight.size(2));
        if (weight.size(3) != k) {
            throw new IllegalArgumentException("patch embedding needs a square kernel, got " + Shapes.str(weight.shape()));
        }
        Conv2dParams p = Conv2dParams.of(k, 0);
        Tensor cols = checkedConvColumns(x, weight, p);
        long n = x.size(0);
        Tensor y = LinearAlgebra.linear(cols, weight.reshape(weight.size(0), -1), null);
        return y.view(n, -1, weight.size(0));
    }

    private static long outSize(long in, long kernel, int stride, int pad, int dilation) {
        long span = in + 2L * pad - (long) dilation * (kernel - 1) - 1;
        // A kernel larger than the padded input gives no output (Java division truncates toward 0).
        return span < 0 ? 0 : span / stride + 1;
    }

    /** im2col: [N·OH·OW, C·kh·kw] patches, built from views with exactly one copy. */
    static Tensor checkedConvColumns(Tensor x, Tensor weight, Conv2dParams p) {
        if (x.dim() != 4 || weight.dim() != 4) {
            throw new IllegalArgumentException("conv2d expects input [N, C, H, W] and weight [O, C, kh, kw], got "
                    + Shapes.str(x.shape()) + " and " + Shapes.str(weight.shape()));
        }
        if (x.size(1) != weight.size(1)) {
            throw new IllegalArgumentException("conv2d input has " + x.size(1) + " channels but the weight expects " + weight.size(1));
        }
        if (p.strideH() <= 0 || p.strideW() <= 0 || p.dilationH() <= 0 || p.dilationW() <= 0 || p.padH() < 0 || p.padW() < 0) {
            throw new IllegalArgumentException("conv2d stride and dilation must be positive and padding non-negative: " + p);
        }
        long n = x.size(0);
        long c = x.size(1);
        long kh = weight.size(2);
        long kw = weight.size(3);
        long oh = outSize(x.size(2), kh, p.strideH(), p.padH(), p.dilationH());
        long ow = outSize(x.size(3), kw, p.strideW(), p.padW(), p.dilationW());
        if (oh <= 0 || ow <= 0) {
            throw new IllegalArgumentException("conv2d kernel " + kh + "x" + kw + " does not fit input " + Shapes.str(x.shape()) + " with " + p);
        }
        DType ct = Pointwise.computeType(x, weight);
        Tensor in = x.to(ct);
        boolean patchPath = p.padH() == 0 && p.padW() == 0 && p.dilationH() == 1 && p.dilationW() == 1
                && p.strideH() == kh && p.strideW() == kw;
        if (patchPath) {
            // Non-overlapping patches: crop to whole patches, split H and W, move the patch grid
            // ahead of the channels. Pure views, then one gathering copy.
            Tensor cropped = in.narrow(2, 0, oh * kh).narrow(3, 0, ow * kw);
            long[] st = cropped.strides();
            Tensor patches = cropped.asStrided(new long[] {n, oh, ow, c, kh, kw},
                    new long[] {st[0], st[2] * kh, st[3] * kw, st[1], st[2], st[3]}, cropped.offset());
            return patches.reshape(n * oh * ow, c * kh * kw);
        }
        Tensor padded = in;
        if (p.padH() > 0 || p.padW() > 0) {
            padded = Tensor.zeros(ct, n, c, x.size(2) + 2L * p.padH(), x.size(3) + 2L * p.padW());
            padded.narrow(2, p.padH(), x.size(2)).narrow(3, p.padW(), x.size(3)).copy_(in);
        }
        long[] st = padded.strides();
        Tensor windows = padded.asStrided(new long[] {n, oh, ow, c, kh, kw},
                new long[] {st[0], st[2] * p.strideH(), st[3] * p.strideW(), st[1], st[2] * p.dilationH(), st[3] * p.dilationW()},
                padded.offset());
        return windows.reshape(n * oh * ow, c * kh * kw);
    }

    // ---------------------------------------------------------------- the R-Adapter op

    /**
     * R-Adapter's update in one op: {@code x + s · mask ⊙ (x · Wᵀ)} for x [N, D], a bias-free
     * square W [D, D] ([out, in]), a one-element scale s and an optional per-row keep-scale
     * {@code mask} [N] (drop-path). It is one product with a fused epilogue
     * ({@link Backend#matmul(Tensor, Tensor, Tensor, Epilogue)}), one kernel launch on a GPU.
     */
    public static Tensor adapter(Tensor x, Tensor weight, Tensor scale, Tensor mask) {
        checkAdapter(x, weight, scale, mask, true);
        DType ct = Pointwise.computeType(x, weight, scale);
        Backend be = Backends.forOp(ct, x, weight, scale, mask);
        Tensor xc = x.to(ct);
        Tensor out = Tensor.empty(be.device(), ct, x.size(0), weight.size(0));
        be.matmul(xc, weight.to(ct).mT(), out,
                Epilogue.builder().scale(scale.to(ct)).rowScale(mask == null ? null : mask.to(ct)).residual(xc).build());
        return out;
    }

    /**
     * Gradients of {@link #adapter} with respect to x, W and s given ∂L/∂out (each only when
     * asked for, else null), in that order.
     */
    public static Tensor[] adapterBackward(Tensor x, Tensor weight, Tensor scale, Tensor mask, Tensor gradOut,
            boolean wantX, boolean wantWeight, boolean wantScale) {
        return adapterBackward(x, weight, scale, mask, true, gradOut, wantX, wantWeight, wantScale);
    }

    /**
     * The backward of {@code out = r + s · mask ⊙ (x · Wᵀ)}, where the residual r is x itself when
     * {@code residualIsX} and otherwise an input whose gradient ({@code gradOut}) is left to the caller:
     * <ul>
     * <li>{@code gradX} [N, D] = {@code [gradOut +] s · (mask ⊙ gradOut) · W}, one product with an epilogue;</li>
     * <li>with {@code G = (mask ⊙ gradOut)ᵀ · x} [D_out, D]: {@code gradWeight = s · G} and
     * {@code gradScale = Σ W ⊙ G}, which needs no copy of {@code x · Wᵀ}.</li>
     * </ul>
     */
    static Tensor[] adapterBackward(Tensor x, Tensor weight, Tensor scale, Tensor mask, boolean residualIsX, Tensor gradOut,
            boolean wantX, boolean wantWeight, boolean wantScale) {
        checkAdapter(x, weight, scale, mask, residualIsX);
        long n = x.size(0);
        long dOut = weight.size(0);
        if (!Arrays.equals(gradOut.shape(), new long[] {n, dOut})) {
            throw new IllegalArgumentException("adapter: the output gradient must be " + Shapes.str(new long[] {n, dOut}) + ", got "
                    + Shapes.str(gradOut.shape()));
        }
        DType ct = Pointwise.computeType(x, weight, scale, gradOut);
        Backend be = Backends.forOp(ct, x, weight, scale, mask, gradOut);
        Device dev = be.device();
        Tensor xc = x.to(ct);
        Tensor w = weight.to(ct);
        Tensor s = scale.to(ct);
        Tensor m = mask == null ? null : mask.to(ct);
        Tensor gy = gradOut.to(ct);
        Tensor gx = null;
        Tensor gw = null;
        Tensor gs = null;
        // the mask is applied to gradOut once, before both products, so host backends round exactly
        // as the op's earlier fused form did (the mask could also ride in gx's row-scale epilogue)
        Tensor g = gy;
        if (m != null) {
            g = Tensor.empty(dev, ct, n, dOut);
            be.binary(BinaryOp.MUL, gy, new Tensor(ct, new long[] {n, dOut}, new long[] {m.stride(0), 0}, m.offset(), m.storage()), g);
        }
        if (wantX) {
            gx = Tensor.empty(dev, ct, x.shape());
            be.matmul(g, w, gx, Epilogue.builder().scale(s).residual(residualIsX ? gy : null).build());
        }
        if (wantWeight || wantScale) {
            if (!wantScale) {
                gw = Tensor.empty(dev, ct, weight.shape());
                be.matmul(g.mT(), xc, gw, Epilogue.scaled(s));
            } else {
                Tensor product = Tensor.empty(dev, ct, weight.shape());
                be.matmul(g.mT(), xc, product);
                if (wantWeight) {
                    gw = Tensor.empty(dev, ct, weight.shape());
                    be.binary(BinaryOp.MUL, product, new Tensor(ct, weight.shape(), new long[] {0, 0}, s.offset(), s.storage()), gw);
                }
                be.binary(BinaryOp.MUL, product, w, product);
                gs = Tensor.empty(dev, ct, scale.shape());
                be.reduce(ReduceOp.SUM, product, new boolean[] {true, true}, new Tensor(ct, new long[] {1, 1}, new long[] {1, 1}, gs.offset(), gs.storage()));
            }
        }
        return new Tensor[] {gx, gw, gs};
    }

    private static void checkAdapter(Tensor x, Tensor weight, Tensor scale, Tensor mask, boolean residualIsX) {
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
}
