package radapter.models.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import radapter.tensor.io.Json;

/**
 * A Hugging Face {@code vocab.json} + {@code merges.txt}, written here from the gz merge list
 * the way the published CLIP files are laid out, must give the same ids as the gz loader.
 */
class HuggingFaceFormatTest {
    @TempDir
    static Path dir;

    static Path vocabJson;
    static Path mergesTxt;

    @BeforeAll
    static void writeHfFiles() throws IOException {
        Path gz = TokenizerFixtures.vocabGz();
        String text;
        try (InputStream in = new GZIPInputStream(Files.newInputStream(gz))) {
            text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        List<String> merges = new ArrayList<>(List.of(text.split("\n", -1)).subList(1, 1 + 48894));

        // byte symbols: printable bytes in order, then the rest as U+0100.. in order
        List<String> symbols = new ArrayList<>();
        List<Integer> others = new ArrayList<>();
        for (int b = 0; b < 256; b++) {
            boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            if (printable) {
                symbols.add(String.valueOf((char) b));
            } else {
                others.add(b);
            }
        }
        for (int k = 0; k < others.size(); k++) {
            symbols.add(String.valueOf((char) (256 + k)));
        }
        Map<String, Object> vocab = new LinkedHashMap<>();
        for (String s : symbols) {
            vocab.put(s, (long) vocab.size());
        }
        for (String s : symbols) {
            vocab.put(s + "</w>", (long) vocab.size());
        }
        for (String m : merges) {
            vocab.put(m.replace(" ", ""), (long) vocab.size());
        }
        vocab.put("<|startoftext|>", (long) vocab.size());
        vocab.put("<|endoftext|>", (long) vocab.size());
        assertEquals(49408, vocab.size());

        vocabJson = dir.resolve("vocab.json");
        mergesTxt = dir.resolve("merges.txt");
        Files.writeString(vocabJson, Json.write(vocab));
        Files.writeString(mergesTxt, "#version: 0.2\n" + String.join("\n", merges) + "\n");
    }

    @Test
    void sameIdsAsGz() {
        ClipTokenizer hf = ClipTokenizer.fromHuggingFace(vocabJson, mergesTxt);
        ClipTokenizer gz = TokenizerFixtures.tokenizer();
        ClipTokenizer gzOpenAi = ClipTokenizer.fromBpeGz(TokenizerFixtures.vocabGz(), SpecialTokens.OPENAI);
        assertEquals(SpecialTokens.OPENAI, hf.specialTokens());
        assertEquals(49408, hf.vocabSize());
        assertEquals(49406, hf.sotId());
        assertEquals(49407, hf.eotId());
        for (int id = 0; id < 49406; id++) {
            assertEquals(gz.token(id), hf.token(id), "token " + id);
        }
        for (Map<String, Object> c : TokenizerFixtures.cases()) {
            String text = TokenizerFixtures.text(c);
            assertArrayEquals(gzOpenAi.tokenizeRow(text), hf.tokenizeRow(text), "case " + c.get("index"));
            if (!text.contains("<start_of_text>") && !text.contains("<end_of_text>")) {
                assertArrayEquals(gz.encode(text), hf.encode(text), "case " + c.get("index"));
                assertArrayEquals(TokenizerFixtures.longs(c.get("ids_77")),
                        hf.withTruncation(Truncation.OFFICIAL).tokenizeRow(text), "case " + c.get("index"));
            }
        }
    }

    @Test
    void specialSpellingFollowsTheVocabulary() {
        ClipTokenizer hf = ClipTokenizer.fromHuggingFace(vocabJson, mergesTxt);
        assertArrayEquals(new int[] {49406, 3306, 49407}, hf.encode("<|startoftext|>hello<|endoftext|>"));
        // the R-Adapter literal is ordinary text for the OpenAI/HF spelling
        int[] split = hf.encode("<start_of_text>");
        assertEquals("<start_of_text>", hf.decode(split).replace(" ", ""));
        assertEquals(-1, hf.id("<start_of_text>"));
        // and the HF spelling is ordinary text for the R-Adapter one
        ClipTokenizer gz = TokenizerFixtures.tokenizer();
        assertArrayEquals(new int[] {49406, 3306, 49407}, gz.encode("<start_of_text>hello<end_of_text>"));
        assertEquals(1, hf.encode("<|endoftext|>").length);
        assertEquals(true, gz.encode("<|endoftext|>").length > 1);
    }

    @Test
    void mergeCountCapsHfMerges() {
        // a truncated merge list is allowed for HF files; fewer merges give longer encodings
        ClipTokenizer few = ClipTokenizer.builder().huggingFace(vocabJson, mergesTxt).mergeCount(1000).build();
        ClipTokenizer all = ClipTokenizer.fromHuggingFace(vocabJson, mergesTxt);
        String text = "supercalifragilisticexpialidocious";
        assertEquals(true, few.encode(text).length > all.encode(text).length);
        assertEquals(all.decode(all.encode(text)), few.decode(few.encode(text)));
    }
}
