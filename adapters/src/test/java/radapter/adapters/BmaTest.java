package radapter.adapters;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;
import radapter.autograd.Variable;
import radapter.models.clip.Clip;
import radapter.models.clip.ClipConfig;
import radapter.models.clip.ClipInit;
import radapter.models.nn.Activation;
import radapter.tensor.Rng;

/** BMA, the alternative to EMA for the averaged adapters (spec §5.2). */
class BmaTest {
    /** A small random CLIP (no fixtures needed): widths 16, one block per tower. */
    static Clip smallClip(long seed) {
        ClipConfig cfg = new ClipConfig(16, new ClipConfig.Vision(16, 1, 2, 8, 16), new ClipConfig.Text(16, 1, 2, 8, 64),
                Activation.QUICK_GELU, 1e-5, "BmaTest");
        return ClipInit.initialize(new Clip(cfg), new Rng(seed));
    }

    @Test
    void weightsAreTheSymmetricBetaDensity() {
        // β = 2: BetaPDF(x; 2, 2) = 6·x·(1−x); T = 3 puts the steps at x = 1/8, 3/8, 5/8.
        assertEquals(6 * 0.125 * 0.875, Bma.weight(0, 3, 2), 1e-13);
        assertEquals(6 * 0.375 * 0.625, Bma.weight(1, 3, 2), 1e-13);
        assertEquals(6 * 0.625 * 0.375, Bma.weight(2, 3, 2), 1e-13);
        // β = 1 is uniform; β = 0.5 is arcsine-shaped, 1/(π·sqrt(x(1−x))).
        assertEquals(1.0, Bma.weight(7, 10, 1), 1e-13);
        assertEquals(1 / (Math.PI * Math.sqrt(0.3 * 0.7)), Bma.betaPdf(0.3, 0.5, 0.5), 1e-12);
        // Large β stays finite (log-space normalisation).
        assertTrue(Double.isFinite(Bma.betaPdf(0.5, 400, 400)));
        assertThrows(IllegalArgumentException.class, () -> Bma.weight(3, 3, 2));
    }

    @Test
    void averagedAdaptersFollowTheFormulaOnAHandComputedThreeStepRun() {
        Clip clip = smallClip(1);
        AdaptedClip ac = AdaptedClip.install(clip, AdapterConfig.builder().ranks(16, 16).dropPath(0).bma(2).build(), new Rng(2));
        assertFalse(ac.config().emaEnabled(), "asking for BMA turns the default EMA off");
        // Live parameters set to 1, 2, 4 before steps 0, 1, 2. Weights 21/32, 45/32, 45/32 give
        // S = 21/32, 66/32, 111/32 and ρ = 1, 15/22, 15/37; from the initial copy (matrices 0, s 0.1):
        //   a1 = (a0 + 1)/2,  a2 = (a1 + 15/22·2)/(37/22),  a3 = (a2 + 15/37·4)/(52/37).
        double[] live = {1, 2, 4};
        double[] expectedMatrix = {0.5, 41.0 / 37, 101.0 / 52};
        double[] expectedScale = {0.55, 42.1 / 37, 102.1 / 52};
        for (int t = 0; t < 3; t++) {
            for (Variable p : ac.trainableParameters()) {
                p.data().fill_(live[t]);
            }
            ac.averageUpdate(t, 3);
            for (AdaptedClip.Site s : ac.sites()) {
                for (Map.Entry<String, Variable> e : s.adapter().ema().namedParameters().entrySet()) {
                    double want = e.getKey().equals("s") ? expectedScale[t] : expectedMatrix[t];
                    for (float v : e.getValue().data().toFloatArray()) {
                        assertEquals(want, v, 2e-6, "step " + t + " " + e.getKey());
                    }
                }
            }
        }
        Map<String, Object> st = ac.averagingState();
        assertEquals("bma", st.get("rule"));
        assertEquals(111.0 / 32, (double) st.get("weight_sum"), 1e-12);
        assertEquals(3L, st.get("updates"));
    }

    @Test
    void bmaAndEmaAreExclusiveAndMisuseIsReported() {
        IllegalArgumentException both = assertThrows(IllegalArgumentException.class,
                () -> AdapterConfig.builder().ema(0.999).bma(2).build());
        assertTrue(both.getMessage().contains("EMA") && both.getMessage().contains("BMA"), both.getMessage());
        assertTrue(AdapterConfig.builder().ema(0).bma(2).build().bmaEnabled());
        assertThrows(IllegalArgumentException.class, () -> AdapterConfig.builder().bma(-1).build());
        assertThrows(IllegalArgumentException.class, () -> AdapterConfig.builder().bma(Double.NaN).build());
        assertTrue(AdapterConfig.builder().build().emaEnabled(), "EMA stays the default");

        AdaptedClip ac = AdaptedClip.install(smallClip(3), AdapterConfig.builder().ranks(16, 16).bma(1).build(), new Rng(4));
        ac.averageUpdate(0, 5);
        // Skipping a step (e.g. a resume that forgot the weight sum) must not silently mis-weight.
        assertThrows(IllegalStateException.class, () -> ac.averageUpdate(2, 5));
        // A checkpoint written by an EMA run cannot continue a BMA average.
        assertThrows(IllegalArgumentException.class, () -> ac.restoreAveragingState(Map.of("rule", "ema", "momentum", 0.999)));
        assertThrows(IllegalArgumentException.class, () -> ac.restoreAveragingState(null));
    }
}
