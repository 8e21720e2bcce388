package radapter.models.tokenizer;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;
import radapter.tensor.io.Json;

/**
 * The immutable tables behind a {@link ClipTokenizer}: token strings and ids both ways, the
 * merge ranks keyed by pairs of symbol ids, and the ids of the 256 single-byte symbols.
 */
final class BpeVocabulary {
    static final String END_OF_WORD = "</w>";

    /** token string -> id (when a string occurs twice the later id wins, like a Python dict). */
    final Map<String, Integer> encoder;
    /** id -> token string; {@code null} for ids that a Hugging Face vocabulary leaves unused. */
    final String[] decoder;
    final MergeTable merges;
    /** The merges in rank order, as read (kept to write the vocabulary back out). */
    final List<String[]> mergePairs;
    /** Id of the symbol for byte b, and of that symbol with the end-of-word marker. */
    final int[] byteId = new int[256];
    final int[] byteEndId = new int[256];
    final SpecialTokens special;
    final int sotId;
    final int eotId;

    private BpeVocabulary(Map<String, Integer> encoder, String[] decoder, List<String[]> mergePairs,
            SpecialTokens special, Path source) {
        this.encoder = encoder;
        this.decoder = decoder;
        this.special = special;
        for (int b = 0; b < 256; b++) {
            String sym = String.valueOf(ByteUnicode.charOf(b));
            byteId[b] = require(encoder, sym, source);
            byteEndId[b] = require(encoder, sym + END_OF_WORD, source);
        }
        this.sotId = require(encoder, special.startOfText(), source);
        this.eotId = require(encoder, special.endOfText(), source);
        this.mergePairs = List.copyOf(mergePairs);
        this.merges = new MergeTable(mergePairs.size());
        for (int rank = 0; rank < mergePairs.size(); rank++) {
            String[] pair = mergePairs.get(rank);
            Integer first = encoder.get(pair[0]);
            Integer second = encoder.get(pair[1]);
            if (first == null || second == null) {
                // such a pair can never be adjacent in a word, so it can never be applied
                continue;
            }
            Integer merged = encoder.get(pair[0] + pair[1]);
            if (merged == null) {
                throw new VocabularyException(source, 0, "merge #" + rank + " '" + pair[0] + " " + pair[1]
                        + "' produces '" + pair[0] + pair[1] + "', which is not in the vocabulary");
            }
            merges.put(first, second, rank, merged);
        }
    }

    private static int require(Map<String, Integer> encoder, String token, Path source) {
        Integer id = encoder.get(token);
        if (id == null) {
            throw new VocabularyException(source, 0, "the vocabulary has no entry for '" + token + "'");
        }
        return id;
    }

    // ----------------------------------------------------------------------------------------
    // bpe_simple_vocab_16e6.txt.gz

    /**
     * Reads the original merge list: line 1 is a header, the next {@code mergeCount} lines are
     * merges in rank order, the rest is ignored. The vocabulary is the 256 byte symbols, the same
     * with {@code </w>}, the merged strings, then the two special literals.
     */
    static BpeVocabulary fromBpeGz(Path file, int mergeCount, SpecialTokens special) {
        checkMergeCount(mergeCount);
        InputStream raw;
        try {
            raw = Files.newInputStream(file);
        } catch (NoSuchFileException e) {
            throw new VocabularyException(file, 0, "vocabulary file not found", e);
        } catch (IOException e) {
            throw new VocabularyException(file, 0, "cannot read vocabulary file: " + e, e);
        }
        return fromBpeGz(raw, file, mergeCount, special);
    }

    private static void checkMergeCount(int mergeCount) {
        if (mergeCount < 0) {
            throw new IllegalArgumentException("mergeCount must be >= 0: " + mergeCount);
        }
    }

    /**
     * Like {@link #fromBpeGz(Path, int, SpecialTokens)} for gzip bytes from any stream (a class
     * path resource); {@code file} only names them in error messages. Closes {@code raw}.
     */
    static BpeVocabulary fromBpeGz(InputStream raw, Path file, int mergeCount, SpecialTokens special) {
        checkMergeCount(mergeCount);
        byte[] data;
        try (raw; InputStream in = new GZIPInputStream(raw, 1 << 16)) {
            data = in.readAllBytes();
        } catch (ZipException e) {
            throw new VocabularyException(file, 0, "not a valid gzip file (" + e.getMessage() + ")", e);
        } catch (java.io.EOFException e) {
            throw new VocabularyException(file, 0, "gzip data is truncated", e);
        } catch (IOException e) {
            throw new VocabularyException(file, 0, "cannot read vocabulary file: " + e, e);
        }
        List<String[]> pairs = new ArrayList<>(mergeCount);
        LineReader lines = new LineReader(file, data);
        if (!lines.hasNext()) {
            throw new VocabularyException(file, 1, "file is empty (expected a header line and merges)");
        }
        lines.next(); // header, e.g. "bpe_simple_vocab_16e6.txt#version: 0.2"
        while (pairs.size() < mergeCount) {
            if (!lines.hasNext()) {
                throw new VocabularyException(file, lines.lineNumber(), "file ends after " + pairs.size()
                        + " merges, expected " + mergeCount + " (truncated or wrong file?)");
            }
            String line = lines.next();
            pairs.add(parseMerge(line, file, lines.lineNumber()));
        }
        int size = 2 * ByteUnicode.SIZE + pairs.size() + 2;
        String[] decoder = new String[size];
        Map<String, Integer> encoder = new HashMap<>(size * 2);
        int id = 0;
        for (int i = 0; i < ByteUnicode.SIZE; i++) {
            decoder[id++] = String.valueOf(ByteUnicode.charOf(ByteUnicode.byteAtVocabIndex(i)));
        }
        for (int i = 0; i < ByteUnicode.SIZE; i++) {
            decoder[id++] = decoder[i] + END_OF_WORD;
        }
        for (String[] pair : pairs) {
            decoder[id++] = pair[0] + pair[1];
        }
        decoder[id++] = special.startOfText();
        decoder[id++] = special.endOfText();
        for (int i = 0; i < size; i++) {
            encoder.put(decoder[i], i);
        }
        return new BpeVocabulary(Map.copyOf(encoder), decoder, pairs, special, file);
    }

    /** One merge line: exactly two symbols made of byte stand-in characters. */
    private static String[] parseMerge(String line, Path file, int lineNumber) {
        String[] parts = splitPythonWhitespace(line);
        if (parts.length != 2) {
            throw new VocabularyException(file, lineNumber, "expected a merge 'first second', found '"
                    + abbreviate(line) + "'");
        }
        for (String part : parts) {
            String body = part.endsWith(END_OF_WORD) ? part.substring(0, part.length() - END_OF_WORD.length()) : part;
            if (body.isEmpty()) {
                throw new VocabularyException(file, lineNumber, "empty symbol in merge '" + abbreviate(line) + "'");
            }
            for (int i = 0; i < body.length(); i++) {
                if (ByteUnicode.byteOf(body.charAt(i)) < 0) {
                    throw new VocabularyException(file, lineNumber, String.format(
                            "character U+%04X in merge '%s' is not a byte symbol", (int) body.charAt(i), abbreviate(line)));
                }
            }
        }
        return parts;
    }

    private static String[] splitPythonWhitespace(String line) {
        List<String> parts = new ArrayList<>(2);
        int i = 0;
        int n = line.length();
        while (i < n) {
            while (i < n && TextCleaner.isPythonSpace(line.codePointAt(i))) {
                i += Character.charCount(line.codePointAt(i));
            }
            int start = i;
            while (i < n && !TextCleaner.isPythonSpace(line.codePointAt(i))) {
                i += Character.charCount(line.codePointAt(i));
            }
            if (i > start) {
                parts.add(line.substring(start, i));
            }
        }
        return parts.toArray(new String[0]);
    }

    private static String abbreviate(String s) {
        return s.length() <= 60 ? s : s.substring(0, 57) + "...";
    }

    /** Splits UTF-8 bytes on '\n' only (as Python's {@code split('\n')}), decoding strictly. */
    private static final class LineReader {
        private final Path file;
        private final byte[] data;
        private int pos;
        private int line;

        LineReader(Path file, byte[] data) {
            this.file = file;
            this.data = data;
        }

        boolean hasNext() {
            return pos < data.length;
        }

        /** 1-based number of the line last returned. */
        int lineNumber() {
            return line;
        }

        String next() {
            int end = pos;
            while (end < data.length && data[end] != '\n') {
                end++;
            }
            line++;
            String s;
            try {
                s = StandardCharsets.UTF_8.newDecoder()
                        .onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT)
                        .decode(ByteBuffer.wrap(data, pos, end - pos))
                        .toString();
            } catch (CharacterCodingException e) {
                throw new VocabularyException(file, line, "invalid UTF-8", e);
            }
            pos = end + 1;
            return s;
        }
    }

    // ----------------------------------------------------------------------------------------
    // Hugging Face vocab.json + merges.txt

    /**
     * Reads a Hugging Face pair. Merges are the lines after the {@code #version} header, at most
     * {@code mergeCount} of them (the slow {@code CLIPTokenizer} slices the same way). When
     * {@code special} is null the spelling is detected from the vocabulary.
     */
    static BpeVocabulary fromHuggingFace(Path vocabJson, Path mergesTxt, int mergeCount, SpecialTokens special) {
        if (mergeCount < 0) {
            throw new IllegalArgumentException("mergeCount must be >= 0: " + mergeCount);
        }
        String json = readText(vocabJson);
        Map<String, Object> raw;
        try {
            raw = Json.parseObject(json);
        } catch (Json.JsonException e) {
            throw new VocabularyException(vocabJson, lineOf(json, e.offset()), "invalid JSON: " + e.getMessage(), e);
        }
        Map<String, Integer> encoder = new HashMap<>(raw.size() * 2);
        int maxId = -1;
        for (Map.Entry<String, Object> en : raw.entrySet()) {
            if (!(en.getValue() instanceof Long v) || v < 0 || v > Integer.MAX_VALUE - 8) {
                throw new VocabularyException(vocabJson, 0, "token '" + abbreviate(en.getKey())
                        + "' has id " + en.getValue() + ", expected a non-negative integer");
            }
            encoder.put(en.getKey(), (int) (long) v);
            maxId = Math.max(maxId, (int) (long) v);
        }
        if (encoder.isEmpty()) {
            throw new VocabularyException(vocabJson, 0, "the vocabulary is empty");
        }
        String[] decoder = new String[maxId + 1];
        for (Map.Entry<String, Integer> en : encoder.entrySet()) {
            String previous = decoder[en.getValue()];
            if (previous != null) {
                throw new VocabularyException(vocabJson, 0, "id " + en.getValue() + " is used by both '"
                        + abbreviate(previous) + "' and '" + abbreviate(en.getKey()) + "'");
            }
            decoder[en.getValue()] = en.getKey();
        }
        SpecialTokens sp = special != null ? special : detectSpecial(encoder, vocabJson);

        String text = readText(mergesTxt);
        String[] lines = text.strip().split("\n", -1);
        if (lines.length == 0 || !lines[0].startsWith("#version")) {
            throw new VocabularyException(mergesTxt, 1, "expected a '#version: ...' header line, found '"
                    + abbreviate(lines.length == 0 ? "" : lines[0]) + "'");
        }
        int count = Math.min(mergeCount, lines.length - 1);
        List<String[]> pairs = new ArrayList<>(count);
        for (int i = 1; i <= count; i++) {
            String[] parts = splitPythonWhitespace(lines[i]);
            if (parts.length != 2) {
                throw new VocabularyException(mergesTxt, i + 1, "expected a merge 'first second', found '"
                        + abbreviate(lines[i]) + "'");
            }
            pairs.add(parts);
        }
        return new BpeVocabulary(Map.copyOf(encoder), decoder, pairs, sp, vocabJson);
    }

    private static SpecialTokens detectSpecial(Map<String, Integer> encoder, Path file) {
        for (SpecialTokens candidate : new SpecialTokens[] {SpecialTokens.OPENAI, SpecialTokens.R_ADAPTER}) {
            if (encoder.containsKey(candidate.startOfText()) && encoder.containsKey(candidate.endOfText())) {
                return candidate;
            }
        }
        throw new VocabularyException(file, 0, "no start/end-of-text tokens found (looked for "
                + SpecialTokens.OPENAI.startOfText() + " and " + SpecialTokens.R_ADAPTER.startOfText()
                + "); pass the spelling explicitly");
    }

    private static String readText(Path file) {
        try {
            byte[] bytes = Files.readAllBytes(file);
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString();
        } catch (NoSuchFileException e) {
            throw new VocabularyException(file, 0, "vocabulary file not found", e);
        } catch (CharacterCodingException e) {
            throw new VocabularyException(file, 0, "invalid UTF-8", e);
        } catch (IOException e) {
            throw new VocabularyException(file, 0, "cannot read vocabulary file: " + e, e);
        }
    }

    private static int lineOf(String text, int offset) {
        int line = 1;
        int end = Math.min(Math.max(offset, 0), text.length());
        for (int i = 0; i < end; i++) {
            if (text.charAt(i) == '\n') {
                line++;
            }
        }
        return line;
    }

    // ----------------------------------------------------------------------------------------

    /**
     * Open-addressing map from a pair of symbol ids to {@code (rank, merged id)}. Immutable once
     * built, so lock-free reads from any thread are safe.
     */
    static final class MergeTable {
        private static final long EMPTY = -1L;
        private final long[] keys;
        private final long[] values;
        private final int mask;

        MergeTable(int expected) {
            int cap = Integer.highestOneBit(Math.max(4, expected * 2 + 1) - 1) << 1;
            keys = new long[cap];
            values = new long[cap];
            java.util.Arrays.fill(keys, EMPTY);
            mask = cap - 1;
        }

        private static long key(int first, int second) {
            return ((long) first << 32) | (second & 0xFFFFFFFFL);
        }

        private int slot(long key) {
            long h = key * 0x9E3779B97F4A7C15L;
            return (int) (h ^ (h >>> 29)) & mask;
        }

        /** Later entries for the same pair replace earlier ones, like building a Python dict. */
        void put(int first, int second, int rank, int merged) {
            long k = key(first, second);
            int i = slot(k);
            while (keys[i] != EMPTY && keys[i] != k) {
                i = (i + 1) & mask;
            }
            keys[i] = k;
            values[i] = ((long) rank << 32) | (merged & 0xFFFFFFFFL);
        }

        /** {@code rank << 32 | mergedId}, or -1 when the pair is not a merge. */
        long get(int first, int second) {
            long k = key(first, second);
            int i = slot(k);
            long stored;
            while ((stored = keys[i]) != EMPTY) {
                if (stored == k) {
                    return values[i];
                }
                i = (i + 1) & mask;
            }
            return -1L;
        }
    }
}
