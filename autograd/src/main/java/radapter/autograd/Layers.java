package radapter.autograd;

import java.util.Arrays;
import radapter.tensor.DType;
import radapter.tensor.NN;
import radapter.tensor.Rng;
import radapter.tensor.Shapes;
import radapter.tensor.Tensor;

/**
 * Differentiable layer functions: softmax, layer norm, embedding lookup, convolution (general and
 * the ViT patch embedding), L2 normalisation, dropout and stochastic depth. Fused ops keep the few
 * statistics their backward needs instead of a graph of primitives.
 */
public final class Layers {
    private Layers() {
    }

    // ---------------------------------------------------------------- softmax

    /** Softmax along {@code dim}. */
    public static Variable softmax(Variable x, int dim) {
        Tensor y = NN.softmax(x.data(), dim);
        Softmax fn = new Softmax();
        if (Function.recording(x)) {
            fn.y = y;
            fn.dim = dim;
        }
        return Function.record(fn, y, x);
    }

    private static final class Softmax extends Function {
        Tensor y;
        int dim;

        @Override
        protected Tensor[] backward(Tensor g) {
            if (y.dim() == 0) {
                return new Tensor[] {g.mul(0.0)};
            }
            // Jacobian-vector product of softmax: y ⊙ (g − ⟨g, y⟩) along dim.
            Tensor dot = g.mul(y).sum(new int[] {dim}, true);
            return new Tensor[] {y.mul(g.sub(dot))};
        }

        @Override
        protected void release() {
            y = null;
        }
    }

    /** {@code log(softmax(x))} along {@code dim}, without forming the softmax's logarithm. */
    public static Variable logSoftmax(Variable x, int dim) {
        Tensor y = NN.logSoftmax(x.data(), dim);
        LogSoftmax fn = new LogSoftmax();
        if (Function.recording(x)) {
            fn.y = y;
            fn.dim = dim;
        }
        return Function.record(fn, y, x);
    }

    private static final class LogSoftmax extends Function {
        Tensor y;
        int dim;

        @Override
        protected Tensor[] backward(Tensor g) {
            if (y.dim() == 0) {
                return new Tensor[] {g.mul(0.0)};
            }
            Tensor total = g.sum(new int[] {dim}, true);
            return new Tensor[] {g.sub(y.exp().mul(total))};
        }

        @Override
        protected void release() {
            y = null;
        }
    }

    // ---------------------------------------------------------------- layer norm

    /**
     * Layer norm over the last dimension, {@code F.layer_norm(x, [x.size(-1)], weight, bias, eps)};
     * {@code weight} and {@code bias} have shape [last] or are null.
     */
    public static Variable layerNorm(Variable x, Variable weight, Variable bias, double eps) {
        int n = 1 + (weight != null ? 1 : 0) + (bias != null ? 1 : 0);
        Variable[] inputs = new Variable[n];
        inputs[0] = x;
        int k = 1;
        LayerNorm fn = new LayerNorm();
        if (weight != null) {
            fn.weightAt = k;
            inputs[k++] = weight;
        }
        if (bias != null) {
            fn.biasAt = k;
            inputs[k] = bias;
        }
        boolean rec = Function.recording(inputs);
        NN.LayerNormResult r = NN.layerNorm(x.data(), new long[] {x.size(-1)}, weight == null ? null : weight.data(),
                bias == null ? null : bias.data(), eps, rec);
        if (rec) {
            fn.x = x.data();
            fn.weight = weight == null ? null : weight.data();
            fn.mean = r.mean().unsqueeze(-1);
            fn.rstd = r.rstd().unsqueeze(-1);
        }
        return Function.record(fn, r.output(), inputs);
    }

    private static final class LayerNorm extends Function {
        int weightAt = -1;
        int biasAt = -1;
        Tensor x;
        Tensor weight;
        Tensor mean;
        Tensor rstd;

        @Override
        protected Tensor[] backward(Tensor g) {
            Tensor[] grads = new Tensor[inputs.length];
            Tensor xhat = x.sub(mean).mul(rstd);
            // Weight and bias gradients are returned at full shape; the engine sums the rows.
            if (weightAt >= 0 && needsGrad(weightAt)) {
                grads[weightAt] = g.mul(xhat);
            }
            if (biasAt >= 0 && needsGrad(biasAt)) {
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

        @Override
        protected void release() {
            x = null;
            weight = null;
            mean = null;
            rstd = null;
        }
    }

    // ---------------------------------------------------------------- lookups

    /**
     * Embedding lookup {@code weight[ids]}: result shape ids.shape + [dim]. Rows looked up more
     * than once accumulate their gradients.
     */
    public static Variable embedding(Variable weight, Tensor ids) {
        Tensor out = NN.embedding(weight.data(), ids);
        IndexSelect fn = new IndexSelect();
        if (Function.recording(weight)) {
            fn.shape = weight.shape();
            fn.dim = 0;
            fn.index = ids.reshape(-1);
        }
        return Function.record(fn, out, weight);
    }

    /** Rows of {@code x} along {@code dim} picked by a 1-D integer {@code index} ({@code torch.index_select}). */
    public static Variable indexSelect(Variable x, int dim, Tensor index) {
        Tensor out = NN.indexSelect(x.data(), dim, index);
        IndexSelect fn = new IndexSelect();
        if (Function.recording(x)) {
            fn.shape = x.shape();
            fn.dim = Shapes.dim(dim, x.dim());
            fn.index = index;
        }
        return Function.record(fn, out, x);
    }

    private static final class IndexSelect extends Function {
        long[] shape;
        int dim;
        Tensor index;

        @Override
        protected Tensor[] backward(Tensor g) {
            long[] picked = shape.clone();
            picked[dim] = index.size(0);
            Tensor src = g.reshape(picked);
            return new Tensor[] {NN.indexAdd(Tensor.zeros(g.dtype(), shape), dim, index, src)};
        }

        @Override
        protected void release() {
            index = null;
        }
    }

    // ---------------------------------------------------------------- convolution

    /**
     * 2-D convolution like {@code F.conv2d(x, weight, bias, stride, padding, dilation)}, groups = 1:
     * x [N, C, H, W], weight [O, C, kh, kw], bias [O] or null; result [N, O, OH, OW].
     */
    public static Variable conv2d(Variable x, Variable weight, Variable bias, NN.Conv2dParams p) {
        Variable[] inputs = bias == null ? new Variable[] {x, weight} : new Variable[] {x, weight, bias};
        Conv fn = new Conv(p, false);
        Tensor out = NN.conv2d(x.data(), weight.data(), bias == null ? null : bias.data(), p);
        if (Function.recording(inputs)) {
            fn.save(x, weight, out.size(2), out.size(3));
        }
        return Function.record(fn, out, inputs);
    }

    /**
     * The ViT patch embedding: a bias-free convolution with stride = kernel, returned as tokens
     * [N, OH·OW, O] in row-major patch order.
     */
    public static Variable patchEmbed(Variable x, Variable weight) {
        int k = Math.toIntExact(weight.size(2));
        Conv fn = new Conv(NN.Conv2dParams.of(k, 0), true);
        Tensor out = NN.patchEmbed(x.data(), weight.data());
        if (Function.recording(x, weight)) {
            fn.save(x, weight, x.size(2) / k, x.size(3) / k);
        }
        return Function.record(fn, out, x, weight);
    }

    private static final class Conv extends Function {
        final NN.Conv2dParams p;
        final boolean tokens;
        long[] xShape;
        long[] wShape;
        long oh;
        long ow;
        Tensor x;
        Tensor weight;

        Conv(NN.Conv2dParams p, boolean tokens) {
            this.p = p;
            this.tokens = tokens;
        }

        @Override
        public String name() {
            return tokens ? "PatchEmbed" : "Conv2d";
        }

        void save(Variable xv, Variable wv, long outH, long outW) {
            xShape = xv.shape();
            wShape = wv.shape();
            oh = outH;
            ow = outW;
            x = wv.requiresGrad() ? xv.data() : null;
            weight = xv.requiresGrad() ? wv.data() : null;
        }

        /** The [N, OH, OW, C, kh, kw] receptive fields of a padded [N, C, H', W'] tensor, as a view. */
        private Tensor windows(Tensor padded) {
            long[] st = padded.strides();
            return padded.asStrided(new long[] {xShape[0], oh, ow, xShape[1], wShape[2], wShape[3]},
                    new long[] {st[0], st[2] * p.strideH(), st[3] * p.strideW(), st[1], st[2] * p.dilationH(), st[3] * p.dilationW()},
                    padded.offset());
        }

        private long[] paddedShape() {
            return new long[] {xShape[0], xShape[1], xShape[2] + 2L * p.padH(), xShape[3] + 2L * p.padW()};
        }

        @Override
        protected Tensor[] backward(Tensor g) {
            long outC = wShape[0];
            // Output gradient as the [N·OH·OW, O] matrix the forward GEMM produced.
            Tensor g2 = tokens ? g.reshape(-1, outC) : g.permute(0, 2, 3, 1).reshape(-1, outC);
            Tensor[] grads = new Tensor[inputs.length];
            if (needsGrad(1) && x != null) {
                DType ct = g2.dtype() == DType.F64 || x.dtype() == DType.F64 ? DType.F64 : DType.F32;
                Tensor padded = x.to(ct);
                if (p.padH() > 0 || p.padW() > 0) {
                    padded = Tensor.zeros(ct, paddedShape());
                    padded.narrow(2, p.padH(), xShape[2]).narrow(3, p.padW(), xShape[3]).copy_(x);
                }
                Tensor cols = windows(padded).reshape(xShape[0] * oh * ow, -1);
                grads[1] = g2.mT().matmul(cols).view(wShape);
            }
            if (grads.length == 3 && needsGrad(2)) {
                grads[2] = g2.sum(new int[] {0}, false);
            }
            if (needsGrad(0) && weight != null) {
                grads[0] = col2im(g2.matmul(weight.reshape(outC, -1)));
            }
            return grads;
        }

        /** Scatter-adds column gradients [N·OH·OW, C·kh·kw] back onto the input they were read from. */
        private Tensor col2im(Tensor gcols) {
            long kh = wShape[2];
            long kw = wShape[3];
            Tensor gpadded = Tensor.zeros(gcols.dtype(), paddedShape());
            Tensor g6 = gcols.view(xShape[0], oh, ow, xShape[1], kh, kw);
            boolean disjoint = p.strideH() > p.dilationH() * (kh - 1) && p.strideW() > p.dilationW() * (kw - 1);
            if (disjoint) {
                // No input element is read by two windows (patch embedding): one plain copy.
                windows(gpadded).copy_(g6);
            } else {
                // Overlapping windows: go kernel tap by kernel tap. Within one tap the positions
                // read by different windows are distinct, so a read-add-write of that view is exact.
                long[] st = gpadded.strides();
                long[] tapShape = {xShape[0], xShape[1], oh, ow};
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
            return gpadded.narrow(2, p.padH(), xShape[2]).narrow(3, p.padW(), xShape[3]);
        }

        @Override
        protected void release() {
            x = null;
            weight = null;
        }
    }

    // ---------------------------------------------------------------- normalisation

    /** {@code x / max(‖x‖₂, eps)} along {@code dim}, like {@code F.normalize(x, p=2, dim, eps)}. */
    public static Variable l2Normalize(Variable x, int dim, double eps) {
        int[] d = {dim};
        Tensor norm = x.data().square().sum(d, true).sqrt();
        Tensor denom = norm.maximum(eps);
        Tensor y = x.data().div(denom);
        L2Normalize fn = new L2Normalize();
        if (Function.recording(x)) {
            fn.dim = dim;
            fn.y = y;
            fn.denom = denom;
            // Where the norm is clamped to eps the denominator is a constant and y is linear in x.
            fn.active = norm.ge(eps);
        }
        return Function.record(fn, y, x);
    }

    private static final class L2Normalize extends Function {
        int dim;
        Tensor y;
        Tensor denom;
        Tensor active;

        @Override
        protected Tensor[] backward(Tensor g) {
            // d(x/‖x‖) applied to g: (g − y⟨g, y⟩) / ‖x‖.
            Tensor dot = g.mul(y).sum(new int[] {dim}, true).mul(active);
            return new Tensor[] {g.sub(y.mul(dot)).div(denom)};
        }

        @Override
        protected void release() {
            y = null;
            denom = null;
            active = null;
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
        MaskMul fn = new MaskMul();
        if (Function.recording(x)) {
            fn.mask = mask;
        }
        return Function.record(fn, x.data().mul(mask), x);
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

    private static final class MaskMul extends Function {
        Tensor mask;

        @Override
        protected Tensor[] backward(Tensor g) {
            return new Tensor[] {g.mul(mask)};
        }

        @Override
        protected void release() {
            mask = null;
        }
    }

    /**
     * R-Adapter's residual update as one differentiable op: {@code x + s · mask ⊙ (x · Wᵀ)} over
     * the rows of x [..., D], with W [D, D] bias-free in [out, in] orientation, s one element and
     * {@code rowMask} (a constant, or null) one keep-scale per row of x flattened to [rows, D].
     * Runs as the backend's fused adapter kernel; nothing but x, W, s and the mask is saved, and
     * the scale's gradient is taken as ⟨W, (mask ⊙ g)ᵀ·x⟩ so x·Wᵀ is never kept.
     */
    public static Variable adapter(Variable x, Variable weight, Variable scale, Tensor rowMask) {
        long d = x.size(-1);
        Tensor x2 = x.data().reshape(-1, d);
        Adapter fn = new Adapter();
        if (Function.recording(x, weight, scale)) {
            fn.x = x2;
            fn.weight = weight.data();
            fn.scale = scale.data();
            fn.mask = rowMask;
            fn.shape = x.shape();
        }
        Tensor out = NN.adapter(x2, weight.data(), scale.data(), rowMask).view(x.shape());
        return Function.record(fn, out, x, weight, scale);
    }

    private static final class Adapter extends Function {
        Tensor x;
        Tensor weight;
        Tensor scale;
        Tensor mask;
        long[] shape;

        @Override
        protected Tensor[] backward(Tensor g) {
            Tensor[] grads = NN.adapterBackward(x, weight, scale, mask, g.reshape(-1, weight.size(0)),
                    needsGrad(0), needsGrad(1), needsGrad(2));
            if (grads[0] != null) {
                grads[0] = grads[0].view(shape);
            }
            return grads;
        }

        @Override
        protected void release() {
            x = null;
            weight = null;
            scale = null;
            mask = null;
        }
    }
}
