package radapter.autograd.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static radapter.autograd.optim.OptimTesting.GRADS;
import static radapter.autograd.optim.OptimTesting.P0;
import static radapter.autograd.optim.OptimTesting.assertClose;
import static radapter.autograd.optim.OptimTesting.param;
import static radapter.autograd.optim.OptimTesting.run;

import java.util.List;
import org.junit.jupiter.api.Test;
import radapter.autograd.Variable;

class AdamWTest {

    private static void checkAgainstTorch(double lr, double beta1, double beta2, double eps, double wd, boolean amsgrad,
            double[] p0, double[][] grads) {
        for (boolean f64 : new boolean[] {true, false}) {
            Variable p = param(p0, f64);
            AdamW opt = AdamW.builder().lr(lr).betas(beta1, beta2).eps(eps).weightDecay(wd).amsgrad(amsgrad)
                    .params(List.of(p)).build();
            double[][] actual = run(opt, p, grads);
            double[][] expected = f64
                    ? TorchReference.adamw(p0, grads, lr, beta1, beta2, eps, wd, amsgrad)
                    : TorchReference.adamw(TorchReference.f32(p0), TorchReference.f32(grads), lr, beta1, beta2, eps, wd, amsgrad);
            assertClose(expected, actual, f64 ? 1e-12 : 1e-6);
        }
    }

    @Test
    void fiveStepsMatchTorch() {
        checkAgainstTorch(0.1, 0.9, 0.999, 1e-8, 0.1, false, P0, GRADS);
    }

    @Test
    void otherBetasAndALargeEpsMatchTorch() {
        checkAgainstTorch(0.05, 0.8, 0.99, 1e-3, 0.0, false, P0, GRADS);
    }

    @Test
    void amsgradMatchesTorch() {
        checkAgainstTorch(0.1, 0.9, 0.999, 1e-8, 0.1, true, P0, GRADS);
        // A large gradient then small ones: the running maximum of v is what divides.
        double[][] shrinking = {{2.0, -3.0, 1.0}, {0.1, 0.1, 0.1}, {0.01, -0.01, 0.02}, {0.2, 0.0, -0.1}};
        checkAgainstTorch(0.01, 0.5, 0.9, 1e-8, 0.0, true, P0, shrinking);
        Variable a = param(P0, true);
        Variable b = param(P0, true);
        run(AdamW.builder().lr(0.01).betas(0.5, 0.9).amsgrad(true).params(List.of(a)).build(), a, shrinking);
        run(AdamW.builder().lr(0.01).betas(0.5, 0.9).params(List.of(b)).build(), b, shrinking);
        assertTrue(Math.abs(a.data().get(0) - b.data().get(0)) > 1e-4, "AMSGrad must change this run");
    }

    @Test
    void epsIsAddedOutsideTheSquareRoot() {
        // With eps comparable to sqrt(v̂), putting it inside the root (sqrt(v̂ + eps)) would move p far more.
        double[][] small = {{1e-3, -1e-3, 2e-3}, {1e-3, -1e-3, 2e-3}};
        double lr = 0.1;
        double eps = 1e-3;
        Variable p = param(P0, true);
        double[][] r = run(AdamW.builder().lr(lr).eps(eps).weightDecay(0).params(List.of(p)).build(), p, small);
        // Constant gradient: m̂ = g and v̂ = g², so each step moves by lr·g/(|g| + eps) exactly.
        double expected0 = P0[0] - 2 * lr * 1e-3 / (1e-3 + eps);
        assertEquals(expected0, r[1][0], 1e-12);
        double epsInside = P0[0] - 2 * lr * 1e-3 / Math.sqrt(1e-6 + eps);
        assertTrue(Math.abs(epsInside - r[1][0]) > 1e-3);
    }

    @Test
    void constantGradientByHand() {
        // lr 0.1, wd 0.1, g = 0.5: every step p ← p·(1 − 0.01) − 0.1·0.5/(0.5 + 1e-8), since m̂ = g and v̂ = g².
        // Step 1: 1·0.99 − 0.099999998 = 0.890000002; step 2: 0.890000002·0.99 − 0.099999998 = 0.78110000398.
        Variable p = param(new double[] {1.0}, true);
        AdamW opt = AdamW.builder().lr(0.1).weightDecay(0.1).params(List.of(p)).build();
        double[][] r = run(opt, p, new double[][] {{0.5}, {0.5}, {0.5}});
        double step = 0.1 * 0.5 / (0.5 + 1e-8);
        assertEquals(0.890000002, r[0][0], 1e-14);
        assertEquals(0.78110000398, r[1][0], 1e-14);
        assertEquals(0.78110000398 * 0.99 - step, r[2][0], 1e-14);
    }

    @Test
    void zeroGradientOnlyDecaysTheWeights() {
        // m = v = 0, so the Adam term is 0/(0 + eps) = 0 and only p·(1 − lr·wd) per step remains.
        Variable p = param(P0, true);
        AdamW opt = AdamW.builder().lr(0.1).weightDecay(0.1).params(List.of(p)).build();
        double[][] r = run(opt, p, new double[][] {{0, 0, 0}, {0, 0, 0}, {0, 0, 0}});
        for (int i = 0; i < 3; i++) {
            assertEquals(P0[i] * Math.pow(0.99, 3), r[2][i], 1e-15);
        }
    }

    @Test
    void defaultsAreTorchs() {
        AdamW opt = AdamW.builder().params(List.of(param(P0, true))).build();
        ParamGroup g = opt.paramGroups().getFirst();
        assertEquals(1e-3, g.lr());
        assertEquals(1e-2, g.weightDecay());
        assertEquals(0.9, g.get(AdamW.BETA1));
        assertEquals(0.999, g.get(AdamW.BETA2));
        assertEquals(1e-8, g.get(AdamW.EPS));
        assertFalse(g.flag(AdamW.AMSGRAD));
    }

    @Test
    void invalidSettingsAreRejected() {
        Variable p = param(P0, true);
        assertThrows(IllegalArgumentException.class, () -> AdamW.builder().betas(1.0, 0.999).params(List.of(p)).build());
        assertThrows(IllegalArgumentException.class, () -> AdamW.builder().betas(0.9, -0.1).params(List.of(p)).build());
        assertThrows(IllegalArgumentException.class, () -> AdamW.builder().eps(-1).params(List.of(p)).build());
        assertThrows(IllegalArgumentException.class, () -> AdamW.builder().lr(-1e-3).params(List.of(p)).build());
        assertThrows(IllegalArgumentException.class, () -> AdamW.builder().weightDecay(-1).params(List.of(p)).build());
        assertThrows(IllegalArgumentException.class, () -> AdamW.builder().build());
    }

    @Test
    void stateIsCreatedOnTheFirstStepAndCounted() {
        Variable p = param(P0, false);
        AdamW opt = AdamW.builder().params(List.of(p)).build();
        assertTrue(opt.stateDict().params().isEmpty());
        run(opt, p, GRADS);
        assertEquals(5, opt.stepCount(p));
        OptimizerState s = opt.stateDict();
        assertEquals(1, s.params().size());
        assertEquals(List.of(AdamW.EXP_AVG, AdamW.EXP_AVG_SQ), List.copyOf(s.params().getFirst().buffers().keySet()));
        assertEquals(5, s.params().getFirst().step());
    }
}
