package radapter.models.clip;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import radapter.autograd.GradMode;
import radapter.autograd.Variable;
import radapter.models.nn.Activation;
import radapter.models.nn.Trace;
import radapter.tensor.Tensor;
import radapter.tensor.io.SafeTensors;
import radapter.testing.Shared;

/** Parity with the official PyTorch CLIP on the tiny fixture model, in both checkpoint layouts. */
class TinyClipParityTest {
    static SafeTensors io;

    @BeforeAll
    static void openIo() throws IOException {
        if (Shared.rootOrNull() != null) {
            io = SafeTensors.open(Shared.rootOrNull().resolve("fixtures/tiny_clip/io.safetensors"));
        }
    }

    @AfterAll
    static void closeIo() {
        if (io != null) {
            io.close();
        }
    }

    /** The README's rule: max |a − b| ≤ 1e-4 × max |reference|. */
    static void assertClose(Tensor expected, Tensor actual, String what) {
        assertArrayEquals(expected.shape(), actual.shape(), what + " shape");
        float[] e = expected.toFloatArray();
        float[] a = actual.toFloatArray();
        double maxRef = 0;
        double maxDiff = 0;
        for (int i = 0; i < e.length; i++) {
            maxRef = Math.max(maxRef, Math.abs(e[i]));
            maxDiff = Math.max(maxDiff, Math.abs(e[i] - a[i]));
        }
        double tol = 1e-4 * maxRef;
        double md = maxDiff;
        assertTrue(maxDiff <= tol, () -> what + ": max abs diff " + md + " > " + tol);
    }

    static void assertAbs(Tensor expected, Tensor actual, double tol, String what) {
        float[] e = expected.toFloatArray();
        float[] a = actual.toFloatArray();
        assertEquals(e.length, a.length, what);
        for (int i = 0; i < e.length; i++) {
            assertEquals(e[i], a[i], tol, what + " at " + i);
        }
    }

    static Path weights(String layout) {
        return Shared.fixtures("tiny_clip/" + (layout.equals("openai") ? "model_openai.safetensors" : "model_hf.safetensors"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"openai", "hf"})
    void featuresLogitsAndEmbeddingsMatchPyTorch(String layout) throws IOException {
        Path w = weights(layout);
        Path cfg = layout.equals("hf") ? Shared.fixtures("tiny_clip/hf_config.json") : null;
        try (LoadedClip m = ClipLoader.load(w, cfg)) {
            Clip clip = m.clip();
            assertEquals(layout.equals("hf") ? CheckpointLayout.HUGGING_FACE : CheckpointLayout.OPENAI, m.layout());
            ClipConfig c = clip.config();
            assertEquals(32, c.embedDim());
            assertEquals(new ClipConfig.Vision(128, 2, 2, 8, 32), c.vision());
            assertEquals(new ClipConfig.Text(16, 2, 2, 77, 49408), c.text());
            assertEquals(Activation.QUICK_GELU, c.activation());

            Tensor img = clip.encodeImage(io.get("input.pixel_values"));
            Tensor txt = clip.encodeText(io.get("input.token_ids"));
            assertClose(io.get("expected.image_features"), img, "image features");
            assertClose(io.get("expected.text_features"), txt, "text features");
            assertAbs(io.get("expected.image_embeds_normalized"), Clip.normalize(img), 1e-5, "normalised image embeddings");
            assertAbs(io.get("expected.text_embeds_normalized"), Clip.normalize(txt), 1e-5, "normalised text embeddings");
            assertEquals(io.get("expected.logit_scale_exp").item(), clip.logitScaleExp(), 1e-5);
            assertAbs(io.get("expected.logits_per_image"), clip.logitsPerImage(img, txt), 1e-4, "logits");
        }
    }

    @Test
    void everyIntermediateMatches() throws IOException {
        try (LoadedClip m = ClipLoader.load(weights("openai"), null); var ignored = GradMode.noGrad()) {
            Clip clip = m.clip();
            Tensor pixels = io.get("input.pixel_values");
            Tensor ids = io.get("input.token_ids");
            Map<String, Tensor> got = Trace.capture(() -> {
                clip.imageFeatures(Variable.constant(pixels));
                return clip.textFeatures(ids);
            });
            int compared = 0;
            for (String name : io.names()) {
                if (!name.startsWith("intermediate.") || name.endsWith("eot_index")) {
                    continue;
                }
                String key = name.substring("intermediate.".length());
                Tensor actual = got.get(key);
                assertTrue(actual != null, "no traced value for " + key + "; traced: " + got.keySet());
                assertClose(io.get(name), actual, key);
                compared++;
            }
            assertTrue(compared >= 20, "compared " + compared);
            assertArrayEquals(io.get("intermediate.text.eot_index").toLongArray(),
                    TextTransformer.poolIndices(io.get("input.token_ids")).toLongArray());
        }
    }

    @Test
    void configComesFromOpenClipJsonBesideTheWeights() throws IOException {
        try (LoadedClip m = ClipLoader.load(weights("openai"), null)) {
            assertTrue(m.config().source().contains("open_clip_config.json"), m.config().source());
        }
    }

    @Test
    void layoutsTranslateBothWays() throws IOException {
        try (LoadedClip hf = ClipLoader.load(weights("hf"), Shared.fixtures("tiny_clip/hf_config.json"));
                SafeTensors raw = SafeTensors.open(weights("hf"))) {
            Map<String, Tensor> back = CheckpointLayout.HUGGING_FACE.fromCanonical(hf.clip().stateDict());
            assertEquals(new java.util.TreeSet<>(raw.names()), new java.util.TreeSet<>(back.keySet()));
            for (String n : raw.names()) {
                assertArrayEquals(raw.get(n).toFloatArray(), back.get(n).toFloatArray(), 0f, n);
            }
        }
    }
}
