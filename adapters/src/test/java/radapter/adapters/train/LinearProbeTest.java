package radapter.adapters.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import radapter.adapters.eval.LinearClassifier;
import radapter.adapters.eval.Metrics;
import radapter.data.synthetic.Split;
import radapter.data.synthetic.SyntheticDataset;
import radapter.data.synthetic.SyntheticShapes;
import radapter.data.transforms.Normalize;
import radapter.data.transforms.ToTensor;
import radapter.models.clip.ClipLoader;
import radapter.models.clip.LoadedClip;
import radapter.tensor.MemoryScope;
import radapter.tensor.Rng;
import radapter.tensor.Tensor;
import radapter.testing.Shared;

/** The linear-probe baseline: logistic regression on frozen, normalised features. */
class LinearProbeTest {
    static final List<String> THREE = List.of("a", "b", "c");

    /** {@code perClass} points per class around the first three axes of a 6-d space, with small noise: linearly separable. */
    static Tensor blobs(int perClass, long seed, long[] labels) {
        Rng r = new Rng(seed);
        float[] x = new float[3 * perClass * 6];
        for (int i = 0; i < 3 * perClass; i++) {
            int c = i % 3;
            labels[i] = c;
            for (int d = 0; d < 6; d++) {
                x[i * 6 + d] = (float) ((d == c ? 1.0 : 0.0) + 0.15 * r.nextGaussian());
            }
        }
        return Tensor.of(x, 3 * perClass, 6);
    }

    @Test
    void separatesLinearlySeparableFeaturesAndIsDeterministic() {
        long[] y = new long[90];
        Tensor x = blobs(30, 1, y);
        LinearProbe probe = LinearProbe.builder().seed(3).build();
        LinearProbe.Result r = probe.fit(x, y, THREE);
        assertEquals(LinearProbe.DEFAULT_LAMBDAS.length, r.sweep().size());
        assertEquals(18, r.validationCount(), "20% of each class of 30 held out");
        assertEquals(72, r.trainCount());
        assertTrue(Arrays.stream(LinearProbe.DEFAULT_LAMBDAS).anyMatch(l -> l == r.lambda()), "λ from the sweep: " + r.lambda());
        assertEquals(1.0, r.trainTop1());
        assertTrue(r.converged());
        long[] yt = new long[60];
        Tensor test = blobs(20, 2, yt);
        assertEquals(1.0, Metrics.topK(r.classifier().logits(test), yt, 1), "unseen points of the same blobs");

        LinearProbe.Result again = probe.fit(x, y, THREE);
        assertArrayEquals(r.classifier().weight().toFloatArray(), again.classifier().weight().toFloatArray(), 0f);
        assertArrayEquals(r.classifier().bias().toFloatArray(), again.classifier().bias().toFloatArray(), 0f);
    }

    @Test
    void convergesToTheRegularisedOptimum() {
        long[] y = new long[60];
        Tensor x = blobs(20, 5, y);
        double lambda = 1e-2;
        LinearClassifier lc = LinearProbe.builder().lambdas(lambda).tolerance(1e-8).build().fit(x, y, THREE).classifier();
        // Stationarity of (1/n)·Σ CE + λ/2·‖W‖²: (1/n)·Σ (p − onehot)·xᵀ + λ·W = 0 and (1/n)·Σ (p − onehot) = 0.
        float[] xn = radapter.models.clip.Clip.normalize(x).toFloatArray();
        float[] p = lc.logits(x).softmax(-1).toFloatArray();
        float[] w = lc.weight().toFloatArray();
        int n = y.length;
        double worst = 0;
        for (int c = 0; c < 3; c++) {
            double gb = 0;
            for (int i = 0; i < n; i++) {
                gb += (p[i * 3 + c] - (y[i] == c ? 1 : 0)) / (double) n;
            }
            worst = Math.max(worst, Math.abs(gb));
            for (int d = 0; d < 6; d++) {
                double g = lambda * w[c * 6 + d];
                for (int i = 0; i < n; i++) {
                    g += (p[i * 3 + c] - (y[i] == c ? 1 : 0)) * xn[i * 6 + d] / n;
                }
                worst = Math.max(worst, Math.abs(g));
            }
        }
        assertTrue(worst < 1e-5, "largest gradient component at the solution " + worst);
    }

    @Test
    void heldOutSplitIsStratified() {
        LinearProbe probe = LinearProbe.builder().validationFraction(0.25).seed(9).build();
        int[] y = {0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 2};
        int[][] split = probe.split(y, 3);
        int[] held = new int[3];
        for (int i : split[1]) {
            held[y[i]]++;
        }
        assertArrayEquals(new int[] {1, 2, 0}, held, "round(0.25·count) per class; a single sample stays in training");
        assertEquals(y.length, split[0].length + split[1].length);
    }

    @Test
    void badInputIsRejected() {
        long[] y = {0, 1, 3};
        Tensor x = Tensor.zeros(3, 4);
        assertThrows(IllegalArgumentException.class, () -> LinearProbe.builder().build().fit(x, y, THREE));
        assertThrows(IllegalArgumentException.class, () -> LinearProbe.builder().lambdas(0));
        assertThrows(IllegalArgumentException.class, () -> LinearProbe.builder().validationFraction(1));
        // One sample per class leaves nothing to choose λ on.
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> LinearProbe.builder().build().fit(Tensor.randn(new Rng(1), 3, 4), new long[] {0, 1, 2}, THREE));
        assertTrue(e.getMessage().contains("held-out"), e.getMessage());
    }

    /** Pixels [n, 3, 32, 32] of a synthetic split, CLIP-normalised. */
    static Tensor pixels(SyntheticDataset ds) {
        int s = ds.imageSize();
        float[] buf = new float[ds.size() * 3 * s * s];
        for (int i = 0; i < ds.size(); i++) {
            ToTensor.write(ds.image(i), buf, i * 3 * s * s);
            Normalize.CLIP.applyInPlace(buf, i * 3 * s * s, s * s);
        }
        return Tensor.of(buf, ds.size(), 3, s, s);
    }

    static long[] labels(SyntheticDataset ds) {
        long[] l = new long[ds.size()];
        for (int i = 0; i < l.length; i++) {
            l[i] = ds.get(i).label();
        }
        return l;
    }

    @Test
    void beatsChanceOnTheTinyFixtureModel() throws Exception {
        SyntheticShapes shapes = SyntheticShapes.builder().seed(4).imageSize(32).size(Split.TRAIN, 144).size(Split.TEST, 72).build();
        SyntheticDataset train = shapes.split(Split.TRAIN);
        SyntheticDataset test = shapes.split(Split.TEST);
        try (MemoryScope scope = MemoryScope.open();
                LoadedClip m = ClipLoader.load(Shared.fixtures("tiny_clip/model_openai.safetensors"), null)) {
            m.clip().eval();
            Tensor trainFeatures = m.clip().encodeImage(pixels(train));
            LinearProbe.Result r = LinearProbe.builder().build().fit(trainFeatures, labels(train), shapes.classNames().asList());
            double top1 = Metrics.topK(r.classifier().logits(m.clip().encodeImage(pixels(test))), labels(test), 1);
            double chance = 1.0 / shapes.classNames().size();
            List<String> sweep = new ArrayList<>();
            r.sweep().forEach(c -> sweep.add(c.lambda() + ":" + c.validationTop1()));
            assertTrue(top1 > 2 * chance, "test top-1 " + top1 + " vs chance " + chance + "; sweep " + sweep);
        }
    }
}
