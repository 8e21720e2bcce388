package radapter.adapters.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Path;
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
 * and across real processes under {@code mpirun -np 2} when Open MPI is installed.
 */
class DataParallelTrainingTest {
    @TempDir
    Path tmp;

    /** Trains the tiny model for three steps (no adapter dropping: masks are per-rank streams) and returns the adapters. */
    static Map<String, float[]> train(Collective group, int microBatch) throws IOException {
        try (MemoryScope model = MemoryScope.open();
                LoadedClip m = ClipLoader.load(Shared.fixtures("tiny_clip/model_openai.safetensors"), null)) {
            AdaptedClip ac = AdaptedClip.install(m.clip(), AdapterConfig.builder().ranks(128, 16).dropPath(0).build(), new Rng(5));
            FineTunerTest.recipe(ac, 3).microBatch(microBatch).collective(group).build().run(FineTunerTest.source(6));
            return FineTunerTest.adapters(ac);
        }
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
