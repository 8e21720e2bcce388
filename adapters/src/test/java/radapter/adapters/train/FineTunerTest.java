package radapter.adapters.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import radapter.adapters.AdaptedClip;
import radapter.adapters.AdapterConfig;
import radapter.models.clip.ClipLoader;
import radapter.models.clip.LoadedClip;
import radapter.tensor.DType;
import radapter.tensor.MemoryScope;
import radapter.tensor.Rng;
import radapter.tensor.Tensor;
import radapter.testing.Shared;

class FineTunerTest {
    @TempDir
    Path tmp;

    /** Random pixels and token rows for step {@code step}, 6 pairs over 3 classes (a pure function of the step). */
    static BatchSource source(long seed) {
        return step -> {
            Rng r = new Rng(seed * 1_000_003 + step);
            Tensor images = Tensor.randn(r, 6, 3, 32, 32);
            long[] ids = new long[6 * 77];
            long[] labels = new long[6];
            for (int i = 0; i < 6; i++) {
                labels[i] = i % 3;
                ids[i * 77] = 49406;
                ids[i * 77 + 1] = 100 + labels[i];
                ids[i * 77 + 2] = 200 + r.nextInt(50);
                ids[i * 77 + 3] = 49407;
            }
            return new TrainBatch(images, Tensor.ofLongs(ids, 6, 77), labels);
        };
    }

    static Map<String, float[]> adapters(AdaptedClip ac) {
        Map<String, float[]> m = new LinkedHashMap<>();
        ac.adapterStateDict().forEach((k, v) -> m.put(k, v.toFloatArray()));
        return m;
    }

    LoadedClip tiny() throws IOException {
        return ClipLoader.load(Shared.fixtures("tiny_clip/model_openai.safetensors"), null);
    }

    static FineTuner.Builder recipe(AdaptedClip ac, long steps) {
        return FineTuner.builder().adapters(ac).steps(steps).warmup(2).lr(1e-2).margin(0.05).labelSmoothing(0.02).gradClip(1.0);
    }

    @Test
    void gradientAccumulationGivesTheFullBatchGradients() throws IOException {
        Map<String, float[]> full = null;
        for (int pass = 0; pass < 2; pass++) {
            try (MemoryScope model = MemoryScope.open(); LoadedClip m = tiny()) {
                AdaptedClip ac = AdaptedClip.install(m.clip(), AdapterConfig.builder().ranks(128, 16).dropPath(0).build(), new Rng(9));
                // Non-zero adapters, so every gradient is informative.
                ac.trainableParameters().forEach(p -> p.data().copy_(Tensor.randn(new Rng(p.data().numel()), p.shape()).mul(0.05)));
                FineTuner ft = recipe(ac, 1).microBatch(pass == 0 ? 0 : 2).build();
                ac.train(true);
                ft.computeGradients(source(1).batch(0));
                Map<String, float[]> grads = new LinkedHashMap<>();
                m.clip().namedParameters().forEach((k, v) -> {
                    if (v.grad() != null) {
                        grads.put(k, v.grad().toFloatArray());
                    }
                });
                assertEquals(ac.trainableParameters().size(), grads.size());
                if (pass == 0) {
                    full = grads;
                } else {
                    for (var e : full.entrySet()) {
                        float[] a = e.getValue();
                        float[] b = grads.get(e.getKey());
                        double scale = 0;
                        for (float x : a) {
                            scale = Math.max(scale, Math.abs(x));
                        }
                        for (int i = 0; i < a.length; i++) {
                            assertEquals(a[i], b[i], 1e-4 * scale + 1e-7, e.getKey() + " at " + i);
                        }
                    }
                }
            }
        }
    }

    @Test
    void activationCheckpointingGivesTheSameTrainingInLessMemory() throws IOException {
        Map<String, float[]> plain = null;
        long plainPeak = 0;
        for (int pass = 0; pass < 2; pass++) {
            boolean ckpt = pass == 1;
            try (MemoryScope model = MemoryScope.open(); LoadedClip m = tiny()) {
                // Adapter dropping on: the recomputation must replay the same random masks.
                AdaptedClip ac = AdaptedClip.install(m.clip(), AdapterConfig.builder().ranks(128, 16).dropPath(0.3).build(), new Rng(5));
                FineTuner ft = recipe(ac, 3).activationCheckpointing(ckpt).build();
                long before = MemoryScope.liveBytes();
                MemoryScope.resetPeak();
                ft.run(source(4));
                long peak = MemoryScope.peakBytes() - before;
                Map<String, float[]> trained = adapters(ac);
                if (!ckpt) {
                    plain = trained;
                    plainPeak = peak;
                } else {
                    Map<String, float[]> expected = plain;
                    expected.forEach((k, v) -> assertArrayEquals(v, trained.get(k), 0f, k));
                    assertTrue(peak < plainPeak, "peak with checkpointing " + peak + " B, without " + plainPeak + " B");
                }
            }
        }
    }

    @Test
    void resumeContinuesBitForBit() throws IOException {
        Map<String, float[]> uninterrupted;
        try (MemoryScope model = MemoryScope.open(); LoadedClip m = tiny()) {
            AdaptedClip ac = AdaptedClip.install(m.clip(), AdapterConfig.builder().ranks(128, 16).build(), new Rng(5));
            recipe(ac, 6).build().run(source(2));
            uninterrupted = adapters(ac);
        }
        Path dir = tmp.resolve("ckpt");
        try (MemoryScope model = MemoryScope.open(); LoadedClip m = tiny()) {
            AdaptedClip ac = AdaptedClip.install(m.clip(), AdapterConfig.builder().ranks(128, 16).build(), new Rng(5));
            BatchSource dies = step -> {
                if (step == 4) {
                    throw new IllegalStateException("simulated crash");
                }
                return source(2).batch(step);
            };
            assertThrows(IllegalStateException.class, () -> recipe(ac, 6).checkpoints(dir, 3, 2).build().run(dies));
        }
        assertEquals("step-00000003", Files.readString(dir.resolve("latest")).trim());
        try (MemoryScope model = MemoryScope.open(); LoadedClip m = tiny()) {
            // A different init seed: everything that matters must come from the checkpoint.
            AdaptedClip ac = AdaptedClip.install(m.clip(), AdapterConfig.builder().ranks(128, 16).build(), new Rng(77));
            FineTuner.Result r = recipe(ac, 6).checkpoints(dir, 3, 2).build().run(source(2));
            assertEquals(3, r.resumedFrom());
            assertEquals(6, r.losses().size());
            Map<String, float[]> resumed = adapters(ac);
            uninterrupted.forEach((k, v) -> assertArrayEquals(v, resumed.get(k), 0f, k));
        }
    }

    @Test
    void nonFiniteLossStopsBeforeTheUpdate() throws IOException {
        try (MemoryScope model = MemoryScope.open(); LoadedClip m = tiny()) {
            AdaptedClip ac = AdaptedClip.install(m.clip(), AdapterConfig.builder().ranks(128, 16).build(), new Rng(5));
            BatchSource poisoned = step -> {
                TrainBatch b = source(3).batch(step);
                return step == 1 ? new TrainBatch(b.images().mul(Double.NaN), b.tokenIds(), b.labels()) : b;
            };
            Map<String, float[]>[] afterFirst = new Map[1];
            FineTuner ft = recipe(ac, 4).listener((s, t, loss, lr) -> afterFirst[0] = adapters(ac)).build();
            TrainingDivergedException e = assertThrows(TrainingDivergedException.class, () -> ft.run(poisoned));
            assertTrue(e.getMessage().contains("step 1"), e.getMessage());
            Map<String, float[]> now = adapters(ac);
            afterFirst[0].forEach((k, v) -> assertArrayEquals(v, now.get(k), 0f, k));
        }
    }

    @Test
    void explodingParametersStopTheRunAndKeepTheLastGoodCheckpoint() throws IOException {
        try (MemoryScope model = MemoryScope.open(); LoadedClip m = tiny()) {
            AdaptedClip ac = AdaptedClip.install(m.clip(), AdapterConfig.builder().ranks(128, 16).build(), new Rng(5));
            // lr 1e30: the loss stays finite for a while, the parameters do not.
            FineTuner ft = recipe(ac, 4).warmup(0).lr(1e30).checkpoints(tmp.resolve("ck"), 1, 2).build();
            TrainingDivergedException e = assertThrows(TrainingDivergedException.class, () -> ft.run(source(3)));
            assertTrue(e.getMessage().contains("step 0") && e.getMessage().contains("lower the learning rate"), e.getMessage());
            // Nothing from the diverged step was checkpointed.
            assertTrue(Checkpoints.newestIntact(tmp.resolve("ck"), msg -> { }).isEmpty());
        }
    }

    @Test
    void trainingLowersTheLossOnAFixedBatch() throws IOException {
        try (MemoryScope model = MemoryScope.open(); LoadedClip m = tiny()) {
            AdaptedClip ac = AdaptedClip.install(m.clip(), AdapterConfig.builder().ranks(128, 16).dropPath(0).build(), new Rng(5));
            TrainBatch fixed = source(4).batch(0);
            FineTuner.Result r = recipe(ac, 12).warmup(0).build().run(step -> fixed);
            assertTrue(r.losses().getLast() < 0.7 * r.losses().getFirst(), "losses " + r.losses());
            assertEquals(DType.F32, ac.adapterStateDict().values().iterator().next().dtype());
        }
    }
}
