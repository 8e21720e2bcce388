package radapter.autograd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import radapter.tensor.DType;
import radapter.tensor.Rng;
import radapter.tensor.Tensor;

class PointwiseGradTest {
    private static final double EPS = 1e-6;
    private static final double TOL = 1e-6;

    private static Tensor randn(long seed, long... shape) {
        return Tensor.randn(new Rng(seed), shape).to(DType.F64);
    }

    /** Values in [lo, lo + 1.5): safely positive, for divisors, logarithms and bases. */
    private static Tensor positive(long seed, double lo, long... shape) {
        return Tensor.rand(new Rng(seed), shape).to(DType.F64).mul(1.5).add(lo);
    }

    private static void check(java.util.function.Function<Variable[], Variable> f, Tensor... inputs) {
        GradCheck.Result r = GradCheck.check(f, EPS, inputs);
        assertTrue(r.passed(TOL), r.toString());
    }

    @Test
    void addSubMulDivWithBroadcastAndTransposedInputs() {
        Tensor a = randn(1, 4, 3).mT();
        Tensor b = randn(2, 4);
        Tensor d = positive(3, 0.5, 3, 1);
        check(v -> Pointwise.add(v[0], v[1]), a, b);
        check(v -> Pointwise.sub(v[0], v[1]), a, b);
        check(v -> Pointwise.sub(v[1], v[0]), a, b);
        check(v -> Pointwise.mul(v[0], v[1]), a, b);
        check(v -> Pointwise.div(v[0], v[1]), a, d);
        check(v -> Pointwise.div(v[1], v[0]), d, b);
    }

    @Test
    void divisionGradientsOnlyForTheInputThatWantsOne() {
        Variable a = Variable.parameter(Tensor.of(new float[] {6, 8}));
        Variable b = Variable.constant(Tensor.of(new float[] {2, 4}));
        Pointwise.div(a, b).sum().backward();
        assertArrayEquals(new float[] {0.5f, 0.25f}, a.grad().toFloatArray());
        assertTrue(b.grad() == null);
    }

    @Test
    void scalarForms() {
        Tensor x = randn(4, 3, 4).slice(1, 0, 4, 2);
        check(v -> Pointwise.add(v[0], 2.5), x);
        check(v -> Pointwise.sub(v[0], 2.5), x);
        check(v -> Pointwise.rsub(2.5, v[0]), x);
        check(v -> Pointwise.mul(v[0], -3.0), x);
        check(v -> Pointwise.div(v[0], 0.7), x);
        check(v -> Pointwise.neg(v[0]), x);
        Variable p = Variable.parameter(Tensor.of(new float[] {1, 2}));
        Variable y = Pointwise.rsub(5, p);
        assertArrayEquals(new float[] {4, 3}, y.data().toFloatArray());
        y.sum().backward();
        assertArrayEquals(new float[] {-1, -1}, p.grad().toFloatArray());
    }

    @Test
    void powWithConstantExponents() {
        Tensor pos = positive(5, 0.3, 3, 4).mT();
        Tensor any = randn(6, 3, 4);
        check(v -> Pointwise.pow(v[0], 2.5), pos);
        check(v -> Pointwise.pow(v[0], -1.5), pos);
        check(v -> Pointwise.pow(v[0], 2.0), any);
        check(v -> Pointwise.pow(v[0], 3.0), any);
        check(v -> Pointwise.pow(v[0], 0.0), any);
        Variable z = Variable.parameter(Tensor.of(new float[] {0, 2}));
        Pointwise.pow(z, 0.0).sum().backward();
        assertArrayEquals(new float[] {0, 0}, z.grad().toFloatArray());
    }

    @Test
    void powWithVariableExponentAndPositiveBase() {
        Tensor base = positive(7, 0.4, 3, 4);
        Tensor exponent = randn(8, 4);
        check(v -> Pointwise.pow(v[0], v[1]), base, exponent);
        check(v -> Pointwise.pow(v[0], v[1]), base.mT(), randn(9, 4, 1));
    }

    @Test
    void maximumAndMinimumAwayFromTies() {
        Tensor a = randn(10, 4, 3).mT();
        Tensor b = randn(11, 4);
        check(v -> Pointwise.maximum(v[0], v[1]), a, b);
        check(v -> Pointwise.minimum(v[0], v[1]), a, b);
    }

    @Test
    void tiesSplitTheGradientInHalf() {
        Variable a = Variable.parameter(Tensor.of(new float[] {1, 2, 5}));
        Variable b = Variable.parameter(Tensor.of(new float[] {1, 3, 4}));
        Pointwise.maximum(a, b).sum().backward();
        assertArrayEquals(new float[] {0.5f, 0, 1}, a.grad().toFloatArray());
        assertArrayEquals(new float[] {0.5f, 1, 0}, b.grad().toFloatArray());
        a.zeroGrad();
        b.zeroGrad();
        Pointwise.minimum(a, b).sum().backward();
        assertArrayEquals(new float[] {0.5f, 1, 0}, a.grad().toFloatArray());
        assertArrayEquals(new float[] {0.5f, 0, 1}, b.grad().toFloatArray());
    }

    @Test
    void whereAndMaskedFillRouteGradientsByTheCondition() {
        Tensor cond = Tensor.of(new float[] {1, 0, 1}, 3, 1);
        Tensor a = randn(12, 4, 3).mT();
        Tensor b = randn(13, 4);
        check(v -> Pointwise.where(cond, v[0], v[1]), a, b);
        Tensor mask = Tensor.of(new float[] {0, 1, 1, 0}, 1, 4);
        check(v -> Pointwise.maskedFill(v[0], mask, -7.0), a);

        Variable x = Variable.parameter(Tensor.of(new float[] {1, 2, 3, 4}, 1, 4));
        Variable y = Pointwise.maskedFill(x, mask, -7.0);
        assertArrayEquals(new float[] {1, -7, -7, 4}, y.data().toFloatArray());
        y.sum().backward();
        assertArrayEquals(new float[] {1, 0, 0, 1}, x.grad().toFloatArray());
    }

    @Test
    void clampPassesTheGradientInsideTheBoundsOnly() {
        Tensor x = Tensor.of(new double[] {-2.0, -0.7, -0.2, 0.3, 0.9, 1.6}, 2, 3).mT();
        check(v -> Pointwise.clamp(v[0], -0.5, 1.0), x);
        check(v -> Pointwise.clampMin(v[0], 0.0), x);
        check(v -> Pointwise.clampMax(v[0], 0.5), x);
        Variable p = Variable.parameter(Tensor.of(new float[] {-2, 0.5f, 3}));
        Variable y = Pointwise.clamp(p, -1, 1);
        assertArrayEquals(new float[] {-1, 0.5f, 1}, y.data().toFloatArray());
        y.sum().backward();
        assertArrayEquals(new float[] {0, 1, 0}, p.grad().toFloatArray());
    }

    @Test
    void fluentFormsMatchTheStaticOnes() {
        Tensor a = randn(14, 3, 4);
        Tensor b = positive(15, 0.5, 4);
        check(v -> v[0].mul(v[1]).add(v[0].div(v[1])).sub(v[1].pow(2.0)).neg().mul(0.5).add(1.0), a, b);
    }
}
