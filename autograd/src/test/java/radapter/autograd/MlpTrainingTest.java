package radapter.autograd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import radapter.autograd.optim.AdamW;
import radapter.autograd.optim.GradClip;
import radapter.tensor.MemoryScope;
import radapter.tensor.Rng;
import radapter.tensor.Tensor;

/**
 * The worked example: a two-layer MLP (Linear → GELU → Linear) learns to classify points of three
 * interleaved spirals, and a long run proves that off-heap memory stays flat across steps.
 */
class MlpTrainingTest {
    static final int CLASSES = 3;
    static final int PER_CLASS = 64;

    /** Three spiral arms in 2-D, with a little noise; labels are the arm index. */
    static Tensor[] spirals(Rng rng) {
        int n = CLASSES * PER_CLASS;
        float[] x = new float[n * 2];
        long[] y = new long[n];
        for (int c = 0; c < CLASSES; c++) {
            for (int i = 0; i < PER_CLASS; i++) {
                double r = (double) i / PER_CLASS;
                double t = c * 2 * Math.PI / CLASSES + 3.5 * r + 0.15 * rng.nextGaussian();
                int k = c * PER_CLASS + i;
                x[2 * k] = (float) (r * Math.cos(t));
                x[2 * k + 1] = (float) (r * Math.sin(t));
                y[k] = c;
            }
        }
        return new Tensor[] {Tensor.of(x, n, 2), Tensor.ofLongs(y)};
    }

    record Mlp(Variable w1, Variable b1, Variable w2, Variable b2) {
        static Mlp init(Rng rng, int hidden) {
            return new Mlp(
                    Variable.parameter(Tensor.randn(rng, hidden, 2).mul(Math.sqrt(2.0 / 2))),
                    Variable.parameter(Tensor.zeros(hidden)),
                    Variable.parameter(Tensor.randn(rng, CLASSES, hidden).mul(Math.sqrt(1.0 / hidden))),
                    Variable.parameter(Tensor.zeros(CLASSES)));
        }

        Variable forward(Variable x) {
            Variable h = NN.gelu(LinearAlgebra.linear(x, w1, b1));
            return LinearAlgebra.linear(h, w2, b2);
        }

        List<Variable> params() {
            return List.of(w1, b1, w2, b2);
        }
    }

    @Test
    void mlpLearnsThreeSpiralsBelowAStatedLoss() {
        try (MemoryScope model = MemoryScope.open()) {
            Rng rng = new Rng(5);
            Tensor[] data = spirals(rng);
            Mlp mlp = Mlp.init(rng, 64);
            AdamW opt = AdamW.builder().lr(0.02).weightDecay(0.0).params(mlp.params()).build();
            double first = Double.NaN;
            double last = Double.NaN;
            for (int step = 0; step < 600; step++) {
                try (MemoryScope s = MemoryScope.open()) {
                    Variable loss = Losses.crossEntropy(mlp.forward(Variable.constant(data[0])), data[1]);
                    loss.backward();
                    opt.step();
                    opt.zeroGrad();
                    if (step == 0) {
                        first = loss.item();
                    }
                    last = loss.item();
                }
            }
            double accuracy;
            try (MemoryScope s = MemoryScope.open(); var ignored = GradMode.noGrad()) {
                Tensor pred = mlp.forward(Variable.constant(data[0])).data().argmax(-1, false);
                accuracy = pred.eq(data[1].to(radapter.tensor.DType.F32)).mean().item();
            }
            assertTrue(first > 0.9, "starts near ln 3: " + first);
            assertTrue(last < 0.15, "final training loss should be below 0.15, was " + last);
            assertTrue(accuracy > 0.95, "training accuracy " + accuracy);
        }
    }

    @Test
    void twoThousandStepsHoldOffHeapMemoryFlat() {
        try (MemoryScope model = MemoryScope.open()) {
            Rng rng = new Rng(9);
            Tensor[] data = spirals(rng);
            Mlp mlp = Mlp.init(rng, 32);
            AdamW opt = AdamW.builder().lr(0.01).weightDecay(0.01).params(mlp.params()).build();
            long baselineLive = -1;
            long baselineModel = -1;
            for (int step = 0; step < 2000; step++) {
                try (MemoryScope s = MemoryScope.open()) {
                    Variable loss = Losses.crossEntropy(mlp.forward(Variable.constant(data[0])), data[1], 0.1);
                    loss.backward();
                    GradClip.clipGradNorm(mlp.params(), 1.0);
                    opt.step();
                    opt.zeroGrad();
                }
                if (step == 1) {
                    baselineLive = MemoryScope.scopedBytes();
                    baselineModel = model.allocatedBytes();
                } else if (step > 1) {
                    assertEquals(baselineModel, model.allocatedBytes(), "model scope grew at step " + step);
                    assertEquals(baselineLive, MemoryScope.scopedBytes(), "scoped off-heap bytes changed at step " + step);
                }
            }
        }
    }
}
