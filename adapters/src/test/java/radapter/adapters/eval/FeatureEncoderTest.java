package radapter.adapters.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;
import radapter.models.clip.Clip;
import radapter.models.clip.ClipConfig;
import radapter.models.clip.ClipInit;
import radapter.models.nn.Activation;
import radapter.models.tokenizer.WordTokenizer;
import radapter.tensor.MemoryScope;
import radapter.tensor.Rng;
import radapter.tensor.Tensor;

class FeatureEncoderTest {
    private static final WordTokenizer TOK = WordTokenizer.fit(List.of("a red circle", "a blue square", "a green star on grey"), 8);

    private static Clip clip() {
        ClipConfig cfg = new ClipConfig(16, new ClipConfig.Vision(32, 1, 2, 8, 16), new ClipConfig.Text(32, 1, 2, 8, TOK.vocabSize()),
                Activation.QUICK_GELU, 1e-5, "test");
        Clip c = ClipInit.initialize(new Clip(cfg), new Rng(5));
        c.eval();
        return c;
    }

    @Test
    void chunkedImagesEqualOneBatch() {
        Clip c = clip();
        try (MemoryScope s = MemoryScope.open()) {
            Tensor px = Tensor.randn(new Rng(1), 7, 3, 16, 16);
            float[] whole = c.encodeImage(px).toFloatArray();
            for (int chunk : new int[] {1, 3, 7, 100}) {
                assertArrayEquals(whole, FeatureEncoder.images(c, px, chunk).toFloatArray(), 1e-6f, "chunk " + chunk);
            }
        }
    }

    @Test
    void chunkedTextsEqualOneBatchAndTokensAgree() {
        Clip c = clip();
        List<String> texts = List.of("a red circle", "a blue square", "a green star on grey", "a circle", "red");
        try (MemoryScope s = MemoryScope.open()) {
            Tensor ids = TOK.tokenizeTensor(texts);
            float[] whole = c.encodeText(ids).toFloatArray();
            for (int chunk : new int[] {1, 2, 5, 64}) {
                assertArrayEquals(whole, FeatureEncoder.texts(c, TOK, texts, chunk).toFloatArray(), 1e-6f, "chunk " + chunk);
                assertArrayEquals(whole, FeatureEncoder.tokens(c, ids, chunk).toFloatArray(), 1e-6f, "chunk " + chunk);
            }
        }
    }

    @Test
    void refusesEmptyInputAndBadChunks() {
        Clip c = clip();
        assertThrows(IllegalArgumentException.class, () -> FeatureEncoder.texts(c, TOK, List.of(), 4));
        assertThrows(IllegalArgumentException.class, () -> FeatureEncoder.images(c, Tensor.randn(new Rng(1), 2, 3, 16, 16), 0));
    }
}
