package radapter.autograd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import radapter.tensor.DType;
import radapter.tensor.Rng;
import radapter.tensor.Tensor;

class JoinGradTest {
    private static final double EPS = 1e-6;
    private static final double TOL = 1e-6;

    private static Tensor randn(long seed, long... shape) {
        return Tensor.randn(new Rng(seed), shape).to(DType.F64);
    }

    private static void check(java.util.function.Function<Variable[], Variable> f, Tensor... inputs) {
        GradCheck.Result r = GradCheck.check(f, EPS, inputs);
        assertTrue(r.passed(TOL), r.toString());
    }

    /** Pieces put back in reverse order, each scaled differently, so a misrouted gradient shows. */
    private static Variable reassemble(List<Variable> parts, int dim) {
        List<Variable> out = new ArrayList<>();
        for (int i = parts.size() - 1; i >= 0; i--) {
            out.add(Pointwise.square(parts.get(i)).mul(i + 1.0));
        }
        return Join.cat(dim, out);
    }

    @Test
    void catAlongAnyDimension() {
        Tensor a = randn(1, 2, 3);
        Tensor b = randn(2, 1, 2).mT();
        Tensor c = randn(3, 2, 4).slice(1, 0, 4, 2);
        check(v -> Pointwise.square(Join.cat(1, v[0], v[1], v[2])), a, b, c);
        check(v -> Pointwise.square(Join.cat(0, v[0], v[1])), randn(4, 1, 3), a.mT().mT());
        check(v -> Pointwise.square(Join.cat(-1, v[0], v[0])), a);
    }

    @Test
    void catSkipsInputsThatNeedNoGradient() {
        Variable p = Variable.parameter(Tensor.of(new float[] {1, 2}));
        Variable k = Variable.constant(Tensor.of(new float[] {3}));
        Join.cat(0, p, k).mul(Variable.constant(Tensor.of(new float[] {5, 6, 7}))).sum().backward();
        assertArrayEquals(new float[] {5, 6}, p.grad().toFloatArray());
        assertNull(k.grad());
    }

    @Test
    void stackAlongANewDimension() {
        Tensor a = randn(5, 2, 3);
        Tensor b = randn(6, 3, 2).mT();
        check(v -> Pointwise.square(Join.stack(0, v[0], v[1])), a, b);
        check(v -> Pointwise.square(Join.stack(-1, v[0], v[1], v[0])), a, b);
        check(v -> Pointwise.square(Join.stack(1, List.of(v[0], v[1]))), a, b);
    }

    @Test
    void splitAndChunkReturnPiecesThatRouteGradientsBack() {
        Tensor x = randn(7, 5, 3).mT();
        check(v -> reassemble(Join.split(v[0], 2, 1), 1), x);
        check(v -> reassemble(Join.split(v[0], new long[] {1, 0, 2}, 0), 0), x);
        check(v -> reassemble(Join.chunk(v[0], 3, 1), 1), x);
        Variable p = Variable.parameter(Tensor.arange(5));
        List<Variable> parts = Join.chunk(p, 2, 0);
        assertEquals(2, parts.size());
        assertArrayEquals(new long[] {3}, parts.get(0).shape());
        assertArrayEquals(new long[] {2}, parts.get(1).shape());
        parts.get(1).mul(3.0).sum().backward();
        assertArrayEquals(new float[] {0, 0, 0, 3, 3}, p.grad().toFloatArray());
    }
}
