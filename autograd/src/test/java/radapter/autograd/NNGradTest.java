package radapter.autograd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import radapter.tensor.DType;
import radapter.tensor.NN.Conv2dParams;
import radapter.tensor.Rng;
import radapter.tensor.Tensor;

class NNGradTest {
    private static final double EPS = 1e-6;
    private static final double TOL = 1e-6;

    private static Tensor randn(long seed, long... shape) {
        return Tensor.randn(new Rng(seed), shape).to(DType.F64);
    }

    private static void check(java.util.function.Function<Variable[], Variable> f, Tensor... inputs) {
        GradCheck.Result r = GradCheck.check(f, EPS, inputs);
        assertTrue(r.passed(TOL), r.toString());
    }

    // ---------------------------------------------------------------- softmax family

    @Test
    void softmaxAndLogSoftmaxOverAnyDimension() {
        Tensor x = randn(1, 2, 4, 3).mT();
        for (int dim : new int[] {0, 1, -1}) {
            check(v -> NN.softmax(v[0], dim), x);
            check(v -> NN.logSoftmax(v[0], dim), x);
        }
    }

    // ---------------------------------------------------------------- layer norm

    @Test
    void layerNormWithAndWithoutAffineParameters() {
        Tensor x = randn(2, 2, 5, 3).mT();
        Tensor w = randn(3, 5);
        Tensor b = randn(4, 5);
        check(v -> NN.layerNorm(v[0], v[1], v[2], 1e-5), x, w, b);
        check(v -> NN.layerNorm(v[0], null, null, 1e-5), x);
        check(v -> NN.layerNorm(v[0], v[1], null, 1e-5), randn(5, 4, 5), w);
        check(v -> NN.layerNorm(v[0], null, v[1], 1e-5), randn(6, 5), b);
    }

    @Test
    void layerNormForwardMatchesTheDefinition() {
        Variable x = Variable.constant(Tensor.of(new double[] {1, 2, 3, 4}, 1, 4));
        Variable y = NN.layerNorm(x, null, null, 0.0);
        double s = Math.sqrt(1.25);
        assertArrayEquals(new double[] {-1.5 / s, -0.5 / s, 0.5 / s, 1.5 / s}, y.data().toDoubleArray(), 1e-12);
    }

    // ---------------------------------------------------------------- lookups

    @Test
    void embeddingAccumulatesRepeatedRows() {
        Tensor ids = Tensor.ofLongs(new long[] {2, 0, 2, 2, 1, 0}, 2, 3);
        check(v -> Pointwise.square(NN.embedding(v[0], ids)), randn(7, 4, 3));
        Variable w = Variable.parameter(Tensor.of(new float[] {1, 2, 3, 4, 5, 6, 7, 8}, 4, 2));
        Variable e = NN.embedding(w, Tensor.ofInts(new int[] {3, 1, 3}));
        assertArrayEquals(new float[] {7, 8, 3, 4, 7, 8}, e.data().toFloatArray());
        e.sum().backward();
        assertArrayEquals(new float[] {0, 0, 1, 1, 0, 0, 2, 2}, w.grad().toFloatArray());
    }

    @Test
    void indexSelectAlongAnyDimension() {
        Tensor idx = Tensor.ofLongs(new long[] {1, 1, 0, 3});
        check(v -> Pointwise.square(NN.indexSelect(v[0], 1, idx)), randn(8, 4, 3).mT());
        check(v -> Pointwise.square(NN.indexSelect(v[0], 0, Tensor.ofInts(new int[] {2, 0}))), randn(9, 3, 2));
    }

    // ---------------------------------------------------------------- convolution

    @Test
    void conv2dWithPaddingStrideAndDilation() {
        Tensor x = randn(10, 2, 2, 5, 5);
        Tensor w = randn(11, 3, 2, 3, 3);
        Tensor b = randn(12, 3);
        check(v -> NN.conv2d(v[0], v[1], v[2], Conv2dParams.of(1, 1)), x, w, b);
        check(v -> NN.conv2d(v[0], v[1], null, new Conv2dParams(2, 1, 0, 1, 2, 1)), x, w);
        check(v -> NN.conv2d(v[0], v[1], v[2], Conv2dParams.of(2, 0)),
                randn(13, 1, 5, 6, 2).permute(0, 3, 1, 2), randn(14, 3, 2, 2, 2), b);
    }

    @Test
    void conv2dInputGradientOfAnAllOnesKernelCountsWindows() {
        // Each input pixel receives one unit of gradient per 3x3 window (padding 1) that covers it.
        Variable x = Variable.parameter(Tensor.zeros(1, 1, 3, 3));
        Variable w = Variable.constant(Tensor.ones(1, 1, 3, 3));
        NN.conv2d(x, w, null, Conv2dParams.of(1, 1)).sum().backward();
        assertArrayEquals(new float[] {4, 6, 4, 6, 9, 6, 4, 6, 4}, x.grad().toFloatArray());
    }

    @Test
    void patchEmbedIncludingCroppedBorders() {
        Tensor w = randn(15, 3, 2, 2, 2);
        check(v -> NN.patchEmbed(v[0], v[1]), randn(16, 2, 2, 4, 4), w);
        check(v -> NN.patchEmbed(v[0], v[1]), randn(17, 1, 2, 5, 4).mT(), w);
    }

    @Test
    void patchEmbedEqualsStrideKernelConvolutionAsTokens() {
        Variable x = Variable.parameter(Tensor.randn(new Rng(18), 1, 2, 4, 4));
        Variable w = Variable.parameter(Tensor.randn(new Rng(19), 3, 2, 2, 2));
        Variable tokens = NN.patchEmbed(x, w);
        Variable conv = NN.conv2d(x, w, null, Conv2dParams.of(2, 0));
        Variable asTokens = Views.permute(Views.flatten(conv, 2, 3), 0, 2, 1);
        assertArrayEquals(asTokens.data().toFloatArray(), tokens.data().toFloatArray(), 1e-5f);
    }

    // ---------------------------------------------------------------- normalisation

    @Test
    void l2NormalizeAlongAnyDimension() {
        Tensor x = randn(20, 3, 4).mT();
        check(v -> NN.normalize(v[0], -1, 1e-12), x);
        check(v -> NN.normalize(v[0], 0, 1e-12), x);
        // A row whose norm falls below eps is divided by the constant eps.
        Tensor tiny = Tensor.of(new double[] {1e-3, -2e-3, 0.5, 1.5}, 2, 2);
        check(v -> NN.normalize(v[0], 1, 0.1), tiny);
        Variable y = NN.normalize(Variable.constant(Tensor.of(new float[] {3, 4})), 0, 1e-12);
        assertArrayEquals(new float[] {0.6f, 0.8f}, y.data().toFloatArray(), 1e-7f);
    }

    // ---------------------------------------------------------------- dropout and drop path

    @Test
    void dropoutAndDropPathGradientsWithAFixedSeed() {
        Tensor x = randn(21, 4, 3).mT();
        check(v -> NN.dropout(v[0], 0.4, new Rng(5), true), x);
        check(v -> NN.dropPath(v[0], 0.5, new Rng(6), true, new long[] {3, 1}, true), x);
        check(v -> NN.dropPath(v[0], 0.5, new Rng(7), true, new long[] {1, 4}, false), x);
    }

    @Test
    void identityInEvalOrWithZeroProbability() {
        Variable x = Variable.parameter(Tensor.randn(new Rng(22), 3, 4));
        assertSame(x, NN.dropout(x, 0.5, new Rng(1), false));
        assertSame(x, NN.dropout(x, 0.0, new Rng(1), true));
        assertSame(x, NN.dropPath(x, 0.5, new Rng(1), false, new long[] {3, 1}, true));
        assertSame(x, NN.dropPath(x, 0.0, new Rng(1), true, new long[] {3, 1}, true));
    }

    @Test
    void dropoutKeepsAboutOneMinusPAndScales() {
        int n = 20_000;
        Variable x = Variable.constant(Tensor.ones(n));
        float[] y = NN.dropout(x, 0.25, new Rng(23), true).data().toFloatArray();
        int kept = 0;
        for (float v : y) {
            if (v != 0) {
                assertEquals(1 / 0.75, v, 1e-6);
                kept++;
            }
        }
        assertEquals(0.75, kept / (double) n, 0.015);
        float[] none = NN.dropout(x, 1.0, new Rng(23), true).data().toFloatArray();
        for (float v : none) {
            assertEquals(0.0f, v);
        }
    }

    @Test
    void dropPathMasksWholeSamplesOrTokens() {
        int n = 10_000;
        double p = 0.3;
        // Per sample: x [N, 2, 3], mask [N, 1, 1].
        float[] y = NN.dropPath(Variable.constant(Tensor.ones(n, 2, 3)), p, new Rng(24), true, new long[] {n, 1, 1}, true)
                .data().toFloatArray();
        int kept = 0;
        for (int i = 0; i < n; i++) {
            float first = y[i * 6];
            assertTrue(first == 0 || Math.abs(first - 1 / (1 - p)) < 1e-6, "value " + first);
            for (int j = 1; j < 6; j++) {
                assertEquals(first, y[i * 6 + j], "sample " + i + " must be kept or dropped as a whole");
            }
            kept += first != 0 ? 1 : 0;
        }
        assertEquals(1 - p, kept / (double) n, 0.02);
        // Per token in an [L, N, D] layout: mask [L, 1, 1]; unscaled survivors stay 1.
        float[] t = NN.dropPath(Variable.constant(Tensor.ones(n, 2, 2)), p, new Rng(25), true, new long[] {n, 1, 1}, false)
                .data().toFloatArray();
        int tokensKept = 0;
        for (int i = 0; i < n; i++) {
            assertTrue(t[i * 4] == 0 || t[i * 4] == 1);
            tokensKept += t[i * 4] == 1 ? 1 : 0;
        }
        assertEquals(1 - p, tokensKept / (double) n, 0.02);
    }

    @Test
    void dropPathIsReproducibleFromTheSeed() {
        Variable x = Variable.constant(Tensor.randn(new Rng(26), 64, 3, 2));
        long[] mask = {64, 1, 1};
        float[] a = NN.dropPath(x, 0.5, new Rng(99), true, mask, true).data().toFloatArray();
        float[] b = NN.dropPath(x, 0.5, new Rng(99), true, mask, true).data().toFloatArray();
        float[] c = NN.dropPath(x, 0.5, new Rng(100), true, mask, true).data().toFloatArray();
        assertArrayEquals(a, b);
        assertFalse(java.util.Arrays.equals(a, c));
    }

    @Test
    void dropPathRejectsAMaskThatDoesNotBroadcast() {
        Variable x = Variable.constant(Tensor.ones(4, 3));
        assertThrows(IllegalArgumentException.class, () -> NN.dropPath(x, 0.5, new Rng(1), true, new long[] {3, 1}, true));
    }

    // ---------------------------------------------------------------- frozen weights and no-grad

    @Test
    void frozenLayerWithConstantInputsRecordsNothing() {
        Rng rng = new Rng(27);
        Variable x = Variable.constant(Tensor.randn(rng, 2, 4));
        Variable w = Variable.parameter(Tensor.randn(rng, 3, 4)).requiresGrad(false);
        Variable b = Variable.parameter(Tensor.randn(rng, 3)).requiresGrad(false);
        Variable g = Variable.constant(Tensor.ones(3));
        Variable y = NN.layerNorm(NN.gelu(LinearAlgebra.linear(x, w, b)), g, null, 1e-5);
        assertTrue(y.isLeaf());
        assertFalse(y.requiresGrad());
        Variable p = Variable.parameter(Tensor.randn(rng, 1, 1, 4, 4));
        Variable k = Variable.constant(Tensor.randn(rng, 2, 1, 2, 2));
        try (var ignored = GradMode.noGrad()) {
            assertTrue(NN.patchEmbed(p, k).isLeaf());
            assertTrue(NN.dropout(p, 0.5, new Rng(1), true).isLeaf());
        }
    }

    @Test
    void frozenParametersReceiveNoGradient() {
        Rng rng = new Rng(28);
        Variable x = Variable.constant(Tensor.randn(rng, 2, 4));
        Variable frozen = Variable.parameter(Tensor.randn(rng, 3, 4)).requiresGrad(false);
        Variable adapter = Variable.parameter(Tensor.randn(rng, 3, 4));
        Variable y = Pointwise.add(LinearAlgebra.linear(x, frozen, null), LinearAlgebra.linear(x, adapter, null));
        Reductions.sum(Pointwise.tanh(y)).backward();
        assertNull(frozen.grad());
        assertNotNull(adapter.grad());
        assertArrayEquals(new long[] {3, 4}, adapter.grad().shape());
    }

    // ---------------------------------------------------------------- the fused R-Adapter op

    @Test
    void adapterGradientsWithAndWithoutRowMask() {
        Tensor x = randn(21, 2, 3, 4);
        Tensor w = randn(22, 4, 4);
        Tensor s = randn(23, 1);
        Tensor mask = Tensor.of(new double[] {1.25, 0, 1.25, 1.25, 0, 1.25}, 6);
        check(v -> NN.adapter(v[0], v[1], v[2], mask), x, w, s);
        check(v -> NN.adapter(v[0], v[1], v[2], null), x, w, s);
        // Non-contiguous x (a transposed view) goes through the same path.
        check(v -> NN.adapter(v[0], v[1], v[2], null), randn(24, 4, 3).mT(), w, s);
    }

    @Test
    void adapterForwardIsTheComposedUpdate() {
        Tensor x = randn(25, 5, 4);
        Tensor w = randn(26, 4, 4);
        Tensor s = Tensor.of(new double[] {0.3}, 1);
        Tensor mask = Tensor.of(new double[] {2, 0, 2, 2, 0}, 5);
        Variable y = NN.adapter(Variable.constant(x), Variable.constant(w), Variable.constant(s), mask);
        Tensor expected = x.add(x.matmul(w.mT()).mul(mask.unsqueeze(1)).mul(0.3));
        assertArrayEquals(expected.toDoubleArray(), y.data().toDoubleArray(), 1e-12);
    }
}
