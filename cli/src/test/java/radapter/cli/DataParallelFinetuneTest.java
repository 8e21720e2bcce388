package radapter.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import radapter.data.synthetic.Split;
import radapter.data.synthetic.SyntheticShapes;
import radapter.tensor.MemoryScope;
import radapter.tensor.dist.MpiLaunch;
import radapter.tensor.io.Json;
import radapter.tensor.io.SafeTensors;
import radapter.testing.Shared;

/**
 * {@code mpirun -np 2 radapter finetune} trains the same adapters as one process with the same
 * global batch split into two micro-batches (bit for bit: two processes sum in one order), with
 * adapter dropping on; only rank 0 writes the run folder; a run resumes under another process
 * count (2 → 1 and 1 → 2) to the uninterrupted run's adapters, bit for bit; and full fine-tuning
 * ({@code --method full}) is data-parallel the same way.
 */
class DataParallelFinetuneTest {
    @TempDir
    static Path tmp;

    static List<String> common;
    /** The single-process run (two micro-batches of 12) and the two-process run (shards of 12). */
    static Path single;
    static Path ddp;
    static MpiLaunch.Outcome ddpOutcome;

    @BeforeAll
    static void runBoth() throws Exception {
        String why = MpiLaunch.unavailableReason();
        assumeTrue(why == null, why);
        Path data = tmp.resolve("shapes");
        SyntheticShapes.builder().seed(3).imageSize(32).sizeAll(24).build().writeTo(data, Split.TRAIN);
        String model = Shared.fixtures("tiny_clip/model_openai.safetensors").toString();
        String vocab = Shared.path("clip/bpe_simple_vocab_16e6.txt.gz").toString();
        common = List.of("finetune", "--model", model, "--vocab", vocab, "--train", data.resolve("train.csv").toString(),
                "--adapter", "128,16", "--drop-path", "0.2", "--epochs", "3", "--batch-size", "24", "--checkpoint-every", "1", "--quiet");
        single = tmp.resolve("single");
        assertEquals(0, Main.execute(with(common, "--grad-accum", "2", "--out", single.toString())));
        ddp = tmp.resolve("ddp");
        ddpOutcome = MpiLaunch.run(2, 300, Main.class, with(common, "--out", ddp.toString()));
    }

    static String[] with(List<String> args, String... more) {
        List<String> all = new ArrayList<>(args);
        all.addAll(List.of(more));
        return all.toArray(String[]::new);
    }

    static void assertSameAdapters(Path expected, Path actual) throws IOException {
        try (MemoryScope s = MemoryScope.open();
                SafeTensors a = SafeTensors.open(expected.resolve("adapters.safetensors"));
                SafeTensors b = SafeTensors.open(actual.resolve("adapters.safetensors"))) {
            assertEquals(a.names(), b.names());
            for (String k : a.names()) {
                assertArrayEquals(a.get(k).toFloatArray(), b.get(k).toFloatArray(), k + " in " + actual);
            }
        }
    }

    /** A copy of {@code run} as it stood after step 2 of 3: the newest checkpoint gone, as if killed during step 3. */
    static Path interruptedCopy(Path run, String name) throws IOException {
        Path copy = tmp.resolve(name);
        try (Stream<Path> all = Files.walk(run)) {
            for (Path p : all.toList()) {
                Path to = copy.resolve(run.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(to);
                } else if (!p.getFileName().toString().equals(RunFolder.LOCK)) {
                    Files.copy(p, to);
                }
            }
        }
        Path ck = copy.resolve("checkpoints");
        try (Stream<Path> last = Files.walk(ck.resolve("step-00000003"))) {
            for (Path p : last.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
        Files.writeString(ck.resolve("latest"), "step-00000002\n");
        for (String out : new String[] {"adapters.safetensors", "run.json"}) {
            Files.deleteIfExists(copy.resolve(out));
        }
        return copy;
    }

    @Test
    void twoProcessesTrainTheAdaptersOneProcessTrains() throws Exception {
        assertEquals(0, ddpOutcome.exitCode(), ddpOutcome.output());
        assertFalse(ddpOutcome.output().contains("Exception"), ddpOutcome.output());
        assertSameAdapters(single, ddp);
        assertEquals(Files.exists(single.resolve("run.json")), Files.exists(ddp.resolve("run.json")));
        // Rank 0 records where a step's time went: its shard, the all-reduce, the all-gather.
        Map<?, ?> timings = (Map<?, ?>) ((Map<?, ?>) ((Map<?, ?>) Json.parse(Files.readString(ddp.resolve("run.json")))).get("result")).get("timings");
        assertEquals(3L, ((Number) timings.get("steps")).longValue());
        assertTrue(((Number) timings.get("allreduce_seconds_per_step")).doubleValue() > 0, timings.toString());
    }

    @Test
    void fullFineTuningOnTwoProcessesEqualsOneProcess() throws Exception {
        List<String> full = new ArrayList<>(common);
        full.set(full.indexOf("--epochs") + 1, "2");
        full.addAll(List.of("--method", "full"));
        Path one = tmp.resolve("full-single");
        assertEquals(0, Main.execute(with(full, "--grad-accum", "2", "--out", one.toString())));
        Path two = tmp.resolve("full-ddp");
        MpiLaunch.Outcome o = MpiLaunch.run(2, 300, Main.class, with(full, "--out", two.toString()));
        assertEquals(0, o.exitCode(), o.output());
        try (MemoryScope s = MemoryScope.open();
                SafeTensors a = SafeTensors.open(one.resolve("model.safetensors"));
                SafeTensors b = SafeTensors.open(two.resolve("model.safetensors"))) {
            assertEquals(a.names(), b.names());
            for (String k : a.names()) {
                assertArrayEquals(a.get(k).toFloatArray(), b.get(k).toFloatArray(), k);
            }
        }
    }

    @Test
    void aTwoProcessRunResumesInOneProcess() throws Exception {
        assertEquals(0, ddpOutcome.exitCode(), ddpOutcome.output());
        Path run = interruptedCopy(ddp, "ddp-resumed-alone");
        // Two micro-batches keep each forward pass at the 12 pairs of a shard: bit for bit.
        assertEquals(0, Main.execute("finetune", "--resume", run.toString(), "--grad-accum", "2", "--quiet"));
        assertSameAdapters(ddp, run);
    }

    @Test
    void aOneProcessRunResumesOnTwoProcesses() throws Exception {
        Path run = interruptedCopy(single, "single-resumed-on-two");
        MpiLaunch.Outcome o = MpiLaunch.run(2, 300, Main.class, "finetune", "--resume", run.toString(), "--quiet");
        assertEquals(0, o.exitCode(), o.output());
        assertSameAdapters(single, run);
    }
}
