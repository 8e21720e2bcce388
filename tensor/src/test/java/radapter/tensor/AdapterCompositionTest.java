package radapter.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link NN#adapter} and {@link NN#adapterBackward} are compositions over the matmul epilogue; on a
 * host backend they must round exactly like the same math written with plain tensor ops (so a
 * fine-tuning run does not change in its last bits when the op's plumbing changes).
 */
class AdapterCompositionTest {

    @ParameterizedTest
    @ValueSource(strings = {"reference", "cpu"})
    void forwardAndBackwardMatchPlainTensorOpsBitForBit(String backend) {
        Backend be = Backends.get(backend);
        org.junit.jupiter.api.Assumptions.assumeTrue(be.isAvailable(), () -> backend + " is not available here");
        try (MemoryScope ignored = MemoryScope.open(); Backends.Selection sel = Backends.use(be)) {
            Rng rng = new Rng(7);
            long n = 37;
            long d = 24;
            Tensor x = Tensor.randn(rng, n, d);
            Tensor w = Tensor.randn(rng, d, d).mul(0.1);
            Tensor s = Tensor.full(0.3, 1);
            float[] keep = new float[(int) n];
            for (int i = 0; i < n; i++) {
                keep[i] = i % 4 == 0 ? 0f : 1f / 0.8f;
            }
            Tensor mask = Tensor.of(keep);
            Tensor gy = Tensor.randn(rng, n, d);
            Tensor rows = mask.unsqueeze(1);

            Tensor expected = x.add(x.matmul(w.mT()).mul(rows).mul(s));
            assertArrayEquals(expected.toFloatArray(), NN.adapter(x, w, s, mask).toFloatArray(), "forward");

            Tensor g = gy.mul(rows);
            Tensor big = g.mT().matmul(x);
            Tensor[] grads = NN.adapterBackward(x, w, s, mask, gy, true, true, true);
            assertArrayEquals(gy.add(g.matmul(w).mul(s)).toFloatArray(), grads[0].toFloatArray(), "grad x");
            assertArrayEquals(big.mul(s).toFloatArray(), grads[1].toFloatArray(), "grad W");
            assertEquals(big.mul(w).sum().item(), grads[2].item(), 1e-5 * big.mul(w).abs().sum().item(), "grad s");
            assertArrayEquals(new long[] {1}, grads[2].shape());
        }
    }

    @Test
    void badShapesAreOneLineErrors() {
        Tensor x = Tensor.zeros(4, 3);
        var e = assertThrows(IllegalArgumentException.class, () -> NN.adapter(x, Tensor.zeros(5, 3), Tensor.ones(1), null));
        assertEquals("adapter: x is the residual, so the weight must be square, got [5, 3]", e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> NN.adapterBackward(x, Tensor.zeros(3, 3), Tensor.ones(1), null, Tensor.zeros(4, 4), true, true, true));
        assertEquals("adapter: the output gradient must be [4, 3], got [4, 4]", e.getMessage());
    }
}
