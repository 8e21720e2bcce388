package radapter.autograd;

import radapter.tensor.Tensor;

/** Differentiable reductions. */
public final class Aggregations {
    private Aggregations() {
    }

    /** Sum of all elements (0-d). */
    public static Variable sum(Variable x) {
        Sum fn = new Sum();
        fn.shape = x.shape();
        return Function.record(fn, x.data().sum(), x);
    }

    private static final class Sum extends Function {
        long[] shape;

        @Override
        protected Tensor[] backward(Tensor g) {
            // Every input element contributed once: the gradient is g broadcast (a stride-0 view).
            return new Tensor[] {g.reshape(onesLike(shape.length)).expand(shape)};
        }
    }

    static long[] onesLike(int rank) {
        long[] s = new long[rank];
        java.util.Arrays.fill(s, 1);
        return s;
    }
}
