package radapter.models.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class ClipTokenizerApiTest {

    @Test
    void specVectors() {
        ClipTokenizer tok = TokenizerFixtures.tokenizer();
        assertArrayEquals(new int[] {320, 1125, 539, 320, 1929, 269}, tok.encode("a photo of a dog."));
        assertArrayEquals(new int[] {320, 2103, 1125, 539, 320, 1149, 634, 269}, tok.encode("a bad photo of a tench."));
        assertArrayEquals(new int[] {320, 1125, 539, 273, 3989, 748}, tok.encode("A photo of 2 cats!!"));
    }

    @Test
    void decodeRoundTripsPlainAscii() {
        ClipTokenizer tok = TokenizerFixtures.tokenizer();
        String[] texts = {"a photo of a cat", "the quick brown fox jumps over the lazy dog",
            "supercalifragilisticexpialidocious", "a bad photo of a tench"};
        for (String t : texts) {
            assertEquals(t + " ", tok.decode(tok.encode(t)), t);
            assertEquals(t, tok.decodeRow(tok.tokenizeRow(t)), t);
        }
        // with punctuation the official decode separates pre-tokens by spaces; the characters survive
        Random rnd = new Random(7);
        String alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 .,;:!?'\"()[]-_/@#$%*+=~`|\\";
        for (int k = 0; k < 300; k++) {
            StringBuilder sb = new StringBuilder();
            int len = 1 + rnd.nextInt(40);
            for (int i = 0; i < len; i++) {
                sb.append(alphabet.charAt(rnd.nextInt(alphabet.length())));
            }
            String cleaned = tok.clean(sb.toString());
            String decoded = tok.decode(tok.encode(sb.toString()));
            assertEquals(cleaned.replace(" ", ""), decoded.replace(" ", ""), sb.toString());
        }
        // multi-byte text survives too (BPE pieces may split characters; decode joins the bytes first)
        String mixed = "naïve 日本語 привет 🙂";
        assertEquals(mixed.replace(" ", ""), tok.decode(tok.encode(mixed)).replace(" ", ""));
    }

    @Test
    void decodeKeepsSpecialLiterals() {
        ClipTokenizer tok = TokenizerFixtures.tokenizer();
        assertEquals("<start_of_text>a <end_of_text>", tok.decode(new int[] {49406, 320, 49407}));
        assertThrows(IllegalArgumentException.class, () -> tok.decode(new int[] {49408}));
        assertThrows(IllegalArgumentException.class, () -> tok.decode(new int[] {-1}));
    }

    @Test
    void truncationPolicies() {
        ClipTokenizer tok = TokenizerFixtures.tokenizer();
        String exactFit = "a ".repeat(75);
        String oneTooMany = "a ".repeat(76);
        for (Truncation p : Truncation.values()) {
            long[] row = tok.withTruncation(p).tokenizeRow(exactFit);
            assertEquals(76, tok.eotIndex(row), p.name());
        }
        long[] official = tok.withTruncation(Truncation.OFFICIAL).tokenizeRow(oneTooMany);
        assertEquals(-1, tok.eotIndex(official));
        assertEquals(0, ClipTokenizer.poolIndex(official));
        long[] kept = tok.tokenizeRow(oneTooMany);
        assertEquals(76, tok.eotIndex(kept));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> tok.withTruncation(Truncation.ERROR).tokenizeRow(oneTooMany));
        assertTrue(e.getMessage().contains("78"), e.getMessage());
        assertEquals(78, tok.tokenCount(oneTooMany));
        assertEquals("a ".repeat(75).strip(), tok.decodeRow(kept));
        assertEquals("a ".repeat(76).strip(), tok.decodeRow(official));
    }

    @Test
    void contextLengthAndSharing() {
        ClipTokenizer tok = TokenizerFixtures.tokenizer();
        assertSame(tok, tok.withTruncation(tok.truncation()));
        assertSame(tok, tok.withContextLength(77));
        ClipTokenizer shortCtx = tok.withContextLength(5);
        assertArrayEquals(new long[] {49406, 320, 1125, 539, 49407}, shortCtx.tokenizeRow("a photo of a cat"));
        assertArrayEquals(new long[] {49406, 320, 1125, 539, 320},
                shortCtx.withTruncation(Truncation.OFFICIAL).tokenizeRow("a photo of a cat"));
        assertArrayEquals(new long[] {49406, 49407}, tok.withContextLength(2).tokenizeRow(""));
        assertArrayEquals(new long[] {49406, 49407}, tok.withContextLength(2).tokenizeRow("cat"));
        assertThrows(IllegalArgumentException.class, () -> tok.withContextLength(1));
        assertEquals(0, tok.tokenize(List.of()).length);
    }

    @Test
    void poolIndexIsFirstMaximum() {
        assertEquals(0, ClipTokenizer.poolIndex(new long[] {0, 0, 0}));
        assertEquals(2, ClipTokenizer.poolIndex(new long[] {49406, 5, 49407, 49407, 0}));
        assertEquals(0, ClipTokenizer.poolIndex(new long[] {49406, 5, 7}));
    }

    @Test
    void tokenLookup() {
        ClipTokenizer tok = TokenizerFixtures.tokenizer();
        assertEquals("!", tok.token(0));
        assertEquals("\u0100", tok.token(188));
        assertEquals("!</w>", tok.token(256));
        assertEquals(49406, tok.id("<start_of_text>"));
        assertEquals(-1, tok.id("definitely not a token"));
        assertEquals(320, tok.id("a</w>"));
    }

    @Test
    void parallelEncodeEqualsSerial() throws Exception {
        ClipTokenizer fresh = ClipTokenizer.builder().bpeGz(TokenizerFixtures.vocabGz()).cacheCapacity(64).build();
        ClipTokenizer serial = ClipTokenizer.builder().bpeGz(TokenizerFixtures.vocabGz()).cacheCapacity(0).build();
        List<String> texts = new ArrayList<>();
        Random rnd = new Random(11);
        String[] words = {"a", "photo", "of", "the", "dog", "cat", "running", "café", "日本", "🙂", "2024", "it's",
            "&amp;", "x-ray", "supercalifragilistic", "bicycle", "mountains", "!!", "Straße", "over"};
        for (int i = 0; i < 2000; i++) {
            StringBuilder sb = new StringBuilder();
            int n = 1 + rnd.nextInt(20);
            for (int k = 0; k < n; k++) {
                sb.append(words[rnd.nextInt(words.length)]).append(rnd.nextInt(4) == 0 ? "" : " ");
                if (rnd.nextInt(5) == 0) {
                    sb.append((char) ('a' + rnd.nextInt(26))).append((char) ('a' + rnd.nextInt(26)));
                }
            }
            texts.add(sb.toString());
        }
        List<long[]> expected = new ArrayList<>();
        for (String t : texts) {
            expected.add(serial.tokenizeRow(t));
        }
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<long[]>> futures = new ArrayList<>();
            for (int round = 0; round < 3; round++) {
                for (String t : texts) {
                    futures.add(pool.submit(() -> fresh.tokenizeRow(t)));
                }
            }
            for (int i = 0; i < futures.size(); i++) {
                assertArrayEquals(expected.get(i % texts.size()), futures.get(i).get(), texts.get(i % texts.size()));
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
