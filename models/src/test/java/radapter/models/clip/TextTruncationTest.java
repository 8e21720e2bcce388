package radapter.models.clip;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import radapter.autograd.Variable;
import radapter.models.nn.Activation;
import radapter.models.nn.Trace;
import radapter.tensor.MemoryScope;
import radapter.tensor.Rng;
import radapter.tensor.Tensor;

/**
 * The text tower computes only up to the batch's last end-of-text token; a trace computes every
 * position. Both must give the same features and the same parameter gradients.
 */
class TextTruncationTest {
    private static final int CONTEXT = 16;

    private static Clip model() {
        ClipConfig cfg = new ClipConfig(24, new ClipConfig.Vision(32, 1, 2, 8, 16), new ClipConfig.Text(32, 2, 2, CONTEXT, 50),
                Activation.QUICK_GELU, 1e-5, "test");
        return ClipInit.initialize(new Clip(cfg), new Rng(3));
    }

    /** Rows of random tokens ending in the largest id (49, the end-of-text) at {@code ends[i]}, zero-padded. */
    private static Tensor ids(int... ends) {
        Rng r = new Rng(11);
        long[] v = new long[ends.length * CONTEXT];
        for (int i = 0; i < ends.length; i++) {
            v[i * CONTEXT] = 48;
            for (int j = 1; j < ends[i]; j++) {
                v[i * CONTEXT + j] = 1 + r.nextInt(46);
            }
            v[i * CONTEXT + ends[i]] = 49;
        }
        return Tensor.ofLongs(v).reshape(ends.length, CONTEXT);
    }

    private static Map<String, float[]> featuresAndGrads(boolean fullLength, Tensor ids) {
        Clip clip = model();
        clip.requiresGrad(true);
        Map<String, float[]> out = new LinkedHashMap<>();
        try (MemoryScope scope = MemoryScope.open()) {
            Variable[] f = new Variable[1];
            if (fullLength) {
                Trace.capture(() -> f[0] = clip.textFeatures(ids));
            } else {
                f[0] = clip.textFeatures(ids);
            }
            out.put("features", f[0].data().toFloatArray());
            radapter.autograd.Reductions.sum(radapter.autograd.Pointwise.mul(f[0], f[0])).backward();
            clip.text().namedParameters().forEach((k, p) -> {
                if (p.grad() != null) {
                    out.put(k, p.grad().toFloatArray());
                }
            });
        }
        return out;
    }

    @Test
    void shortBatchesGiveTheFullLengthFeaturesAndGradients() {
        for (Tensor ids : new Tensor[] {ids(3, 7, 5), ids(2), ids(15, 1)}) {
            Map<String, float[]> truncated = featuresAndGrads(false, ids);
            Map<String, float[]> full = featuresAndGrads(true, ids);
            assertEquals(full.keySet(), truncated.keySet());
            for (String k : full.keySet()) {
                float[] a = full.get(k);
                float[] b = truncated.get(k);
                assertEquals(a.length, b.length, k);
                double scale = 0;
                for (float x : a) {
                    scale = Math.max(scale, Math.abs(x));
                }
                for (int i = 0; i < a.length; i++) {
                    assertEquals(a[i], b[i], 1e-6 * scale + 1e-30, k + "[" + i + "]");
                }
            }
        }
    }

    @Test
    void poolingStillUsesTheFirstMaximum() {
        assertArrayEquals(new long[] {3, 7}, TextTransformer.poolIndices(ids(3, 7)).toLongArray());
    }
}
