package radapter.adapters.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import radapter.tensor.Tensor;

/** The metrics compute the official numbers on good input and refuse bad input with one clear message. */
class MetricsTest {
    private static final Tensor TWO_BY_TWO = Tensor.of(new float[] {0.9f, 0.1f, 0.2f, 0.8f}, 2, 2);

    @Test
    void topKCountsTiesAgainst() {
        Tensor logits = Tensor.of(new float[] {1, 1, 0, 0, 2, 3}, 2, 3);
        assertEquals(0.5, Metrics.topK(logits, new long[] {1, 2}, 1));
        assertEquals(1.0, Metrics.topK(logits, new long[] {1, 2}, 2));
    }

    @Test
    void aLabelOutsideTheClassesIsAnErrorNotAnotherRowsScore() {
        // The bug this guards against: label 2 with 2 classes read the next image's first score.
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Metrics.topK(TWO_BY_TWO, new long[] {0, 2}, 1));
        assertTrue(e.getMessage().contains("label 2 of sample 1") && e.getMessage().contains("2 classes"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Metrics.topK(TWO_BY_TWO, new long[] {-1, 0}, 1));
    }

    @Test
    void topKChecksShapesAndK() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Metrics.topK(TWO_BY_TWO, new long[] {0}, 1)).getMessage()
                .contains("2 rows of logits but 1 labels"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Metrics.topK(TWO_BY_TWO, new long[] {0, 1}, 5)).getMessage()
                .contains("k = 5"));
        assertThrows(IllegalArgumentException.class, () -> Metrics.topK(TWO_BY_TWO, new long[] {0, 1}, 0));
        assertThrows(IllegalArgumentException.class, () -> Metrics.topK(Tensor.of(new float[] {1, 2}, 2), new long[] {0, 1}, 1));
        assertTrue(Double.isNaN(Metrics.topK(Tensor.zeros(0, 3), new long[0], 1)));
    }

    @Test
    void recallChecksCaptionOwnersAndK() {
        Metrics.Recall r = Metrics.recall(TWO_BY_TWO, new int[] {0, 1}, 1);
        assertEquals(100.0, r.imageToText()[0]);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Metrics.recall(TWO_BY_TWO, new int[] {0, 2}, 1)).getMessage()
                .contains("caption 1 belongs to image 2"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Metrics.recall(TWO_BY_TWO, new int[] {0, 0}, 1)).getMessage()
                .contains("image 1 has no caption"));
        assertThrows(IllegalArgumentException.class, () -> Metrics.recall(TWO_BY_TWO, new int[] {0}, 1));
        assertThrows(IllegalArgumentException.class, () -> Metrics.recall(TWO_BY_TWO, new int[] {0, 1}, 0));
    }
}
