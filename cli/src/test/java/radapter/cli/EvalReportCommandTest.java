package radapter.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import radapter.data.dataset.CsvDataset;
import radapter.data.synthetic.Split;
import radapter.data.synthetic.SyntheticShapes;
import radapter.tensor.io.Json;
import radapter.testing.Shared;

/**
 * {@code eval --report/--subset/--alpha-sweep/--probe}, {@code linear-probe} and {@code finetune
 * --bma} on the tiny fixture CLIP, and the one-line errors for their misuse (which need no fixtures:
 * every option is checked before the model loads).
 */
class EvalReportCommandTest {
    @TempDir
    Path tmp;

    Path data;

    @BeforeEach
    void writeData() throws Exception {
        data = tmp.resolve("shapes");
        SyntheticShapes.builder().seed(2).imageSize(32).sizeAll(24).build().writeTo(data, Split.TRAIN, Split.TEST, Split.SKETCH);
    }

    /** Exit code, stdout and stderr of one command line. */
    record Outcome(int code, String out, String err) {
    }

    static Outcome exec(String... args) {
        PrintStream out = System.out;
        PrintStream err = System.err;
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        System.setOut(new PrintStream(o, true));
        System.setErr(new PrintStream(e, true));
        int code;
        try {
            code = Main.execute(args);
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
        return new Outcome(code, o.toString(), e.toString());
    }

    static String ok(String... args) {
        Outcome r = exec(args);
        assertEquals(0, r.code(), () -> String.join(" ", args) + " failed:\n" + r.out() + r.err());
        return r.out();
    }

    /** The top-1 and top-5 the console printed for set {@code name}. */
    static String[] consoleScores(String console, String name) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + "(?: \\(ID\\))?\\s+top-1\\s+([0-9.]+)%  top-5\\s+([0-9.]+)%").matcher(console);
        assertTrue(m.find(), "no line for " + name + " in\n" + console);
        return new String[] {m.group(1), m.group(2)};
    }

    static String pct(Object v) {
        return String.format("%.2f", ((Number) v).doubleValue());
    }

    @Test
    @SuppressWarnings("unchecked")
    void bmaFinetuneThenEvalWithSubsetsReportAndAlphaSweep() throws Exception {
        Path vocab = Shared.path("clip/bpe_simple_vocab_16e6.txt.gz");
        String model = Shared.fixtures("tiny_clip/model_openai.safetensors").toString();
        Path ft = tmp.resolve("ft");
        ok("finetune", "--model", model, "--vocab", vocab.toString(), "--train", data.resolve("train.csv").toString(), "--adapter", "128,16",
                "--bma", "2", "--epochs", "1", "--batch-size", "24", "--warmup", "0", "--out", ft.toString());
        Map<String, Object> cfg = Json.parseObject(Files.readString(ft.resolve("adapter_config.json")));
        assertEquals(2.0, ((Number) cfg.get("bma")).doubleValue());
        assertEquals(0.0, ((Number) cfg.get("ema")).doubleValue(), "BMA replaces the default EMA");

        // The test set scored on the classes it contains, listed in a file (reversed, to show order does not matter).
        List<String> names = Files.readAllLines(data.resolve("classnames.txt"));
        TreeSet<Integer> present = new TreeSet<>();
        for (int l : CsvDataset.read(data.resolve("test.csv")).labels()) {
            present.add(l);
        }
        List<String> subset = new ArrayList<>();
        present.descendingSet().forEach(l -> subset.add(names.get(l)));
        Path subsetFile = tmp.resolve("test-classes.txt");
        Files.write(subsetFile, subset);
        // A shift that shows only the four blue classes (labels 0-3), as ImageNet-R shows 200 of 1000.
        List<String> sketchRows = new ArrayList<>();
        for (String row : Files.readAllLines(data.resolve("sketch.csv"))) {
            String label = row.substring(row.lastIndexOf('\t') + 1);
            if (sketchRows.isEmpty() || Integer.parseInt(label) < 4) {
                sketchRows.add(row);
            }
        }
        Files.write(data.resolve("sketch-blue.csv"), sketchRows);

        Path rep = tmp.resolve("report");
        String console = ok("eval", "--model", model, "--vocab", vocab.toString(), "--adapters", ft.toString(), "--classes",
                data.resolve("classnames.txt").toString(), "--templates", "simple", "--data", "test=" + data.resolve("test.csv"), "--data",
                "sketch=" + data.resolve("sketch-blue.csv"), "--subset", "test=" + subsetFile, "--subset", "sketch=auto", "--report", rep.toString(),
                "--alpha-sweep", "0, 0.5,1");
        for (String f : List.of("report.md", "results.csv", "results.json", "alpha_sweep.csv", "alpha_sweep.png")) {
            assertTrue(Files.size(rep.resolve(f)) > 0, f);
        }
        assertTrue(console.contains(subset.size() + " of 12 classes"), console);
        assertTrue(console.contains("4 of 12 classes"), console);

        Map<String, Object> json = Json.parseObject(Files.readString(rep.resolve("results.json")));
        List<Object> cls = (List<Object>) json.get("classification");
        assertEquals(2, cls.size());
        for (Object o : cls) {
            Map<String, Object> c = (Map<String, Object>) o;
            String[] printed = consoleScores(console, (String) c.get("dataset"));
            assertEquals(printed[0], pct(c.get("top1_pct")), "top-1 of " + c.get("dataset"));
            assertEquals(printed[1], pct(c.get("top5_pct")), "top-5 of " + c.get("dataset"));
            assertNotNull(c.get("subset"), "both sets were scored on a subset");
        }
        Map<String, Object> testSubset = (Map<String, Object>) ((Map<String, Object>) cls.get(0)).get("subset");
        assertEquals(subset, testSubset.get("names"));
        assertEquals("test-classes.txt", testSubset.get("source"));
        assertEquals((long) subset.size(), ((Map<String, Object>) cls.get(0)).get("classes"));
        Map<String, Object> sketchSubset = (Map<String, Object>) ((Map<String, Object>) cls.get(1)).get("subset");
        assertEquals(names.subList(0, 4), sketchSubset.get("names"));
        assertEquals(4L, ((Map<String, Object>) cls.get(1)).get("classes"));
        Matcher ood = Pattern.compile("OOD average\\s+top-1\\s+([0-9.]+)%").matcher(console);
        assertTrue(ood.find(), console);
        assertEquals(ood.group(1), pct(json.get("ood_average_top1_pct")));

        // The sweep: one console line and one CSV row per α, the same numbers.
        List<String> rows = Files.readAllLines(rep.resolve("alpha_sweep.csv"));
        assertEquals(4, rows.size());
        Matcher line = Pattern.compile("α (\\S+)\\s+ID top-1\\s+([0-9.]+)%  OOD avg\\s+([0-9.]+)%").matcher(console);
        for (int i = 1; i < rows.size(); i++) {
            assertTrue(line.find(), console);
            String[] cells = rows.get(i).split(",");
            assertEquals(Double.parseDouble(line.group(1)), Double.parseDouble(cells[0]));
            assertEquals(line.group(2), pct(Double.parseDouble(cells[1])));
            assertEquals(line.group(3), pct(Double.parseDouble(cells[2])));
        }
        String md = Files.readString(rep.resolve("report.md"));
        assertTrue(md.contains(subset.size() + " of 12 classes (test-classes.txt)") && md.contains("auto: the classes present in sketch"), md);
        // The CSV's rows carry the subset too.
        String csv = Files.readString(rep.resolve("results.csv"));
        assertTrue(csv.contains(",test-classes.txt,"), csv);
    }

    @Test
    void linearProbeCommandAndEvalWithTheProbe() throws Exception {
        String model = Shared.fixtures("tiny_clip/model_openai.safetensors").toString();
        Path out = tmp.resolve("probe");
        String fit = ok("linear-probe", "--model", model, "--train", data.resolve("train.csv").toString(), "--classes",
                data.resolve("classnames.txt").toString(), "--lambdas", "1e-4,1e-2", "--out", out.toString());
        assertTrue(fit.contains("chose λ = "), fit);
        assertTrue(Files.size(out.resolve(LinearProbeCommand.FILE)) > 0);
        Map<String, Object> summary = Json.parseObject(Files.readString(out.resolve("linear_probe.json")));
        assertEquals(2, ((List<?>) summary.get("sweep")).size());

        Path rep = tmp.resolve("report");
        // No vocabulary needed: the probe replaces the zero-shot head.
        String ev = ok("eval", "--model", model, "--probe", out.toString(), "--data", "test=" + data.resolve("test.csv"), "--data",
                "sketch=" + data.resolve("sketch.csv"), "--report", rep.toString());
        String[] printed = consoleScores(ev, "test");
        Map<String, Object> json = Json.parseObject(Files.readString(rep.resolve("results.json")));
        @SuppressWarnings("unchecked")
        Map<String, Object> first = (Map<String, Object>) ((List<Object>) json.get("classification")).getFirst();
        assertEquals(printed[0], pct(first.get("top1_pct")));
        @SuppressWarnings("unchecked")
        Map<String, Object> settings = (Map<String, Object>) json.get("settings");
        assertTrue(((String) settings.get("classifier")).startsWith("linear probe"), settings.toString());
    }

    /** A user mistake: exit code 2 and exactly one line on stderr that contains {@code expected}. */
    static void mistake(String expected, String... args) {
        Outcome r = exec(args);
        assertEquals(2, r.code(), () -> String.join(" ", args) + "\nstdout: " + r.out() + "\nstderr: " + r.err());
        String err = r.err().strip();
        assertFalse(err.contains("\n"), "one line, got:\n" + err);
        assertTrue(err.startsWith("radapter: ") && err.contains(expected), err);
    }

    @Test
    void mistakesGiveOneClearLineAndExitCode2() throws Exception {
        String model = tmp.resolve("never-loaded.safetensors").toString();
        String test = "test=" + data.resolve("test.csv");
        String sketch = "sketch=" + data.resolve("sketch.csv");
        String classes = data.resolve("classnames.txt").toString();
        mistake("give --adapters", "eval", "--model", model, "--data", test, "--data", sketch, "--alpha-sweep", "0,1", "--report",
                tmp.resolve("r").toString());
        mistake("'abc' is not a number", "eval", "--model", model, "--adapters", tmp.toString(), "--data", test, "--data", sketch,
                "--alpha-sweep", "0,abc", "--report", tmp.resolve("r").toString());
        mistake("'' is not a number", "eval", "--model", model, "--adapters", tmp.toString(), "--data", test, "--data", sketch,
                "--alpha-sweep", "0,,1", "--report", tmp.resolve("r").toString());
        mistake("α must be a finite number >= 0", "eval", "--model", model, "--adapters", tmp.toString(), "--data", test, "--data", sketch,
                "--alpha-sweep", "-0.5", "--report", tmp.resolve("r").toString());
        mistake("give --report", "eval", "--model", model, "--adapters", tmp.toString(), "--data", test, "--data", sketch, "--alpha-sweep", "0,1");
        mistake("a second --data", "eval", "--model", model, "--adapters", tmp.toString(), "--data", test, "--alpha-sweep", "0,1",
                "--report", tmp.resolve("r").toString());

        Path unknown = tmp.resolve("subset.txt");
        Files.writeString(unknown, "red circle\npurple hexagon\n");
        mistake("'purple hexagon'", "eval", "--model", model, "--classes", classes, "--data", test, "--data", sketch, "--subset",
                "sketch=" + unknown);
        mistake("there is no --data imagenet-r", "eval", "--model", model, "--classes", classes, "--data", test, "--subset", "imagenet-r=auto");
        // A subset that leaves out classes the set contains cannot score those images.
        Path narrow = tmp.resolve("narrow.txt");
        Files.writeString(narrow, "red circle\n");
        mistake("does not list", "eval", "--model", model, "--classes", classes, "--data", test, "--subset", "test=" + narrow);
        mistake("does not apply to --task retrieval", "eval", "--model", model, "--task", "retrieval", "--data", test, "--subset", "test=auto");

        mistake("--bma and --ema are alternatives", "finetune", "--model", model, "--train", data.resolve("train.csv").toString(), "--bma", "2",
                "--ema", "0.99", "--out", tmp.resolve("ft").toString());
        mistake("'x' is not a number", "linear-probe", "--model", model, "--train", data.resolve("train.csv").toString(), "--lambdas", "1e-3,x",
                "--out", tmp.resolve("lp").toString());
        mistake("λ must be a positive number", "linear-probe", "--model", model, "--train", data.resolve("train.csv").toString(), "--lambdas",
                "0", "--out", tmp.resolve("lp").toString());
        assertEquals(0, exec("linear-probe", "--help").code());
    }
}
