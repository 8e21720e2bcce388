package radapter.models.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The CLIP vocabulary shipped as a resource of this module ({@link ClipTokenizer#fromDefaultBpe()}). */
class DefaultBpeTest {
    /** SHA-256 of OpenAI's bpe_simple_vocab_16e6.txt.gz (also in shared/fixtures/README.md). */
    private static final String SHA256 = "924691ac288e54409236115652ad4aa250f48203de50a9e4722a6ecd48d6804a";

    private static byte[] resourceBytes() throws IOException {
        try (InputStream in = ClipTokenizer.openDefaultBpe()) {
            return in.readAllBytes();
        }
    }

    @Test
    void shippedFileIsOpenAisVocabularyUnchanged() throws IOException, NoSuchAlgorithmException {
        byte[] shipped = resourceBytes();
        assertEquals(1_356_917, shipped.length);
        assertEquals(SHA256, HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(shipped)));
        assertArrayEquals(Files.readAllBytes(TokenizerFixtures.vocabGz()), shipped);
    }

    @Test
    void licenceNoticeShipsBesideIt() throws IOException {
        try (InputStream in = ClipTokenizer.class.getResourceAsStream("/radapter/models/tokenizer/LICENSE-CLIP-vocabulary.txt")) {
            assertTrue(in != null, "the licence notice is missing from the resources");
            String text = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            assertTrue(text.contains("MIT License") && text.contains("Copyright (c) 2021 OpenAI"), text);
        }
    }

    @Test
    void tokenizerFromTheResourceEqualsTheOneFromTheFile() {
        ClipTokenizer shipped = ClipTokenizer.fromDefaultBpe();
        ClipTokenizer file = TokenizerFixtures.tokenizer();
        assertEquals(ClipTokenizer.DEFAULT_VOCAB_SIZE, shipped.vocabSize());
        assertEquals(file.vocabSize(), shipped.vocabSize());
        for (int id = 0; id < file.vocabSize(); id++) {
            assertEquals(file.token(id), shipped.token(id), "token " + id);
        }
        assertEquals(file.specialTokens(), shipped.specialTokens());
        assertEquals(file.contextLength(), shipped.contextLength());
        assertEquals(file.truncation(), shipped.truncation());
        // Every fixture case gives the official ids.
        for (Map<String, Object> c : TokenizerFixtures.cases()) {
            String text = TokenizerFixtures.text(c);
            assertArrayEquals(file.tokenizeRow(text), shipped.tokenizeRow(text), "case " + c.get("index"));
            assertArrayEquals(TokenizerFixtures.longs(c.get("ids_77")),
                    shipped.withTruncation(Truncation.OFFICIAL).tokenizeRow(text), "case " + c.get("index"));
        }
    }

    @Test
    void builderSettingsApplyToTheShippedVocabulary() {
        ClipTokenizer t = ClipTokenizer.builder().defaultBpe().specialTokens(SpecialTokens.OPENAI).contextLength(8).build();
        assertEquals(8, t.contextLength());
        assertEquals(SpecialTokens.OPENAI, t.specialTokens());
        assertArrayEquals(new long[] {49406, 320, 1125, 49407, 0, 0, 0, 0}, t.tokenizeRow("a photo"));
    }

    @Test
    void exactlyOneVocabularySource() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> ClipTokenizer.builder().defaultBpe().bpeGz(TokenizerFixtures.vocabGz()).build());
        assertTrue(e.getMessage().contains("exactly one vocabulary source"), e.getMessage());
        assertThrows(IllegalStateException.class, () -> ClipTokenizer.builder().build());
    }
}
