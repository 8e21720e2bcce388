package radapter.tensor;

import java.util.Arrays;

/** Reduction front-ends: sum, mean, max, min, var, argmax, argmin over any set of dimensions. */
public final class Reductions {
    private Reductions() {
    }

    private static boolean[] flags(int[] dims, int rank) {
        boolean[] f = new boolean[rank];
        if (dims.length == 0) {
            Arrays.fill(f, true);
        }
        for (int d : dims) {
            int k = Shapes.dim(d, rank);
            if (f[k] && dims.length > 0) {
                throw new IllegalArgumentException("dimension " + d + " appears twice in " + Arrays.toString(dims));
            }
            f[k] = true;
        }
        return f;
    }

    private static long[] keptShape(long[] shape, boolean[] f, boolean keepdim) {
        int n = 0;
        for (boolean b : f) {
            if (!b) {
                n++;
            }
        }
        long[] out = new long[keepdim ? shape.length : n];
        for (int i = 0, j = 0; i < shape.length; i++) {
            if (keepdim) {
                out[i] = f[i] ? 1 : shape[i];
            } else if (!f[i]) {
                out[j++] = shape[i];
            }
        }
        return out;
    }

    /** Reduces over {@code dims} (all dimensions when empty). */
    public static Tensor reduce(ReduceOp op, Tensor x, int[] dims, boolean keepdim) {
        DType ct = Pointwise.computeType(x);
        Tensor in = x.to(ct);
        boolean[] f = flags(dims, x.dim());
        if (op != ReduceOp.SUM) {
            for (int i = 0; i < f.length; i++) {
                if (f[i] && x.size(i) == 0) {
                    throw new IllegalArgumentException(op.name().toLowerCase() + " of an empty dimension " + i + " in shape "
                            + Shapes.str(x.shape()) + " has no identity");
                }
            }
        }
        Backend be = Backends.forOp(ct, in);
        Tensor out = Tensor.empty(be.device(), ct, keptShape(x.shape(), f, true));
        be.reduce(op, in, f, out);
        return keepdim ? out : out.view(keptShape(x.shape(), f, false));
    }

    public static Tensor sum(Tensor x) {
        return reduce(ReduceOp.SUM, x, new int[0], false);
    }

    public static Tensor sum(Tensor x, int[] dims, boolean keepdim) {
        return reduce(ReduceOp.SUM, x, dims, keepdim);
    }

    public static Tensor max(Tensor x) {
        return reduce(ReduceOp.MAX, x, new int[0], false);
    }

    public static Tensor max(Tensor x, int[] dims, boolean keepdim) {
        return reduce(ReduceOp.MAX, x, dims, keepdim);
    }

    public static Tensor min(Tensor x) {
        return reduce(ReduceOp.MIN, x, new int[0], false);
    }

    public static Tensor min(Tensor x, int[] dims, boolean keepdim) {
        return reduce(ReduceOp.MIN, x, dims, keepdim);
    }

    /** Number of elements folded into each output by a reduction over {@code dims}. */
    static long count(Tensor x, int[] dims) {
        boolean[] f = flags(dims, x.dim());
        long n = 1;
        for (int i = 0; i < f.length; i++) {
            if (f[i]) {
                n *= x.size(i);
            }
        }
        return n;
    }

    public static Tensor mean(Tensor x) {
        return mean(x, new int[0], false);
    }

    /** Arithmetic mean over {@code dims}; NaN for an empty reduction, like PyTorch. */
    public static Tensor mean(Tensor x, int[] dims, boolean keepdim) {
        long n = count(x, dims);
        return sum(x, dims, keepdim).div((double) n);
    }

    /**
     * Variance over {@code dims} with {@code correction} (1 = Bessel, PyTorch's default; 0 =
     * biased), computed two-pass around the mean for stability.
     */
    public static Tensor var(Tensor x, int[] dims, int correction, boolean keepdim) {
        long n = count(x, dims);
        Tensor centred = x.sub(mean(x, dims, true));
        return sum(centred.square(), dims, keepdim).div((double) Math.max(n - correction, 0));
    }

    /** Index of the largest element along {@code dim} (I64; first on ties, NaN counts as largest). */
    public static Tensor argmax(Tensor x, int dim, boolean keepdim) {
        return arg(true, x, dim, keepdim);
    }

    /** Index of the smallest element along {@code dim}. */
    public static Tensor argmin(Tensor x, int dim, boolean keepdim) {
        return arg(false, x, dim, keepdim);
    }

    private static Tensor arg(boolean max, Tensor x, int dim, boolean keepdim) {
        int d = Shapes.dim(dim, x.dim());
        if (x.size(d) == 0) {
            throw new IllegalArgumentException("arg" + (max ? "max" : "min") + " of an empty dimension in shape " + Shapes.str(x.shape()));
        }
        DType ct = Pointwise.computeType(x);
        long[] s = x.shape();
        s[d] = 1;
        Backend be = Backends.forOp(ct, x);
        Tensor out = Tensor.empty(be.device(), DType.I64, s);
        be.argReduce(max, x.to(ct), d, out);
        return keepdim ? out : out.squeeze(d);
    }
}
