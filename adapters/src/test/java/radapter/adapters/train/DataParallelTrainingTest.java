package radapter.adapters.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import radapter.adapters.AdaptedClip;
import radapter.adapters.AdapterConfig;
import radapter.models.clip.ClipLoader;
import radapter.models.clip.LoadedClip;
import radapter.tensor.MemoryScope;
import radapter.tensor.Rng;
import radapter.tensor.Tensor;
import radapter.tensor.dist.Collective;
import radapter.tensor.dist.MpiLaunch;
import radapter.tensor.dist.ThreadGroup;
import radapter.tensor.io.SafeTensors;
import radapter.testing.Shared;

/**
 * Data-parallel R-Adapter training equals the single-process run with the same global batch and
 * micro-batches of the shard size: in-process with a thread group standing in for the processes,
 * and across real processes under {@code mpirun -np 2} when Open MPI is installed; with adapter
 * dropping on too; and a checkpoint continues under another process count as the uninterrupted
 * run would.
 */
class DataParallelTrainingTest {
    @TempDir
    Path tmp;

    /** Trains the tiny model for three steps without adapter dropping and returns the adapters. */
    static Map<String, float[]> train(Collective group, int microBatch) throws IOException {
        return train(group, microBatch, 0, null, -1, 5);
    }

    /**
     * Trains the tiny model for three steps with adapter dropping {@code dropPath}, writing a
     * checkpoint after every step into {@code checkpoints} (and resuming from it) when given;
     * the batch source fails at step {@code crashAt} (never when negative), leaving null.
     * {@code initSeed} seeds the adapters' initialisation.
     */
    static Map<String, float[]> train(Collective group, int microBatch, double dropPath, Path checkpoints, long crashAt, long initSeed)
            throws IOException {
        try (MemoryScope model = MemoryScope.open();
                LoadedClip m = ClipLoader.load(Shared.fixtures("tiny_clip/model_openai.safetensors"), null)) {
            AdaptedClip ac = AdaptedClip.install(m.clip(), AdapterConfig.builder().ranks(128, 16).dropPath(dropPath).build(), new Rng(initSeed));
            FineTuner.Builder b = FineTunerTest.recipe(ac, 3).microBatch(microBatch).collective(group).notices(msg -> { });
            if (checkpoints != null) {
                b.checkpoints(checkpoints, 1, 2);
            }
            BatchSource source = step -> {
                if (step == crashAt) {
                    throw new IllegalStateException("simulated crash at step " + step);
                }
                return FineTunerTest.source(6).batch(step);
            };
            try {
                b.build().run(source);
            } catch (IllegalStateException e) {
                if (crashAt < 0) {
                    throw e;
                }
                return null;
            }
            return FineTunerTest.adapters(ac);
        }
    }

    /** Runs {@code job} as every member of a fresh in-process group of {@code n}, returning each rank's adapters. */
    static List<Map<String, float[]>> onRanks(int n, RankJob job) throws Exception {
        ThreadGroup group = new ThreadGroup(n);
        ExecutorService pool = Executors.newFixedThreadPool(n);
        try {
            List<Future<Map<String, float[]>>> futures = new ArrayList<>();
            for (int r = 0; r < n; r++) {
                Collective member = group.member(r);
                futures.add(pool.submit(() -> job.run(member)));
            }
            List<Map<String, float[]>> out = new ArrayList<>();
            for (Future<Map<String, float[]>> f : futures) {
                out.add(f.get());
            }
            return out;
        } finally {
            pool.shutdownNow();
        }
    }

    /** What one rank of {@link #onRanks} does. */
    interface RankJob {
        Map<String, float[]> run(Collective member) throws IOException;
    }

    static void assertSameAdapters(Map<String, float[]> expected, Map<String, float[]> actual, String what) {
        assertEquals(expected.keySet(), actual.keySet(), what);
        for (String k : expected.keySet()) {
            assertArrayEquals(expected.get(k), actual.get(k), k + " " + what);
        }
    }

    @Test
    void withAdapterDroppingTwoRanksEqualTheSingleProcessRunBitForBit() throws Exception {
        // Masks are drawn per micro-batch from a stream keyed by its first row, wherever it runs.
        Map<String, float[]> single = train(Collective.single(), 3, 0.3, null, -1, 5);
        List<Map<String, float[]>> ranks = onRanks(2, member -> train(member, 0, 0.3, null, -1, 5));
        assertSameAdapters(single, ranks.get(0), "on rank 0");
        assertSameAdapters(single, ranks.get(1), "on rank 1");
        Map<String, float[]> undivided = train(Collective.single(), 0, 0.3, null, -1, 5);
        assertNotEquals(Arrays.toString(single.values().iterator().next()), Arrays.toString(undivided.values().iterator().next()),
                "dropping must be on: undivided batches draw other masks");
    }

    @Test
    void aCheckpointOfTwoRanksResumesInOneProcessAndOneOfOneProcessOnTwoRanks() throws Exception {
        Map<String, float[]> uninterrupted = train(Collective.single(), 3, 0.3, null, -1, 5);

        Path fromTwo = tmp.resolve("from-two");
        List<Map<String, float[]>> crashed = onRanks(2, member -> train(member, 0, 0.3, fromTwo, 2, 5));
        assertNull(crashed.get(0));
        assertEquals("step-00000002", Files.readString(fromTwo.resolve("latest")).trim());
        // Another init seed: everything that matters must come from the checkpoint.
        assertSameAdapters(uninterrupted, train(Collective.single(), 3, 0.3, fromTwo, -1, 77), "resumed in one process");

        Path fromOne = tmp.resolve("from-one");
        assertNull(train(Collective.single(), 3, 0.3, fromOne, 1, 5));
        assertEquals("step-00000001", Files.readString(fromOne.resolve("latest")).trim());
        List<Map<String, float[]>> resumed = onRanks(2, member -> train(member, 0, 0.3, fromOne, -1, 77));
        assertSameAdapters(uninterrupted, resumed.get(0), "resumed on rank 0 of 2");
        assertSameAdapters(uninterrupted, resumed.get(1), "resumed on rank 1 of 2");
    }

    @Test
    void twoRanksInOneJvmEqualTheSingleProcessRunBitForBit() throws Exception {
        Map<String, float[]> single = train(Collective.single(), 3);
        ThreadGroup group = new ThreadGroup(2);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            Future<Map<String, float[]>> r0 = pool.submit(() -> train(group.member(0), 0));
            Future<Map<String, float[]>> r1 = pool.submit(() -> train(group.member(1), 0));
            Map<String, float[]> a = r0.get();
            Map<String, float[]> b = r1.get();
            for (String k : single.keySet()) {
                assertArrayEquals(single.get(k), a.get(k), k + " on rank 0");
                assertArrayEquals(single.get(k), b.get(k), k + " on rank 1");
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aBatchThatDoesNotSplitEvenlyIsRefused() throws Exception {
        ThreadGroup group = new ThreadGroup(4);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            // Batches of 6 over 4 processes: every rank fails before any collective call.
            Future<?> f = pool.submit(() -> train(group.member(0), 0));
            Exception e = assertThrows(java.util.concurrent.ExecutionException.class, f::get);
            assertEquals(IllegalArgumentException.class, e.getCause().getClass(), String.valueOf(e.getCause()));
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void twoMpiProcessesEqualTheSingleProcessRun() throws Exception {
        String why = MpiLaunch.unavailableReason();
        assumeTrue(why == null, why);
        Path out = tmp.resolve("ddp.safetensors");
        MpiLaunch.Outcome o = MpiLaunch.run(2, 300, MpiTrainMain.class, out.toString());
        assertEquals(0, o.exitCode(), o.output());
        Map<String, float[]> single = train(Collective.single(), 3);
        try (MemoryScope s = MemoryScope.open(); SafeTensors ddp = SafeTensors.open(out)) {
            assertEquals(single.keySet(), ddp.names());
            for (var e : single.entrySet()) {
                // Two processes sum in one order: bit for bit.
                assertArrayEquals(e.getValue(), ddp.get(e.getKey()).toFloatArray(), e.getKey());
            }
        }
    }

    /** Run under mpirun by the test above: trains with the MPI world and writes the adapters from rank 0. */
    public static final class MpiTrainMain {
        public static void main(String[] args) throws IOException {
            try (Collective world = Collective.fromEnvironment()) {
                Map<String, float[]> adapters = train(world, 0);
                if (world.isMain()) {
                    try (MemoryScope s = MemoryScope.open()) {
                        Map<String, Tensor> t = new LinkedHashMap<>();
                        adapters.forEach((k, v) -> t.put(k, Tensor.of(v, v.length)));
                        SafeTensors.write(Path.of(args[0]), t, Map.of());
                    }
                }
            }
        }
    }
}
