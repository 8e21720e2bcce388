package radapter.autograd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import radapter.tensor.DType;
import radapter.tensor.Rng;
import radapter.tensor.Tensor;

class LossesGradTest {
    private static final double EPS = 1e-6;
    private static final double TOL = 1e-6;

    private static Tensor randn(long seed, long... shape) {
        return Tensor.randn(new Rng(seed), shape).to(DType.F64);
    }

    private static void check(java.util.function.Function<Variable[], Variable> f, Tensor... inputs) {
        GradCheck.Result r = GradCheck.check(f, EPS, inputs);
        assertTrue(r.passed(TOL), r.toString());
    }

    /**
     * Logits [[1, 2, 3], [1, 0, −1]], targets [2, 1], ε = 0.1. Both rows have
     * log Σ exp = max + c with c = ln(1 + e⁻¹ + e⁻²), so −log p is {c+2, c+1, c} and {c, c+1, c+2}.
     * Row 1: 0.9·c + 0.1·(c + 1) = c + 0.1. Row 2: 0.9·(c + 1) + 0.1·(c + 1) = c + 1. Mean: c + 0.55.
     */
    @Test
    void labelSmoothedCrossEntropyByHand() {
        double c = Math.log(1 + Math.exp(-1) + Math.exp(-2));
        Variable logits = Variable.parameter(Tensor.of(new float[] {1, 2, 3, 1, 0, -1}, 2, 3));
        Variable loss = Losses.crossEntropy(logits, Tensor.ofLongs(new long[] {2, 1}), 0.1);
        assertEquals(c + 0.55, loss.item(), 1e-6);
        assertEquals(0, loss.dim());

        // Gradient: (softmax − q)/N with q = 0.9·onehot + 0.1/3.
        loss.backward();
        double z = 1 + Math.exp(-1) + Math.exp(-2);
        double[] pRow1 = {Math.exp(-2) / z, Math.exp(-1) / z, 1 / z};
        double[] expected = new double[6];
        for (int k = 0; k < 3; k++) {
            expected[k] = (pRow1[k] - (k == 2 ? 0.9 : 0) - 0.1 / 3) / 2;
            expected[3 + k] = (pRow1[2 - k] - (k == 1 ? 0.9 : 0) - 0.1 / 3) / 2;
        }
        assertArrayEquals(expected, logits.grad().toDoubleArray(), 1e-6);
    }

    @Test
    void plainCrossEntropyIsTheMeanNegativeLogLikelihood() {
        double c = Math.log(1 + Math.exp(-1) + Math.exp(-2));
        Variable logits = Variable.constant(Tensor.of(new float[] {1, 2, 3, 1, 0, -1}, 2, 3));
        assertEquals(c + 0.5, Losses.crossEntropy(logits, Tensor.ofInts(new int[] {2, 1})).item(), 1e-6);
    }

    @Test
    void classIndexTargetsGradient() {
        Tensor targets = Tensor.ofLongs(new long[] {3, 0, 2});
        Tensor logits = randn(1, 4, 3).mT().mul(2.0);
        check(v -> Losses.crossEntropy(v[0], targets), logits);
        check(v -> Losses.crossEntropy(v[0], targets, 0.2), logits);
        check(v -> Losses.crossEntropy(v[0], Tensor.ofInts(new int[] {1, 1, 0}), 0.05), logits);
    }

    @Test
    void probabilityTargetsGradientWithAndWithoutSmoothing() {
        Tensor logits = randn(2, 3, 4);
        Tensor targets = Tensor.randn(new Rng(3), 3, 4).softmax(1);
        check(v -> Losses.crossEntropy(v[0], targets), logits);
        check(v -> Losses.crossEntropy(v[0], targets, 0.1), logits.mT().mT());
        // Rows that do not sum to one are taken as given (PyTorch does not renormalise).
        Tensor unnormalised = Tensor.rand(new Rng(4), 3, 4).mul(2.0);
        check(v -> Losses.crossEntropy(v[0], unnormalised, 0.3), logits);
    }

    @Test
    void oneHotProbabilitiesGiveTheSameLossAsClassIndices() {
        Variable logits = Variable.constant(Tensor.randn(new Rng(5), 3, 4));
        Tensor ids = Tensor.ofLongs(new long[] {1, 3, 0});
        Tensor oneHot = Tensor.zeros(3, 4);
        oneHot.set(1, 0, 1);
        oneHot.set(1, 1, 3);
        oneHot.set(1, 2, 0);
        assertEquals(Losses.crossEntropy(logits, ids, 0.15).item(), Losses.crossEntropy(logits, oneHot, 0.15).item(), 1e-6);
    }

    @Test
    void badTargetsFailClearly() {
        Variable logits = Variable.constant(Tensor.zeros(2, 3));
        assertThrows(IndexOutOfBoundsException.class, () -> Losses.crossEntropy(logits, Tensor.ofLongs(new long[] {0, 3})));
        assertThrows(IllegalArgumentException.class, () -> Losses.crossEntropy(logits, Tensor.ofLongs(new long[] {0})));
        assertThrows(IllegalArgumentException.class, () -> Losses.crossEntropy(logits, Tensor.zeros(2, 4)));
    }
}
