package radapter.models.tokenizer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import radapter.tensor.io.Json;
import radapter.testing.Shared;

/** Loads the shared CLIP vocabulary and tokenizer cases once per test JVM (skips when absent). */
final class TokenizerFixtures {
    private TokenizerFixtures() {
    }

    private static volatile ClipTokenizer tokenizer;
    private static volatile Map<String, Object> cases;

    static Path vocabGz() {
        return Shared.path("clip/bpe_simple_vocab_16e6.txt.gz");
    }

    /** The gz tokenizer with default settings (R-Adapter spelling, KEEP_EOT). */
    static ClipTokenizer tokenizer() {
        Path gz = vocabGz();
        ClipTokenizer t = tokenizer;
        if (t == null) {
            synchronized (TokenizerFixtures.class) {
                t = tokenizer;
                if (t == null) {
                    t = ClipTokenizer.fromBpeGz(gz);
                    tokenizer = t;
                }
            }
        }
        return t;
    }

    static Map<String, Object> casesFile() {
        Path file = Shared.fixtures("tokenizer/cases.json");
        Map<String, Object> c = cases;
        if (c == null) {
            try {
                c = Json.parseObject(Files.readString(file));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            cases = c;
        }
        return c;
    }

    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> cases() {
        return (List<Map<String, Object>>) casesFile().get("cases");
    }

    static long[] longs(Object jsonList) {
        List<?> list = (List<?>) jsonList;
        long[] out = new long[list.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = ((Number) list.get(i)).longValue();
        }
        return out;
    }

    static int[] ints(Object jsonList) {
        long[] l = longs(jsonList);
        int[] out = new int[l.length];
        for (int i = 0; i < l.length; i++) {
            out[i] = Math.toIntExact(l[i]);
        }
        return out;
    }

    static String text(Map<String, Object> c) {
        return (String) c.get("text");
    }
}
