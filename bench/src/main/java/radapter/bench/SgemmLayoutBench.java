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
 * radapter's SGEMM with transposed operands, expressed purely through strides (no copies):
 * {@code layout} is two letters for A and B, {@code n} = stored as is (row-major), {@code t} =
 * stored transposed (A as K x M, B as N x K, both row-major). Packing absorbs the difference, so
 * all four should be close to {@code nn}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 4, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class SgemmLayoutBench {

    /** {@code MxNxK}. */
    @Param({"1024x1024x1024", "2048x2048x2048"})
    public String shape;

    @Param({"nn", "tn", "nt", "tt"})
    public String layout;

    private int m;
    private int n;
    private int k;
    private long ars;
    private long acs;
    private long brs;
    private long bcs;
    private Arena arena;
    private MemorySegment a;
    private MemorySegment b;
    private MemorySegment c;

    @Setup(Level.Trial)
    public void setup() {
        int[] d = SgemmBench.dims(shape);
        m = d[0];
        n = d[1];
        k = d[2];
        boolean ta = layout.charAt(0) == 't';
        boolean tb = layout.charAt(1) == 't';
        ars = ta ? 1 : k;
        acs = ta ? m : 1;
        brs = tb ? 1 : n;
        bcs = tb ? k : 1;
        SplittableRandom rnd = new SplittableRandom(42);
        arena = Arena.ofShared();
        a = SgemmBench.random(arena, (long) m * k, rnd);
        b = SgemmBench.random(arena, (long) k * n, rnd);
        c = arena.allocate((long) m * n * 4, 64);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        arena.close();
    }

    @Benchmark
    public MemorySegment radapter() {
        Sgemm.sgemm(m, n, k, a, 0, ars, acs, b, 0, brs, bcs, c, 0, n, 1, false);
        return c;
    }
}
