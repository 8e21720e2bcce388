package radapter.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import radapter.models.clip.ClipConfig;
import radapter.tensor.MemoryScope;
import radapter.tensor.Tensor;
import radapter.tensor.io.SafeTensors;
import radapter.testing.Shared;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Commands find CLIP's vocabulary without {@code --vocab}: the models module ships it. */
class BuiltInVocabularyTest {
    @TempDir
    Path tmp;

    @Test
    void tokenizeNeedsNoVocab() {
        UserExperienceTest.Run r = UserExperienceTest.ok("tokenize", "a photo");
        assertTrue(r.out().contains("[49406, 320, 1125, 49407]"), r.out());
    }

    @Test
    void builtInIdsEqualThoseFromTheSharedFile() {
        String text = "A diagram of two dogs &amp; one café! <start_of_text> 2² x";
        UserExperienceTest.Run builtIn = UserExperienceTest.ok("tokenize", "--json", "--full", text);
        UserExperienceTest.Run file = UserExperienceTest.ok("tokenize", "--json", "--full", "--vocab",
                Shared.path("clip/bpe_simple_vocab_16e6.txt.gz").toString(), text);
        assertEquals(file.out(), builtIn.out());
    }

    @Test
    void anExplicitVocabStillWins() throws Exception {
        Path missing = tmp.resolve("missing_vocab.txt.gz");
        UserExperienceTest.Run r = UserExperienceTest.exec("tokenize", "--vocab", missing.toString(), "a photo");
        assertNotEquals(0, r.code());
        assertTrue(r.err().contains("missing_vocab.txt.gz") && r.err().strip().lines().count() == 1, r.err());
        Path broken = tmp.resolve("broken.txt.gz");
        Files.writeString(broken, "not gzip");
        r = UserExperienceTest.exec("tokenize", "--vocab", broken.toString(), "a photo");
        assertNotEquals(0, r.code());
        assertTrue(r.err().contains("broken.txt.gz") && r.err().contains("gzip"), r.err());
    }

    @Test
    void anOpenAiLayoutCheckpointNeedsNoVocab() throws Exception {
        Path texts = tmp.resolve("texts.txt");
        // The two fixture texts that keep their end token (the third is cut the official way).
        Files.writeString(texts, "a photo of a cat\nA diagram of two dogs &amp; one café!\n");
        Path out = tmp.resolve("features.safetensors");
        UserExperienceTest.ok("embed", "--model", Shared.fixtures("tiny_clip/model_openai.safetensors").toString(), "--config",
                Shared.fixtures("tiny_clip/open_clip_config.json").toString(), "--texts", texts.toString(), "--out", out.toString());
        try (MemoryScope s = MemoryScope.open(); SafeTensors got = SafeTensors.open(out);
                SafeTensors io = SafeTensors.open(Shared.fixtures("tiny_clip/io.safetensors"))) {
            float[] actual = got.get("text_features").toFloatArray();
            Tensor expected = io.get("expected.text_features");
            float[] want = expected.toFloatArray();
            assertEquals(2 * expected.size(1), actual.length);
            float max = 0;
            for (float v : want) {
                max = Math.max(max, Math.abs(v));
            }
            for (int i = 0; i < actual.length; i++) {
                assertEquals(want[i], actual[i], 1e-4 * max, "text feature " + i);
            }
        }
    }

    @Test
    void aModelWithAnotherVocabularySizeStillNeedsOne() throws Exception {
        Path model = tmp.resolve("own_vocab.safetensors");
        Files.writeString(model, "");
        ClipConfig b16 = ClipConfig.vitB16();
        ClipConfig small = new ClipConfig(b16.embedDim(), b16.vision(), new ClipConfig.Text(512, 12, 8, 77, 100),
                b16.activation(), b16.layerNormEps(), "test");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Vocab.forModel(model, null, small));
        assertTrue(e.getMessage().contains("own_vocab.safetensors") && e.getMessage().contains("100")
                && e.getMessage().contains("--vocab"), e.getMessage());
        assertEquals(null, Vocab.forModelOrNull(model, null, small));
        assertEquals(77, Vocab.forModel(model, null, b16).contextLength());
    }
}
