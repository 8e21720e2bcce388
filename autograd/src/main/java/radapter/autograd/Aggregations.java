package radapter.autograd;

import radapter.tensor.DType;
import radapter.tensor.Pointwise;
import radapter.tensor.Reductions;
import radapter.tensor.Shapes;
import radapter.tensor.Tensor;

/**
 * Differentiable reductions. As in the tensor front-end, an empty {@code dims} array means every
 * dimension. Backward passes broadcast the (kept-dimension) output gradient back over the reduced
 * dimensions as stride-0 views wherever the derivative is uniform.
 */
public final class Aggregations {
    private Aggregations() {
    }

    /** Sum of all elements (0-d). */
    public static Variable sum(Variable x) {
        Sum fn = new Sum();
        fn.shape = x.shape();
        fn.kept = onesLike(x.dim());
        return Function.record(fn, x.data().sum(), x);
    }

    /** Sum over {@code dims}, keeping them as size 1 when {@code keepdim}. */
    public static Variable sum(Variable x, int[] dims, boolean keepdim) {
        Sum fn = new Sum();
        fn.shape = x.shape();
        fn.kept = keptShape(fn.shape, dims);
        return Function.record(fn, x.data().sum(dims, keepdim), x);
    }

    private static final class Sum extends Function {
        long[] shape;
        long[] kept;

        @Override
        protected Tensor[] backward(Tensor g) {
            // Every input element contributed once: the gradient is g broadcast (a stride-0 view).
            return new Tensor[] {g.reshape(kept).expand(shape)};
        }
    }

    /** Mean of all elements (0-d). */
    public static Variable mean(Variable x) {
        return mean(x, new int[0], false);
    }

    /** Mean over {@code dims}. */
    public static Variable mean(Variable x, int[] dims, boolean keepdim) {
        Mean fn = new Mean();
        fn.shape = x.shape();
        fn.kept = keptShape(fn.shape, dims);
        fn.count = Shapes.numel(fn.shape) / Math.max(1, Shapes.numel(fn.kept));
        return Function.record(fn, x.data().mean(dims, keepdim), x);
    }

    private static final class Mean extends Function {
        long[] shape;
        long[] kept;
        long count;

        @Override
        protected Tensor[] backward(Tensor g) {
            return new Tensor[] {g.div((double) count).reshape(kept).expand(shape)};
        }
    }

    /**
     * Largest element along {@code dim}. The whole gradient goes to the element
     * {@code argmax} picks (the first on ties), as with PyTorch's {@code max(dim)}.
     */
    public static Variable max(Variable x, int dim, boolean keepdim) {
        return extremum(x, dim, keepdim, true);
    }

    /** Smallest element along {@code dim}; the gradient goes to the {@code argmin} element. */
    public static Variable min(Variable x, int dim, boolean keepdim) {
        return extremum(x, dim, keepdim, false);
    }

    /** Largest element of all (0-d); the gradient goes to the first maximal element in row-major order. */
    public static Variable max(Variable x) {
        return max(Views.reshape(x, -1), 0, false);
    }

    /** Smallest element of all (0-d). */
    public static Variable min(Variable x) {
        return min(Views.reshape(x, -1), 0, false);
    }

    private static Variable extremum(Variable x, int dim, boolean keepdim, boolean max) {
        int d = Shapes.dim(dim, x.dim());
        Extremum fn = new Extremum();
        fn.max = max;
        fn.dim = d;
        fn.shape = x.shape();
        fn.kept = keptShape(fn.shape, new int[] {d});
        Tensor out = max ? x.data().max(new int[] {d}, keepdim) : x.data().min(new int[] {d}, keepdim);
        if (Function.recording(x)) {
            fn.index = max ? x.data().argmax(d, true) : x.data().argmin(d, true);
        }
        return Function.record(fn, out, x);
    }

    private static final class Extremum extends Function {
        boolean max;
        int dim;
        long[] shape;
        long[] kept;
        Tensor index;

        @Override
        public String name() {
            return max ? "MaxDim" : "MinDim";
        }

        @Override
        protected Tensor[] backward(Tensor g) {
            // One-hot of the arg index along dim, by comparing a broadcast position ramp with it.
            DType ct = g.dtype() == DType.F64 ? DType.F64 : DType.F32;
            long[] rampShape = onesLike(shape.length);
            rampShape[dim] = shape[dim];
            Tensor ramp = Tensor.arange(ct, 0, shape[dim], 1).view(rampShape);
            Tensor hit = ramp.eq(index.to(ct));
            return new Tensor[] {hit.mul(g.reshape(kept))};
        }

        @Override
        protected void release() {
            index = null;
        }
    }

    /**
     * Variance over {@code dims} with {@code correction} (1 = Bessel, PyTorch's default; 0 = biased).
     */
    public static Variable var(Variable x, int[] dims, int correction, boolean keepdim) {
        Var fn = new Var();
        fn.dims = dims.clone();
        fn.kept = keptShape(x.shape(), dims);
        long n = x.data().numel() / Math.max(1, Shapes.numel(fn.kept));
        fn.divisor = Math.max(n - correction, 0);
        if (Function.recording(x)) {
            fn.x = x.data();
        }
        return Function.record(fn, Reductions.var(x.data(), dims, correction, keepdim), x);
    }

    private static final class Var extends Function {
        int[] dims;
        long[] kept;
        long divisor;
        Tensor x;

        @Override
        protected Tensor[] backward(Tensor g) {
            // d/dx Σ(x − μ)²/D = 2(x − μ)/D; the μ term cancels because Σ(x − μ) = 0.
            Tensor centred = x.sub(x.mean(dims, true));
            return new Tensor[] {centred.mul(g.reshape(kept)).mul(2.0 / divisor)};
        }

        @Override
        protected void release() {
            x = null;
        }
    }

    /** {@code log Σ exp(x)} along {@code dim}, computed around the maximum so it cannot overflow. */
    public static Variable logsumexp(Variable x, int dim, boolean keepdim) {
        int d = Shapes.dim(dim, x.dim());
        Tensor xd = x.data();
        Tensor m = xd.max(new int[] {d}, true);
        // An all −inf (or +inf) row would give inf − inf = NaN; shifting by 0 there yields −inf (+inf).
        Tensor shift = Pointwise.where(m.abs().eq(Double.POSITIVE_INFINITY), Tensor.full(m.dtype(), 0.0), m);
        Tensor out = xd.sub(shift).exp().sum(new int[] {d}, true).log().add(shift);
        LogSumExp fn = new LogSumExp();
        if (Function.recording(x)) {
            fn.x = xd;
            fn.out = out;
        }
        return Function.record(fn, keepdim ? out : out.squeeze(d), x);
    }

    private static final class LogSumExp extends Function {
        Tensor x;
        Tensor out;

        @Override
        protected Tensor[] backward(Tensor g) {
            // The derivative is softmax(x) = exp(x − lse) along dim.
            return new Tensor[] {x.sub(out).exp().mul(g.reshape(out.shape()))};
        }

        @Override
        protected void release() {
            x = null;
            out = null;
        }
    }

    /** {@code shape} with the reduced {@code dims} set to 1 (every dimension when dims is empty). */
    static long[] keptShape(long[] shape, int[] dims) {
        long[] kept = shape.clone();
        if (dims.length == 0) {
            java.util.Arrays.fill(kept, 1);
        }
        for (int d : dims) {
            kept[Shapes.dim(d, shape.length)] = 1;
        }
        return kept;
    }

    static long[] onesLike(int rank) {
        long[] s = new long[rank];
        java.util.Arrays.fill(s, 1);
        return s;
    }
}
