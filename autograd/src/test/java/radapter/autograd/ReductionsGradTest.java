package radapter.autograd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import radapter.tensor.DType;
import radapter.tensor.Rng;
import radapter.tensor.Tensor;

class ReductionsGradTest {
    private static final double EPS = 1e-6;
    private static final double TOL = 1e-6;

    private static Tensor randn(long seed, long... shape) {
        return Tensor.randn(new Rng(seed), shape).to(DType.F64);
    }

    private static void check(java.util.function.Function<Variable[], Variable> f, Tensor... inputs) {
        GradCheck.Result r = GradCheck.check(f, EPS, inputs);
        assertTrue(r.passed(TOL), r.toString());
    }

    @Test
    void sumsOverAllOrSomeDimensions() {
        Tensor x = randn(1, 4, 2, 3).permute(1, 2, 0);
        check(v -> Reductions.sum(v[0]), x);
        check(v -> Reductions.sum(v[0], new int[] {1}, false), x);
        check(v -> Reductions.sum(v[0], new int[] {0, 2}, true), x);
        check(v -> Reductions.sum(v[0], new int[] {-1}, false), x);
        check(v -> Reductions.sum(v[0], new int[0], true), x);
    }

    @Test
    void meansOverAllOrSomeDimensions() {
        Tensor x = randn(2, 3, 4).mT();
        check(v -> Reductions.mean(v[0]), x);
        check(v -> Reductions.mean(v[0], new int[] {0}, true), x);
        check(v -> Reductions.mean(v[0], new int[] {1}, false), x);
        Variable p = Variable.parameter(Tensor.ones(2, 4));
        Reductions.mean(p, new int[] {1}, false).sum().backward();
        assertArrayEquals(new float[] {0.25f, 0.25f, 0.25f, 0.25f, 0.25f, 0.25f, 0.25f, 0.25f}, p.grad().toFloatArray());
    }

    @Test
    void maxAndMinAlongADimension() {
        Tensor x = randn(3, 4, 3).mT();
        check(v -> Reductions.max(v[0], 1, false), x);
        check(v -> Reductions.max(v[0], 0, true), x);
        check(v -> Reductions.min(v[0], -1, false), x);
        check(v -> Reductions.min(v[0], 0, true), x);
        check(v -> Reductions.max(v[0]), x);
        check(v -> Reductions.min(v[0]), x);
    }

    @Test
    void maxGivesTheWholeGradientToTheFirstMaximum() {
        Variable x = Variable.parameter(Tensor.of(new float[] {1, 5, 5, 2, 0, 3}, 2, 3));
        Variable m = Reductions.max(x, 1, false);
        assertArrayEquals(new float[] {5, 3}, m.data().toFloatArray());
        m.sum().backward();
        assertArrayEquals(new float[] {0, 1, 0, 0, 0, 1}, x.grad().toFloatArray());
    }

    @Test
    void varianceWithBesselAndBiasedCorrection() {
        Tensor x = randn(4, 3, 5).slice(1, 0, 5, 2);
        check(v -> Reductions.var(v[0], new int[] {1}, 1, false), x);
        check(v -> Reductions.var(v[0], new int[] {0}, 0, true), x);
        check(v -> Reductions.var(v[0], new int[0], 1, false), x);
        Variable p = Variable.constant(Tensor.of(new float[] {1, 2, 3, 4}));
        assertEquals(5.0 / 3.0, Reductions.var(p, new int[] {0}, 1, false).item(), 1e-6);
        assertEquals(1.25, Reductions.var(p, new int[] {0}, 0, false).item(), 1e-6);
    }

    @Test
    void logSumExp() {
        Tensor x = randn(5, 4, 3).mT().mul(3.0);
        check(v -> Reductions.logsumexp(v[0], 1, false), x);
        check(v -> Reductions.logsumexp(v[0], 0, true), x);
        Variable big = Variable.constant(Tensor.of(new double[] {1000, 1000, Double.NEGATIVE_INFINITY, Double.NEGATIVE_INFINITY}, 2, 2));
        Variable lse = Reductions.logsumexp(big, 1, false);
        assertEquals(1000 + Math.log(2), lse.data().get(0), 1e-9);
        assertEquals(Double.NEGATIVE_INFINITY, lse.data().get(1));
    }
}
