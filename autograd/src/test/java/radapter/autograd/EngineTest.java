package radapter.autograd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import radapter.tensor.MemoryScope;
import radapter.tensor.Rng;
import radapter.tensor.Tensor;

class EngineTest {

    @Test
    void broadcastGradientsAreSummedBackToTheInputShape() {
        Variable a = Variable.parameter(Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3));
        Variable b = Variable.parameter(Tensor.of(new float[] {10, 20, 30}, 3));
        Reductions.sum(Pointwise.mul(a, b)).backward();
        assertArrayEquals(new float[] {10, 20, 30, 10, 20, 30}, a.grad().toFloatArray());
        assertArrayEquals(new float[] {5, 7, 9}, b.grad().toFloatArray());
    }

    @Test
    void gradientsAccumulateAcrossBackwardCallsUntilZeroed() {
        Variable a = Variable.parameter(Tensor.of(new float[] {1, 2}));
        Reductions.sum(Pointwise.add(a, a)).backward();
        Reductions.sum(Pointwise.add(a, a)).backward();
        assertArrayEquals(new float[] {4, 4}, a.grad().toFloatArray());
        a.zeroGrad();
        assertNull(a.grad());
    }

    @Test
    void frozenLeavesAndNoGradRecordNothing() {
        Variable w = Variable.constant(Tensor.ones(3));
        Variable x = Variable.constant(Tensor.ones(3));
        Variable y = Pointwise.mul(w, x);
        assertTrue(y.isLeaf());
        Variable p = Variable.parameter(Tensor.ones(3));
        try (var ignored = GradMode.noGrad()) {
            assertTrue(Pointwise.mul(p, x).isLeaf());
        }
        assertTrue(!Pointwise.mul(p, x).isLeaf());
    }

    @Test
    void secondBackwardWithoutRetainGraphFailsClearly() {
        Variable a = Variable.parameter(Tensor.of(new float[] {1, 2}));
        Variable loss = Reductions.sum(Pointwise.mul(a, a));
        loss.backward();
        IllegalStateException e = assertThrows(IllegalStateException.class, loss::backward);
        assertTrue(e.getMessage().contains("second time"), e.getMessage());
    }

    @Test
    void retainGraphAllowsRepeatedBackward() {
        Variable a = Variable.parameter(Tensor.of(new float[] {1, 2}));
        Variable loss = Reductions.sum(Pointwise.mul(a, a));
        loss.backward(Tensor.scalar(1), true);
        loss.backward(Tensor.scalar(1), true);
        assertArrayEquals(new float[] {4, 8}, a.grad().toFloatArray());
    }

    @Test
    void leafGradientOutlivesTheStepScope() {
        try (MemoryScope model = MemoryScope.open()) {
            Variable p = Variable.parameter(Tensor.randn(new Rng(1), 4, 4));
            for (int step = 0; step < 3; step++) {
                try (MemoryScope s = MemoryScope.open()) {
                    Reductions.sum(Pointwise.mul(p, p)).backward();
                }
            }
            assertEquals(3 * 2 * p.data().get(1, 2), p.grad().get(1, 2), 1e-5);
        }
    }

    @Test
    void gradCheckOfMulIsExactOnNonContiguousBroadcastInputs() {
        Rng rng = new Rng(7);
        Tensor a = Tensor.randn(rng, 4, 3).to(radapter.tensor.DType.F64).mT(); // [3, 4] F64 transposed view
        Tensor b = Tensor.randn(rng, 4);                                       // broadcast over rows
        org.junit.jupiter.api.Assertions.assertFalse(a.isContiguous());
        GradCheck.Result r = GradCheck.check(v -> Pointwise.mul(v[0], v[1]), 1e-6, a, b);
        assertTrue(r.passed(1e-6), r.toString());
    }

    @Test
    void zeroGradThenBackwardReusesTheBufferSoTheModelScopeDoesNotGrow() {
        try (MemoryScope model = MemoryScope.open()) {
            Variable p = Variable.parameter(Tensor.randn(new Rng(2), 8, 8));
            long afterFirst = -1;
            for (int step = 0; step < 200; step++) {
                p.zeroGrad();
                try (MemoryScope s = MemoryScope.open()) {
                    Reductions.sum(Pointwise.mul(p, p)).backward();
                }
                if (step == 0) {
                    afterFirst = model.allocatedBytes();
                }
                assertEquals(afterFirst, model.allocatedBytes(), "model scope grew at step " + step);
            }
            assertEquals(2 * p.data().get(3, 4), p.grad().get(3, 4), 1e-5);
        }
    }

    @Test
    void backwardFreesEachGradientOnceItIsConsumed() {
        // 40 layers of x ← tanh(x·W): without freeing, backward would hold ~3 new [128, 128]
        // tensors per layer (8 MB); with node scopes it holds the current frontier only.
        int layers = 40;
        long tensorBytes = 128L * 128 * 4;
        try (MemoryScope model = MemoryScope.open()) {
            Rng rng = new Rng(3);
            java.util.List<Variable> ws = new java.util.ArrayList<>();
            for (int i = 0; i < layers; i++) {
                ws.add(Variable.parameter(Tensor.randn(rng, 128, 128).mul(0.09)));
            }
            for (int rep = 0; rep < 2; rep++) {
                try (MemoryScope step = MemoryScope.open()) {
                    Variable x = Variable.constant(Tensor.randn(rng, 128, 128));
                    for (Variable w : ws) {
                        x = Pointwise.tanh(LinearAlgebra.matmul(x, w));
                    }
                    Variable loss = Reductions.sum(x);
                    long before = MemoryScope.liveBytes();
                    MemoryScope.resetPeak();
                    loss.backward();
                    long backwardPeak = MemoryScope.peakBytes() - before;
                    // The leaf gradients themselves (40 tensors) are allocated on the first pass and
                    // reused afterwards; everything else must stay within a few tensors.
                    long allowed = (rep == 0 ? layers : 0) * tensorBytes + 8 * tensorBytes;
                    assertTrue(backwardPeak <= allowed, "backward peak " + backwardPeak + " B > " + allowed + " B");
                }
                ws.forEach(Variable::zeroGrad);
            }
        }
    }
}
