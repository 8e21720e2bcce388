package radapter.autograd;

import java.util.Arrays;
import radapter.tensor.DType;
import radapter.tensor.Shapes;
import radapter.tensor.Tensor;

/**
 * Differentiable reductions, the autograd side of {@link radapter.tensor.Reductions}. As there,
 * an empty {@code dims} array means every dimension. Backward passes broadcast the
 * (kept-dimension) output gradient back over the reduced dimensions as stride-0 views wherever
 * the derivative is uniform.
 */
public final class Reductions {
    private Reductions() {
    }

    /** Sum of all elements (0-d). */
    public static Variable sum(Variable x) {
        return new Sum(null, false).apply(x);
    }

    /** Sum over {@code dims}, keeping them as size 1 when {@code keepdim}. */
    public static Variable sum(Variable x, int[] dims, boolean keepdim) {
        return new Sum(dims, keepdim).apply(x);
    }

    private static final class Sum extends Function.Unary {
        private final int[] dims;
        private final boolean keepdim;

        /** {@code dims} null: every element, into a 0-d result. */
        Sum(int[] dims, boolean keepdim) {
            this.dims = dims;
            this.keepdim = keepdim;
        }

        @Override
        protected Tensor forward(Tensor x) {
            return dims == null ? x.sum() : x.sum(dims, keepdim);
        }

        @Override
        protected Tensor[] backward(Tensor g) {
            // Every input element contributed once: the gradient is g broadcast (a stride-0 view).
            long[] shape = inputShape(0);
            return new Tensor[] {g.reshape(keptShape(shape, dims == null ? new int[0] : dims)).expand(shape)};
        }
    }

    /** Mean of all elements (0-d). */
    public static Variable mean(Variable x) {
        return mean(x, new int[0], false);
    }

    /** Mean over {@code dims}. */
    public static Variable mean(Variable x, int[] dims, boolean keepdim) {
        return new Mean(dims, keepdim).apply(x);
    }

    private static final class Mean extends Function.Unary {
        private final int[] dims;
        private final boolean keepdim;

        Mean(int[] dims, boolean keepdim) {
            this.dims = dims;
            this.keepdim = keepdim;
        }

        @Override
        protected Tensor forward(Tensor x) {
            return x.mean(dims, keepdim);
        }

        @Override
        protected Tensor[] backward(Tensor g) {
            long[] shape = inputShape(0);
            long[] kept = keptShape(shape, dims);
            long count = Shapes.numel(shape) / Math.max(1, Shapes.numel(kept));
            return new Tensor[] {g.div((double) count).reshape(kept).expand(shape)};
        }
    }

    /**
     * Largest element along {@code dim}. The whole gradient goes to the element
     * {@code argmax} picks (the first on ties), as with PyTorch's {@code max(dim)}.
     */
    public static Variable max(Variable x, int dim, boolean keepdim) {
        return new Extremum(Shapes.dim(dim, x.dim()), keepdim, true).apply(x);
    }

    /** Smallest element along {@code dim}; the gradient goes to the {@code argmin} element. */
    public static Variable min(Variable x, int dim, boolean keepdim) {
        return new Extremum(Shapes.dim(dim, x.dim()), keepdim, false).apply(x);
    }

    /** Largest element of all (0-d); the gradient goes to the first maximal element in row-major order. */
    public static Variable max(Variable x) {
        return max(Views.reshape(x, -1), 0, false);
    }

    /** Smallest element of all (0-d). */
    public static Variable min(Variable x) {
        return min(Views.reshape(x, -1), 0, false);
    }

    private static final class Extremum extends Function.Unary {
        private final int dim;
        private final boolean keepdim;
        private final boolean max;

        Extremum(int dim, boolean keepdim, boolean max) {
            this.dim = dim;
            this.keepdim = keepdim;
            this.max = max;
        }

        @Override
        public String name() {
            return max ? "MaxDim" : "MinDim";
        }

        @Override
        protected Tensor forward(Tensor x) {
            int[] d = {dim};
            Tensor y = max ? x.max(d, keepdim) : x.min(d, keepdim);
            if (needsGrad(0)) {
                saveForBackward(max ? x.argmax(dim, true) : x.argmin(dim, true));
            }
            return y;
        }

        @Override
        protected Tensor[] backward(Tensor g) {
            Tensor index = saved(0);
            long[] shape = inputShape(0);
            // One-hot of the arg index along dim, by comparing a broadcast position ramp with it.
            DType ct = g.dtype() == DType.F64 ? DType.F64 : DType.F32;
            long[] rampShape = onesLike(shape.length);
            rampShape[dim] = shape[dim];
            Tensor ramp = Tensor.arange(ct, 0, shape[dim], 1).view(rampShape);
            Tensor hit = ramp.eq(index.to(ct));
            return new Tensor[] {hit.mul(g.reshape(keptShape(shape, new int[] {dim})))};
        }
    }

    /**
     * Variance over {@code dims} with {@code correction} (1 = Bessel, PyTorch's default; 0 = biased).
     */
    public static Variable var(Variable x, int[] dims, int correction, boolean keepdim) {
        return new Var(dims.clone(), correction, keepdim).apply(x);
    }

    private static final class Var extends Function.Unary {
        private final int[] dims;
        private final int correction;
        private final boolean keepdim;

        Var(int[] dims, int correction, boolean keepdim) {
            this.dims = dims;
            this.correction = correction;
            this.keepdim = keepdim;
        }

        @Override
        protected Tensor forward(Tensor x) {
            saveForBackward(x);
            return radapter.tensor.Reductions.var(x, dims, correction, keepdim);
        }

        @Override
        protected Tensor[] backward(Tensor g) {
            Tensor x = saved(0);
            long[] kept = keptShape(x.shape(), dims);
            long divisor = Math.max(x.numel() / Math.max(1, Shapes.numel(kept)) - correction, 0);
            // d/dx Σ(x − μ)²/D = 2(x − μ)/D; the μ term cancels because Σ(x − μ) = 0.
            Tensor centred = x.sub(x.mean(dims, true));
            return new Tensor[] {centred.mul(g.reshape(kept)).mul(2.0 / divisor)};
        }
    }

    /** {@code log Σ exp(x)} along {@code dim}, computed around the maximum so it cannot overflow. */
    public static Variable logsumexp(Variable x, int dim, boolean keepdim) {
        return new LogSumExp(Shapes.dim(dim, x.dim()), keepdim).apply(x);
    }

    private static final class LogSumExp extends Function.Unary {
        private final int dim;
        private final boolean keepdim;

        LogSumExp(int dim, boolean keepdim) {
            this.dim = dim;
            this.keepdim = keepdim;
        }

        @Override
        protected Tensor forward(Tensor x) {
            int[] d = {dim};
            Tensor m = x.max(d, true);
            // An all −inf (or +inf) row would give inf − inf = NaN; shifting by 0 there yields −inf (+inf).
            Tensor shift = radapter.tensor.Pointwise.where(m.abs().eq(Double.POSITIVE_INFINITY), Tensor.full(m.dtype(), 0.0), m);
            Tensor y = x.sub(shift).exp().sum(d, true).log().add(shift);
            saveForBackward(x, y);
            return keepdim ? y : y.squeeze(dim);
        }

        @Override
        protected Tensor[] backward(Tensor g) {
            Tensor x = saved(0);
            Tensor y = saved(1);
            // The derivative is softmax(x) = exp(x − lse) along dim.
            return new Tensor[] {x.sub(y).exp().mul(g.reshape(y.shape()))};
        }
    }

    /** {@code shape} with the reduced {@code dims} set to 1 (every dimension when dims is empty). */
    static long[] keptShape(long[] shape, int[] dims) {
        long[] kept = shape.clone();
        if (dims.length == 0) {
            Arrays.fill(kept, 1);
        }
        for (int d : dims) {
            kept[Shapes.dim(d, shape.length)] = 1;
        }
        return kept;
    }

    static long[] onesLike(int rank) {
        long[] s = new long[rank];
        Arrays.fill(s, 1);
        return s;
    }
}
