package radapter.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import radapter.data.synthetic.Split;
import radapter.data.synthetic.SyntheticShapes;
import radapter.models.clip.ClipLoader;
import radapter.models.clip.LoadedClip;
import radapter.models.tokenizer.ClipTokenizer;
import radapter.tensor.io.Json;
import radapter.tensor.io.SafeTensors;
import radapter.testing.Shared;

/**
 * What a new user meets in the first hour (issue 12): wrong labels are one clear line, short runs
 * get working defaults and say what runs, output is shaped for terminals, logs and scripts, and
 * an output folder loads elsewhere as it is and records how it was made, with no absolute paths.
 */
class UserExperienceTest {
    @TempDir
    static Path tmp;
    static Path data;
    static Path vocab;
    static String model;

    /** Exit code, standard output and standard error of one in-process command line. */
    record Run(int code, String out, String err) {
    }

    static Run exec(String... args) {
        PrintStream so = System.out;
        PrintStream se = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        int code;
        try {
            code = Main.execute(args);
        } finally {
            System.setOut(so);
            System.setErr(se);
        }
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    static Run ok(String... args) {
        Run r = exec(args);
        assertEquals(0, r.code(), () -> String.join(" ", args) + " failed:\n" + r.out() + r.err());
        return r;
    }

    @BeforeAll
    static void data() throws Exception {
        data = tmp.resolve("shapes");
        SyntheticShapes.builder().seed(3).imageSize(32).sizeAll(24).build().writeTo(data, Split.TRAIN, Split.TEST, Split.SKETCH);
        vocab = Shared.path("clip/bpe_simple_vocab_16e6.txt.gz");
        model = Shared.fixtures("tiny_clip/model_openai.safetensors").toString();
    }

    // ---- item 1: a label outside the class list

    @Test
    void aLabelOutsideTheClassListIsOneLineNamingFileLineAndLabel() throws Exception {
        Path two = tmp.resolve("two-classes.txt");
        Files.writeString(two, "blue circle\ngreen circle\n");
        Path csv = data.resolve("test.csv");
        for (String[] args : List.of(
                new String[] {"zeroshot", "--model", model, "--vocab", vocab.toString(), "--classes", two.toString(), "--templates", "simple",
                        "--data", csv.toString()},
                new String[] {"eval", "--model", model, "--vocab", vocab.toString(), "--classes", two.toString(), "--templates", "simple",
                        "--data", "id=" + csv})) {
            Run r = exec(args);
            assertEquals(2, r.code(), r.out() + r.err());
            String msg = r.err().strip();
            assertEquals(1, msg.lines().count(), msg);
            // file:line: class N is outside the 2 class names
            assertTrue(msg.matches("radapter: .*test\\.csv:\\d+: class \\d+ is outside the 2 class names.*"), msg);
            assertFalse(r.out().contains("top-1"), r.out());
        }
    }

    // ---- item 2 and 6: a short fine-tune, its log and its folder

    @Test
    void aShortFinetuneSaysWhatRunsAndWritesAFolderOtherToolsLoad() throws Exception {
        Path out = tmp.resolve("runs").resolve("short");
        // 24 training pairs, --batch-size 512: the old log said "steps of 512".
        Run r = ok("finetune", "--model", model, "--vocab", vocab.toString(), "--train", data.resolve("train.csv").toString(),
                "--adapter", "128,16", "--epochs", "12", "--batch-size", "512", "--grad-accum", "2", "--out", out.toString());
        assertTrue(r.out().contains("12 steps (12 epochs × 1 steps) of 24 pairs (2 micro-batches of ≤ 12, exact accumulation)"), r.out());
        assertTrue(r.out().contains("warm-up 1 step"), r.out());
        assertTrue(r.out().contains("EMA momentum 0.1667 (1 - 10/steps"), r.out());
        assertTrue(r.err().contains("radapter: warning: --batch-size 512 is more than the 24 training pairs"), r.err());
        assertFalse(r.err().contains("\r"), "no carriage returns off a terminal");
        assertTrue(r.err().contains("R-Adapter fine-tuning: 100% (12/12)"), r.err());

        for (String f : List.of("model.safetensors", "open_clip_model.safetensors", "config.json", "open_clip_config.json",
                "preprocessor_config.json", "vocab.json", "merges.txt", "tokenizer_config.json", "special_tokens_map.json", "run.json",
                "adapters.safetensors", "adapter_config.json", "losses.csv", "loss.png")) {
            assertTrue(Files.isRegularFile(out.resolve(f)), f);
        }
        // The Hugging Face folder loads in radapter with nothing else given, and matches its configs.
        try (LoadedClip m = ClipLoader.load(out, null); SafeTensors oc = SafeTensors.open(out.resolve("open_clip_model.safetensors"))) {
            assertEquals("HUGGING_FACE", m.layout().name());
            assertTrue(oc.names().contains("visual.conv1.weight") && oc.names().contains("token_embedding.weight"), oc.names().toString());
            Map<String, Object> hf = Json.parseObject(Files.readString(out.resolve("config.json")));
            assertEquals("clip", hf.get("model_type"));
            @SuppressWarnings("unchecked")
            Map<String, Object> vision = (Map<String, Object>) hf.get("vision_config");
            assertEquals(m.config().vision().width(), ((Number) vision.get("hidden_size")).longValue());
            @SuppressWarnings("unchecked")
            Map<String, Object> oc2 = (Map<String, Object>) Json.parseObject(Files.readString(out.resolve("open_clip_config.json"))).get("model_cfg");
            assertEquals(m.config().embedDim(), ((Number) oc2.get("embed_dim")).longValue());
        }
        // The written tokenizer files give the same ids as the vocabulary they came from.
        ClipTokenizer written = ClipTokenizer.fromHuggingFace(out.resolve("vocab.json"), out.resolve("merges.txt"));
        ClipTokenizer original = ClipTokenizer.fromBpeGz(vocab);
        for (String t : List.of("a photo of a red circle", "naïve café, 123 Ünïcode!")) {
            assertEquals(java.util.Arrays.toString(original.tokenizeRow(t)), java.util.Arrays.toString(written.tokenizeRow(t)), t);
        }
        Run zs = ok("zeroshot", "--model", out.toString(), "--classes", data.resolve("classnames.txt").toString(), "--templates", "simple",
                "--data", data.resolve("test.csv").toString());
        assertTrue(zs.out().contains("top-1"), zs.out());

        // run.json: every setting, relative data paths, seed, version, what the defaults became.
        Map<String, Object> run = Json.parseObject(Files.readString(out.resolve("run.json")));
        assertTrue(run.get("command").toString().endsWith("finetune"), run.toString());
        assertTrue(run.containsKey("radapter_version") && run.containsKey("git_commit"), run.toString());
        assertEquals(0L, ((Number) run.get("seed")).longValue());
        @SuppressWarnings("unchecked")
        Map<String, Object> settings = (Map<String, Object>) run.get("settings");
        assertEquals(512L, ((Number) settings.get("batch-size")).longValue());
        assertEquals("../../shapes/train.csv", settings.get("train"));
        assertTrue(settings.containsKey("drop-path") && settings.containsKey("lr") && settings.containsKey("warmup"), settings.toString());
        @SuppressWarnings("unchecked")
        Map<String, Object> eff = (Map<String, Object>) run.get("effective");
        assertEquals(24L, ((Number) eff.get("batch")).longValue());
        assertEquals(12L, ((Number) eff.get("steps")).longValue());

        assertNoAbsolutePaths(out);

        // merge into a folder: the same loadable layout
        Path merged = tmp.resolve("runs").resolve("merged");
        Run mg = ok("merge", "--model", model, "--vocab", vocab.toString(), "--adapters", out.toString(), "--alpha", "0.5", "--out", merged.toString());
        assertTrue(mg.out().contains("α = 0.500"), mg.out());
        for (String f : List.of("model.safetensors", "open_clip_model.safetensors", "config.json", "open_clip_config.json", "vocab.json", "run.json")) {
            assertTrue(Files.isRegularFile(merged.resolve(f)), f);
        }
        assertNoAbsolutePaths(merged);
    }

    /** No file in {@code dir} (text files and safetensors headers) mentions an absolute local path. */
    static void assertNoAbsolutePaths(Path dir) throws Exception {
        String abs = tmp.toAbsolutePath().toString();
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                String name = f.getFileName().toString();
                String text;
                if (name.endsWith(".safetensors")) {
                    try (SafeTensors st = SafeTensors.open(f)) {
                        text = st.metadata().toString();
                    }
                } else if (name.endsWith(".png") || name.startsWith("step-") || f.toString().contains("checkpoints")) {
                    continue;
                } else {
                    text = Files.readString(f);
                }
                assertFalse(text.contains(abs), f + " holds an absolute path: " + text.substring(0, Math.min(400, text.length())));
            }
        }
    }

    // ---- item 4: quiet, verbose, json, progress

    @Test
    void quietPrintsOnlyTheResultAndJsonIsOneDocument() {
        String[] base = {"zeroshot", "--model", model, "--vocab", vocab.toString(), "--classes", data.resolve("classnames.txt").toString(),
                "--templates", "simple", "--data", data.resolve("test.csv").toString()};
        Run quiet = ok(concat(base, "--quiet"));
        assertEquals(1, quiet.out().strip().lines().count(), quiet.out());
        assertEquals("", quiet.err());
        Run json = ok(concat(base, "--json"));
        Map<String, Object> j = Json.parseObject(json.out());
        double top1 = ((Number) j.get("top1")).doubleValue();
        assertTrue(top1 >= 0 && top1 <= 1, j.toString());
        assertEquals(12L, ((Number) j.get("classes")).longValue());
        Run tok = ok("tokenize", "--vocab", vocab.toString(), "--json", "a photo of a cat");
        assertTrue(Json.parse(tok.out()) instanceof List<?> l && l.size() == 1, tok.out());
    }

    @Test
    void progressOffATerminalIsAPlainLinePerTenPercent() {
        Console c = new Console();
        PrintStream se = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try (ConsoleProgress p = new ConsoleProgress(c)) {
            assertEquals(ConsoleProgress.Mode.LINES, p.mode(), "tests do not run on a terminal");
            p.stage("training", 200);
            for (int i = 1; i <= 200; i++) {
                p.step(i, "loss 1.0");
            }
        } finally {
            System.setErr(se);
        }
        List<String> lines = err.toString(StandardCharsets.UTF_8).lines().toList();
        assertEquals(10, lines.size(), lines.toString());
        assertTrue(lines.getFirst().startsWith("training: 10% (20/200) loss 1.0, "), lines.getFirst());
        assertTrue(lines.getLast().startsWith("training: 100% (200/200)"), lines.getLast());
        assertFalse(err.toString().contains("\r"));
        Console quiet = new Console();
        quiet.quiet(true);
        assertEquals(ConsoleProgress.Mode.NONE, ConsoleProgress.mode(quiet));
    }

    @Test
    void libraryWarningsGoThroughTheLoggerAndQuietSilencesThem() {
        PrintStream se = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            Console c = new Console();
            System.getLogger("radapter.test").log(System.Logger.Level.WARNING, "something odd");
            System.getLogger("radapter.test").log(System.Logger.Level.INFO, "chatter");
            c.verbose(true);
            System.getLogger("radapter.test").log(System.Logger.Level.DEBUG, "detail");
            Console q = new Console();
            q.quiet(true);
            System.getLogger("radapter.test").log(System.Logger.Level.WARNING, "hidden");
        } finally {
            System.setErr(se);
        }
        assertEquals(List.of("radapter: warning: something odd", "radapter: detail"), err.toString(StandardCharsets.UTF_8).lines().toList());
    }

    // ---- item 5: help shows every default

    @Test
    void helpShowsTheDefaults() {
        Run h = ok("finetune", "--help");
        for (String d : List.of("Default: 512", "Default: 0.2", "5e-4 for radapter", "Default: 768,512", "Default: cpu")) {
            assertTrue(h.out().contains(d), d + " missing in:\n" + h.out());
        }
        assertTrue(h.out().contains("--quiet") && h.out().contains("--verbose") && h.out().contains("--json"), h.out());
        assertTrue(h.out().contains("1 - 10/T"), "the derived EMA rule is documented");
        Run z = ok("zeroshot", "--help");
        assertTrue(z.out().contains("Default: openai") && z.out().contains("Default: 32"), z.out());
    }

    static String[] concat(String[] a, String... b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
