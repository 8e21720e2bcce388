package radapter.models.tokenizer;

import java.util.Objects;

/**
 * How the start-of-text and end-of-text tokens are spelled. The spelling matters in two places:
 * it is the vocabulary key of the two special ids, and the literal text that the pre-tokenizer
 * recognises inside an input string (a caption containing the literal gets the special id, as
 * in the official code).
 *
 * @param startOfText the start-of-text literal (id {@code vocabSize - 2} in CLIP)
 * @param endOfText the end-of-text literal (id {@code vocabSize - 1} in CLIP)
 */
public record SpecialTokens(String startOfText, String endOfText) {
    /**
     * The spelling of R-Adapter's vendored {@code clip/tokenizer.py} ({@code <start_of_text>},
     * {@code <end_of_text>}); the fixtures were produced with it. Default for the gz vocabulary.
     */
    public static final SpecialTokens R_ADAPTER = new SpecialTokens("<start_of_text>", "<end_of_text>");

    /**
     * The spelling of OpenAI's {@code SimpleTokenizer}, open_clip and Hugging Face
     * ({@code <|startoftext|>}, {@code <|endoftext|>}).
     */
    public static final SpecialTokens OPENAI = new SpecialTokens("<|startoftext|>", "<|endoftext|>");

    /** Checks that both literals are non-empty and distinct. */
    public SpecialTokens {
        Objects.requireNonNull(startOfText, "startOfText");
        Objects.requireNonNull(endOfText, "endOfText");
        if (startOfText.isEmpty() || endOfText.isEmpty()) {
            throw new IllegalArgumentException("special-token literals must not be empty");
        }
        if (startOfText.equals(endOfText)) {
            throw new IllegalArgumentException("start and end literals must differ: " + startOfText);
        }
    }
}
