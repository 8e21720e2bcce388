package radapter.autograd.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import radapter.autograd.Pointwise;
import radapter.autograd.Reductions;
import radapter.autograd.Variable;
import radapter.tensor.MemoryScope;
import radapter.tensor.Rng;
import radapter.tensor.Tensor;

/**
 * Off-heap memory stays flat over a long run: the optimizer's state is allocated once, in the
 * parameters' scope, on the first step; everything else a step allocates dies with the step.
 */
class OptimizerMemoryTest {
    private static final int STEPS = 2_000;

    private static List<Variable> params(Rng rng) {
        List<Variable> ps = new ArrayList<>();
        ps.add(Variable.parameter(Tensor.randn(rng, 16, 8)).named("w"));
        ps.add(Variable.parameter(Tensor.randn(rng, 8)).named("b"));
        ps.add(Variable.parameter(Tensor.randn(rng, 5)).named("c"));
        return ps;
    }

    @Test
    void adamWIsFlatAfterTheFirstStepWithGradientsSetPerStep() {
        Rng rng = new Rng(3);
        try (MemoryScope model = MemoryScope.open()) {
            List<Variable> ps = params(rng);
            AdamW opt = AdamW.builder().lr(1e-3).amsgrad(true).params(ps).build();
            long modelBytes = -1;
            long live = -1;
            for (int step = 0; step < STEPS; step++) {
                try (MemoryScope s = MemoryScope.open()) {
                    for (Variable p : ps) {
                        p.setGrad(p.data().mul(0.5).add(Tensor.randn(rng, p.shape())));
                    }
                    GradClip.clipGradNorm(ps, 1.0);
                    opt.step();
                    opt.zeroGrad();
                    assertTrue(s.allocatedBytes() > 0);
                }
                if (step == 0) {
                    modelBytes = model.allocatedBytes();
                    live = MemoryScope.liveBytes();
                } else {
                    assertEquals(modelBytes, model.allocatedBytes(), "the model scope grew at step " + step);
                    // Other tests' GC-owned tensors may be freed meanwhile, so live bytes may only drop.
                    assertTrue(MemoryScope.liveBytes() <= live, "live bytes grew at step " + step);
                }
            }
            // State: exp_avg, exp_avg_sq, max_exp_avg_sq for 128 + 8 + 5 floats.
            long paramBytes = 4L * (128 + 8 + 5);
            assertEquals(paramBytes + 3 * paramBytes, modelBytes);
            assertEquals(STEPS, opt.stepCount(ps.getFirst()));
        }
    }

    @Test
    void aBackwardLoopKeepingGradientBuffersIsFlatToo() {
        Rng rng = new Rng(4);
        try (MemoryScope model = MemoryScope.open()) {
            List<Variable> ps = params(rng);
            AdamW opt = AdamW.builder().lr(1e-3).params(ps).build();
            long modelBytes = -1;
            for (int step = 0; step < STEPS / 4; step++) {
                try (MemoryScope _ = MemoryScope.open()) {
                    Variable loss = null;
                    for (Variable p : ps) {
                        Variable term = Reductions.sum(Pointwise.mul(p, p));
                        loss = loss == null ? term : Pointwise.add(loss, term);
                    }
                    loss.backward();
                    opt.step();
                    opt.zeroGrad(false);
                }
                if (step == 0) {
                    modelBytes = model.allocatedBytes();
                } else {
                    assertEquals(modelBytes, model.allocatedBytes(), "the model scope grew at step " + step);
                }
            }
            // Parameters + their gradients + exp_avg + exp_avg_sq.
            assertEquals(4L * 4 * (128 + 8 + 5), modelBytes);
        }
    }
}
