package radapter.autograd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import radapter.tensor.DType;
import radapter.tensor.Rng;
import radapter.tensor.SpecialFunctions;
import radapter.tensor.Tensor;

class ActivationsGradTest {
    private static final double EPS = 1e-6;
    private static final double TOL = 1e-6;

    /** A transposed [3, 4] view of normal samples whose magnitude is at least 0.05 (clear of kinks at 0). */
    private static Tensor awayFromZero(long seed) {
        Tensor r = Tensor.randn(new Rng(seed), 4, 3).to(DType.F64);
        Tensor sign = r.ge(0.0).mul(2.0).sub(1.0);
        return r.abs().add(0.05).mul(sign).mT();
    }

    private static Tensor positive(long seed) {
        return Tensor.rand(new Rng(seed), 4, 3).to(DType.F64).mul(2.0).add(0.2).mT();
    }

    private static void check(java.util.function.Function<Variable[], Variable> f, Tensor... inputs) {
        GradCheck.Result r = GradCheck.check(f, EPS, inputs);
        assertTrue(r.passed(TOL), r.toString());
    }

    @Test
    void exponentialsAndRoots() {
        check(v -> Pointwise.exp(v[0]), awayFromZero(1));
        check(v -> Pointwise.log(v[0]), positive(2));
        check(v -> Pointwise.sqrt(v[0]), positive(3));
        check(v -> Pointwise.rsqrt(v[0]), positive(4));
        check(v -> Pointwise.square(v[0]), awayFromZero(5));
        check(v -> Pointwise.reciprocal(v[0]), positive(6));
    }

    @Test
    void piecewiseFunctionsAwayFromTheirKinks() {
        check(v -> Pointwise.abs(v[0]), awayFromZero(7));
        check(v -> NN.relu(v[0]), awayFromZero(8));
    }

    @Test
    void squashingFunctions() {
        Tensor x = awayFromZero(9).mul(2.0);
        check(v -> Pointwise.tanh(v[0]), x);
        check(v -> Pointwise.sigmoid(v[0]), x);
    }

    @Test
    void geluVariantsIncludingZeroAndTails() {
        Tensor x = Tensor.of(new double[] {-7.5, -3.0, -1.2, -0.3, 0.0, 1e-3, 0.4, 1.1, 2.6, 6.0, -0.05, 4.0}, 3, 4).mT();
        check(v -> NN.gelu(v[0]), x);
        check(v -> NN.geluTanh(v[0]), x);
        check(v -> NN.quickGelu(v[0]), x);
        check(v -> NN.gelu(v[0]), awayFromZero(10).mul(3.0));
    }

    @Test
    void exactGeluDerivativeIsPhiPlusXTimesDensity() {
        double[] xs = {-2.0, -0.5, 0.0, 0.7, 3.0};
        Variable x = Variable.parameter(Tensor.of(xs));
        NN.gelu(x).sum().backward();
        for (int i = 0; i < xs.length; i++) {
            double cdf = 0.5 * (1 + SpecialFunctions.erf(xs[i] / Math.sqrt(2)));
            double pdf = Math.exp(-0.5 * xs[i] * xs[i]) / Math.sqrt(2 * Math.PI);
            assertEquals(cdf + xs[i] * pdf, x.grad().get(i), 1e-12);
        }
    }

    @Test
    void reluAndAbsHaveZeroGradientAtZero() {
        Variable x = Variable.parameter(Tensor.of(new float[] {-1, 0, 2}));
        NN.relu(x).sum().backward();
        assertEquals(0.0, x.grad().get(1));
        x.zeroGrad();
        Pointwise.abs(x).sum().backward();
        assertEquals(-1.0, x.grad().get(0));
        assertEquals(0.0, x.grad().get(1));
        assertEquals(1.0, x.grad().get(2));
    }
}
