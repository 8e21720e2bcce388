package radapter.models.tokenizer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Missing or damaged vocabulary files give errors that name the file and line. */
class VocabularyErrorsTest {
    @TempDir
    Path dir;

    private Path gz(String name, String content) throws IOException {
        Path p = dir.resolve(name);
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(p))) {
            out.write(content.getBytes(StandardCharsets.UTF_8));
        }
        return p;
    }

    private static VocabularyException fails(Runnable r) {
        return assertThrows(VocabularyException.class, r::run);
    }

    @Test
    void missingFile() {
        Path p = dir.resolve("nope.txt.gz");
        VocabularyException e = fails(() -> ClipTokenizer.fromBpeGz(p));
        assertEquals(p, e.file());
        assertTrue(e.getMessage().contains("nope.txt.gz") && e.getMessage().contains("not found"), e.getMessage());
    }

    @Test
    void notGzip() throws IOException {
        Path p = dir.resolve("plain.txt.gz");
        Files.writeString(p, "#version: 0.2\nt h\n");
        VocabularyException e = fails(() -> ClipTokenizer.fromBpeGz(p));
        assertTrue(e.getMessage().startsWith(p.toString()) && e.getMessage().contains("gzip"), e.getMessage());
    }

    @Test
    void truncatedGzipStream() throws IOException {
        Path good = gz("full.txt.gz", "#version: 0.2\n" + "t h\n".repeat(5000));
        byte[] bytes = Files.readAllBytes(good);
        Path cut = dir.resolve("cut.txt.gz");
        Files.write(cut, java.util.Arrays.copyOf(bytes, bytes.length / 2));
        VocabularyException e = fails(() -> ClipTokenizer.fromBpeGz(cut));
        assertTrue(e.getMessage().contains("cut.txt.gz"), e.getMessage());
    }

    @Test
    void tooFewMerges() throws IOException {
        Path p = gz("short.txt.gz", "#version: 0.2\ni n</w>\nt h\n");
        VocabularyException e = fails(() -> ClipTokenizer.fromBpeGz(p));
        assertTrue(e.getMessage().contains("short.txt.gz") && e.getMessage().contains("48894"), e.getMessage());
        // with a matching merge count the same file is a valid (tiny) vocabulary
        ClipTokenizer tiny = ClipTokenizer.builder().bpeGz(p).mergeCount(2).build();
        assertEquals(2 * 256 + 2 + 2, tiny.vocabSize());
        assertEquals(514, tiny.sotId());
        assertEquals("in</w>", tiny.token(512));
        assertEquals("th", tiny.token(513));
        int[] ids = tiny.encode("thin");
        assertEquals("th|in</w>", tiny.token(ids[0]) + "|" + tiny.token(ids[1]));
    }

    @Test
    void malformedMergeLineIsReportedWithItsLineNumber() throws IOException {
        Path p = gz("bad.txt.gz", "#version: 0.2\ni n\nt h\nonlyone\ne r\n");
        VocabularyException e = fails(() -> ClipTokenizer.builder().bpeGz(p).mergeCount(4).build());
        assertEquals(4, e.line());
        assertTrue(e.getMessage().startsWith(p + ":4:") && e.getMessage().contains("onlyone"), e.getMessage());

        Path q = gz("space.txt.gz", "#version: 0.2\ni n\nt\u3042 h\n");
        VocabularyException e2 = fails(() -> ClipTokenizer.builder().bpeGz(q).mergeCount(2).build());
        assertEquals(3, e2.line());
        assertTrue(e2.getMessage().contains("U+3042"), e2.getMessage());
    }

    @Test
    void invalidUtf8() throws IOException {
        Path p = dir.resolve("latin1.txt.gz");
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(p))) {
            out.write("#version: 0.2\ni n\n".getBytes(StandardCharsets.UTF_8));
            out.write(new byte[] {'t', (byte) 0xE9, ' ', 'h', '\n'});
        }
        VocabularyException e = fails(() -> ClipTokenizer.builder().bpeGz(p).mergeCount(2).build());
        assertEquals(3, e.line());
        assertTrue(e.getMessage().contains("UTF-8"), e.getMessage());
    }

    @Test
    void huggingFaceProblems() throws IOException {
        Path vocab = dir.resolve("vocab.json");
        Path merges = dir.resolve("merges.txt");
        Files.writeString(merges, "#version: 0.2\n");
        Files.writeString(vocab, "{\n  \"a\": 0,\n  \"b\": oops\n}\n");
        VocabularyException e = fails(() -> ClipTokenizer.fromHuggingFace(vocab, merges));
        assertEquals(3, e.line());
        assertTrue(e.getMessage().startsWith(vocab + ":3:"), e.getMessage());

        Files.writeString(vocab, "{\"a\": 0}");
        VocabularyException noSpecial = fails(() -> ClipTokenizer.fromHuggingFace(vocab, merges));
        assertTrue(noSpecial.getMessage().contains("start/end-of-text"), noSpecial.getMessage());

        Files.writeString(vocab, "{\"a\": 0, \"<|startoftext|>\": 1, \"<|endoftext|>\": 2}");
        VocabularyException missingByte = fails(() -> ClipTokenizer.fromHuggingFace(vocab, merges));
        assertTrue(missingByte.getMessage().contains("has no entry for"), missingByte.getMessage());

        Path absent = dir.resolve("absent.json");
        assertTrue(fails(() -> ClipTokenizer.fromHuggingFace(absent, merges)).getMessage().contains("absent.json"));

        Files.writeString(vocab, "{\"a\": -3}");
        assertTrue(fails(() -> ClipTokenizer.fromHuggingFace(vocab, merges)).getMessage().contains("non-negative"));
    }

    @Test
    void huggingFaceMergesHeaderAndLines() throws IOException {
        // a minimal complete HF vocabulary: byte symbols, with </w>, one merge, specials
        StringBuilder json = new StringBuilder("{");
        int id = 0;
        for (int k = 0; k < 256; k++) {
            String s = String.valueOf(ByteUnicode.charOf(ByteUnicode.byteAtVocabIndex(k)));
            json.append(radapter.tensor.io.Json.write(s)).append(':').append(id++).append(',');
        }
        for (int k = 0; k < 256; k++) {
            String s = ByteUnicode.charOf(ByteUnicode.byteAtVocabIndex(k)) + "</w>";
            json.append(radapter.tensor.io.Json.write(s)).append(':').append(id++).append(',');
        }
        json.append("\"hi</w>\":").append(id++).append(',');
        json.append("\"<|startoftext|>\":").append(id++).append(",\"<|endoftext|>\":").append(id++).append('}');
        Path vocab = dir.resolve("v.json");
        Files.writeString(vocab, json);
        Path merges = dir.resolve("m.txt");

        Files.writeString(merges, "h i</w>\n");
        VocabularyException noHeader = fails(() -> ClipTokenizer.fromHuggingFace(vocab, merges));
        assertEquals(1, noHeader.line());

        Files.writeString(merges, "#version: 0.2\nh i</w> x\n");
        VocabularyException badLine = fails(() -> ClipTokenizer.fromHuggingFace(vocab, merges));
        assertEquals(2, badLine.line());

        Files.writeString(merges, "#version: 0.2\nh i</w>\n");
        ClipTokenizer ok = ClipTokenizer.fromHuggingFace(vocab, merges);
        assertEquals(515, ok.vocabSize());
        assertEquals(java.util.List.of(512), java.util.Arrays.stream(ok.encode("HI")).boxed().toList());
    }
}
