package radapter.adapters.robust;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import radapter.adapters.eval.LinearClassifier;
import radapter.adapters.train.BatchSource;
import radapter.adapters.train.LinearProbe;
import radapter.adapters.train.TrainBatch;
import radapter.models.clip.Clip;
import radapter.tensor.Rng;
import radapter.tensor.Tensor;

/** LP-FT's second stage: starts from the probe, trains the image tower and the head, leaves the text tower alone. */
class LpFtTest {
    /** Three classes told apart by a per-class offset on the pixels; 12 images per step, a pure function of the step. */
    static BatchSource source() {
        return step -> {
            Rng r = new Rng(77 + step);
            long[] labels = new long[12];
            float[] px = Tensor.randn(r, 12, 3, 16, 16).toFloatArray();
            int per = 3 * 16 * 16;
            for (int i = 0; i < 12; i++) {
                labels[i] = i % 3;
                for (int j = 0; j < per; j++) {
                    px[i * per + j] += (float) (labels[i] - 1) * (j % 2 == 0 ? 1.5f : -1.5f);
                }
            }
            return new TrainBatch(Tensor.of(px, 12, 3, 16, 16), Tensor.ofLongs(new long[12 * 8], 12, 8), labels);
        };
    }

    @Test
    void fineTunesTheImageTowerFromTheProbeHead() {
        Clip clip = WiseFtTest.clip(4);
        List<String> names = List.of("a", "b", "c");
        TrainBatch probeData = source().batch(1000);
        LinearProbe.Result lp = LinearProbe.builder().lambdas(1e-3).build().fit(clip.encodeImage(probeData.images()), probeData.labels(), names);
        Map<String, float[]> before = new LinkedHashMap<>();
        clip.stateDict().forEach((k, v) -> before.put(k, v.toFloatArray()));
        LpFt.Result r = LpFt.builder().lr(1e-3).warmup(2).steps(15).build().run(clip, lp.classifier(), source());
        assertEquals(15, r.losses().size());
        double first = (r.losses().get(0) + r.losses().get(1)) / 2;
        double last = (r.losses().get(13) + r.losses().get(14)) / 2;
        assertTrue(last < first, "the loss should fall: " + r.losses());
        clip.stateDict().forEach((k, v) -> {
            boolean changed = !Arrays.equals(before.get(k), v.toFloatArray());
            if (!k.startsWith("visual.")) {
                assertFalse(changed, k + " (text tower, logit scale) is not part of LP-FT and must not change");
            }
        });
        assertTrue(clip.stateDict().entrySet().stream().anyMatch(e -> e.getKey().startsWith("visual.")
                && !Arrays.equals(before.get(e.getKey()), e.getValue().toFloatArray())), "the image tower trains");
        assertFalse(Arrays.equals(lp.classifier().weight().toFloatArray(), r.head().weight().toFloatArray()), "the head trains");
        assertEquals(names, r.head().classNames());
        assertTrue(clip.trainableParameters().isEmpty(), "the model is frozen afterwards");
    }

    @Test
    void aProbeOfAnotherWidthIsAClearError() {
        Clip clip = WiseFtTest.clip(4);
        LinearClassifier wrong = LinearClassifier.of(Tensor.zeros(3, 5), Tensor.zeros(3), List.of("a", "b", "c"));
        String m = assertThrows(IllegalArgumentException.class, () -> LpFt.builder().steps(1).build().run(clip, wrong, source())).getMessage();
        assertTrue(m.contains("5") && m.contains("16"), m);
        assertThrows(IllegalArgumentException.class, () -> LpFt.builder().lr(-1));
        assertThrows(IllegalArgumentException.class, () -> LpFt.builder().steps(0));
        assertArrayEquals(new long[] {3, 5}, wrong.weight().shape());
    }
}
