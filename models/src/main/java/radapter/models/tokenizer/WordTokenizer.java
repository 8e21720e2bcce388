package radapter.models.tokenizer;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import radapter.tensor.Tensor;

/**
 * A small word-level tokenizer for models trained from scratch on a closed vocabulary (the
 * built-in demo): lower-cased words and punctuation, ids 1..V for the words in sorted order, then
 * the start and end tokens as the two largest ids so that CLIP's argmax pooling finds the end
 * token. Unknown words map to a dedicated id. Rows are zero padded; texts too long keep their
 * end token (the last position).
 */
public final class WordTokenizer implements Tokenizer {
    private final Map<String, Integer> ids = new LinkedHashMap<>();
    private final int unknownId;
    private final int sotId;
    private final int eotId;
    private final int contextLength;

    private WordTokenizer(Collection<String> words, int contextLength) {
        int next = 1;
        for (String w : new TreeSet<>(words)) {
            ids.put(w, next++);
        }
        this.unknownId = next++;
        this.sotId = next++;
        this.eotId = next;
        this.contextLength = contextLength;
    }

    /** A vocabulary made of every word in {@code corpus}. */
    public static WordTokenizer fit(Collection<String> corpus, int contextLength) {
        List<String> words = new ArrayList<>();
        for (String text : corpus) {
            words.addAll(split(text));
        }
        return new WordTokenizer(words, contextLength);
    }

    static List<String> split(String text) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        for (char ch : text.toLowerCase(Locale.ROOT).toCharArray()) {
            if (Character.isLetterOrDigit(ch)) {
                cur.append(ch);
            } else {
                if (!cur.isEmpty()) {
                    out.add(cur.toString());
                    cur.setLength(0);
                }
                if (!Character.isWhitespace(ch)) {
                    out.add(String.valueOf(ch));
                }
            }
        }
        if (!cur.isEmpty()) {
            out.add(cur.toString());
        }
        return out;
    }

    /** Number of ids, including padding (0), unknown, start and end. */
    public int vocabSize() {
        return eotId + 1;
    }

    public int sotId() {
        return sotId;
    }

    public int eotId() {
        return eotId;
    }

    @Override
    public int contextLength() {
        return contextLength;
    }

    /** Ids of one text with start and end tokens, padded to the context length. */
    public long[] tokenizeRow(String text) {
        List<String> words = split(text);
        long[] row = new long[contextLength];
        row[0] = sotId;
        int n = Math.min(words.size(), contextLength - 2);
        for (int i = 0; i < n; i++) {
            row[i + 1] = ids.getOrDefault(words.get(i), unknownId);
        }
        row[n + 1] = eotId;
        return row;
    }

    @Override
    public Tensor tokenizeTensor(List<String> texts) {
        long[] flat = new long[texts.size() * contextLength];
        for (int i = 0; i < texts.size(); i++) {
            System.arraycopy(tokenizeRow(texts.get(i)), 0, flat, i * contextLength, contextLength);
        }
        return Tensor.ofLongs(flat, texts.size(), contextLength);
    }

    /** The vocabulary words in id order (for saving next to a model). */
    public List<String> words() {
        return List.copyOf(ids.keySet());
    }
}
