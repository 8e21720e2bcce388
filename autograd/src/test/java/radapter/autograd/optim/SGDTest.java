package radapter.autograd.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static radapter.autograd.optim.OptimTesting.GRADS;
import static radapter.autograd.optim.OptimTesting.P0;
import static radapter.autograd.optim.OptimTesting.assertClose;
import static radapter.autograd.optim.OptimTesting.grad;
import static radapter.autograd.optim.OptimTesting.param;
import static radapter.autograd.optim.OptimTesting.run;

import java.util.List;
import org.junit.jupiter.api.Test;
import radapter.autograd.Variable;

class SGDTest {

    private static void checkAgainstTorch(double lr, double momentum, double dampening, boolean nesterov, double wd) {
        for (boolean f64 : new boolean[] {true, false}) {
            Variable p = param(P0, f64);
            SGD opt = SGD.builder().lr(lr).momentum(momentum).dampening(dampening).nesterov(nesterov).weightDecay(wd)
                    .params(List.of(p)).build();
            double[][] actual = run(opt, p, GRADS);
            double[][] expected = f64
                    ? TorchReference.sgd(P0, GRADS, lr, momentum, dampening, nesterov, wd)
                    : TorchReference.sgd(TorchReference.f32(P0), TorchReference.f32(GRADS), lr, momentum, dampening, nesterov, wd);
            assertClose(expected, actual, f64 ? 1e-12 : 1e-6);
        }
    }

    @Test
    void momentumWithDampeningAndWeightDecayMatchesTorch() {
        checkAgainstTorch(0.1, 0.9, 0.1, false, 0.01);
    }

    @Test
    void nesterovMatchesTorch() {
        checkAgainstTorch(0.1, 0.9, 0.0, true, 0.01);
    }

    @Test
    void plainSgdAndUndampedMomentumMatchTorch() {
        checkAgainstTorch(0.05, 0.0, 0.0, false, 0.0);
        checkAgainstTorch(0.05, 0.5, 0.0, false, 0.0);
        checkAgainstTorch(0.05, 0.0, 0.0, false, 0.2);
    }

    @Test
    void twoStepsByHand() {
        // lr 0.1, momentum 0.9, wd 0.01, p = 1, g = 0.5 twice.
        // Dampening 0.1: d1 = 0.51, buf = 0.51 (no dampening on the first step), p = 0.949;
        //                d2 = 0.50949, buf = 0.9·0.51 + 0.9·0.50949 = 0.917541, p = 0.8572459.
        Variable a = param(new double[] {1.0}, true);
        SGD damped = SGD.builder().lr(0.1).momentum(0.9).dampening(0.1).weightDecay(0.01).params(List.of(a)).build();
        double[][] r = run(damped, a, new double[][] {{0.5}, {0.5}});
        assertEquals(0.949, r[0][0], 1e-14);
        assertEquals(0.8572459, r[1][0], 1e-14);
        // Nesterov: d1 = 0.51, buf = 0.51, step 0.51 + 0.9·0.51 = 0.969, p = 0.9031;
        //           d2 = 0.509031, buf = 0.459 + 0.509031 = 0.968031, step = 0.509031 + 0.8712279 = 1.3802589,
        //           p = 0.9031 − 0.13802589 = 0.76507411.
        Variable b = param(new double[] {1.0}, true);
        SGD nesterov = SGD.builder().lr(0.1).momentum(0.9).nesterov(true).weightDecay(0.01).params(List.of(b)).build();
        double[][] s = run(nesterov, b, new double[][] {{0.5}, {0.5}});
        assertEquals(0.9031, s[0][0], 1e-14);
        assertEquals(0.76507411, s[1][0], 1e-14);
    }

    @Test
    void nesterovNeedsMomentumAndZeroDampeningLikeTorch() {
        Variable p = param(P0, true);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SGD.builder().momentum(0.9).dampening(0.1).nesterov(true).params(List.of(p)).build());
        assertTrue(e.getMessage().contains("Nesterov"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> SGD.builder().nesterov(true).params(List.of(p)).build());
        assertThrows(IllegalArgumentException.class, () -> SGD.builder().lr(-1).params(List.of(p)).build());
        assertThrows(IllegalArgumentException.class, () -> SGD.builder().momentum(-0.1).params(List.of(p)).build());
    }

    @Test
    void defaultsAreTorchs() {
        SGD opt = SGD.builder().params(List.of(param(P0, true))).build();
        ParamGroup g = opt.paramGroups().getFirst();
        assertEquals(1e-3, g.lr());
        assertEquals(0.0, g.weightDecay());
        assertEquals(0.0, g.get(SGD.MOMENTUM));
        assertEquals(0.0, g.get(SGD.DAMPENING));
        assertEquals(false, g.flag(SGD.NESTEROV));
    }

    @Test
    void parametersWithoutGradientAreSkippedAndStartTheirMomentumLater() {
        Variable a = param(P0, true);
        Variable b = param(new double[] {1.0, 2.0}, true);
        SGD opt = SGD.builder().lr(0.1).momentum(0.9).dampening(0.5).params(List.of(a, b)).build();
        run(opt, a, new double[][] {GRADS[0], GRADS[1]});
        assertArrayEquals(new double[] {1.0, 2.0}, b.data().toDoubleArray());
        assertEquals(0, opt.stepCount(b));
        assertEquals(2, opt.stepCount(a));
        // b's first update: its buffer is its gradient, undampened, whatever a has done.
        a.zeroGrad();
        b.setGrad(grad(b, new double[] {1.0, -1.0}));
        opt.step();
        assertArrayEquals(new double[] {0.9, 2.1}, b.data().toDoubleArray(), 1e-14);
    }

    @Test
    void zeroGradClearsOrZeroesTheBuffers() {
        Variable p = param(P0, true);
        SGD opt = SGD.builder().params(List.of(p)).build();
        p.setGrad(grad(p, GRADS[0]));
        var buffer = p.grad();
        opt.zeroGrad(false);
        assertSame(buffer, p.grad());
        assertArrayEquals(new double[] {0, 0, 0}, p.grad().toDoubleArray());
        opt.zeroGrad();
        assertNull(p.grad());
    }
}
