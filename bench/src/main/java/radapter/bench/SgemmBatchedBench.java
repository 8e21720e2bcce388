package radapter.bench;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import radapter.tensor.cpu.Sgemm;

/**
 * Attention-sized batches (CLIP ViT-B/16, 12 heads x 16 images = 192 products of 197 tokens):
 * {@link Sgemm#sgemmBatched} against a loop of {@link Sgemm#sgemm} calls over the same operands.
 * {@code shape} is {@code BxMxNxK}; {@code bT} stores B transposed (N x K), as for Q K^T.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 4, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class SgemmBatchedBench {

    /** {@code BxMxNxK[:bT]}: scores Q K^T (B transposed) and context P V. */
    @Param({"192x197x197x64:bT", "192x197x64x197"})
    public String shape;

    private int batch;
    private int m;
    private int n;
    private int k;
    private long brs;
    private long bcs;
    private Arena arena;
    private MemorySegment a;
    private MemorySegment b;
    private MemorySegment c;

    @Setup(Level.Trial)
    public void setup() {
        String[] parts = shape.split(":");
        String[] d = parts[0].split("x");
        batch = Integer.parseInt(d[0]);
        m = Integer.parseInt(d[1]);
        n = Integer.parseInt(d[2]);
        k = Integer.parseInt(d[3]);
        boolean tb = parts.length > 1 && parts[1].equals("bT");
        brs = tb ? 1 : n;
        bcs = tb ? k : 1;
        SplittableRandom rnd = new SplittableRandom(42);
        arena = Arena.ofShared();
        a = SgemmBench.random(arena, (long) batch * m * k, rnd);
        b = SgemmBench.random(arena, (long) batch * k * n, rnd);
        c = arena.allocate((long) batch * m * n * 4, 64);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        arena.close();
    }

    @Benchmark
    public MemorySegment batched() {
        Sgemm.sgemmBatched(batch, m, n, k, a, 0, (long) m * k, k, 1, b, 0, (long) k * n, brs, bcs,
                c, 0, (long) m * n, n, 1, false);
        return c;
    }

    @Benchmark
    public MemorySegment loop() {
        for (int p = 0; p < batch; p++) {
            Sgemm.sgemm(m, n, k, a, (long) p * m * k, k, 1, b, (long) p * k * n, brs, bcs,
                    c, (long) p * m * n, n, 1, false);
        }
        return c;
    }
}
