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
        assertEquals(6, methods.size(), "zero-shot, FLYP, R-Adapter, w/o self-ensembling, merged, linear probe");
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
            assertTrue(report.contains((String) m.get("method")), "report lacks " + m.get("method"));
        }
        assertEquals(0.0, ((Number) results.get("merge_max_accuracy_gap")).doubleValue(), 1e-12,
                "the merged model's accuracy equals the unmerged one's on every set");
        Map<String, Object> zeroShot = (Map<String, Object>) methods.get(0);
        Map<String, Object> rAdapter = (Map<String, Object>) methods.get(2);
        assertEquals("zero-shot", zeroShot.get("method"));
        assertTrue(((String) rAdapter.get("method")).startsWith("R-Adapter"));
        double zsId = ((Number) ((Map<String, Object>) zeroShot.get("accuracy")).get("test")).doubleValue();
        double raId = ((Number) ((Map<String, Object>) rAdapter.get("accuracy")).get("test")).doubleValue();
        assertTrue(raId > zsId, "R-Adapter's ID accuracy " + raId + " should beat zero-shot's " + zsId);
        Map<String, Object> probe = (Map<String, Object>) methods.getLast();
        assertEquals("linear probe", probe.get("method"));
        double probeId = ((Number) ((Map<String, Object>) probe.get("accuracy")).get("test")).doubleValue();
        assertTrue(probeId > 2.0 / 12, "the linear probe's ID accuracy " + probeId + " should beat chance (1/12) clearly");
        assertTrue(((Number) ((Map<String, Object>) results.get("linear_probe")).get("lambda")).doubleValue() > 0);
        // The exported model is a plain CLIP that the loader reads with the config written beside it.
        try (LoadedClip m = ClipLoader.load(out.resolve("model.safetensors"), out.resolve("model.json"))) {
            assertEquals(64, m.config().embedDim());
            assertTrue(m.clip().namedParameters().keySet().stream().noneMatch(k -> k.contains("adapter")));
        }
    }

    @Test
    void userMistakesGiveOneLineAndANonZeroExit() {
        assertTrue(Main.execute("info", tmp.resolve("missing.safetensors").toString()) != 0);
        assertTrue(Main.execute("no-such-command") != 0);
        assertEquals(0, Main.execute("bench", "--help"));
    }
}
