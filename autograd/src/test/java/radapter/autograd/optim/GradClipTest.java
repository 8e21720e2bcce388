package radapter.autograd.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import radapter.autograd.Variable;
import radapter.tensor.Tensor;

class GradClipTest {

    private static Variable withGrad(float[] grad) {
        Variable p = Variable.parameter(Tensor.zeros(grad.length));
        p.setGrad(Tensor.of(grad.clone()));
        return p;
    }

    @Test
    void belowTheMaximumNothingChanges() {
        Variable p = withGrad(new float[] {3, 4});
        double total = GradClip.clipGradNorm(List.of(p), 10.0);
        assertEquals(5.0, total, 1e-6);
        assertArrayEquals(new float[] {3, 4}, p.grad().toFloatArray());
    }

    @Test
    void aboveTheMaximumEveryGradientIsScaledByTheSameCoefficient() {
        // Total norm over both: sqrt(9 + 16 + 144) = 13; coef = 1/(13 + 1e-6).
        Variable a = withGrad(new float[] {3, 4});
        Variable b = withGrad(new float[] {12});
        Variable noGrad = Variable.parameter(Tensor.zeros(3));
        double total = GradClip.clipGradNorm(List.of(a, noGrad, b), 1.0);
        assertEquals(13.0, total, 1e-6);
        double coef = 1.0 / (13.0 + 1e-6);
        assertArrayEquals(new float[] {(float) (3 * coef), (float) (4 * coef)}, a.grad().toFloatArray(), 1e-7f);
        assertArrayEquals(new float[] {(float) (12 * coef)}, b.grad().toFloatArray(), 1e-7f);
        assertNull(noGrad.grad());
        assertEquals(1.0, GradClip.clipGradNorm(List.of(a, b), 1.0), 1e-6);
    }

    @Test
    void exactlyAtTheMaximumTheEpsilonStillScalesSlightly() {
        // coef = 5/(5 + 1e-6) < 1, so PyTorch scales (by 1 − 2e-7).
        Variable p = withGrad(new float[] {3, 4});
        GradClip.clipGradNorm(List.of(p), 5.0);
        double coef = 5.0 / (5.0 + 1e-6);
        float[] g = p.grad().toFloatArray();
        assertArrayEquals(new float[] {(float) (3 * coef), (float) (4 * coef)}, g, 1e-6f);
        assertTrue(g[0] < 3f && g[1] < 4f, "scaled, not left alone");
    }

    @Test
    void noGradientsGiveZero() {
        assertEquals(0.0, GradClip.clipGradNorm(List.of(Variable.parameter(Tensor.zeros(2))), 1.0));
        assertEquals(0.0, GradClip.clipGradNorm(List.of(), 1.0));
    }

    @Test
    void nonFiniteNormsBehaveLikeTorch() {
        Variable p = withGrad(new float[] {Float.POSITIVE_INFINITY, 2});
        Variable q = withGrad(new float[] {1});
        assertThrows(IllegalStateException.class, () -> GradClip.clipGradNorm(List.of(p, q), 1.0, true));
        assertEquals(2.0f, p.grad().toFloatArray()[1], "untouched when it throws");
        double total = GradClip.clipGradNorm(List.of(p, q), 1.0);
        assertTrue(Double.isInfinite(total));
        assertTrue(Float.isNaN(p.grad().toFloatArray()[0]), "inf · 0 = NaN, as in PyTorch");
        assertEquals(0.0f, p.grad().toFloatArray()[1]);
        assertEquals(0.0f, q.grad().toFloatArray()[0]);
        assertThrows(IllegalArgumentException.class, () -> GradClip.clipGradNorm(List.of(q), -1.0));
    }
}
