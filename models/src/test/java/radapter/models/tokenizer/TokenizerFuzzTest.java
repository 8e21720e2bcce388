package radapter.models.tokenizer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import radapter.testing.Mutator;

/**
 * Seeded fuzzing of the CLIP tokenizer: random Unicode text always gives a well-formed row, and
 * mutated vocabularies load or fail with a {@link VocabularyException} naming the file.
 */
class TokenizerFuzzTest {
    @TempDir
    Path dir;

    @Test
    void randomTextGivesWellFormedRows() {
        ClipTokenizer tok = ClipTokenizer.fromBpeGz(TokenizerFixtures.vocabGz());
        Mutator m = new Mutator(41);
        for (int i = 0; i < 3000; i++) {
            String s = m.text(i % 10 == 0 ? 400 : 40);
            long[] row = tok.tokenizeRow(s);
            assertEquals(77, row.length, s);
            assertEquals(49406, row[0], s);
            int eot = tok.eotIndex(row);
            assertTrue(eot > 0 && row[eot] == 49407, s);
        }
    }

    @Test
    void mutatedVocabulariesLoadOrFailCleanly() throws IOException {
        byte[] gz = Files.readAllBytes(TokenizerFixtures.vocabGz());
        byte[] text;
        try (InputStream in = new GZIPInputStream(Files.newInputStream(TokenizerFixtures.vocabGz()))) {
            text = in.readAllBytes();
        }
        Mutator m = new Mutator(43);
        Path p = dir.resolve("fuzz_vocab.txt.gz");
        for (int i = 0; i < 24; i++) {
            byte[] bytes;
            if (i % 2 == 0) {
                bytes = m.mutate(gz); // mostly broken gzip
            } else {
                // Valid gzip of a damaged text: cut lines, stray bytes, merges out of order.
                byte[] t = m.mutate(i % 4 == 1 ? java.util.Arrays.copyOf(text, 4000 + m.nextInt(text.length - 4000)) : text);
                ByteArrayOutputStream b = new ByteArrayOutputStream();
                try (GZIPOutputStream z = new GZIPOutputStream(b)) {
                    z.write(t);
                }
                bytes = b.toByteArray();
            }
            Files.write(p, bytes);
            try {
                ClipTokenizer tok = ClipTokenizer.fromBpeGz(p);
                assertEquals(77, tok.tokenizeRow("a photo of a cat").length);
            } catch (VocabularyException e) {
                assertTrue(e.getMessage().contains("fuzz_vocab.txt.gz"), e.getMessage());
            }
        }
    }
}
