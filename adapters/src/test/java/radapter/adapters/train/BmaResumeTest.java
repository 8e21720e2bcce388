package radapter.adapters.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import radapter.adapters.AdaptedClip;
import radapter.adapters.AdapterConfig;
import radapter.models.clip.Clip;
import radapter.models.clip.ClipConfig;
import radapter.models.clip.ClipInit;
import radapter.models.nn.Activation;
import radapter.tensor.MemoryScope;
import radapter.tensor.Rng;
import radapter.tensor.Tensor;
import radapter.tensor.io.Json;

/** Training with BMA-averaged adapters resumes bit for bit, like EMA. */
class BmaResumeTest {
    @TempDir
    Path tmp;

    static Clip smallClip() {
        ClipConfig cfg = new ClipConfig(16, new ClipConfig.Vision(16, 1, 2, 8, 16), new ClipConfig.Text(16, 1, 2, 8, 64),
                Activation.QUICK_GELU, 1e-5, "BmaResumeTest");
        return ClipInit.initialize(new Clip(cfg), new Rng(11));
    }

    /** 6 pairs over 3 classes per step, a pure function of the step; the end-of-text token has the largest id. */
    static BatchSource source() {
        return step -> {
            Rng r = new Rng(1_000_003L + step);
            long[] ids = new long[6 * 8];
            long[] labels = new long[6];
            for (int i = 0; i < 6; i++) {
                labels[i] = i % 3;
                ids[i * 8] = 1;
                ids[i * 8 + 1] = 2 + labels[i];
                ids[i * 8 + 2] = 10 + r.nextInt(40);
                ids[i * 8 + 3] = 63;
            }
            return new TrainBatch(Tensor.randn(r, 6, 3, 16, 16), Tensor.ofLongs(ids, 6, 8), labels);
        };
    }

    static AdapterConfig bma() {
        return AdapterConfig.builder().ranks(16, 16).dropPath(0.2).bma(2).build();
    }

    static FineTuner.Builder recipe(AdaptedClip ac) {
        return FineTuner.builder().adapters(ac).steps(6).warmup(2).lr(1e-2).gradClip(1.0);
    }

    static Map<String, float[]> adapters(AdaptedClip ac) {
        Map<String, float[]> m = new LinkedHashMap<>();
        ac.adapterStateDict().forEach((k, v) -> m.put(k, v.toFloatArray()));
        return m;
    }

    @Test
    void resumeWithBmaReproducesTheUninterruptedRun() throws IOException {
        Map<String, float[]> uninterrupted;
        try (MemoryScope model = MemoryScope.open()) {
            AdaptedClip ac = AdaptedClip.install(smallClip(), bma(), new Rng(5));
            recipe(ac).build().run(source());
            uninterrupted = adapters(ac);
        }
        // The averaged copy really is an average: it differs from the live adapters.
        String liveKey = uninterrupted.keySet().stream().filter(k -> k.endsWith("adapter_attn.f.weight")).findFirst().orElseThrow();
        assertFalse(Arrays.equals(uninterrupted.get(liveKey), uninterrupted.get(liveKey.replace("adapter_attn.", "adapter_attn_cache."))));

        Path dir = tmp.resolve("ckpt");
        try (MemoryScope model = MemoryScope.open()) {
            AdaptedClip ac = AdaptedClip.install(smallClip(), bma(), new Rng(5));
            BatchSource dies = step -> {
                if (step == 4) {
                    throw new IllegalStateException("simulated crash");
                }
                return source().batch(step);
            };
            assertThrows(IllegalStateException.class, () -> recipe(ac).checkpoints(dir, 3, 2).build().run(dies));
        }
        Map<String, Object> trainer = Json.parseObject(Files.readString(dir.resolve("step-00000003/trainer.json")));
        @SuppressWarnings("unchecked")
        Map<String, Object> avg = (Map<String, Object>) trainer.get("averaging");
        assertEquals("bma", avg.get("rule"));
        assertEquals(3L, avg.get("updates"));

        try (MemoryScope model = MemoryScope.open()) {
            // Another init seed: everything that matters must come from the checkpoint.
            AdaptedClip ac = AdaptedClip.install(smallClip(), bma(), new Rng(77));
            FineTuner.Result r = recipe(ac).checkpoints(dir, 3, 2).build().run(source());
            assertEquals(3, r.resumedFrom());
            Map<String, float[]> resumed = adapters(ac);
            uninterrupted.forEach((k, v) -> assertArrayEquals(v, resumed.get(k), 0f, k));
        }

        // An EMA run cannot pick up the BMA checkpoint (the averages would silently change meaning).
        try (MemoryScope model = MemoryScope.open()) {
            AdaptedClip ac = AdaptedClip.install(smallClip(), AdapterConfig.builder().ranks(16, 16).build(), new Rng(5));
            Path copy = tmp.resolve("ckpt-ema");
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> {
                copyTree(dir, copy);
                Files.writeString(copy.resolve("latest"), "step-00000003\n");
                FineTuner.builder().adapters(ac).steps(8).checkpoints(copy, 3, 2).build().run(source());
            });
            assertTrue(e.getMessage().contains("bma"), e.getMessage());
        }
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (var s = Files.walk(from)) {
            for (Path p : s.toList()) {
                Path q = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(q);
                } else {
                    Files.copy(p, q);
                }
            }
        }
    }
}
