package radapter.tensor.io;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import radapter.testing.Mutator;

/** Seeded mutation fuzzing of the JSON reader: every input parses or fails with a {@link Json.JsonException}. */
class JsonFuzzTest {
    private static final String SEED = """
            {"architectures": ["CLIPModel"], "projection_dim": 32, "logit_scale_init_value": 2.6592600345611572,
             "text_config": {"hidden_size": 16, "num_attention_heads": 2, "layer_norm_eps": 1e-05, "hidden_act": "quick_gelu",
              "name": "caf\\u00e9 \\"quoted\\" \\ud83d\\ude00", "list": [1, -2.5e-3, true, false, null, {}, []]}}
            """;

    @Test
    void mutatedDocumentsParseOrFailCleanly() {
        Mutator m = new Mutator(17);
        byte[] seed = SEED.getBytes(StandardCharsets.UTF_8);
        int rejected = 0;
        for (int i = 0; i < 5000; i++) {
            String text = new String(m.mutate(seed), StandardCharsets.UTF_8);
            try {
                Json.parse(text);
            } catch (Json.JsonException e) {
                rejected++;
                assertTrue(e.getMessage() != null && !e.getMessage().isBlank());
            }
        }
        assertTrue(rejected > 1000, "most mutations must be rejected, got " + rejected);
    }

    @Test
    void deepNestingIsAnErrorNotAStackOverflow() {
        assertThrows(Json.JsonException.class, () -> Json.parse("[".repeat(200_000)));
        assertThrows(Json.JsonException.class, () -> Json.parse("{\"a\":".repeat(200_000)));
    }
}
