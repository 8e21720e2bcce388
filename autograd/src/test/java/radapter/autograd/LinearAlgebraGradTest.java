package radapter.autograd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import radapter.tensor.DType;
import radapter.tensor.Rng;
import radapter.tensor.Tensor;

class LinearAlgebraGradTest {
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
    void matrixTimesMatrixIncludingTransposedOperands() {
        check(v -> LinearAlgebra.matmul(v[0], v[1]), randn(1, 3, 4), randn(2, 4, 2));
        check(v -> LinearAlgebra.matmul(v[0], v[1]), randn(3, 4, 3).mT(), randn(4, 2, 4).mT());
        check(v -> LinearAlgebra.matmul(v[0], v[1]), randn(5, 3, 8).slice(1, 0, 8, 2), randn(6, 4, 2));
    }

    @Test
    void batchedAndBroadcastBatches() {
        check(v -> LinearAlgebra.matmul(v[0], v[1]), randn(7, 2, 3, 4), randn(8, 2, 4, 2));
        check(v -> LinearAlgebra.matmul(v[0], v[1]), randn(9, 2, 1, 2, 3), randn(10, 3, 3, 2));
        // A shared 2-D right operand under batched inputs (the folded weight-gradient path).
        check(v -> LinearAlgebra.matmul(v[0], v[1]), randn(11, 2, 3, 4), randn(12, 4, 2));
        check(v -> LinearAlgebra.matmul(v[0], v[1]), randn(13, 2, 4, 3).mT(), randn(14, 2, 4).mT());
        check(v -> LinearAlgebra.matmul(v[0], v[1]), randn(15, 3, 4), randn(16, 2, 4, 2));
    }

    @Test
    void oneDimensionalOperands() {
        check(v -> LinearAlgebra.matmul(v[0], v[1]), randn(17, 4), randn(18, 4, 3));
        check(v -> LinearAlgebra.matmul(v[0], v[1]), randn(19, 3, 4), randn(20, 4));
        check(v -> LinearAlgebra.matmul(v[0], v[1]), randn(21, 4), randn(22, 4));
        check(v -> LinearAlgebra.matmul(v[0], v[1]), randn(23, 3), randn(24, 2, 3, 2));
        check(v -> LinearAlgebra.matmul(v[0], v[1]), randn(25, 2, 2, 3), randn(26, 3));
    }

    @Test
    void linearWithAndWithoutBias() {
        Tensor w = randn(27, 3, 4);
        Tensor b = randn(28, 3);
        check(v -> LinearAlgebra.linear(v[0], v[1], v[2]), randn(29, 2, 4), w, b);
        check(v -> LinearAlgebra.linear(v[0], v[1], null), randn(30, 2, 2, 4), w);
        check(v -> LinearAlgebra.linear(v[0], v[1], v[2]), randn(31, 4, 2, 2).permute(1, 2, 0), w.mT().mT(), b);
        check(v -> LinearAlgebra.linear(v[0], v[1], v[2]), randn(32, 4), randn(33, 4, 3).mT(), b);
    }

    @Test
    void linearGradientsByHand() {
        Variable x = Variable.parameter(Tensor.of(new float[] {1, 2}, 1, 2));
        Variable w = Variable.parameter(Tensor.of(new float[] {3, 4, 5, 6}, 2, 2));
        Variable b = Variable.parameter(Tensor.of(new float[] {1, -1}));
        Variable y = LinearAlgebra.linear(x, w, b);
        assertArrayEquals(new float[] {12, 16}, y.data().toFloatArray());
        y.sum().backward();
        assertArrayEquals(new float[] {8, 10}, x.grad().toFloatArray());
        assertArrayEquals(new float[] {1, 2, 1, 2}, w.grad().toFloatArray());
        assertArrayEquals(new float[] {1, 1}, b.grad().toFloatArray());
    }
}
