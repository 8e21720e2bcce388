/**
 * The CLIP byte-level BPE tokenizer: turns caption and prompt strings into the {@code [N, 77]}
 * int64 token rows that the CLIP text encoder consumes, reproducing the official
 * {@code SimpleTokenizer} / {@code clip.tokenize} id for id.
 *
 * <p>Entry point: {@link radapter.models.tokenizer.ClipTokenizer}, loaded either from the
 * original {@code bpe_simple_vocab_16e6.txt.gz} merge list or from a Hugging Face
 * {@code vocab.json} + {@code merges.txt} pair (both give identical ids). OpenAI's merge list
 * ships with this module as a resource (MIT licence, notice beside it), so
 * {@link radapter.models.tokenizer.ClipTokenizer#fromDefaultBpe()} needs no file. The pipeline is
 * <ol>
 *   <li>cleaning: optional NFC, HTML unescape twice, strip, collapse whitespace runs, lower-case
 *       ({@link radapter.models.tokenizer.ClipTokenizer#clean(String)});</li>
 *   <li>pre-tokenization with the official regular expression (special-token literals,
 *       contractions, letter runs, single digits, runs of other symbols);</li>
 *   <li>UTF-8 bytes mapped to printable stand-in characters, then BPE merges by rank;</li>
 *   <li>assembly of {@code [SOT] + ids + [EOT]} into zero-padded rows, with an explicit
 *       {@link radapter.models.tokenizer.Truncation} policy for texts that do not fit.</li>
 * </ol>
 * There is no port of {@code ftfy}; see {@link radapter.models.tokenizer.ClipTokenizer} for what
 * that means in practice. Tokenizers are immutable and safe to share between threads.
 */
package radapter.models.tokenizer;
