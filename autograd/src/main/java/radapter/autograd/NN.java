package radapter.autograd;

import java.util.Arrays;
import java.util.Objects;
import java.util.stream.Stream;
import radapter.tensor.BinaryOp;
import radapter.tensor.DType;
import radapter.tensor.Rng;
import radapter.tensor.Shapes;
import radapter.tensor.Tensor;

/**
 * Differentiable neural-network functions, the autograd side of {@link radapter.tensor.NN} (and
 * of PyTorch's {@code torch.nn.functional}): activations, softmax, layer norm, embedding lookup,
 * convolution (general and the ViT patch embedding), L2 normalisation, dropout, stochastic depth
 * and the R-Adapter op. Fused ops save the few statistics their backward needs instead of a
 * graph of primitives.
 */
public final class NN {
    private static final double SQRT_2_OVER_PI = Math.sqrt(2.0 / Math.PI);
    private static final double GELU_TANH_CUBIC = 0.044715;
    private static final double QUICK_GELU_SCALE = 1.702;

    private NN() {
    }

    // ---------------------------------------------------------------- activations

    /** {@code max(x, 0)}; the gradient at exactly 0 is 0, like PyTorch. */
    public static Variable relu(Variable x) {
        return new Relu().apply(x);
    }

    private static final class Relu extends Function.Unary {
        @Override
        protected Tensor forward(Tensor x) {
            Tensor y = x.relu();
            saveForBackward(y);
            return y;
        }

        @Override
        protected Tensor[] backward(Tensor g) {
            Tensor y = saved(0);
            return new Tensor[] {g.mul(y.gt(0.0))};
        }
    }

    /** Exact GELU {@code x·Φ(x)} (PyTorch {@code approximate='none'}); derivative {@code Φ(x) + x·φ(x)}. */
    public static Variable gelu(Variable x) {
        return new Gelu().apply(x);
    }

    private static final class Gelu extends Function.Unary {
        @Override
        protected Tensor forward(Tensor x) {
            saveForBackward(x);
            return x.gelu();
        }

        @Override
        protected Tensor[] backward(Tensor g) {
            Tensor x = saved(0);
            // One fused pass (BinaryOp.GELU_BACKWARD) instead of building Φ and φ from primitives.
            return new Tensor[] {radapter.tensor.Pointwise.binary(BinaryOp.GELU_BACKWARD, g, x)};
        }
    }

    /** tanh-approximated GELU (PyTorch {@code approximate='tanh'}). */
    public static Variable geluTanh(Variable x) {
        return new GeluTanh().apply(x);
    }

    private static final class GeluTanh extends Function.Unary {
        @Override
        protected Tensor forward(Tensor x) {
            saveForBackward(x);
            return x.geluTanh();
        }

        @Override
        protected Tensor[] backward(Tensor g) {
            Tensor x = saved(0);
            // y = ½x(1 + t), t = tanh(u), u = c(x + k x³):
            // dy/dx = ½(1 + t) + ½x(1 − t²)·c(1 + 3k x²).
            Tensor x2 = x.square();
            Tensor t = x2.mul(GELU_TANH_CUBIC).add(1.0).mul(x).mul(SQRT_2_OVER_PI).tanh();
            Tensor du = x2.mul(3 * GELU_TANH_CUBIC).add(1.0).mul(SQRT_2_OVER_PI);
            Tensor d = t.add(1.0).mul(0.5).add(x.mul(0.5).mul(Pointwise.oneMinus(t.square())).mul(du));
            return new Tensor[] {g.mul(d)};
        }
    }

    /** OpenAI CLIP's QuickGELU {@code x·σ(1.702x)}. */
    public static Variable quickGelu(Variable x) {
        return new QuickGelu().apply(x);
    }

    private static final class QuickGelu extends Function.Unary {
        @Override
        protected Tensor forward(Tensor x) {
            saveForBackward(x);
            return x.quickGelu();
        }

        @Override
        protected Tensor[] backward(Tensor g) {
            Tensor x = saved(0);
            // d/dx xσ(ax) = σ(ax)·(1 + a x (1 − σ(ax))).
            Tensor s = x.mul(QUICK_GELU_SCALE).sigmoid();
            Tensor d = s.mul(x.mul(QUICK_GELU_SCALE).mul(Pointwise.oneMinus(s)).add(1.0));
            return new Tensor[] {g.mul(d)};
        }
    }

    // ---------------------------------------------------------------- softmax

    /** Softmax along {@code dim}. */
    public static Variable softmax(Variable x, int dim) {
        return new Softmax(dim).apply(x);
    }

    private static final class Softmax extends Function.Unary {
        private final int dim;

        Softmax(int dim) {
            this.dim = dim;
        }

        @Override
        protected Tensor forward(Tensor x) {
            Tensor y = x.softmax(dim);
            saveForBackward(y);
            return y;
        }

        @Override
        protected Tensor[] backward(Tensor g) {
            Tensor y = saved(0);
            if (y.dim() == 0) {
                return new Tensor[] {g.mul(0.0)};
            }
            // Jacobian-vector product of softmax: y ⊙ (g − ⟨g, y⟩) along dim.
            Tensor dot = g.mul(y).sum(new int[] {dim}, true);
            return new Tensor[] {y.mul(g.sub(dot))};
        }
    }

    /** {@code log(softmax(x))} along {@code dim}, without forming the softmax's logarithm. */
    public static Variable logSoftmax(Variable x, int dim) {
        return new LogSoftmax(dim).apply(x);
    }

    private static final class LogSoftmax extends Function.Unary {
        private final int dim;

        LogSoftmax(int dim) {
            this.dim = dim;
        }

        @Override
        protected Tensor forward(Tensor x) {
            Tensor y = x.logSoftmax(dim);
            saveForBackward(y);
            return y;
        }

        @Override
        protected Tensor[] backward(Tensor g) {
            Tensor y = saved(0);
            if (y.dim() == 0) {
                return new Tensor[] {g.mul(0.0)};
            }
            // d log softmax = g − softmax · Σg along dim.
            Tensor total = g.sum(new int[] {dim}, true);
            return new Tensor[] {g.sub(y.exp().mul(total))};
        }
    }

    // ---------------------------------------------------------------- layer norm

    /**
     * Layer norm over the last dimension, {@code F.layer_norm(x, [x.size(-1)], weight, bias, eps)};
     * {@code weight} and {@code bias} have shape [last] or are null.
     */
    public static Variable layerNorm(Variable x, Variable weight, Variable bias, double eps) {
        Variable[] inputs = Stream.of(x, weight, bias).filter(Objects::nonNull).toArray(Variable[]::new);
        return new LayerNorm(eps, weight == null ? -1 : 1, bias == null ? -1 : inputs.length - 1).apply(inputs);
    }

    private static final class LayerNorm extends Function {
        private final double eps;
        private final int weightAt;
        private final int biasAt;

        LayerNorm(double eps, int weightAt, int biasAt) {
            this.eps = eps;
            this.weightAt = weightAt;
            this.biasAt = biasAt;
        }

        @Override
        protected Tensor forward(Tensor... in) {
            Tensor x = in[0];
            Tensor weight = weightAt < 0 ? null : in[weightAt];
            Tensor bias = biasAt < 0 ? null : in[biasAt];
            // The per-row statistics feed the backward: computed only when some input gets a gradient.
            boolean stats = needsGrad(0) || needsGrad(weightAt) || needsGrad(biasAt);
            radapter.tensor.NN.LayerNormResult r = radapter.tensor.NN.layerNorm(x, new long[] {x.size(-1)}, weight, bias, eps, stats);
            if (stats) {
                saveForBackward(x, weight, r.mean().unsqueeze(-1), r.rstd().unsqueeze(-1));
            }
            return r.output();
        }

        @Override
        protected Tensor[] backward(Tensor g) {
            Tensor x = saved(0);
            Tensor weight = saved(1);
            Tensor mean = saved(2);
            Tensor rstd = saved(3);
            Tensor[] grads = new Tensor[inputCount()];
            Tensor xhat = x.sub(mean).mul(rstd);
            // Weight and bias gradients are returned at full shape; the engine sums the rows.
            if (needsGrad(weightAt)) {
                grads[weightAt] = g.mul(xhat);
            }
            if (needsGrad(biasAt)) {
                grads[biasAt] = g;
            }
            if (needsGrad(0)) {
                // With ĝ = g·w: dx = rstd · (ĝ − mean(ĝ) − x̂ · mean(ĝ ⊙ x̂)), means over the last dim.
                Tensor gh = weight == null ? g : g.mul(weight);
                int[] last = {-1};
                Tensor centred = gh.sub(gh.mean(last, true)).sub(xhat.mul(gh.mul(xhat).mean(last, true)));
                grads[0] = centred.mul(rstd);
            }
            return grads;
        }
    }

    // ---------------------------------------------------------------- lookups

    /**
     * Embedding lookup {@code weight[ids]}: result shape ids.shape + [dim]. Rows looked up more
     * than once accumulate their gradients.
     */
    public static Variable embedding(Variable weight, Tensor ids) {
        return new IndexSelect(0, true).apply(weight, Variable.constant(ids));
    }

    /** Rows of {@code x} along {@code dim} picked by a 1-D integer {@code index} ({@code torch.index_select}). */
    public static Variable indexSelect(Variable x, int dim, Tensor index) {
        return new IndexSelect(dim, false).apply(x, Variable.constant(index));
    }

    private static final class IndexSelect extends Function.Binary {
        private final int dim;
        private final boolean embedding;

        IndexSelect(int dim, boolean embedding) {
            this.dim = dim;
            this.embedding = embedding;
        }

        @Override
        public String name() {
            return embedding ? "Embedding" : "IndexSelect";
        }

        @Override
        protected Tensor forward(Tensor x, Tensor index) {
            if (embedding) {
                saveForBackward(index.reshape(-1));
                return radapter.tensor.NN.embedding(x, index);
            }
            saveForBackward(index);
            return radapter.tensor.NN.indexSelect(x, dim, index);
        }

        @Override
        protected Tensor[] backward(Tensor g) {
            // Each picked row's gradient is added back onto the row it was read from.
            Tensor index = saved(0);
            long[] shape = inputShape(0);
            int d = Shapes.dim(dim, shape.length);
            long[] picked = shape.clone();
            picked[d] = index.size(0);
            Tensor gx = radapter.tensor.NN.indexAdd(Tensor.zeros(g.dtype(), shape), d, index, g.reshape(picked));
            return new Tensor[] {gx, null};
        }
    }

    // ---------------------------------------------------------------- convolution

    /**
     * 2-D convolution like {@code F.conv2d(x, weight, bias, stride, padding, dilation)}, groups = 1:
     * x [N, C, H, W], weight [O, C, kh, kw], bias [O] or null; result [N, O, OH, OW].
     */
    public static Variable conv2d(Variable x, Variable weight, Variable bias, radapter.tensor.NN.Conv2dParams p) {
        Conv fn = new Conv(p, false);
        return bias == null ? fn.apply(x, weight) : fn.apply(x, weight, bias);
    }

    /**
     * The ViT patch embedding: a bias-free convolution with stride = kernel, returned as tokens
     * [N, OH·OW, O] in row-major patch order.
     */
    public static Variable patchEmbed(Variable x, Variable weight) {
        int k = Math.toIntExact(weight.size(2));
        return new Conv(radapter.tensor.NN.Conv2dParams.of(k, 0), true).apply(x, weight);
    }

    private static final class Conv extends Function {
        private final radapter.tensor.NN.Conv2dParams p;
        private final boolean tokens;
        private ConvGeometry geo;

        Conv(radapter.tensor.NN.Conv2dParams p, boolean tokens) {
            this.p = p;
            this.tokens = tokens;
        }

        @Override
        public String name() {
            return tokens ? "PatchEmbed" : "Conv2d";
        }

        @Override
        protected Tensor forward(Tensor... in) {
            Tensor x = in[0];
            Tensor weight = in[1];
            Tensor out = tokens ? radapter.tensor.NN.patchEmbed(x, weight)
                    : radapter.tensor.NN.conv2d(x, weight, in.length == 3 ? in[2] : null, p);
            long k = weight.size(2);
            geo = new ConvGeometry(p, x.shape(), weight.shape(), tokens ? x.size(2) / k : out.size(2), tokens ? x.size(3) / k : out.size(3));
            // Each operand's gradient needs only the other operand.
            saveForBackward(needsGrad(1) ? x : null, needsGrad(0) ? weight : null);
            return out;
        }

        @Override
        protected Tensor[] backward(Tensor g) {
            Tensor x = saved(0);
            Tensor weight = saved(1);
            long outC = geo.w()[0];
            // The output gradient as the [N·OH·OW, O] matrix the forward GEMM produced.
            Tensor g2 = tokens ? g.reshape(-1, outC) : g.permute(0, 2, 3, 1).reshape(-1, outC);
            Tensor[] grads = new Tensor[inputCount()];
            if (needsGrad(1)) {
                grads[1] = g2.mT().matmul(geo.columns(x, g2.dtype())).view(geo.w());
            }
            if (grads.length == 3 && needsGrad(2)) {
                grads[2] = g2.sum(new int[] {0}, false);
            }
            if (needsGrad(0)) {
                grads[0] = geo.col2im(g2.matmul(weight.reshape(outC, -1)));
            }
            return grads;
        }
    }

    /** Shapes of one convolution and the im2col / col2im views its backward needs. */
    private record ConvGeometry(radapter.tensor.NN.Conv2dParams p, long[] x, long[] w, long oh, long ow) {
        /** The [N, OH, OW, C, kh, kw] receptive fields of a padded [N, C, H', W'] tensor, as a view. */
        private Tensor windows(Tensor padded) {
            long[] st = padded.strides();
            return padded.asStrided(new long[] {x[0], oh, ow, x[1], w[2], w[3]},
                    new long[] {st[0], st[2] * p.strideH(), st[3] * p.strideW(), st[1], st[2] * p.dilationH(), st[3] * p.dilationW()},
                    padded.offset());
        }

        private long[] paddedShape() {
            return new long[] {x[0], x[1], x[2] + 2L * p.padH(), x[3] + 2L * p.padW()};
        }

        /** im2col of input {@code in}: its [N·OH·OW, C·kh·kw] patches in the compute type of {@code in} and {@code gradType}. */
        Tensor columns(Tensor in, DType gradType) {
            DType ct = gradType == DType.F64 || in.dtype() == DType.F64 ? DType.F64 : DType.F32;
            Tensor padded = in.to(ct);
            if (p.padH() > 0 || p.padW() > 0) {
                padded = Tensor.zeros(ct, paddedShape());
                padded.narrow(2, p.padH(), x[2]).narrow(3, p.padW(), x[3]).copy_(in);
            }
            return windows(padded).reshape(x[0] * oh * ow, -1);
        }

        /** Scatter-adds column gradients [N·OH·OW, C·kh·kw] back onto the input they were read from. */
        Tensor col2im(Tensor gcols) {
            long kh = w[2];
            long kw = w[3];
            Tensor gpadded = Tensor.zeros(gcols.dtype(), paddedShape());
            Tensor g6 = gcols.view(x[0], oh, ow, x[1], kh, kw);
            boolean disjoint = p.strideH() > p.dilationH() * (kh - 1) && p.strideW() > p.dilationW() * (kw - 1);
            if (disjoint) {
                // No input element is read by two windows (patch embedding): one plain copy.
                windows(gpadded).copy_(g6);
            } else {
                // Overlapping windows: go kernel tap by kernel tap. Within one tap the positions
                // read by different windows are distinct, so a read-add-write of that view is exact.
                long[] st = gpadded.strides();
                long[] tapShape = {x[0], x[1], oh, ow};
                long[] tapStrides = {st[0], st[1], st[2] * p.strideH(), st[3] * p.strideW()};
                for (long i = 0; i < kh; i++) {
                    for (long j = 0; j < kw; j++) {
                        long at = gpadded.offset() + i * p.dilationH() * st[2] + j * p.dilationW() * st[3];
                        Tensor tap = gpadded.asStrided(tapShape, tapStrides, at);
                        Tensor part = g6.select(5, j).select(4, i).permute(0, 3, 1, 2);
                        tap.copy_(tap.add(part));
                    }
                }
            }
            return gpadded.narrow(2, p.padH(), x[2]).narrow(3, p.padW(), x[3]);
        }
    }

    // ---------------------------------------------------------------- normalisation

    /**
     * {@code x / max(‖x‖₂, eps)} along {@code dim}, like {@code F.normalize(x, p=2, dim, eps)}
     * (the Euclidean norm only).
     */
    public static Variable normalize(Variable x, int dim, double eps) {
        return new Normalize(dim, eps).apply(x);
    }

    private static final class Normalize extends Function.Unary {
        private final int dim;
        private final double eps;

        Normalize(int dim, double eps) {
            this.dim = dim;
            this.eps = eps;
        }

        @Override
        protected Tensor forward(Tensor x) {
            Tensor norm = x.square().sum(new int[] {dim}, true).sqrt();
            Tensor denom = norm.maximum(eps);
            Tensor y = x.div(denom);
            // Where the norm is clamped to eps the denominator is a constant and y is linear in x.
            saveForBackward(y, denom, needsGrad(0) ? norm.ge(eps) : null);
            return y;
        }

        @Override
        protected Tensor[] backward(Tensor g) {
            Tensor y = saved(0);
            Tensor denom = saved(1);
            Tensor active = saved(2);
            // d(x/‖x‖) applied to g: (g − y⟨g, y⟩) / ‖x‖.
            Tensor dot = g.mul(y).sum(new int[] {dim}, true).mul(active);
            return new Tensor[] {g.sub(y.mul(dot)).div(denom)};
        }
    }

    // ---------------------------------------------------------------- stochastic regularisers

    /**
     * Dropout: each element is zeroed with probability {@code p} (drawn from {@code rng}) and the
     * survivors are scaled by 1/(1 − p). The identity (the same variable) when not training or
     * when p = 0.
     */
    public static Variable dropout(Variable x, double p, Rng rng, boolean training) {
        return dropPath(x, p, rng, training, x.shape(), true);
    }

    /**
     * Stochastic depth (timm's {@code drop_path}) with an explicit mask shape: a 0/1 mask of shape
     * {@code maskShape}, broadcastable to x (e.g. [N, 1, 1] per sample, [L, 1, 1] per token), keeps
     * each entry with probability 1 − p and is scaled by 1/(1 − p) when {@code scaleByKeep}. The
     * identity (the same variable) when not training or when p = 0.
     */
    public static Variable dropPath(Variable x, double p, Rng rng, boolean training, long[] maskShape, boolean scaleByKeep) {
        if (!(p >= 0 && p <= 1)) {
            throw new IllegalArgumentException("drop probability must be in [0, 1], got " + p);
        }
        if (!Arrays.equals(Shapes.broadcast(maskShape, x.shape()), x.shape())) {
            throw new IllegalArgumentException("mask shape " + Shapes.str(maskShape) + " does not broadcast to the input's shape "
                    + Shapes.str(x.shape()));
        }
        if (!training || p == 0) {
            return x;
        }
        Tensor mask = dropMask(maskShape, p, rng, x.data().dtype() == DType.F64 ? DType.F64 : DType.F32, scaleByKeep);
        return new MaskMul().apply(x, Variable.constant(mask));
    }

    /**
     * The keep mask {@link #dropPath} multiplies by: 1 with probability 1−p (scaled to 1/(1−p)
     * when {@code scaleByKeep}), else 0, drawn from {@code rng} in {@code shape}. Exposed so a
     * fused op can apply the very same draws.
     */
    public static Tensor dropMask(long[] shape, double p, Rng rng, DType dtype, boolean scaleByKeep) {
        double keep = 1 - p;
        Tensor mask = Tensor.rand(rng, shape).lt(keep).to(dtype);
        // With keep = 0 nothing survives and there is nothing to rescale (timm does the same).
        if (scaleByKeep && keep > 0) {
            mask = mask.div(keep);
        }
        return mask;
    }

    /** {@code x ⊙ mask} for a constant mask. */
    private static final class MaskMul extends Function.Binary {
        @Override
        protected Tensor forward(Tensor x, Tensor mask) {
            saveForBackward(mask);
            return x.mul(mask);
        }

        @Override
        protected Tensor[] backward(Tensor g) {
            Tensor mask = saved(0);
            return new Tensor[] {g.mul(mask), null};
        }
    }

    // ---------------------------------------------------------------- R-Adapter

    /**
     * R-Adapter's residual update as one differentiable op: {@code x + s · mask ⊙ (x · Wᵀ)} over
     * the rows of x [..., D], with W [D, D] bias-free in [out, in] orientation, s one element and
     * {@code rowMask} (a constant, or null) one keep-scale per row of x flattened to [rows, D].
     * Runs as one matmul with a fused epilogue ({@link radapter.tensor.NN#adapter}); nothing but
     * x, W, s and the mask is saved, and
     * the scale's gradient is taken as ⟨W, (mask ⊙ g)ᵀ·x⟩ so x·Wᵀ is never kept.
     */
    public static Variable adapter(Variable x, Variable weight, Variable scale, Tensor rowMask) {
        Adapter fn = new Adapter();
        return rowMask == null ? fn.apply(x, weight, scale) : fn.apply(x, weight, scale, Variable.constant(rowMask));
    }

    private static final class Adapter extends Function {
        @Override
        protected Tensor forward(Tensor... in) {
            Tensor x2 = in[0].reshape(-1, in[0].size(-1));
            Tensor weight = in[1];
            Tensor scale = in[2];
            Tensor mask = in.length == 4 ? in[3] : null;
            saveForBackward(x2, weight, scale, mask);
            return radapter.tensor.NN.adapter(x2, weight, scale, mask).view(in[0].shape());
        }

        @Override
        protected Tensor[] backward(Tensor g) {
            Tensor x2 = saved(0);
            Tensor weight = saved(1);
            Tensor[] xws = radapter.tensor.NN.adapterBackward(x2, weight, saved(2), saved(3), g.reshape(-1, weight.size(0)),
                    needsGrad(0), needsGrad(1), needsGrad(2));
            Tensor[] grads = Arrays.copyOf(xws, inputCount());
            if (grads[0] != null) {
                grads[0] = grads[0].view(inputShape(0));
            }
            return grads;
        }
    }
}
