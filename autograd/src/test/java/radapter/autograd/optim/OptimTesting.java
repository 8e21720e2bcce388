package radapter.autograd.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;

import radapter.autograd.Variable;
import radapter.tensor.Tensor;

/** Small helpers shared by the optimizer tests. */
final class OptimTesting {
    private OptimTesting() {
    }

    /** Starting values of the 3-element parameter used throughout. */
    static final double[] P0 = {0.5, -1.25, 2.0};

    /** Five fixed gradients for {@link #P0}: mixed signs, one decreasing magnitude (AMSGrad matters). */
    static final double[][] GRADS = {
        {0.3, -0.7, 1.1},
        {-0.2, 0.4, 0.9},
        {0.5, 0.1, -1.3},
        {0.05, -0.6, 0.2},
        {-0.45, 0.35, 0.75},
    };

    /** A parameter holding {@code values}: F64 when {@code f64}, else F32. */
    static Variable param(double[] values, boolean f64) {
        return Variable.parameter(f64 ? Tensor.of(values.clone()) : Tensor.of(TorchReference.floats(values)));
    }

    /** A gradient tensor matching {@code p}'s dtype. */
    static Tensor grad(Variable p, double[] values) {
        Tensor g = Tensor.of(values.clone());
        return g.to(p.data().dtype()).reshape(p.shape());
    }

    /** Steps {@code opt} once per gradient (all on {@code p}) and returns {@code p} after each step. */
    static double[][] run(Optimizer opt, Variable p, double[][] grads) {
        double[][] out = new double[grads.length][];
        for (int t = 0; t < grads.length; t++) {
            p.setGrad(grad(p, grads[t]));
            opt.step();
            out[t] = p.data().toDoubleArray();
        }
        return out;
    }

    static void assertClose(double[][] expected, double[][] actual, double tol) {
        assertEquals(expected.length, actual.length, "number of steps");
        for (int t = 0; t < expected.length; t++) {
            for (int i = 0; i < expected[t].length; i++) {
                int step = t + 1;
                int idx = i;
                assertEquals(expected[t][i], actual[t][i], tol, () -> "step " + step + ", element " + idx);
            }
        }
    }
}
