package radapter.autograd.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static radapter.autograd.optim.OptimTesting.grad;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import radapter.autograd.Variable;
import radapter.tensor.Rng;
import radapter.tensor.Tensor;

class StateDictTest {
    private static final long[][] SHAPES = {{3}, {2, 3}, {2}};
    private static final String[] NAMES = {"bias", "weight", "unused"};

    /** Fresh F32 parameters with fixed values; the third never gets a gradient. */
    private static List<Variable> params(long seed) {
        Rng rng = new Rng(seed);
        List<Variable> ps = new ArrayList<>();
        for (int i = 0; i < SHAPES.length; i++) {
            ps.add(Variable.parameter(Tensor.randn(rng, SHAPES[i])).named(NAMES[i]));
        }
        return ps;
    }

    /** The gradients of step {@code t} (deterministic), for the first two parameters only. */
    private static void setGrads(List<Variable> ps, int t) {
        for (int i = 0; i < 2; i++) {
            Variable p = ps.get(i);
            int n = Math.toIntExact(p.data().numel());
            double[] g = new double[n];
            for (int k = 0; k < n; k++) {
                g[k] = Math.sin(1.3 * t + 0.7 * k + i) * (1 + 0.1 * t);
            }
            p.setGrad(grad(p, g));
        }
    }

    private static OptimizerState roundTrip(OptimizerState s) throws IOException, ClassNotFoundException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(s);
        }
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            return (OptimizerState) in.readObject();
        }
    }

    /**
     * Runs 7 steps uninterrupted, and 3 steps + save + (serialise) + load into a fresh optimizer on
     * fresh parameters holding the same values + 4 steps; both must end bit-for-bit equal.
     */
    private static void resumesIdentically(Function<List<Variable>, Optimizer> make) throws Exception {
        List<Variable> a = params(7);
        Optimizer optA = make.apply(a);
        for (int t = 0; t < 3; t++) {
            setGrads(a, t);
            optA.step();
            optA.paramGroups().getFirst().lr(optA.paramGroups().getFirst().lr() * 0.5);
        }
        OptimizerState saved = roundTrip(optA.stateDict());
        List<Variable> b = params(99);
        for (int i = 0; i < a.size(); i++) {
            b.get(i).data().copy_(a.get(i).data());
        }
        Optimizer optB = make.apply(b);
        optB.loadStateDict(saved);
        assertEquals(optA.paramGroups().getFirst().lr(), optB.paramGroups().getFirst().lr(), "group lr restored");
        for (int t = 3; t < 7; t++) {
            setGrads(a, t);
            optA.step();
            setGrads(b, t);
            optB.step();
        }
        for (int i = 0; i < a.size(); i++) {
            assertArrayEquals(a.get(i).data().toFloatArray(), b.get(i).data().toFloatArray(), "parameter " + i);
            assertEquals(optA.stepCount(a.get(i)), optB.stepCount(b.get(i)));
        }
        assertEquals(7, optB.stepCount(b.get(0)));
        assertEquals(0, optB.stepCount(b.get(2)));
    }

    @Test
    void adamWResumesIdentically() throws Exception {
        resumesIdentically(ps -> AdamW.builder().lr(0.05).weightDecay(0.1).params(ps).build());
    }

    @Test
    void amsgradResumesIdentically() throws Exception {
        resumesIdentically(ps -> AdamW.builder().lr(0.05).amsgrad(true).params(ps).build());
    }

    @Test
    void sgdWithMomentumResumesIdentically() throws Exception {
        resumesIdentically(ps -> SGD.builder().lr(0.05).momentum(0.9).dampening(0.1).weightDecay(0.01).params(ps).build());
    }

    @Test
    void theSnapshotHoldsWhatWasAskedFor() {
        List<Variable> ps = params(1);
        AdamW opt = AdamW.builder().lr(0.05)
                .group(ParamGroup.of(ps.subList(0, 2)))
                .group(ParamGroup.of(ps.subList(2, 3)).weightDecay(0))
                .build();
        setGrads(ps, 0);
        opt.step();
        OptimizerState s = opt.stateDict();
        assertEquals("AdamW", s.optimizer());
        assertEquals(2, s.groups().size());
        assertArrayEquals(new int[] {0, 1}, s.groups().get(0).paramIndices());
        assertArrayEquals(new int[] {2}, s.groups().get(1).paramIndices());
        assertEquals(0.0, s.groups().get(1).weightDecay());
        assertEquals(Map.of("beta1", 0.9, "beta2", 0.999, "eps", 1e-8, "amsgrad", 0.0), s.groups().get(0).options());
        assertEquals(2, s.params().size(), "the parameter without a gradient has no state");
        OptimizerState.Param w = s.params().get(1);
        assertEquals(1, w.index());
        assertEquals("weight", w.name());
        assertArrayEquals(new long[] {2, 3}, w.shape());
        assertEquals(1, w.step());
        // After one step exp_avg = (1 − β1)·g.
        float[] g = ps.get(1).grad().toFloatArray();
        double[] m = w.buffers().get(AdamW.EXP_AVG);
        for (int k = 0; k < g.length; k++) {
            assertEquals(0.1 * g[k], m[k], 1e-7);
        }
    }

    @Test
    void mismatchesAreReportedWithIndexNameAndShapes() {
        List<Variable> ps = params(1);
        AdamW opt = AdamW.builder().params(ps).build();
        setGrads(ps, 0);
        opt.step();
        OptimizerState saved = opt.stateDict();

        List<Variable> transposed = params(1);
        transposed.set(1, Variable.parameter(Tensor.zeros(3, 2)).named("weight"));
        IllegalArgumentException shape = assertThrows(IllegalArgumentException.class,
                () -> AdamW.builder().params(transposed).build().loadStateDict(saved));
        assertTrue(shape.getMessage().contains("parameter 1 ('weight')") && shape.getMessage().contains("[3, 2]")
                && shape.getMessage().contains("[2, 3]"), shape.getMessage());

        IllegalArgumentException count = assertThrows(IllegalArgumentException.class,
                () -> AdamW.builder().params(params(1).subList(0, 2)).build().loadStateDict(saved));
        assertTrue(count.getMessage().contains("group 0") && count.getMessage().contains("2 parameters"), count.getMessage());

        IllegalArgumentException kind = assertThrows(IllegalArgumentException.class,
                () -> SGD.builder().params(params(1)).build().loadStateDict(saved));
        assertTrue(kind.getMessage().contains("saved by AdamW"), kind.getMessage());

        List<Variable> renamed = params(1);
        renamed.get(0).named("other");
        IllegalArgumentException name = assertThrows(IllegalArgumentException.class,
                () -> AdamW.builder().params(renamed).build().loadStateDict(saved));
        assertTrue(name.getMessage().contains("parameter 0 ('other') was saved as 'bias'"), name.getMessage());

        // A failed load changes nothing.
        List<Variable> fresh = params(1);
        AdamW target = AdamW.builder().lr(0.5).params(fresh).build();
        assertThrows(IllegalArgumentException.class, () -> target.loadStateDict(new OptimizerState("AdamW",
                saved.groups(), List.of(new OptimizerState.Param(0, "bias", new long[] {3}, 1, Map.of(AdamW.EXP_AVG, new double[3]))))));
        assertEquals(0.5, target.paramGroups().getFirst().lr());
        assertEquals(0, target.stepCount(fresh.get(0)));
    }
}
