package radapter.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import radapter.models.clip.ClipLoader;
import radapter.models.clip.LoadedClip;
import radapter.tensor.io.Json;

/** Runs {@code radapter demo --quick} end to end and checks what it wrote. */
class DemoCommandTest {
    @TempDir
    Path tmp;

    @Test
    @SuppressWarnings("unchecked")
    void quickDemoWritesACompleteReportAndALoadableMergedModel() throws Exception {
        Path out = tmp.resolve("run");
        assertEquals(0, Main.execute("demo", "--quick", "--out", out.toString()));
        for (String f : List.of("report.md", "results.json", "pretrain_loss.png", "finetune_loss.png", "alpha_sweep.png",
                "model.safetensors", "model.json", "vocab.txt")) {
            assertTrue(Files.size(out.resolve(f)) > 0, f + " missing or empty");
        }
        Map<String, Object> results = Json.parseObject(Files.readString(out.resolve("results.json")));
        List<Object> methods = (List<Object>) results.get("methods");
        List<String> names = methods.stream().map(o -> (String) ((Map<String, Object>) o).get("method")).toList();
        assertEquals(List.of("zero-shot", "linear probe", "full fine-tuning (FLYP)", "WiSE-FT (α = 0.5)", "LP-FT", "R-Adapter (EMA, α = 0.5)",
                "R-Adapter w/o self-ensembling", "R-Adapter merged (α = 0.5)"), names);
        String report = Files.readString(out.resolve("report.md"));
        for (Object o : methods) {
            Map<String, Object> m = (Map<String, Object>) o;
            Map<String, Object> acc = (Map<String, Object>) m.get("accuracy");
            assertEquals(5, acc.size(), "ID + four shifts");
            for (Object v : acc.values()) {
                double a = ((Number) v).doubleValue();
                assertTrue(Double.isFinite(a) && a >= 0 && a <= 1, "accuracy " + a);
                // every number in the report comes from this run's results
                assertTrue(report.contains(String.format("%.1f%%", 100 * a)), "report lacks " + a);
            }
            // one sentence per method says what happened against zero-shot
            assertTrue(report.contains("- **" + m.get("method") + "**"), "report lacks the sentence on " + m.get("method"));
        }
        assertTrue(report.contains("The synthetic world") && report.contains("The paper's shape, checked on this run"), report);
        assertEquals(6, ((Map<String, Object>) results.get("paper_shape")).size(), "each condition of the paper's shape is recorded");

        // Merged = un-merged, exactly.
        assertEquals(0.0, ((Number) results.get("merge_max_accuracy_gap")).doubleValue(), 0.0,
                "the merged model's accuracy equals the unmerged one's on every set");
        assertEquals(acc(methods, 5), acc(methods, 7), "merged and un-merged R-Adapter score the same on every set");

        // WiSE-FT: α = 0 is exactly zero-shot, α = 1 exactly full fine-tuning.
        assertEquals(Boolean.TRUE, results.get("wise_ft_ends_exact"));
        List<Object> wise = (List<Object>) results.get("wise_ft_alpha_sweep");
        Map<String, Object> w0 = (Map<String, Object>) wise.getFirst();
        Map<String, Object> w1 = (Map<String, Object>) wise.getLast();
        assertEquals(0.0, ((Number) w0.get("alpha")).doubleValue());
        assertEquals(1.0, ((Number) w1.get("alpha")).doubleValue());
        assertEquals(id(methods, 0), ((Number) w0.get("id")).doubleValue(), 0.0);
        assertEquals(ood(methods, 0), ((Number) w0.get("ood_average")).doubleValue(), 0.0);
        assertEquals(id(methods, 2), ((Number) w1.get("id")).doubleValue(), 0.0);
        assertEquals(ood(methods, 2), ((Number) w1.get("ood_average")).doubleValue(), 0.0);

        // What the quick run's size can carry: fine-tuning gains in-distribution.
        double zsId = id(methods, 0);
        assertTrue(id(methods, 2) > zsId + 0.05, "full fine-tuning's ID accuracy " + id(methods, 2) + " should beat zero-shot's " + zsId);
        assertTrue(id(methods, 4) > zsId + 0.05, "LP-FT's ID accuracy " + id(methods, 4) + " should beat zero-shot's " + zsId);
        assertTrue(id(methods, 5) > zsId, "R-Adapter's ID accuracy " + id(methods, 5) + " should beat zero-shot's " + zsId);
        assertTrue(id(methods, 1) > 2.0 / 12, "the linear probe's ID accuracy " + id(methods, 1) + " should beat chance (1/12) clearly");
        assertTrue(((Number) ((Map<String, Object>) results.get("linear_probe")).get("lambda")).doubleValue() > 0);
        // The exported model is a plain CLIP that the loader reads with the config written beside it.
        try (LoadedClip m = ClipLoader.load(out.resolve("model.safetensors"), out.resolve("model.json"))) {
            assertEquals(64, m.config().embedDim());
            assertTrue(m.clip().namedParameters().keySet().stream().noneMatch(k -> k.contains("adapter")));
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> acc(List<Object> methods, int row) {
        return (Map<String, Object>) ((Map<String, Object>) methods.get(row)).get("accuracy");
    }

    private static double id(List<Object> methods, int row) {
        return ((Number) acc(methods, row).get("test")).doubleValue();
    }

    @SuppressWarnings("unchecked")
    private static double ood(List<Object> methods, int row) {
        return ((Number) ((Map<String, Object>) methods.get(row)).get("ood_average")).doubleValue();
    }

    @Test
    void userMistakesGiveOneLineAndANonZeroExit() {
        assertTrue(Main.execute("info", tmp.resolve("missing.safetensors").toString()) != 0);
        assertTrue(Main.execute("no-such-command") != 0);
        assertEquals(0, Main.execute("bench", "--help"));
    }
}
