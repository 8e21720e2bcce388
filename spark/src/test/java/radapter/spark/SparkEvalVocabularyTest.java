package radapter.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Spark evaluation finds CLIP's vocabulary without {@code --vocab}, like the CLI. */
class SparkEvalVocabularyTest {
    @TempDir
    Path tmp;

    @Test
    void aClipCheckpointWithNoVocabularyBesideItUsesTheBuiltInOne() throws Exception {
        Path model = Files.writeString(tmp.resolve("model.safetensors"), "");
        long[] row = SparkEvalCommand.tokenizer(model, null, 49408).tokenizeRow("a photo");
        assertArrayEquals(new long[] {49406, 320, 1125, 49407}, java.util.Arrays.copyOf(row, 4));
    }

    @Test
    void anotherVocabularySizeStillNeedsAVocabulary() throws Exception {
        Path model = Files.writeString(tmp.resolve("own.safetensors"), "");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SparkEvalCommand.tokenizer(model, null, 100));
        assertTrue(e.getMessage().contains("own.safetensors") && e.getMessage().contains("--vocab"), e.getMessage());
    }
}
