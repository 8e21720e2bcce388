package radapter.autograd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import radapter.tensor.DType;
import radapter.tensor.Rng;
import radapter.tensor.Tensor;

class ViewsGradTest {
    private static final double EPS = 1e-6;
    private static final double TOL = 1e-6;

    private static Tensor randn(long seed, long... shape) {
        return Tensor.randn(new Rng(seed), shape).to(DType.F64);
    }

    /** Gradients of views are exercised through a nonlinearity so that each element's gradient differs. */
    private static void check(java.util.function.Function<Variable[], Variable> view, Tensor... inputs) {
        GradCheck.Result r = GradCheck.check(v -> Pointwise.square(view.apply(v)), EPS, inputs);
        assertTrue(r.passed(TOL), r.toString());
    }

    @Test
    void shapeChanges() {
        Tensor x = randn(1, 2, 3, 4);
        Tensor xt = randn(2, 4, 3).mT();
        check(v -> Views.reshape(v[0], 4, -1), x);
        check(v -> Views.reshape(v[0], 12), xt);
        check(v -> Views.view(v[0], 6, 4), x);
        check(v -> Views.flatten(v[0], 1, 2), x);
        check(v -> Views.flatten(v[0], 0, -1), xt);
        check(v -> Views.unsqueeze(v[0], 1), xt);
        check(v -> Views.squeeze(Views.unsqueeze(v[0], 0)), xt);
        check(v -> Views.squeeze(v[0], 0), randn(3, 1, 3, 2));
        check(v -> Views.contiguous(v[0]), xt);
    }

    @Test
    void reorderings() {
        Tensor x = randn(4, 2, 3, 4);
        check(v -> Views.permute(v[0], 2, 0, 1), x);
        check(v -> Views.permute(v[0], -1, 1, 0), x.mT());
        check(v -> Views.transpose(v[0], 0, 2), x);
        check(v -> Views.mT(v[0]), x);
    }

    @Test
    void partialViews() {
        Tensor x = randn(5, 4, 5);
        Tensor xt = randn(6, 5, 4).mT();
        check(v -> Views.narrow(v[0], 1, 1, 3), x);
        check(v -> Views.narrow(v[0], 0, -2, 2), xt);
        check(v -> Views.slice(v[0], 1, 0, 5, 2), x);
        check(v -> Views.slice(v[0], 0, 1, -1, 2), xt);
        check(v -> Views.select(v[0], 0, 2), x);
        check(v -> Views.select(v[0], -1, -1), xt);
    }

    @Test
    void partialViewGradientIsZeroOutsideTheView() {
        Variable p = Variable.parameter(Tensor.of(new float[] {1, 2, 3, 4, 5, 6}));
        Views.slice(p, 0, 1, 6, 2).sum().backward();
        assertArrayEquals(new float[] {0, 1, 0, 1, 0, 1}, p.grad().toFloatArray());
    }

    @Test
    void expandSumsOverBroadcastDimensions() {
        check(v -> Views.expand(v[0], 2, 3, 4), randn(7, 3, 1));
        check(v -> Views.expand(v[0], 3, -1), randn(8, 1, 4).mT().mT());
        Variable p = Variable.parameter(Tensor.of(new float[] {1, 2}, 2, 1));
        Views.expand(p, 3, 2, 4).sum().backward();
        assertArrayEquals(new float[] {12, 12}, p.grad().toFloatArray());
    }

    @Test
    void chainsOfViewsOnAFreshGraph() {
        check(v -> v[0].transpose(0, 1).reshape(4, 6).narrow(0, 1, 2).unsqueeze(0).expand(2, 2, 6), randn(9, 2, 3, 4).permute(1, 0, 2));
    }
}
