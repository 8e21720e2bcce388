package radapter.tensor.dist;

import radapter.tensor.DType;
import radapter.tensor.MemoryScope;
import radapter.tensor.Tensor;

/** Run under mpirun by {@link MpiCollectiveTest}: every collective once, each rank's results written to {@code ARGS[0]/rank-R.txt}. */
public final class MpiSmoke {
    public static void main(String[] args) throws java.io.IOException {
        try (Collective c = Collective.fromEnvironment(); MemoryScope s = MemoryScope.open()) {
            int r = c.rank();
            // A buffer larger than one bucket would be slow here; three elements per rank show the sums.
            Tensor t = Tensor.of(new float[] {r + 1, 10 * (r + 1), 0.5f}, 3);
            c.allReduceSum(t);
            Tensor g = c.allGather(Tensor.of(new float[] {r, -r}, 1, 2));
            Tensor b = Tensor.of(new float[] {r == 1 ? 7 : 0, r == 1 ? 8 : 0}, 2).to(DType.F64);
            c.broadcast(b, 1);
            c.barrier();
            // One file per rank: the ranks' standard outputs interleave.
            java.nio.file.Files.writeString(java.nio.file.Path.of(args[0], "rank-" + r + ".txt"), String.format("rank %d of %d: sum %s gather %s bcast %s",
                    r, c.size(), java.util.Arrays.toString(t.toFloatArray()), java.util.Arrays.toString(g.toFloatArray()),
                    java.util.Arrays.toString(b.to(DType.F32).toFloatArray())));
        }
    }
}
