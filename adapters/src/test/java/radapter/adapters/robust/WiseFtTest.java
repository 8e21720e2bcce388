package radapter.adapters.robust;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import radapter.models.clip.Clip;
import radapter.models.clip.ClipConfig;
import radapter.models.clip.ClipInit;
import radapter.models.nn.Activation;
import radapter.tensor.Rng;
import radapter.tensor.Tensor;

/** WiSE-FT: the ends are the two models bit for bit, the middle is the per-tensor average, mistakes name the key. */
class WiseFtTest {
    static Clip clip(long seed) {
        ClipConfig cfg = new ClipConfig(16, new ClipConfig.Vision(16, 1, 2, 8, 16), new ClipConfig.Text(16, 1, 2, 8, 64),
                Activation.QUICK_GELU, 1e-5, "WiseFtTest");
        return ClipInit.initialize(new Clip(cfg), new Rng(seed));
    }

    @Test
    void theEndsAreExactlyTheTwoModelsAndTheMiddleIsTheAverage() {
        Map<String, Tensor> zs = clip(1).stateDict();
        Map<String, Tensor> ft = clip(2).stateDict();
        Map<String, Tensor> a0 = WiseFt.interpolate(zs, ft, 0);
        Map<String, Tensor> a1 = WiseFt.interpolate(zs, ft, 1);
        Map<String, Tensor> half = WiseFt.interpolate(zs, ft, 0.5);
        assertEquals(zs.keySet(), half.keySet());
        for (String k : zs.keySet()) {
            assertArrayEquals(zs.get(k).toFloatArray(), a0.get(k).toFloatArray(), k);
            assertArrayEquals(ft.get(k).toFloatArray(), a1.get(k).toFloatArray(), k);
            float[] x = zs.get(k).toFloatArray();
            float[] y = ft.get(k).toFloatArray();
            float[] m = half.get(k).toFloatArray();
            for (int i = 0; i < m.length; i++) {
                assertEquals(0.5 * x[i] + 0.5 * y[i], m[i], 1e-6 * (1 + Math.abs(x[i]) + Math.abs(y[i])), k);
            }
        }
    }

    @Test
    void applyLoadsTheEnsembleIntoAModelAndScoresLikeIt() {
        Clip zsModel = clip(1);
        Clip ftModel = clip(2);
        Clip target = clip(3);
        WiseFt.apply(target, zsModel.stateDict(), ftModel.stateDict(), 1.0);
        Tensor px = Tensor.randn(new Rng(9), 2, 3, 16, 16);
        assertArrayEquals(ftModel.encodeImage(px).toFloatArray(), target.encodeImage(px).toFloatArray());
        WiseFt.apply(target, zsModel.stateDict(), ftModel.stateDict(), 0.0);
        assertArrayEquals(zsModel.encodeImage(px).toFloatArray(), target.encodeImage(px).toFloatArray());
    }

    @Test
    void mistakesAreOneClearMessage() {
        Map<String, Tensor> zs = clip(1).stateDict();
        Map<String, Tensor> ft = new LinkedHashMap<>(clip(2).stateDict());
        String key = ft.keySet().iterator().next();
        String m = assertThrows(IllegalArgumentException.class, () -> WiseFt.interpolate(zs, ft, 1.5)).getMessage();
        assertTrue(m.contains("[0, 1]"), m);
        assertThrows(IllegalArgumentException.class, () -> WiseFt.interpolate(zs, ft, Double.NaN));
        ft.put(key, Tensor.zeros(3, 3));
        m = assertThrows(IllegalArgumentException.class, () -> WiseFt.interpolate(zs, ft, 0.5)).getMessage();
        assertTrue(m.contains(key) && m.contains("[3, 3]"), m);
        ft.remove(key);
        m = assertThrows(IllegalArgumentException.class, () -> WiseFt.interpolate(zs, ft, 0.5)).getMessage();
        assertTrue(m.contains(key) && m.contains("not in the fine-tuned"), m);
        ft.put("extra.weight", Tensor.zeros(2));
        m = assertThrows(IllegalArgumentException.class, () -> WiseFt.interpolate(zs, ft, 0.5)).getMessage();
        assertTrue(m.contains("extra.weight"), m);
    }
}
