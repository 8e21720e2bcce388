package radapter.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;
import radapter.data.synthetic.Split;
import radapter.data.synthetic.SyntheticShapes;
import radapter.tensor.io.AtomicFiles;
import radapter.testing.Shared;

/**
 * Bad input as a hostile user would give it, against the whole command line (in process, on the
 * tiny fixture model). Every probe asserts: the exit code, one line on stderr that names the file,
 * option or line at fault (a parameter mistake may add a hint line), no stack trace, no output
 * left behind (target absent or untouched, no temporaries), and an end within a time limit (no
 * hang). The few inputs accepted on purpose are probes too, each saying which PyTorch/Pillow
 * behaviour it matches. The totals are printed in the reliability issue's table form.
 */
class ReliabilityProbesTest {
    @TempDir
    static Path tmp;

    static String model;
    static String vocab;
    static Path shapes;

    /** Probe outcome counts, printed at the end (the table). */
    static final Map<String, Integer> TOTALS = new ConcurrentHashMap<>();

    /** What a probe expects. */
    enum Expect {
        /** A user mistake: exit 2, one line naming something. */
        ERROR,
        /** A parameter mistake: exit 2, a line naming the option and a hint line. */
        PARAM,
        /** Accepted, as PyTorch/Pillow accept it (the reason is in the probe). */
        ACCEPTED
    }

    /**
     * One probe: the command line (built once its inputs exist), what it must name, and a path
     * that must not exist afterwards (null: nothing to check).
     */
    record Probe(String kind, String name, Expect expect, String mustName, Path mustNotExist, String[] args, String why) {
    }

    @BeforeAll
    static void inputs() throws Exception {
        model = Shared.fixtures("tiny_clip/model_openai.safetensors").toString();
        vocab = Shared.path("clip/bpe_simple_vocab_16e6.txt.gz").toString();
        shapes = tmp.resolve("shapes");
        SyntheticShapes.builder().seed(3).imageSize(32).sizeAll(6).build().writeTo(shapes, Split.TRAIN, Split.TEST);
    }

    @AfterAll
    static void totals() {
        StringBuilder b = new StringBuilder("reliability probes:\n| outcome | count |\n|---|---:|\n");
        new TreeMap<>(TOTALS).forEach((k, v) -> b.append("| ").append(k).append(" | ").append(v).append(" |\n"));
        System.out.print(b);
    }

    @TestFactory
    Stream<DynamicTest> probes() throws Exception {
        return build().stream().map(p -> DynamicTest.dynamicTest(p.kind() + ": " + p.name(), () -> check(p)));
    }

    /**
     * The memory probes: 4,000 captions and a folder of 60 images go through {@code embed} in
     * batches, so the off-heap peak stays near one batch's worth (the unbatched code needed
     * 23.8 GB for 100,000 captions). The peak is measured with the tensor allocator's own counter.
     */
    @Test
    void memoryStaysBoundedAtDatasetScale() throws Exception {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 4000; i++) {
            sb.append("a photo of a small thing number ").append(i).append('\n');
        }
        Path captions = write("mem/captions.txt", sb.toString());
        Path images = tmp.resolve("mem/images");
        SyntheticShapes.builder().seed(8).imageSize(32).sizeAll(6).build().writeTo(images, Split.TEST);
        Path out = tmp.resolve("mem/features.safetensors");
        System.gc();
        long before = radapter.tensor.MemoryScope.liveBytes();
        radapter.tensor.MemoryScope.resetPeak();
        Outcome o = run(args("embed", "--model", model, "--vocab", vocab, "--texts", captions.toString(), "--images", images.resolve("test").toString(),
                "--batch-size", "64", "--out", out.toString()), Duration.ofSeconds(300));
        long peak = radapter.tensor.MemoryScope.peakBytes() - before;
        assertEquals(0, o.code(), o.err());
        // One batch of 64 captions through the tiny text tower is a few MB; all 4,000 at once was 190 MB.
        assertTrue(peak < 48L << 20, "off-heap peak " + (peak >> 20) + " MB");
        TOTALS.merge("bounded memory (embed at dataset scale, peak " + (peak >> 20) + " MB)", 1, Integer::sum);
    }

    // ---------------------------------------------------------------- the probes

    private static List<Probe> build() throws Exception {
        List<Probe> ps = new ArrayList<>();
        Path texts = write("texts.txt", "a photo of a cat\na photo of a dog\n");
        String train = shapes.resolve("train.csv").toString();
        String classes = shapes.resolve("classnames.txt").toString();

        // Parameters: one line naming the option, one hint line.
        param(ps, "non-numeric --lr", "--lr", "finetune", "--model", model, "--train", train, "--lr", "abc", "--out", tmp.resolve("p1").toString());
        param(ps, "misspelt option", "--modle", "embed", "--modle", model, "--texts", texts.toString(), "--out", tmp.resolve("p2.st").toString());
        param(ps, "missing --out", "--out", "embed", "--model", model, "--texts", texts.toString());
        param(ps, "tokenize without text", "TEXT", "tokenize", "--vocab", vocab);
        param(ps, "unknown command", "frobnicate", "frobnicate");
        param(ps, "non-numeric --batch-size", "--batch-size", "eval", "--model", model, "--data", "x=" + train, "--batch-size", "many");
        param(ps, "bad enum --rank-rule", "--rank-rule", "finetune", "--model", model, "--train", train, "--rank-rule", "SOMETIMES", "--out",
                tmp.resolve("p3").toString());

        // Absurd numbers: refused before anything runs or is written.
        Path ftOut = tmp.resolve("ft-never");
        String[][] ftValues = {{"--lr", "1e30"}, {"--lr", "-1"}, {"--lr", "NaN"}, {"--epochs", "0"}, {"--batch-size", "0"}, {"--grad-accum", "0"},
                {"--drop-path", "1.5"}, {"--ema", "1.5"}, {"--ls", "NaN"}, {"--adapter", "1,2,3"}, {"--task", "regression"}, {"--warmup", "-1"},
                {"--crop-scale", "0"}, {"--min-lr", "1"}, {"--wd", "-0.1"}, {"--mg", "Infinity"}, {"--bma", "-2"}, {"--k-shot", "-1"},
                {"--grad-clip-norm", "NaN"}, {"--eval-scale", "NaN"}};
        for (String[] v : ftValues) {
            ps.add(new Probe("numbers", "finetune " + v[0] + " " + v[1], Expect.ERROR, v[0], ftOut,
                    args("finetune", "--model", model, "--train", train, v[0], v[1], "--out", ftOut.toString()), null));
        }
        Path mergeOut = tmp.resolve("merge-never.safetensors");
        for (String a : new String[] {"NaN", "1e30", "-0.5", "Infinity"}) {
            ps.add(new Probe("numbers", "merge --alpha " + a, Expect.ERROR, "--alpha", mergeOut,
                    args("merge", "--model", model, "--adapters", tmp.toString(), "--alpha", a, "--out", mergeOut.toString()), null));
        }
        ps.add(error("numbers", "eval --alpha -1", "--alpha", null, "eval", "--model", model, "--data", "x=" + train, "--alpha", "-1"));
        ps.add(error("numbers", "eval --batch-size 0", "--batch-size", null, "eval", "--model", model, "--data", "x=" + train, "--batch-size", "0"));
        ps.add(error("numbers", "zeroshot --batch-size -4", "--batch-size", null, "zeroshot", "--model", model, "--classes", classes, "--data", train,
                "--batch-size", "-4"));
        Path embedOut = tmp.resolve("embed-never.safetensors");
        ps.add(error("numbers", "embed --batch-size 0", "--batch-size", embedOut, "embed", "--model", model, "--vocab", vocab, "--texts",
                texts.toString(), "--batch-size", "0", "--out", embedOut.toString()));
        ps.add(error("numbers", "linear-probe --val-fraction 2", "--val-fraction", null, "linear-probe", "--model", model, "--train", train,
                "--val-fraction", "2", "--out", tmp.resolve("lp-never").toString()));

        // Model files and configs.
        Path textModel = write("notamodel.safetensors", "hello, this is text");
        Path truncated = tmp.resolve("truncated.safetensors");
        Files.write(truncated, Arrays.copyOf(Files.readAllBytes(Path.of(model)), 100));
        Path empty = write("empty.safetensors", "");
        Path noModelDir = Files.createDirectories(tmp.resolve("nomodel"));
        String oc = Files.readString(Shared.fixtures("tiny_clip/open_clip_config.json"));
        String hf = Files.readString(Shared.fixtures("tiny_clip/hf_config.json"));
        Path headWidth0 = write("hw0.json", oc.replace("\"head_width\": 64", "\"head_width\": 0"));
        Path heads3 = write("heads3.json", oc.replace("\"heads\": 2", "\"heads\": 3"));
        Path epsNeg = write("eps.json", hf.replace("\"layer_norm_eps\": 1e-05", "\"layer_norm_eps\": -1"));
        Path headsHuge = write("heads-huge.json", hf.replace("\"num_attention_heads\": 2", "\"num_attention_heads\": 4294967298"));
        Path notJson = write("notjson.json", "{\"vision_cfg\": ");
        Path badUtf8Cfg = tmp.resolve("latin1.json");
        Files.write(badUtf8Cfg, new byte[] {'{', '"', (byte) 0xE9, '"', ':', '1', '}'});
        Path foreignJson = write("foreign.json", "{\"hello\": 1}");
        Path hfModel = Shared.fixtures("tiny_clip/model_hf.safetensors");
        String[][] models = {{"missing model", tmp.resolve("nope.safetensors").toString(), null, "nope.safetensors"},
                {"a text file as model", textModel.toString(), null, "notamodel.safetensors"},
                {"truncated safetensors", truncated.toString(), null, "truncated.safetensors"},
                {"empty model file", empty.toString(), null, "empty.safetensors"},
                {"folder without model", noModelDir.toString(), null, "nomodel"},
                {"open_clip head_width 0", model, headWidth0.toString(), "hw0.json"},
                {"heads not dividing width", model, heads3.toString(), "heads3.json"},
                {"HF layer_norm_eps -1", hfModel.toString(), epsNeg.toString(), "eps.json"},
                {"HF num_attention_heads 2^32+2", hfModel.toString(), headsHuge.toString(), "heads-huge.json"},
                {"config not JSON", model, notJson.toString(), "notjson.json"},
                {"config not UTF-8", model, badUtf8Cfg.toString(), "latin1.json"},
                {"config of another kind", model, foreignJson.toString(), "foreign.json"}};
        for (String[] m : models) {
            Path o = tmp.resolve("model-never.safetensors");
            List<String> a = new ArrayList<>(List.of("embed", "--model", m[1], "--vocab", vocab, "--texts", texts.toString(), "--out", o.toString()));
            if (m[2] != null) {
                a.addAll(List.of("--config", m[2]));
            }
            ps.add(new Probe("model", m[0], Expect.ERROR, m[3], o, a.toArray(String[]::new), null));
        }

        // Vocabularies.
        Path damagedGz = tmp.resolve("v.gz");
        Files.write(damagedGz, Arrays.copyOf(Files.readAllBytes(Path.of(vocab)), 1000));
        Path textVocab = write("vocab.txt.gz", "not a vocabulary");
        Path emptyDir = Files.createDirectories(tmp.resolve("emptyvocab"));
        for (String[] v : new String[][] {{"damaged gzip vocabulary", damagedGz.toString(), "v.gz"}, {"text file as vocabulary", textVocab.toString(), "vocab.txt.gz"},
                {"missing vocabulary", tmp.resolve("nov.gz").toString(), "nov.gz"}, {"folder without vocab.json", emptyDir.toString(), "emptyvocab"},
                {"model file as vocabulary", model, "model_openai.safetensors"}}) {
            ps.add(error("vocabulary", v[0], v[2], null, "tokenize", "--vocab", v[1], "a photo"));
        }

        Path hfVocab = Files.createDirectories(tmp.resolve("hfvocab"));
        Files.writeString(hfVocab.resolve("vocab.json"), "{\"a\": \"not a number\"");
        Files.writeString(hfVocab.resolve("merges.txt"), "#version: 0.2\na b\n");
        ps.add(error("vocabulary", "broken Hugging Face vocab.json", "vocab.json", null, "tokenize", "--vocab", hfVocab.toString(), "a photo"));
        if (mkfifo(tmp.resolve("model.fifo"))) {
            ps.add(error("model", "FIFO as model (info)", "model.fifo", null, "info", tmp.resolve("model.fifo").toString()));
            Path o = tmp.resolve("cfg-fifo-never.safetensors");
            ps.add(error("model", "FIFO as --config", "model.fifo", o, "embed", "--model", model, "--config", tmp.resolve("model.fifo").toString(),
                    "--vocab", vocab, "--texts", texts.toString(), "--out", o.toString()));
            ps.add(error("vocabulary", "FIFO as --vocab", "model.fifo", null, "tokenize", "--vocab", tmp.resolve("model.fifo").toString(), "a photo"));
            ps.add(error("dataset", "FIFO as --data", "model.fifo", null, "zeroshot", "--model", model, "--vocab", vocab, "--classes", classes, "--data",
                    tmp.resolve("model.fifo").toString()));
        }

        // Images given to embed.
        imageProbe(ps, "text named .jpg", "a.jpg", dir -> Files.writeString(dir.resolve("a.jpg"), "hi"));
        imageProbe(ps, "empty .png", "b.png", dir -> Files.write(dir.resolve("b.png"), new byte[0]));
        imageProbe(ps, "truncated PNG", "c.png", dir -> Files.write(dir.resolve("c.png"), Arrays.copyOf(png(64, 64, 64), 60)));
        imageProbe(ps, "PNG declaring 20000x20000", "bomb.png", dir -> Files.write(dir.resolve("bomb.png"), png(20000, 20000, 1)));
        imageProbe(ps, "link to a system file", "leak.png", dir -> Files.createSymbolicLink(dir.resolve("leak.png"), Path.of("/etc/hostname")));
        imageProbe(ps, "dangling link", "gone.png", dir -> Files.createSymbolicLink(dir.resolve("gone.png"), dir.resolve("missing-target.png")));
        if (mkfifo(tmp.resolve("probe.fifo"))) {
            imageProbe(ps, "FIFO named .png", "f.png", dir -> mkfifo(dir.resolve("f.png")));
        }
        imageProbe(ps, "no images", "imgs-empty", dir -> Files.writeString(dir.resolve("readme.txt"), "nothing"));

        // Texts.
        Path badText = tmp.resolve("latin1.txt");
        Files.write(badText, "a photo\nun caf\u00e9\n".getBytes(StandardCharsets.ISO_8859_1));
        Path blank = write("blank.txt", "a photo of a cat\n\na photo of a dog\n");
        Path emptyTexts = write("empty.txt", "");
        for (String[] t : new String[][] {{"invalid UTF-8 in --texts", badText.toString(), "latin1.txt:2"}, {"blank line in --texts", blank.toString(), "blank.txt:2"},
                {"empty --texts", emptyTexts.toString(), "empty.txt"}, {"missing --texts", tmp.resolve("none.txt").toString(), "none.txt"}}) {
            Path o = tmp.resolve("texts-never.safetensors");
            ps.add(error("texts", t[0], t[2], o, "embed", "--model", model, "--vocab", vocab, "--texts", t[1], "--out", o.toString()));
        }
        if (mkfifo(tmp.resolve("texts.fifo"))) {
            Path o = tmp.resolve("fifo-never.safetensors");
            ps.add(error("texts", "FIFO as --texts", "texts.fifo", o, "embed", "--model", model, "--vocab", vocab, "--texts",
                    tmp.resolve("texts.fifo").toString(), "--out", o.toString()));
        }

        // Datasets and the files around them.
        Path good = tmp.resolve("data/good.png");
        Files.createDirectories(good.getParent());
        try (Stream<Path> s = Files.walk(shapes)) {
            Files.copy(s.filter(x -> x.toString().endsWith(".png")).findFirst().orElseThrow(), good);
        }
        Path noClass = write("data/noclass.csv", "filepath\ttitle\ngood.png\ta photo\n");
        Path escape = write("data/escape.csv", "filepath\tclass\n../../../../etc/hostname\t0\n");
        Files.createSymbolicLink(tmp.resolve("data/dangling.png"), tmp.resolve("data/appears-later.png"));
        Path dangling = write("data/dangling.csv", "filepath\tclass\ndangling.png\t0\n");
        Path latinCsv = tmp.resolve("data/latin1.csv");
        Files.write(latinCsv, "filepath\tclass\ncaf\u00e9.png\t0\n".getBytes(StandardCharsets.ISO_8859_1));
        Path latinClasses = tmp.resolve("latin1-classes.txt");
        Files.write(latinClasses, "cat\ncaf\u00e9\n".getBytes(StandardCharsets.ISO_8859_1));
        Path badTemplates = write("templates.txt", "a photo of a {}.\na photo without a slot\n");
        ps.add(error("dataset", "eval on a CSV without a class column", "noclass.csv", null, "eval", "--model", model, "--vocab", vocab, "--classes",
                classes, "--data", "x=" + noClass));
        ps.add(error("dataset", "CSV path leaving the root", "escape.csv:2", null, "zeroshot", "--model", model, "--vocab", vocab, "--classes", classes,
                "--data", escape.toString()));
        ps.add(error("dataset", "CSV naming a dangling link", "dangling.csv:2", null, "zeroshot", "--model", model, "--vocab", vocab, "--classes",
                classes, "--data", dangling.toString()));
        ps.add(error("dataset", "CSV not UTF-8", "latin1.csv", null, "zeroshot", "--model", model, "--vocab", vocab, "--classes", classes, "--data",
                latinCsv.toString()));
        ps.add(error("dataset", "class names not UTF-8", "latin1-classes.txt:2", null, "zeroshot", "--model", model, "--vocab", vocab, "--classes",
                latinClasses.toString(), "--data", shapes.resolve("test.csv").toString()));
        ps.add(error("dataset", "template without {}", "templates.txt:2", null, "zeroshot", "--model", model, "--vocab", vocab, "--classes", classes,
                "--templates", badTemplates.toString(), "--data", shapes.resolve("test.csv").toString()));
        ps.add(error("dataset", "missing class-name file", "nofile.txt", null, "zeroshot", "--model", model, "--vocab", vocab, "--classes",
                tmp.resolve("nofile.txt").toString(), "--data", shapes.resolve("test.csv").toString()));
        ps.add(error("dataset", "missing dataset", "nodata.csv", null, "eval", "--model", model, "--vocab", vocab, "--classes", classes, "--data",
                "x=" + tmp.resolve("nodata.csv")));
        if (mkfifo(tmp.resolve("data/pipe.png"))) {
            Path withFifo = write("data/fifo.csv", "filepath\tclass\npipe.png\t0\ngood.png\t1\n");
            ps.add(new Probe("dataset", "FIFO listed in a CSV (eval skips it with a warning)", Expect.ACCEPTED, "pipe.png", null,
                    args("zeroshot", "--model", model, "--vocab", vocab, "--classes", classes, "--data", withFifo.toString()),
                    "eval/zeroshot skip unreadable images with a warning line, like the official code's loaders that drop bad files;"
                            + " the FIFO is never opened"));
        }

        // Adapter folders.
        Path adapters = Files.createDirectories(tmp.resolve("adapters"));
        Path cfgNoEma = Files.createDirectories(tmp.resolve("adapters-noema"));
        Files.writeString(cfgNoEma.resolve("adapter_config.json"), "{\"vision_rank\": 128, \"text_rank\": 16, \"rank_rule\": \"PAPER\", \"drop_path\": 0.2,"
                + " \"drop_axis\": \"PER_SAMPLE\", \"scale_init\": 1.0, \"eval_scale\": 0.5}");
        Files.write(cfgNoEma.resolve("adapters.safetensors"), new byte[] {2, 0, 0, 0, 0, 0, 0, 0, '{', '}'});
        Path cfgTypo = Files.createDirectories(tmp.resolve("adapters-typo"));
        Files.writeString(cfgTypo.resolve("adapter_config.json"), "{\"vision_rank\": \"lots\", \"text_rank\": 16, \"rank_rule\": \"PAPER\", \"drop_path\": 0.2,"
                + " \"drop_axis\": \"PER_SAMPLE\", \"scale_init\": 1.0, \"eval_scale\": 0.5, \"ema\": 0.9}");
        Files.write(cfgTypo.resolve("adapters.safetensors"), new byte[] {2, 0, 0, 0, 0, 0, 0, 0, '{', '}'});
        for (String[] a : new String[][] {{"empty adapters folder", adapters.toString(), "adapters"},
                {"adapter_config.json without ema", cfgNoEma.toString(), "'ema'"}, {"adapter_config.json mistyped rank", cfgTypo.toString(), "'vision_rank'"}}) {
            Path o = tmp.resolve("merged-never.safetensors");
            ps.add(error("adapters", a[0], a[2], o, "merge", "--model", model, "--adapters", a[1], "--out", o.toString()));
        }

        // Outputs: only regular files are replaced; a run folder must be usable before training.
        Path outDir = Files.createDirectories(tmp.resolve("out-is-dir.safetensors"));
        ps.add(error("outputs", "embed --out a directory", "out-is-dir.safetensors", null, "embed", "--model", model, "--vocab", vocab, "--texts",
                texts.toString(), "--out", outDir.toString()));
        if (mkfifo(tmp.resolve("out.fifo"))) {
            ps.add(error("outputs", "embed --out a FIFO", "out.fifo", null, "embed", "--model", model, "--vocab", vocab, "--texts", texts.toString(),
                    "--out", tmp.resolve("out.fifo").toString()));
        }
        Path fileOut = write("a-file", "keep me");
        ps.add(error("outputs", "finetune --out an existing file", "a-file", null, "finetune", "--model", model, "--vocab", vocab, "--train", train,
                "--out", fileOut.toString()));
        Path used = Files.createDirectories(tmp.resolve("used-run"));
        Files.writeString(used.resolve("adapters.safetensors"), "old");
        ps.add(error("outputs", "finetune into a non-empty --out", "used-run", null, "finetune", "--model", model, "--vocab", vocab, "--train", train,
                "--out", used.toString()));
        ps.add(error("outputs", "--resume a missing folder", "no-run", null, "finetune", "--resume", tmp.resolve("no-run").toString()));
        ps.add(error("outputs", "--resume a folder without a run", "used-run", null, "finetune", "--resume", used.toString()));
        return ps;
    }

    // ---------------------------------------------------------------- running and judging

    private static void check(Probe p) throws Exception {
        long before = p.mustNotExist() != null && Files.exists(p.mustNotExist()) ? -1 : 0;
        Outcome o = run(p.args(), Duration.ofSeconds(120));
        List<String> errLines = o.err().lines().filter(l -> !l.isBlank() && !l.startsWith("WARNING: Using incubator")).toList();
        String all = o.out() + o.err();
        String verdict;
        if (o.timedOut()) {
            verdict = "hang";
        } else if (all.contains("\tat ") || all.contains("Exception in thread") || all.contains("internal error")) {
            verdict = "Java stack trace / internal error";
        } else if (p.expect() == Expect.ACCEPTED) {
            verdict = o.code() == 0 ? "accepted as PyTorch/Pillow do" : "refused although PyTorch/Pillow accept it";
        } else if (o.code() == 0) {
            verdict = "bad input accepted silently, exit 0";
        } else if (!errLines.isEmpty() && errLines.get(0).contains(p.mustName()) && lineCountOk(p, errLines)) {
            verdict = "clean one-line error naming the file";
        } else {
            verdict = "clean error, file not named or cryptic";
        }
        TOTALS.merge(verdict, 1, Integer::sum);
        String context = String.join(" ", p.args()) + "\nexit " + o.code() + "\nstdout: " + o.out() + "\nstderr: " + o.err();
        switch (p.expect()) {
            case ACCEPTED -> {
                assertEquals(0, o.code(), context);
                assertTrue(o.err().contains(p.mustName()), () -> "the accepted input should still be reported: " + context);
            }
            case ERROR, PARAM -> {
                assertEquals(Failures.USER_ERROR, o.code(), context);
                assertFalse(errLines.isEmpty(), context);
                assertTrue(errLines.get(0).contains(p.mustName()), () -> "first line should name '" + p.mustName() + "': " + context);
                assertTrue(lineCountOk(p, errLines), () -> "one line expected: " + context);
            }
        }
        assertFalse(all.contains("\tat ") || all.contains("Exception in thread"), () -> "stack trace: " + context);
        assertFalse(all.contains("internal error"), () -> "internal error: " + context);
        if (p.mustNotExist() != null && before == 0) {
            assertFalse(Files.exists(p.mustNotExist()), () -> p.mustNotExist() + " was written: " + context);
        }
        try (Stream<Path> s = Files.list(tmp)) {
            List<String> leftovers = s.map(x -> x.getFileName().toString()).filter(AtomicFiles::isTemporary).toList();
            assertTrue(leftovers.isEmpty(), () -> "temporaries left: " + leftovers + "\n" + context);
        }
        if (Files.exists(tmp.resolve("out.fifo"))) {
            assertFalse(Files.isRegularFile(tmp.resolve("out.fifo")), "the FIFO was replaced by a regular file");
        }
        assertEquals("keep me", Files.readString(tmp.resolve("a-file")));
    }

    private static boolean lineCountOk(Probe p, List<String> errLines) {
        if (p.expect() == Expect.PARAM) {
            return errLines.size() <= 3 && errLines.get(errLines.size() - 1).startsWith("Try '");
        }
        return errLines.size() == 1;
    }

    /** What a command did. */
    record Outcome(int code, String out, String err, boolean timedOut) {
    }

    /** Runs {@code args} in process with stdout and stderr captured, giving up after {@code limit}. */
    static synchronized Outcome run(String[] args, Duration limit) throws Exception {
        PrintStream savedOut = System.out;
        PrintStream savedErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        ExecutorService ex = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "probe");
            t.setDaemon(true); // a hung probe must not keep the test JVM alive
            return t;
        });
        try {
            Future<Integer> f = ex.submit(() -> Main.execute(args));
            try {
                int code = f.get(limit.toMillis(), TimeUnit.MILLISECONDS);
                return new Outcome(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8), false);
            } catch (TimeoutException e) {
                f.cancel(true);
                return new Outcome(-1, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8), true);
            }
        } finally {
            ex.shutdownNow();
            System.setOut(savedOut);
            System.setErr(savedErr);
        }
    }

    // ---------------------------------------------------------------- helpers

    private static void param(List<Probe> ps, String name, String mustName, String... args) {
        ps.add(new Probe("parameters", name, Expect.PARAM, mustName, null, args, null));
    }

    private static Probe error(String kind, String name, String mustName, Path mustNotExist, String... args) {
        return new Probe(kind, name, Expect.ERROR, mustName, mustNotExist, args, null);
    }

    private static String[] args(String... a) {
        return a;
    }

    @FunctionalInterface
    interface Maker {
        void make(Path dir) throws Exception;
    }

    private static int imageDirs;

    /** A folder holding one bad image for {@code embed --images}. */
    private static void imageProbe(List<Probe> ps, String name, String mustName, Maker maker) throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("imgs-" + (imageDirs++)).resolve(mustName.equals("imgs-empty") ? "imgs-empty" : "set"));
        maker.make(dir);
        Path o = tmp.resolve("images-never.safetensors");
        ps.add(error("images", name, mustName, o, "embed", "--model", model, "--images", dir.toString(), "--out", o.toString()));
    }

    private static Path write(String name, String content) throws IOException {
        Path p = tmp.resolve(name);
        Files.createDirectories(p.getParent());
        Files.writeString(p, content);
        return p;
    }

    /** Creates a FIFO (false where the platform has no mkfifo). */
    static boolean mkfifo(Path p) {
        try {
            Process pr = new ProcessBuilder("mkfifo", p.toString()).redirectErrorStream(true).start();
            return pr.waitFor() == 0 && Files.exists(p);
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    /**
     * A grey PNG of {@code w}×{@code h} whose pixel data holds only {@code rows} rows: a complete
     * header declaring any size for a few bytes (Pillow's decompression-bomb test case).
     */
    static byte[] png(int w, int h, int rows) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.write(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'});
        java.nio.ByteBuffer ihdr = java.nio.ByteBuffer.allocate(13).putInt(w).putInt(h).put((byte) 8).put((byte) 0).put((byte) 0).put((byte) 0).put((byte) 0);
        chunk(b, "IHDR", ihdr.array());
        byte[] raw = new byte[Math.min(rows, h) * (w + 1)];
        Deflater d = new Deflater();
        d.setInput(raw);
        d.finish();
        ByteArrayOutputStream z = new ByteArrayOutputStream();
        byte[] buf = new byte[1 << 16];
        while (!d.finished()) {
            z.write(buf, 0, d.deflate(buf));
        }
        chunk(b, "IDAT", z.toByteArray());
        chunk(b, "IEND", new byte[0]);
        return b.toByteArray();
    }

    private static void chunk(ByteArrayOutputStream b, String type, byte[] data) throws IOException {
        b.write(java.nio.ByteBuffer.allocate(4).putInt(data.length).array());
        byte[] t = type.getBytes(StandardCharsets.US_ASCII);
        b.write(t);
        b.write(data);
        CRC32 crc = new CRC32();
        crc.update(t);
        crc.update(data);
        b.write(java.nio.ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
    }
}
