package radapter.models.tokenizer;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import radapter.tensor.Tensor;
import radapter.tensor.io.AtomicFiles;
import radapter.tensor.io.Json;

/**
 * CLIP's byte-level BPE tokenizer, equivalent id for id to the official {@code SimpleTokenizer}
 * and {@code clip.tokenize} (verified against 47 fixture cases).
 *
 * <h2>Pipeline</h2>
 * <ol>
 *   <li><b>Cleaning</b> ({@link #clean(String)}): NFC normalisation (on by default, see below),
 *       Python's {@code html.unescape} applied twice (numeric references and the named entities
 *       listed in {@code HtmlUnescape}: all of HTML 4, {@code apos}, ASCII punctuation names), strip,
 *       every run of Unicode whitespace (Python's {@code \s}: {@code White_Space} plus
 *       U+001C..U+001F) replaced by one space, then Python's full-Unicode {@code str.lower()}:
 *       {@code toLowerCase(Locale.ROOT)} (equal to it for every single code point, U+0130 to
 *       {@code "i\u0307"} included) with capital sigma's final form decided by Python's rule.</li>
 *   <li><b>Pre-tokenization</b> with the official expression
 *       {@code SOT|EOT|'s|'t|'re|'ve|'m|'ll|'d|[\p{L}]+|[\p{N}]|[^\s\p{L}\p{N}]+}, case-insensitive,
 *       Unicode character classes; whitespace is skipped; each digit is its own pre-token.</li>
 *   <li><b>BPE</b>: each pre-token's UTF-8 bytes become byte symbols (the last one carrying
 *       {@code </w>}), then the lowest-rank adjacent pair is merged everywhere, repeatedly. The
 *       special literals map straight to their ids. Results are cached per pre-token.</li>
 *   <li><b>Rows</b>: {@code [SOT] + ids + [EOT]}, zero padded to the context length (77), cut
 *       according to the {@link Truncation} policy (default {@link Truncation#KEEP_EOT}).</li>
 * </ol>
 *
 * <h2>No ftfy</h2>
 * The official code first runs {@code ftfy.fix_text}. It is not ported: for all fixture texts
 * (ASCII prompts, accented Latin, CJK, Cyrillic, emoji, HTML entities, CRLF) the official ids are
 * the same with and without it. ftfy does change ids for curly quotes, Latin ligatures,
 * full-width forms, mojibake and non-NFC input; of these only the NFC step is reproduced
 * (it can be turned off with {@link Builder#nfc(boolean)} to mimic {@code fix_text = identity}).
 *
 * <h2>Special-token spelling</h2>
 * R-Adapter's vendored tokenizer spells the special tokens {@code <start_of_text>} /
 * {@code <end_of_text>}; OpenAI's, open_clip's and Hugging Face's spell them
 * {@code <|startoftext|>} / {@code <|endoftext|>}. Ids are the same (49406 / 49407); only a
 * caption that contains one of the literals tokenizes differently. The gz loader defaults to the
 * R-Adapter spelling (what the fixtures were made with); the Hugging Face loader uses whatever
 * {@code vocab.json} contains. See {@link SpecialTokens}.
 *
 * <p>Instances are immutable and thread-safe; the BPE cache is a bounded concurrent map shared by
 * the copies made with {@link #withTruncation} and {@link #withContextLength}.
 */
public final class ClipTokenizer implements Tokenizer {
    /** CLIP's context length. */
    public static final int DEFAULT_CONTEXT_LENGTH = 77;
    /** Merges used from the gz file: {@code 49152 - 256 - 2}, as in the official code. */
    public static final int DEFAULT_MERGE_COUNT = 49152 - 256 - 2;
    /**
     * Token ids of CLIP's vocabulary with the default merges: 256 byte symbols, the same with the
     * end-of-word mark, the merged tokens, start and end of text (49,408, every CLIP checkpoint's
     * {@code vocab_size}).
     */
    public static final int DEFAULT_VOCAB_SIZE = 2 * 256 + DEFAULT_MERGE_COUNT + 2;
    /** Default bound on the number of cached pre-tokens. */
    public static final int DEFAULT_CACHE_CAPACITY = 1 << 17;
    /**
     * Class path location of the CLIP vocabulary this module ships: OpenAI's
     * {@code bpe_simple_vocab_16e6.txt.gz} unchanged (MIT licence, notice in
     * {@code LICENSE-CLIP-vocabulary.txt} beside it), the file the official CLIP, open_clip and
     * R-Adapter code load by default.
     */
    public static final String DEFAULT_BPE_RESOURCE = "/radapter/models/tokenizer/bpe_simple_vocab_16e6.txt.gz";

    private final BpeVocabulary vocab;
    private final Pattern preTokenizer;
    private final BpeCache cache;
    private final int contextLength;
    private final Truncation truncation;
    private final boolean nfc;

    private ClipTokenizer(BpeVocabulary vocab, Pattern preTokenizer, BpeCache cache, int contextLength,
            Truncation truncation, boolean nfc) {
        this.vocab = vocab;
        this.preTokenizer = preTokenizer;
        this.cache = cache;
        this.contextLength = contextLength;
        this.truncation = truncation;
        this.nfc = nfc;
    }

    // ----------------------------------------------------------------------------------------
    // construction

    /**
     * Loads {@code bpe_simple_vocab_16e6.txt.gz} with the R-Adapter special-token spelling,
     * context length 77 and {@link Truncation#KEEP_EOT}.
     *
     * @throws VocabularyException when the file is missing, not gzip, or malformed (the message
     *     names the file and line)
     */
    public static ClipTokenizer fromBpeGz(Path bpeGz) {
        return builder().bpeGz(bpeGz).build();
    }

    /**
     * CLIP's tokenizer with the vocabulary shipped in this module ({@link #DEFAULT_BPE_RESOURCE};
     * {@code SimpleTokenizer()} with its {@code default_bpe()} in the official code), R-Adapter
     * special-token spelling, context length 77 and {@link Truncation#KEEP_EOT}: the same ids as
     * {@link #fromBpeGz(Path)} on that file. Needs no file on disk.
     */
    public static ClipTokenizer fromDefaultBpe() {
        return builder().defaultBpe().build();
    }

    /** Like {@link #fromBpeGz(Path)} with the given special-token spelling. */
    public static ClipTokenizer fromBpeGz(Path bpeGz, SpecialTokens specialTokens) {
        return builder().bpeGz(bpeGz).specialTokens(specialTokens).build();
    }

    /**
     * Loads a Hugging Face {@code vocab.json} (token to id) and {@code merges.txt}
     * ({@code #version} header, then one merge per line in rank order). For the CLIP vocabulary
     * the ids equal those of {@link #fromBpeGz(Path)}; the special-token spelling is taken from
     * the vocabulary ({@code <|startoftext|>} in the published files).
     *
     * @throws VocabularyException when a file is missing or malformed
     */
    public static ClipTokenizer fromHuggingFace(Path vocabJson, Path mergesTxt) {
        return builder().huggingFace(vocabJson, mergesTxt).build();
    }

    /** A builder for the less common settings. */
    public static Builder builder() {
        return new Builder();
    }

    /** A tokenizer sharing this one's vocabulary and cache, with another truncation policy. */
    public ClipTokenizer withTruncation(Truncation policy) {
        Objects.requireNonNull(policy, "truncation");
        return policy == truncation ? this
                : new ClipTokenizer(vocab, preTokenizer, cache, contextLength, policy, nfc);
    }

    /** A tokenizer sharing this one's vocabulary and cache, with another context length (>= 2). */
    public ClipTokenizer withContextLength(int length) {
        checkContextLength(length);
        return length == contextLength ? this
                : new ClipTokenizer(vocab, preTokenizer, cache, length, truncation, nfc);
    }

    private static void checkContextLength(int length) {
        if (length < 2) {
            throw new IllegalArgumentException("context length must be at least 2 (SOT and EOT): " + length);
        }
    }

    /** Settings for {@link ClipTokenizer}; choose exactly one vocabulary source. */
    public static final class Builder {
        private boolean defaultBpe;
        private Path bpeGz;
        private Path vocabJson;
        private Path mergesTxt;
        private SpecialTokens specialTokens;
        private int mergeCount = DEFAULT_MERGE_COUNT;
        private int contextLength = DEFAULT_CONTEXT_LENGTH;
        private Truncation truncation = Truncation.KEEP_EOT;
        private boolean nfc = true;
        private int cacheCapacity = DEFAULT_CACHE_CAPACITY;

        private Builder() {
        }

        /** Vocabulary from the original {@code bpe_simple_vocab_16e6.txt.gz}. */
        public Builder bpeGz(Path file) {
            this.bpeGz = Objects.requireNonNull(file, "file");
            return this;
        }

        /** Vocabulary shipped in this module ({@link #DEFAULT_BPE_RESOURCE}). */
        public Builder defaultBpe() {
            this.defaultBpe = true;
            return this;
        }

        /** Vocabulary from Hugging Face {@code vocab.json} + {@code merges.txt}. */
        public Builder huggingFace(Path vocabJson, Path mergesTxt) {
            this.vocabJson = Objects.requireNonNull(vocabJson, "vocabJson");
            this.mergesTxt = Objects.requireNonNull(mergesTxt, "mergesTxt");
            return this;
        }

        /**
         * Special-token spelling. Default: {@link SpecialTokens#R_ADAPTER} for the gz file,
         * detected from {@code vocab.json} for Hugging Face files.
         */
        public Builder specialTokens(SpecialTokens tokens) {
            this.specialTokens = Objects.requireNonNull(tokens, "tokens");
            return this;
        }

        /**
         * How many merges to use (default 48894, as in the official code). The gz file must
         * contain at least that many; a Hugging Face {@code merges.txt} is cut to it.
         */
        public Builder mergeCount(int count) {
            if (count < 0) {
                throw new IllegalArgumentException("mergeCount must be >= 0: " + count);
            }
            this.mergeCount = count;
            return this;
        }

        /** Row length (default 77, at least 2). */
        public Builder contextLength(int length) {
            checkContextLength(length);
            this.contextLength = length;
            return this;
        }

        /** Truncation policy (default {@link Truncation#KEEP_EOT}). */
        public Builder truncation(Truncation policy) {
            this.truncation = Objects.requireNonNull(policy, "truncation");
            return this;
        }

        /**
         * Whether to NFC-normalise before cleaning (default true, the part of {@code ftfy} that
         * matters most often); false reproduces the official pipeline with ftfy disabled.
         */
        public Builder nfc(boolean on) {
            this.nfc = on;
            return this;
        }

        /** Maximum number of cached pre-tokens (0 disables the cache). */
        public Builder cacheCapacity(int capacity) {
            if (capacity < 0) {
                throw new IllegalArgumentException("cacheCapacity must be >= 0: " + capacity);
            }
            this.cacheCapacity = capacity;
            return this;
        }

        /**
         * Loads the vocabulary and builds the tokenizer.
         *
         * @throws VocabularyException when a vocabulary file is missing or malformed
         */
        public ClipTokenizer build() {
            int sources = (defaultBpe ? 1 : 0) + (bpeGz != null ? 1 : 0) + (vocabJson != null ? 1 : 0);
            if (sources != 1) {
                throw new IllegalStateException("choose exactly one vocabulary source: defaultBpe(), bpeGz(...) or huggingFace(...)");
            }
            SpecialTokens gzSpelling = specialTokens != null ? specialTokens : SpecialTokens.R_ADAPTER;
            BpeVocabulary vocab;
            if (defaultBpe) {
                vocab = BpeVocabulary.fromBpeGz(openDefaultBpe(), Path.of(DEFAULT_BPE_RESOURCE.substring(1)), mergeCount, gzSpelling);
            } else if (bpeGz != null) {
                vocab = BpeVocabulary.fromBpeGz(bpeGz, mergeCount, gzSpelling);
            } else {
                vocab = BpeVocabulary.fromHuggingFace(vocabJson, mergesTxt, mergeCount, specialTokens);
            }
            return new ClipTokenizer(vocab, preTokenizerFor(vocab.special), new BpeCache(cacheCapacity),
                    contextLength, truncation, nfc);
        }
    }

    /**
     * The gzip bytes of the shipped vocabulary ({@link #DEFAULT_BPE_RESOURCE}); the caller closes
     * the stream.
     *
     * @throws IllegalStateException when the resource is missing (a repackaged jar that dropped it)
     */
    public static InputStream openDefaultBpe() {
        InputStream in = ClipTokenizer.class.getResourceAsStream(DEFAULT_BPE_RESOURCE);
        if (in == null) {
            throw new IllegalStateException("the CLIP vocabulary " + DEFAULT_BPE_RESOURCE
                    + " is missing from the class path (radapter-models jar); give a vocabulary file instead");
        }
        return in;
    }

    private static Pattern preTokenizerFor(SpecialTokens special) {
        String regex = Pattern.quote(special.startOfText()) + "|" + Pattern.quote(special.endOfText())
                + "|'s|'t|'re|'ve|'m|'ll|'d|[\\p{L}]+|[\\p{N}]|[^\\s\\p{L}\\p{N}]+";
        return Pattern.compile(regex, Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE | Pattern.UNICODE_CHARACTER_CLASS);
    }

    // ----------------------------------------------------------------------------------------
    // properties

    /**
     * Writes this vocabulary the way Hugging Face's {@code CLIPTokenizer.save_pretrained} does, so
     * that {@code CLIPTokenizer.from_pretrained(dir)} (and {@link #fromHuggingFace}) read it back:
     * {@code vocab.json}, {@code merges.txt}, {@code tokenizer_config.json} and
     * {@code special_tokens_map.json}, each written atomically. The special tokens get the OpenAI
     * names ({@code <|startoftext|>}, {@code <|endoftext|>}) at their ids whatever this tokenizer
     * calls them, since that is what the Hugging Face tokenizer expects.
     *
     * @return the files written
     */
    public List<Path> saveHuggingFace(Path dir) throws IOException {
        Map<String, Object> enc = new LinkedHashMap<>();
        for (int id = 0; id < vocab.decoder.length; id++) {
            String t = id == vocab.sotId ? SpecialTokens.OPENAI.startOfText()
                    : id == vocab.eotId ? SpecialTokens.OPENAI.endOfText() : vocab.decoder[id];
            if (t != null) {
                enc.put(t, id);
            }
        }
        StringBuilder merges = new StringBuilder("#version: 0.2\n");
        for (String[] pair : vocab.mergePairs) {
            merges.append(pair[0]).append(' ').append(pair[1]).append('\n');
        }
        String sot = SpecialTokens.OPENAI.startOfText();
        String eot = SpecialTokens.OPENAI.endOfText();
        Map<String, Object> special = new LinkedHashMap<>();
        special.put("bos_token", sot);
        special.put("eos_token", eot);
        special.put("unk_token", eot);
        special.put("pad_token", eot);
        Map<String, Object> config = new LinkedHashMap<>(special);
        config.put("tokenizer_class", "CLIPTokenizer");
        config.put("model_max_length", contextLength);
        config.put("do_lower_case", true);
        config.put("errors", "replace");
        config.put("add_prefix_space", false);
        List<Path> files = List.of(dir.resolve("vocab.json"), dir.resolve("merges.txt"),
                dir.resolve("tokenizer_config.json"), dir.resolve("special_tokens_map.json"));
        AtomicFiles.writeString(files.get(0), Json.write(enc));
        AtomicFiles.writeString(files.get(1), merges.toString());
        AtomicFiles.writeString(files.get(2), Json.writePretty(config));
        AtomicFiles.writeString(files.get(3), Json.writePretty(special));
        return files;
    }

    /** Number of ids (49408 for CLIP). */
    public int vocabSize() {
        return vocab.decoder.length;
    }

    /** Start-of-text id (49406 for CLIP). */
    public int sotId() {
        return vocab.sotId;
    }

    /** End-of-text id (49407 for CLIP). */
    public int eotId() {
        return vocab.eotId;
    }

    /** The padding id (0, as in {@code clip.tokenize}). */
    public int padId() {
        return 0;
    }

    /** Row length of {@link #tokenize}. */
    public int contextLength() {
        return contextLength;
    }

    /** The truncation policy of {@link #tokenize}. */
    public Truncation truncation() {
        return truncation;
    }

    /** The special-token spelling. */
    public SpecialTokens specialTokens() {
        return vocab.special;
    }

    /** The vocabulary string of {@code id} (byte stand-in characters, {@code </w>} ends a word). */
    public String token(int id) {
        checkId(id);
        return vocab.decoder[id];
    }

    /** The id of a vocabulary string, or -1. */
    public int id(String token) {
        Integer id = vocab.encoder.get(token);
        return id == null ? -1 : id;
    }

    private void checkId(int id) {
        if (id < 0 || id >= vocab.decoder.length || vocab.decoder[id] == null) {
            throw new IllegalArgumentException("not a token id: " + id);
        }
    }

    // ----------------------------------------------------------------------------------------
    // encoding

    /** The cleaned text that is pre-tokenized (see the class comment). */
    public String clean(String text) {
        return TextCleaner.clean(Objects.requireNonNull(text, "text"), nfc);
    }

    /** BPE ids of {@code text}, without start/end-of-text and without any length limit. */
    public int[] encode(String text) {
        String cleaned = clean(text);
        IntBuffer out = new IntBuffer(Math.max(8, cleaned.length() / 3));
        Matcher m = preTokenizer.matcher(cleaned);
        String sot = vocab.special.startOfText();
        String eot = vocab.special.endOfText();
        while (m.find()) {
            String piece = m.group();
            if (piece.equals(sot)) {
                out.add(vocab.sotId);
            } else if (piece.equals(eot)) {
                out.add(vocab.eotId);
            } else {
                out.addAll(bpeIds(piece));
            }
        }
        return out.toArray();
    }

    /** Length of {@code [SOT] + encode(text) + [EOT]} before any truncation. */
    public int tokenCount(String text) {
        return encode(text).length + 2;
    }

    /** BPE of one pre-token; the returned array is shared with the cache and must not be changed. */
    private int[] bpeIds(String piece) {
        int[] ids = cache.get(piece);
        if (ids == null) {
            ids = bpe(piece.getBytes(StandardCharsets.UTF_8));
            cache.put(piece, ids);
        }
        return ids;
    }

    private int[] bpe(byte[] bytes) {
        int n = bytes.length;
        int[] sym = new int[n];
        for (int i = 0; i < n - 1; i++) {
            sym[i] = vocab.byteId[bytes[i] & 0xFF];
        }
        sym[n - 1] = vocab.byteEndId[bytes[n - 1] & 0xFF];
        BpeVocabulary.MergeTable merges = vocab.merges;
        while (n > 1) {
            long best = Long.MAX_VALUE;
            int first = -1;
            int second = -1;
            for (int i = 0; i < n - 1; i++) {
                long v = merges.get(sym[i], sym[i + 1]);
                if (v >= 0 && v < best) { // the rank sits in the high bits
                    best = v;
                    first = sym[i];
                    second = sym[i + 1];
                }
            }
            if (first < 0) {
                break;
            }
            int merged = (int) best;
            int w = 0;
            int i = 0;
            while (i < n) {
                if (i < n - 1 && sym[i] == first && sym[i + 1] == second) {
                    sym[w++] = merged;
                    i += 2;
                } else {
                    sym[w++] = sym[i++];
                }
            }
            n = w;
        }
        return n == sym.length ? sym : Arrays.copyOf(sym, n);
    }

    /**
     * One row: {@code [SOT] + encode(text) + [EOT]}, zero padded to {@link #contextLength()},
     * truncated by this tokenizer's policy.
     *
     * @throws IllegalArgumentException under {@link Truncation#ERROR} when the text is too long
     */
    public long[] tokenizeRow(String text) {
        int[] ids = encode(text);
        long[] row = new long[contextLength];
        int total = ids.length + 2;
        row[0] = vocab.sotId;
        if (total <= contextLength) {
            for (int i = 0; i < ids.length; i++) {
                row[i + 1] = ids[i];
            }
            row[ids.length + 1] = vocab.eotId;
            return row;
        }
        switch (truncation) {
            case OFFICIAL -> {
                for (int i = 1; i < contextLength; i++) {
                    row[i] = ids[i - 1];
                }
            }
            case KEEP_EOT -> {
                for (int i = 1; i < contextLength - 1; i++) {
                    row[i] = ids[i - 1];
                }
                row[contextLength - 1] = vocab.eotId;
            }
            case ERROR -> throw new IllegalArgumentException("text needs " + total + " tokens, more than the context length "
                    + contextLength + ": \"" + (text.length() > 80 ? text.substring(0, 77) + "..." : text) + "\"");
        }
        return row;
    }

    /** {@code clip.tokenize(text)}: one row, shape {@code [1][contextLength]}. */
    public long[][] tokenize(String text) {
        return new long[][] {tokenizeRow(text)};
    }

    /** {@code clip.tokenize(texts)}: one row per text, each of length {@link #contextLength()}. */
    public long[][] tokenize(List<String> texts) {
        long[][] rows = new long[texts.size()][];
        for (int i = 0; i < rows.length; i++) {
            rows[i] = tokenizeRow(texts.get(i));
        }
        return rows;
    }

    /** {@link #tokenize(List)} as an I64 tensor of shape {@code [N, contextLength]}. */
    public Tensor tokenizeTensor(List<String> texts) {
        long[] flat = new long[texts.size() * contextLength];
        for (int i = 0; i < texts.size(); i++) {
            System.arraycopy(tokenizeRow(texts.get(i)), 0, flat, i * contextLength, contextLength);
        }
        return Tensor.ofLongs(flat, texts.size(), contextLength);
    }

    // ----------------------------------------------------------------------------------------
    // pooling helpers

    /**
     * The position CLIP's text encoder pools: the first index of the largest id
     * ({@code argmax}). For a well-formed row that is the end-of-text token; for a row cut by
     * {@link Truncation#OFFICIAL} it is 0 (the start-of-text token).
     */
    public static int poolIndex(long[] row) {
        if (row.length == 0) {
            throw new IllegalArgumentException("empty row");
        }
        int best = 0;
        for (int i = 1; i < row.length; i++) {
            if (row[i] > row[best]) {
                best = i;
            }
        }
        return best;
    }

    /** The first position of the end-of-text id in {@code row}, or -1 when it was cut off. */
    public int eotIndex(long[] row) {
        for (int i = 0; i < row.length; i++) {
            if (row[i] == vocab.eotId) {
                return i;
            }
        }
        return -1;
    }

    // ----------------------------------------------------------------------------------------
    // decoding

    /**
     * The official {@code decode}: token strings concatenated, mapped back to bytes, read as UTF-8
     * (malformed bytes become U+FFFD), and every {@code </w>} replaced by a space. Special tokens
     * appear as their literals; nothing is stripped.
     */
    public String decode(int[] ids) {
        StringBuilder joined = new StringBuilder(ids.length * 4);
        for (int id : ids) {
            checkId(id);
            joined.append(vocab.decoder[id]);
        }
        return bytesToText(joined);
    }

    /**
     * Decodes a row of {@link #tokenize}: skips a leading start-of-text token, stops at the first
     * end-of-text token (or decodes to the end when it was cut off) and trims the result.
     */
    public String decodeRow(long[] row) {
        int start = row.length > 0 && row[0] == vocab.sotId ? 1 : 0;
        int end = eotIndex(row);
        if (end < start) {
            end = row.length;
        }
        StringBuilder joined = new StringBuilder((end - start) * 4);
        for (int i = start; i < end; i++) {
            if (row[i] < 0 || row[i] > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("not a token id: " + row[i]);
            }
            checkId((int) row[i]);
            joined.append(vocab.decoder[(int) row[i]]);
        }
        return bytesToText(joined).strip();
    }

    private static String bytesToText(CharSequence symbols) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(symbols.length());
        for (int i = 0; i < symbols.length(); i++) {
            char c = symbols.charAt(i);
            int b = ByteUnicode.byteOf(c);
            if (b >= 0) {
                bytes.write(b);
            } else {
                // only possible for unusual special-token literals: keep the character itself
                byte[] raw = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
                bytes.write(raw, 0, raw.length);
            }
        }
        return bytes.toString(StandardCharsets.UTF_8).replace(BpeVocabulary.END_OF_WORD, " ");
    }

    // ----------------------------------------------------------------------------------------

    /** Bounded pre-token cache; cleared when full (simple, lock-free for readers). */
    private static final class BpeCache {
        private final int capacity;
        private final ConcurrentHashMap<String, int[]> map;

        BpeCache(int capacity) {
            this.capacity = capacity;
            this.map = new ConcurrentHashMap<>(Math.min(capacity, 1 << 12));
        }

        int[] get(String key) {
            return capacity == 0 ? null : map.get(key);
        }

        void put(String key, int[] ids) {
            if (capacity == 0) {
                return;
            }
            if (map.size() >= capacity) {
                map.clear();
            }
            map.put(key, ids);
        }
    }

    /** Growable int array. */
    private static final class IntBuffer {
        private int[] data;
        private int size;

        IntBuffer(int capacity) {
            data = new int[capacity];
        }

        void add(int v) {
            if (size == data.length) {
                data = Arrays.copyOf(data, size * 2);
            }
            data[size++] = v;
        }

        void addAll(int[] vs) {
            if (size + vs.length > data.length) {
                data = Arrays.copyOf(data, Math.max(size * 2, size + vs.length));
            }
            System.arraycopy(vs, 0, data, size, vs.length);
            size += vs.length;
        }

        int[] toArray() {
            return Arrays.copyOf(data, size);
        }
    }
}
