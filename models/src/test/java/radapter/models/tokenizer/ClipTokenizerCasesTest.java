package radapter.models.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/** Every case of {@code fixtures/tokenizer/cases.json}, exactly. */
class ClipTokenizerCasesTest {

    @Test
    void headerConstants() {
        ClipTokenizer tok = TokenizerFixtures.tokenizer();
        Map<String, Object> file = TokenizerFixtures.casesFile();
        assertEquals(((Number) file.get("sot_id")).intValue(), tok.sotId());
        assertEquals(((Number) file.get("eot_id")).intValue(), tok.eotId());
        assertEquals(((Number) file.get("pad_id")).intValue(), tok.padId());
        assertEquals(((Number) file.get("vocab_size")).intValue(), tok.vocabSize());
        assertEquals(((Number) file.get("context_length")).intValue(), tok.contextLength());
        assertEquals(47, TokenizerFixtures.cases().size());
        assertEquals("jekyll</w>", tok.token(49405));
        assertEquals(Truncation.KEEP_EOT, tok.truncation());
    }

    @TestFactory
    Stream<DynamicTest> cases() {
        ClipTokenizer tok = TokenizerFixtures.tokenizer();
        ClipTokenizer official = tok.withTruncation(Truncation.OFFICIAL);
        return TokenizerFixtures.cases().stream().map(c -> DynamicTest.dynamicTest(
                "case " + c.get("index") + " " + c.get("category"), () -> checkCase(tok, official, c)));
    }

    private static void checkCase(ClipTokenizer tok, ClipTokenizer official, Map<String, Object> c) {
        String text = TokenizerFixtures.text(c);
        String where = "case " + c.get("index") + " " + c.get("note");
        String fromHex = new String(HexFormat.of().parseHex((String) c.get("text_utf8_hex")), StandardCharsets.UTF_8);
        assertEquals(fromHex, text, where + ": text vs text_utf8_hex");

        assertEquals(c.get("cleaned"), tok.clean(text), where + ": cleaned");

        int[] expectedIds = TokenizerFixtures.ints(c.get("ids"));
        int[] content = tok.encode(text);
        int[] ids = new int[content.length + 2];
        ids[0] = tok.sotId();
        System.arraycopy(content, 0, ids, 1, content.length);
        ids[ids.length - 1] = tok.eotId();
        assertArrayEquals(expectedIds, ids, where + ": ids");
        assertEquals(((Number) c.get("num_ids")).intValue(), tok.tokenCount(text), where + ": num_ids");

        List<String> tokens = new ArrayList<>();
        for (int id : ids) {
            tokens.add(tok.token(id));
        }
        assertEquals(c.get("bpe_tokens"), tokens, where + ": bpe_tokens");

        // Truncation.OFFICIAL is clip.tokenize bit for bit
        long[] expectedRow = TokenizerFixtures.longs(c.get("ids_77"));
        long[] row = official.tokenizeRow(text);
        assertArrayEquals(expectedRow, row, where + ": ids_77");
        boolean truncated = (Boolean) c.get("truncated");
        assertEquals(truncated, ids.length > 77, where + ": truncated");
        assertEquals(c.get("eot_in_ids_77"), official.eotIndex(row) >= 0, where + ": eot_in_ids_77");
        assertEquals(((Number) c.get("argmax_ids_77")).intValue(), ClipTokenizer.poolIndex(row), where + ": argmax");

        // KEEP_EOT (default): identical when it fits, EOT forced into the last slot otherwise
        long[] kept = tok.tokenizeRow(text);
        assertEquals(77, kept.length);
        if (!truncated) {
            assertArrayEquals(expectedRow, kept, where + ": KEEP_EOT row of a short text");
        } else {
            assertEquals(tok.eotId(), kept[76], where);
            for (int i = 0; i < 76; i++) {
                assertEquals(expectedRow[i], kept[i], where + " position " + i);
            }
            assertEquals(76, tok.eotIndex(kept), where);
            assertEquals(76, ClipTokenizer.poolIndex(kept), where + ": KEEP_EOT pools the EOT");
            assertThrows(IllegalArgumentException.class,
                    () -> tok.withTruncation(Truncation.ERROR).tokenizeRow(text), where);
        }
        if (!text.contains(tok.specialTokens().endOfText())) {
            assertEquals(tok.eotIndex(kept), ClipTokenizer.poolIndex(kept), where + ": pools the EOT");
        }
    }

    @Test
    void specialLiteralPoolsFirstEot() {
        ClipTokenizer tok = TokenizerFixtures.tokenizer();
        long[] row = tok.tokenizeRow("<start_of_text>hello<end_of_text>");
        assertEquals(3, ClipTokenizer.poolIndex(row));
        assertEquals(3, tok.eotIndex(row));
        assertTrue(row[4] == tok.eotId() && row[5] == 0);
    }

    @Test
    void batchAndTensorMatchRows() {
        ClipTokenizer tok = TokenizerFixtures.tokenizer().withTruncation(Truncation.OFFICIAL);
        List<String> texts = TokenizerFixtures.cases().stream().map(TokenizerFixtures::text).toList();
        long[][] rows = tok.tokenize(texts);
        radapter.tensor.Tensor t = tok.tokenizeTensor(texts);
        assertEquals(radapter.tensor.DType.I64, t.dtype());
        assertArrayEquals(new long[] {texts.size(), 77}, t.shape());
        long[] flat = t.toLongArray();
        for (int i = 0; i < texts.size(); i++) {
            Map<String, Object> c = TokenizerFixtures.cases().get(i);
            long[] expected = TokenizerFixtures.longs(c.get("ids_77"));
            assertArrayEquals(expected, rows[i], "row " + i);
            for (int j = 0; j < 77; j++) {
                assertEquals(expected[j], flat[i * 77 + j], "tensor " + i + "," + j);
            }
        }
        assertArrayEquals(rows[3], tok.tokenize(texts.get(3))[0]);
    }
}
