package radapter.autograd;

import java.util.function.Function;
import radapter.tensor.Backends;
import radapter.tensor.DType;
import radapter.tensor.Rng;
import radapter.tensor.Tensor;

/**
 * Finite-difference gradient checking in double precision. The function runs on the
 * {@code reference} backend with F64 inputs; the analytic gradient of a random projection
 * {@code Σ w ⊙ f(x)} is compared with central differences for every input element.
 */
public final class GradCheck {
    private GradCheck() {
    }

    /** Outcome: the worst relative error and where it happened. */
    public record Result(double maxRelativeError, int input, long element, double analytic, double numeric) {
        public boolean passed(double tolerance) {
            return maxRelativeError <= tolerance;
        }

        @Override
        public String toString() {
            return String.format("max relative error %.3e at input %d element %d (analytic %.10g, numeric %.10g)",
                    maxRelativeError, input, element, analytic, numeric);
        }
    }

    /**
     * Checks {@code f} at {@code inputs} with step {@code eps}. F64 inputs are used as given, so an
     * F64 non-contiguous view stays a view; other dtypes are converted to contiguous F64 copies.
     * Errors are |a − n| / max(1, |a|, |n|).
     */
    public static Result check(Function<Variable[], Variable> f, double eps, Tensor... inputs) {
        try (var ignored = Backends.use("reference")) {
            Tensor[] xs = new Tensor[inputs.length];
            for (int i = 0; i < inputs.length; i++) {
                xs[i] = inputs[i].dtype() == DType.F64 ? inputs[i] : inputs[i].to(DType.F64);
            }
            Variable[] vars = new Variable[xs.length];
            for (int i = 0; i < xs.length; i++) {
                vars[i] = xs[i].dtype().isFloating() ? Variable.parameter(xs[i]) : Variable.constant(xs[i]);
            }
            Variable out = f.apply(vars);
            Tensor w = Tensor.randn(new Rng(1234), out.shape()).to(DType.F64);
            Variable projected = Reductions.sum(Pointwise.mul(out, Variable.constant(w)));
            projected.backward();

            double worst = -1;
            int worstInput = -1;
            long worstElem = -1;
            double worstA = 0;
            double worstN = 0;
            for (int i = 0; i < xs.length; i++) {
                if (!xs[i].dtype().isFloating()) {
                    continue;
                }
                Tensor grad = vars[i].grad();
                // Perturb the (possibly strided) input in place, element by element, in index order.
                Tensor x = xs[i];
                long n = x.numel();
                long[] shape = x.shape();
                long[] idx = new long[shape.length];
                for (long e = 0; e < n; e++) {
                    long rem = e;
                    for (int d = shape.length - 1; d >= 0; d--) {
                        idx[d] = rem % shape[d];
                        rem /= shape[d];
                    }
                    double orig = x.get(idx);
                    x.set(orig + eps, idx);
                    double plus = project(f, xs, w);
                    x.set(orig - eps, idx);
                    double minus = project(f, xs, w);
                    x.set(orig, idx);
                    double numeric = (plus - minus) / (2 * eps);
                    double analytic = grad == null ? 0.0 : grad.get(idx);
                    double err = Math.abs(analytic - numeric) / Math.max(1.0, Math.max(Math.abs(analytic), Math.abs(numeric)));
                    if (err > worst) {
                        worst = err;
                        worstInput = i;
                        worstElem = e;
                        worstA = analytic;
                        worstN = numeric;
                    }
                }
            }
            return new Result(Math.max(worst, 0), worstInput, worstElem, worstA, worstN);
        }
    }

    private static double project(Function<Variable[], Variable> f, Tensor[] xs, Tensor w) {
        try (GradMode.Guard ignored = GradMode.noGrad()) {
            Variable[] vars = new Variable[xs.length];
            for (int i = 0; i < xs.length; i++) {
                vars[i] = Variable.constant(xs[i]);
            }
            return f.apply(vars).data().mul(w).sum().item();
        }
    }
}
