package radapter.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import radapter.adapters.AdapterConfig;

/** The defaults of a fine-tune follow its length, and the plan says what really runs. */
class TrainingPlanTest {
    @Test
    void aThirtyStepRunGetsAnEmaThatForgetsItsZeroStart() {
        // The run: 60 images, --batch-size 512, 30 epochs of one step.
        TrainingPlan p = TrainingPlan.of(60, 512, 1, 30, null, null, false);
        assertEquals(60, p.batch());
        assertEquals(30, p.steps());
        assertEquals(1 - 10.0 / 30, p.ema(), 1e-12);
        assertTrue(Math.pow(p.ema(), p.steps()) < 1e-4, "the zero-initialised start weighs almost nothing at the end");
        assertEquals(3, p.warmup());
        assertTrue(p.describe().startsWith("30 steps (30 epochs × 1 steps) of 60 pairs"), p.describe());
        assertTrue(p.warnings().getFirst().contains("--batch-size 512 is more than the 60 training pairs"), p.warnings().toString());
    }

    @Test
    void longRunsKeepThePapersDefaults() {
        TrainingPlan p = TrainingPlan.of(1_281_167, 512, 16, 10, null, null, false);
        assertEquals(AdapterConfig.PAPER_EMA_MOMENTUM, p.ema());
        assertEquals(500, p.warmup());
        assertEquals(32, p.microBatch());
        assertEquals(16, p.accumulation());
        assertTrue(p.warnings().isEmpty(), p.warnings().toString());
        assertEquals(0, AdapterConfig.emaMomentumFor(10));
        assertEquals(0.99, AdapterConfig.emaMomentumFor(1000), 1e-12);
    }

    @Test
    void givenValuesAreKeptButExplained() {
        TrainingPlan p = TrainingPlan.of(60, 20, 1, 10, 500L, 0.999, false);
        assertEquals(29, p.warmup());
        assertEquals(0.999, p.ema());
        assertTrue(p.warnings().stream().anyMatch(w -> w.contains("--warmup 500 is longer than the run (30 steps): capped to 29")), p.warnings().toString());
        assertTrue(p.warnings().stream().anyMatch(w -> w.contains("--ema 0.999") && w.contains("zero-shot")), p.warnings().toString());
        TrainingPlan bma = TrainingPlan.of(60, 20, 1, 10, null, null, true);
        assertEquals(0, bma.ema());
        TrainingPlan dropLast = TrainingPlan.of(70, 20, 1, 1, null, null, false);
        assertTrue(dropLast.describe().contains("10 of 70 pairs left out per epoch"), dropLast.describe());
        assertThrows(IllegalArgumentException.class, () -> TrainingPlan.of(60, 1, 1, 1, null, null, false));
        assertThrows(IllegalArgumentException.class, () -> TrainingPlan.of(60, 20, 0, 1, null, null, false));
    }
}
