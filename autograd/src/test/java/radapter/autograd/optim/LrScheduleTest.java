package radapter.autograd.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;
import radapter.autograd.Variable;
import radapter.tensor.Tensor;

class LrScheduleTest {
    private static final double ETA = 5e-4;
    private static final double ETA_MIN = 1e-6;

    @Test
    void warmupCosineTableFollowsTheSpecFormula() {
        // W = 5, T = 20. Warm-up: η·(step+1)/5. After: ½(1 + cos(π(step−5)/15))·η + η_min.
        //   step 0:  5e-4·1/5 = 1e-4
        //   step 4:  5e-4·5/5 = 5e-4
        //   step 5:  ½(1 + cos 0)·η + η_min = 5e-4 + 1e-6 = 5.01e-4 (above η: the spec's quirk)
        //   step 12: cos(7π/15) = cos 84° = 0.10452846326765347 → ½·1.10452846326765347·5e-4 = 2.7613211581691337e-4,
        //            + 1e-6 = 2.7713211581691337e-4
        //   step 19: cos(14π/15) = cos 168° = −0.9781476007338057 → ½·0.0218523992661943·5e-4 = 5.463099816548575e-6,
        //            + 1e-6 = 6.463099816548575e-6
        LrSchedule s = new WarmupCosineLr(ETA, 5, 20, ETA_MIN);
        assertEquals(1e-4, s.lr(0), 1e-18);
        assertEquals(5e-4, s.lr(4), 1e-18);
        assertEquals(5.01e-4, s.lr(5), 1e-18);
        assertEquals(2.7713211581691337e-4, s.lr(12), 1e-18);
        assertEquals(6.463099816548575e-6, s.lr(19), 1e-18);
        assertEquals(ETA_MIN, s.lr(20), 1e-18);
    }

    @Test
    void standardFormRunsFromEtaDownToEtaMin() {
        // η_min + ½(η − η_min)(1 + cos): step 5 → η; step 12 → 1e-6 + ½·4.99e-4·1.10452846326765347 = 2.7657985158527953e-4;
        // step 19 → 1e-6 + ½·4.99e-4·0.0218523992661943 = 6.45217361691548e-6.
        LrSchedule s = new WarmupCosineLr(ETA, 5, 20, ETA_MIN, WarmupCosineLr.Form.STANDARD);
        assertEquals(1e-4, s.lr(0), 1e-18);
        assertEquals(5e-4, s.lr(5), 1e-18);
        assertEquals(2.7657985158527953e-4, s.lr(12), 1e-18);
        assertEquals(6.45217361691548e-6, s.lr(19), 1e-18);
        assertEquals(ETA_MIN, s.lr(20), 1e-18);
    }

    @Test
    void noWarmupStartsAtTheCosinePeak() {
        LrSchedule s = new WarmupCosineLr(ETA, 0, 62 * 50, ETA_MIN);
        assertEquals(ETA + ETA_MIN, s.lr(0), 1e-18);
    }

    @Test
    void badSchedulesAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> new WarmupCosineLr(ETA, 20, 20, ETA_MIN));
        assertThrows(IllegalArgumentException.class, () -> new WarmupCosineLr(ETA, -1, 20, ETA_MIN));
        assertThrows(IllegalArgumentException.class, () -> new WarmupCosineLr(-ETA, 5, 20, ETA_MIN));
        assertThrows(IllegalArgumentException.class, () -> new WarmupCosineLr(ETA, 5, 20, ETA_MIN).lr(-1));
        assertThrows(IllegalArgumentException.class, () -> new StepLr(0.1, 0, 0.5));
        assertThrows(IllegalArgumentException.class, () -> new ConstantLr(Double.NaN));
    }

    @Test
    void stepAndConstantSchedules() {
        LrSchedule s = new StepLr(0.1, 3, 0.5);
        assertEquals(0.1, s.lr(0));
        assertEquals(0.1, s.lr(2));
        assertEquals(0.05, s.lr(3));
        assertEquals(0.05, s.lr(5));
        assertEquals(0.025, s.lr(6));
        assertEquals(0.1 * Math.pow(0.5, 33), s.lr(100));
        LrSchedule c = new ConstantLr(3e-4);
        assertEquals(3e-4, c.lr(0));
        assertEquals(3e-4, c.lr(1_000_000));
    }

    @Test
    void applyKeepsTheGroupsRatios() {
        Variable a = Variable.parameter(Tensor.zeros(2));
        Variable b = Variable.parameter(Tensor.zeros(2));
        AdamW opt = AdamW.builder().lr(ETA).group(ParamGroup.of(a)).group(ParamGroup.of(b).lr(1e-4)).build();
        double reported = new StepLr(ETA, 3, 0.5).apply(opt, 3);
        assertEquals(2.5e-4, reported, 1e-18);
        assertEquals(2.5e-4, opt.paramGroups().get(0).lr(), 1e-18);
        assertEquals(5e-5, opt.paramGroups().get(1).lr(), 1e-18);
        // Cosine: the second group runs the same formula with base 1e-4 (η_min stays absolute), as the
        // reference's per-group base_lrs do.
        LrSchedule cos = new WarmupCosineLr(ETA, 5, 20, ETA_MIN);
        cos.apply(opt, 12);
        assertEquals(2.7713211581691337e-4, opt.paramGroups().get(0).lr(), 1e-18);
        assertEquals(0.5 * 1.10452846326765347 * 1e-4 + 1e-6, opt.paramGroups().get(1).lr(), 1e-18);
        cos.apply(opt, 0);
        assertEquals(1e-4, opt.paramGroups().get(0).lr(), 1e-18);
        assertEquals(2e-5, opt.paramGroups().get(1).lr(), 1e-18);
        // Initial lrs are untouched by scheduling.
        assertEquals(List.of(ETA, 1e-4), opt.paramGroups().stream().map(ParamGroup::initialLr).toList());
    }
}
