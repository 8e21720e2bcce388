package radapter.autograd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import radapter.tensor.DType;
import radapter.tensor.MemoryScope;
import radapter.tensor.Rng;
import radapter.tensor.Tensor;

/** Where backward's gradients live and when they go, seen from outside the engine. */
class GradMemoryTest {

    /** Identity forward; its backward allocates a gradient and then fails. */
    private static final class FailingBackward extends Function.Unary {
        @Override
        protected Tensor forward(Tensor x) {
            return x.mul(1.0);
        }

        @Override
        protected Tensor[] backward(Tensor g) {
            g.mul(2.0);
            throw new IllegalStateException("boom");
        }
    }

    @Test
    void aFailingBackwardLeavesNoNodeScopeBehind() {
        try (MemoryScope step = MemoryScope.open()) {
            Variable p = Variable.parameter(Tensor.randn(new Rng(4), 64, 64));
            Variable loss = Reductions.sum(Pointwise.tanh(new FailingBackward().apply(Pointwise.mul(p, p))));
            Tensor one = Tensor.full(DType.F32, 1.0);
            long before = MemoryScope.liveBytes();
            assertThrows(IllegalStateException.class, () -> loss.backward(one, false));
            assertEquals(before, MemoryScope.liveBytes(), "node scopes of the failed pass were not closed");
            assertNull(p.grad());
        }
    }

    @Test
    void aLeafGradientReusesTheBufferZeroGradSetAside() {
        Variable p = Variable.parameter(Tensor.of(new float[] {1, 2, 3}));
        Reductions.sum(Pointwise.mul(p, p)).backward();
        Tensor first = p.grad();
        p.zeroGrad();
        Reductions.sum(Pointwise.mul(p, 3.0)).backward();
        assertSame(first, p.grad());
        assertEquals(3.0, p.grad().get(1), 0.0);
    }
}
