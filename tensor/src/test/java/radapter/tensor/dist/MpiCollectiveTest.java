package radapter.tensor.dist;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import radapter.tensor.DType;
import radapter.tensor.MemoryScope;
import radapter.tensor.Tensor;

class MpiCollectiveTest {

    @Test
    void aSingleProcessGroupLeavesTensorsAsTheyAre() {
        try (MemoryScope s = MemoryScope.open()) {
            Collective c = Collective.single();
            assertEquals(0, c.rank());
            assertEquals(1, c.size());
            Tensor t = Tensor.of(new float[] {1, 2}, 2);
            c.allReduceSum(t);
            assertArrayEquals(new float[] {1, 2}, t.toFloatArray());
            Tensor g = c.allGather(t);
            assertArrayEquals(new float[] {1, 2}, g.toFloatArray());
            g.copy_(Tensor.of(new float[] {5, 5}, 2));
            assertArrayEquals(new float[] {1, 2}, t.toFloatArray(), "allGather returns a new tensor");
            assertThrows(IllegalArgumentException.class, () -> c.broadcast(t, 1));
            assertThrows(IllegalArgumentException.class, () -> c.allReduceSum(Tensor.ofLongs(new long[] {1}, 1)));
        }
    }

    @Test
    void withoutAnMpiLauncherTheGroupIsThisProcess() {
        assumeTrue(System.getenv("OMPI_COMM_WORLD_SIZE") == null && System.getenv("PMI_SIZE") == null);
        assertEquals(1, Collective.launchedSize());
        assertEquals(1, Collective.fromEnvironment().size());
    }

    @TempDir
    Path tmp;

    @Test
    void twoMpiProcessesReduceGatherAndBroadcast() throws Exception {
        String why = MpiLaunch.unavailableReason();
        assumeTrue(why == null, why);
        MpiLaunch.Outcome o = MpiLaunch.run(2, 120, MpiSmoke.class, tmp.toString());
        assertEquals(0, o.exitCode(), o.output());
        for (int r = 0; r < 2; r++) {
            assertEquals("rank " + r + " of 2: sum [3.0, 30.0, 1.0] gather [0.0, 0.0, 1.0, -1.0] bcast [7.0, 8.0]",
                    Files.readString(tmp.resolve("rank-" + r + ".txt")), o.output());
        }
    }

    @Test
    void f64TensorsReduceToo() {
        try (MemoryScope s = MemoryScope.open()) {
            Tensor t = Tensor.of(new float[] {1}, 1).to(DType.F64);
            Collective.single().allReduceSum(t);
            assertEquals(1.0, t.to(DType.F32).toFloatArray()[0]);
        }
    }
}
