package radapter.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import radapter.data.synthetic.Split;
import radapter.data.synthetic.SyntheticShapes;
import radapter.tensor.io.AtomicFiles;
import radapter.testing.Shared;

/**
 * Faults a real run meets: {@code kill -9} during training and checkpoint writes (then resumed
 * to a bit-identical result), a damaged newest checkpoint, leftovers of interrupted writes, a
 * full disk, and two runs racing for one folder — nothing lost, nothing corrupt, the loser told.
 */
class FaultRunsTest {
    @TempDir
    static Path tmp;

    static String model;
    static String vocab;
    static Path train;
    /** An uninterrupted run everything is compared with. */
    static Path reference;

    static List<String> runArgs(Path out, int epochs) {
        return new ArrayList<>(List.of("finetune", "--model", model, "--vocab", vocab, "--train", train.toString(), "--adapter", "128,16", "--epochs",
                Integer.toString(epochs), "--batch-size", "6", "--warmup", "1", "--ema", "0.9", "--checkpoint-every", "1", "--seed", "5", "--out",
                out.toString()));
    }

    @BeforeAll
    static void referenceRun() throws Exception {
        model = Shared.fixtures("tiny_clip/model_openai.safetensors").toString();
        vocab = Shared.path("clip/bpe_simple_vocab_16e6.txt.gz").toString();
        Path data = tmp.resolve("shapes");
        SyntheticShapes.builder().seed(2).imageSize(32).sizeAll(12).build().writeTo(data, Split.TRAIN);
        train = data.resolve("train.csv");
        reference = tmp.resolve("reference");
        assertEquals(0, quiet(runArgs(reference, 3)).code());
    }

    @Test
    void killedRunsResumeToTheSameResult() throws Exception {
        Path run = tmp.resolve("killed");
        Path lockHolderSeen = null;
        // Three hard kills at different moments (during training and checkpoint writes), each
        // followed by a restart with --resume DIR alone.
        long[] delaysMs = {300, 900, 1500};
        for (int i = 0; i < delaysMs.length; i++) {
            List<String> args = i == 0 ? runArgs(run, 3) : List.of("finetune", "--resume", run.toString());
            Process p = launch(args, tmp.resolve("kill-" + i + ".log"));
            // Wait until the run really trains (its settings are saved), then kill it a bit later.
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!Files.exists(run.resolve("checkpoints/command.json")) && p.isAlive() && System.nanoTime() < until) {
                Thread.sleep(20);
            }
            Thread.sleep(delaysMs[i]);
            if (p.isAlive() && i == 0) {
                // A second run into a folder a live process holds is refused at once.
                Outcome second = quiet(runArgs(run, 3));
                if (p.isAlive()) {
                    assertEquals(Failures.USER_ERROR, second.code(), second.err());
                    assertTrue(second.err().contains("in use by another radapter run"), second.err());
                    lockHolderSeen = run;
                }
            }
            p.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }
        Outcome last = quiet(List.of("finetune", "--resume", run.toString()));
        assertEquals(0, last.code(), last.err());
        assertArrayEquals(Files.readAllBytes(reference.resolve("adapters.safetensors")), Files.readAllBytes(run.resolve("adapters.safetensors")));
        assertArrayEquals(Files.readAllBytes(reference.resolve("model.safetensors")), Files.readAllBytes(run.resolve("model.safetensors")));
        assertEquals(Files.readString(reference.resolve("losses.csv")), Files.readString(run.resolve("losses.csv")));
        assertNoTemporaries(run);
        System.out.println("kill -9 runs: 3 kills, resumed bit-identical" + (lockHolderSeen != null ? "; a second run was refused while one held the folder" : ""));
    }

    @Test
    void aDamagedNewestCheckpointFallsBackAndStaleTemporariesGo() throws Exception {
        Path run = tmp.resolve("damaged");
        copyTree(reference, run);
        List<Path> steps;
        try (Stream<Path> s = Files.list(run.resolve("checkpoints"))) {
            steps = s.filter(p -> p.getFileName().toString().startsWith("step-")).sorted().toList();
        }
        Path newest = steps.get(steps.size() - 1);
        Files.writeString(newest.resolve("trainer.json"), "{\"step\": ");
        Files.createDirectories(run.resolve("checkpoints/.step-00000009.0123456789abcdef.tmp"));
        Files.writeString(run.resolve(".model.safetensors.fedcba9876543210.tmp"), "half a file");
        Outcome o = quiet(List.of("finetune", "--resume", run.toString()));
        assertEquals(0, o.code(), o.err());
        assertTrue(o.err().contains("is damaged") && o.err().contains("newest intact checkpoint"), o.err());
        assertTrue(o.err().contains("resuming from the checkpoint of step"), o.err());
        assertArrayEquals(Files.readAllBytes(reference.resolve("adapters.safetensors")), Files.readAllBytes(run.resolve("adapters.safetensors")));
        assertNoTemporaries(run);
    }

    @Test
    void aResumeWithOtherSettingsSaysWhatDiffers() throws Exception {
        Path run = tmp.resolve("differs");
        copyTree(reference, run);
        List<String> args = runArgs(run, 3);
        args.set(args.indexOf("--seed") + 1, "6");
        args.add("--resume");
        args.add(run.toString());
        args.remove("--out");
        args.remove(run.toString());
        Outcome o = quiet(args);
        assertEquals(Failures.USER_ERROR, o.code(), o.err());
        assertTrue(o.err().contains("--seed 5 → 6"), o.err());
        assertEquals(1, o.err().strip().lines().count(), o.err());
        Outcome again = quiet(runArgs(run, 3));
        assertTrue(again.err().contains("is not empty") && again.err().contains("--resume"), again.err());
        Outcome over = quiet(append(runArgs(run, 1), "--overwrite"));
        assertEquals(0, over.code(), over.err());
    }

    @Test
    void aRunThatFailedBeforeTrainingDoesNotBlockTheNextAttempt() throws Exception {
        Path run = tmp.resolve("retry");
        List<String> bad = runArgs(run, 1);
        bad.set(bad.indexOf("--model") + 1, train.toString()); // a CSV is no model
        Outcome first = quiet(bad);
        assertEquals(Failures.USER_ERROR, first.code(), first.err());
        Outcome second = quiet(runArgs(run, 1));
        assertEquals(0, second.code(), second.err());
    }

    @Test
    void twoRunsInOneProcessRaceForAFolder() throws Exception {
        Path run = tmp.resolve("race");
        StringWriter errA = new StringWriter();
        StringWriter errB = new StringWriter();
        CompletableFuture<Integer> a = CompletableFuture.supplyAsync(() -> execute(runArgs(run, 6), errA));
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!Files.exists(run.resolve("checkpoints/command.json")) && !a.isDone() && System.nanoTime() < until) {
            Thread.sleep(10);
        }
        int b = execute(runArgs(run, 6), errB);
        int codeA = a.get(300, TimeUnit.SECONDS);
        assertEquals(0, codeA, errA.toString());
        assertEquals(Failures.USER_ERROR, b, errB.toString());
        assertTrue(errB.toString().contains("in use by another radapter run"), errB.toString());
        assertTrue(Files.size(run.resolve("adapters.safetensors")) > 0);
    }

    @Test
    void aFullDiskIsOneLineAndLeavesNothing() throws Exception {
        Path full = Files.createDirectories(tmp.resolve("full"));
        Assumptions.assumeTrue(mountTmpfs(full, "600k"), "skipped: cannot mount a small tmpfs here (needs root); disk-full run not simulated");
        try {
            Outcome merge = quiet(List.of("merge", "--model", model, "--adapters", reference.toString(), "--out", full.resolve("merged.safetensors").toString()));
            assertEquals(Failures.USER_ERROR, merge.code(), merge.err());
            assertTrue(merge.err().contains("merged.safetensors") && merge.err().contains("No space left"), merge.err());
            assertEquals(1, merge.err().strip().lines().count(), merge.err());
            try (Stream<Path> s = Files.list(full)) {
                assertEquals(List.of(), s.toList(), "nothing may be left on the full disk");
            }
            Outcome ft = quiet(runArgs(full.resolve("run"), 1));
            assertEquals(Failures.USER_ERROR, ft.code(), ft.err());
            assertTrue(ft.err().contains("No space left"), ft.err());
            assertNoTemporaries(full.resolve("run"));
        } finally {
            new ProcessBuilder("umount", full.toString()).start().waitFor();
        }
    }

    // ---------------------------------------------------------------- helpers

    record Outcome(int code, String out, String err) {
    }

    /** Runs in process with stdout/stderr captured (progress bars and notices included). */
    static synchronized Outcome quiet(List<String> args) {
        PrintStream so = System.out;
        PrintStream se = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            int code = Main.execute(args.toArray(String[]::new));
            return new Outcome(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(so);
            System.setErr(se);
        }
    }

    /** Runs with its own error stream (for two runs at once in one process). */
    static int execute(List<String> args, StringWriter err) {
        CommandLine cl = Main.commandLine();
        cl.setErr(new PrintWriter(err, true));
        return cl.execute(args.toArray(String[]::new));
    }

    /** The CLI in a separate JVM (the test class path, the project's jvm.options), output to {@code log}. */
    static Process launch(List<String> args, Path log) throws IOException {
        Path options = Path.of("").toAbsolutePath();
        while (options != null && !Files.exists(options.resolve("jvm.options"))) {
            options = options.getParent();
        }
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElse("java"));
        if (options != null) {
            cmd.add("@" + options.resolve("jvm.options"));
        }
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add("radapter.cli.Main");
        cmd.addAll(args);
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    static void assertNoTemporaries(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            List<Path> left = s.filter(p -> AtomicFiles.isTemporary(p.getFileName().toString())).toList();
            assertTrue(left.isEmpty(), "temporaries left: " + left);
        }
    }

    static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> s = Files.walk(from)) {
            for (Path p : s.toList()) {
                if (p.getFileName().toString().equals(RunFolder.LOCK)) {
                    continue;
                }
                Path q = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(q);
                } else {
                    Files.copy(p, q);
                }
            }
        }
    }

    static List<String> append(List<String> a, String... more) {
        List<String> out = new ArrayList<>(a);
        out.addAll(List.of(more));
        return out;
    }

    static boolean mountTmpfs(Path dir, String size) {
        try {
            Process p = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=" + size, "tmpfs", dir.toString()).redirectErrorStream(true).start();
            return p.waitFor(20, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }
}
