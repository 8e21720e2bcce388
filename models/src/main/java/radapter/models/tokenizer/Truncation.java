package radapter.models.tokenizer;

/**
 * What {@link ClipTokenizer} does when {@code [SOT] + ids + [EOT]} is longer than the context
 * length (77 for CLIP).
 *
 * <p>The two reference implementations disagree. OpenAI's {@code clip.tokenize(...,
 * truncate=True)} simply cuts the row, so the end-of-text token disappears; CLIP's text encoder
 * pools the position of the largest id ({@code argmax}), which is then the start-of-text token at
 * position 0. The causal mask lets that position see only itself, so <em>every</em> over-long
 * text is embedded to one and the same feature vector. open_clip and Hugging Face instead keep
 * the first {@code contextLength - 1} tokens and put the end-of-text token in the last slot,
 * which pools a position that has seen the (truncated) text. That is the sensible behaviour and
 * the default here.
 */
public enum Truncation {
    /**
     * Bit-for-bit {@code clip.tokenize}: the row is the first {@code contextLength} ids of
     * {@code [SOT] + ids + [EOT]}; the end-of-text token is dropped. Use it only to reproduce
     * numbers computed with the official code (R-Adapter's zero-shot heads use it).
     */
    OFFICIAL,
    /**
     * open_clip / Hugging Face: {@code [SOT] + ids[:contextLength - 2] + [EOT]}; the end-of-text
     * token always survives, at the last position. The default.
     */
    KEEP_EOT,
    /** Refuse: tokenizing a text that does not fit throws {@link IllegalArgumentException}. */
    ERROR
}
