package radapter.autograd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import radapter.tensor.DType;
import radapter.tensor.Rng;
import radapter.tensor.Tensor;

/** The op template: what {@link Function#apply} decides, and what a subclass writes. */
class FunctionTest {

    /** {@code x³}, written the way every op is: forward and backward, nothing else. */
    private static final class Cube extends Function.Unary {
        final List<Boolean> sawNeedsGrad = new ArrayList<>();

        @Override
        protected Tensor forward(Tensor x) {
            sawNeedsGrad.add(needsGrad(0));
            saveForBackward(x);
            return x.square().mul(x);
        }

        @Override
        protected Tensor[] backward(Tensor g) {
            Tensor x = saved(0);
            return new Tensor[] {g.mul(x.square().mul(3.0))};
        }
    }

    /** {@code a · c} for a constant c passed as an input that needs no gradient. */
    private static final class ScaleBy extends Function.Binary {
        @Override
        protected Tensor forward(Tensor a, Tensor c) {
            saveForBackward(c);
            return a.mul(c);
        }

        @Override
        protected Tensor[] backward(Tensor g) {
            assertFalse(needsGrad(1));
            return new Tensor[] {g.mul(saved(0)), null};
        }
    }

    @Test
    void aUserDefinedOpPassesTheGradientCheck() {
        Tensor x = Tensor.randn(new Rng(3), 4, 3).to(DType.F64).mT();
        GradCheck.Result r = GradCheck.check(v -> new Cube().apply(v[0]), 1e-6, x);
        assertTrue(r.passed(1e-6), r.toString());
    }

    @Test
    void recordingIsDecidedOnceBeforeTheForward() {
        Variable p = Variable.parameter(Tensor.of(new float[] {1, 2}));
        Cube recorded = new Cube();
        Variable y = recorded.apply(p);
        assertSame(recorded, y.gradFn());
        assertEquals(List.of(true), recorded.sawNeedsGrad);

        Cube frozen = new Cube();
        assertTrue(frozen.apply(Variable.constant(Tensor.of(new float[] {1, 2}))).isLeaf());
        assertEquals(List.of(false), frozen.sawNeedsGrad);

        Cube noGrad = new Cube();
        try (var ignored = GradMode.noGrad()) {
            Variable z = noGrad.apply(p);
            assertTrue(z.isLeaf());
            assertFalse(z.requiresGrad());
        }
        assertEquals(List.of(false), noGrad.sawNeedsGrad);
    }

    @Test
    void aFunctionObjectIsAppliedOnce() {
        Cube c = new Cube();
        Variable p = Variable.parameter(Tensor.of(new float[] {1}));
        c.apply(p);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> c.apply(p));
        assertTrue(e.getMessage().contains("Cube"), e.getMessage());
    }

    @Test
    void savedTensorsAreDroppedAfterBackwardUnlessTheGraphIsRetained() {
        Variable p = Variable.parameter(Tensor.of(new float[] {1, 2}));
        Cube c = new Cube();
        Variable y = Reductions.sum(c.apply(p));
        y.backward(Tensor.scalar(1), true);
        assertFalse(c.isFreed());
        y.backward(Tensor.scalar(1), false);
        assertTrue(c.isFreed());
        assertArrayEquals(new float[] {6, 24}, p.grad().toFloatArray());
    }

    @Test
    void constantInputsGetNoGradient() {
        Variable p = Variable.parameter(Tensor.of(new float[] {1, 2}));
        Variable c = Variable.constant(Tensor.of(new float[] {5, 7}));
        Reductions.sum(new ScaleBy().apply(p, c)).backward();
        assertArrayEquals(new float[] {5, 7}, p.grad().toFloatArray());
        assertNull(c.grad());
    }
}
