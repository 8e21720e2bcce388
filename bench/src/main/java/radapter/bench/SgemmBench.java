package radapter.bench;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.ojalgo.matrix.store.R032Store;
import org.ojalgo.matrix.store.R064Store;
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
import org.openjdk.jmh.infra.BenchmarkParams;
import radapter.tensor.cpu.Sgemm;

/**
 * C = A B in float32 for square and CLIP ViT-B/16 shapes: radapter's {@link Sgemm#sgemm} against
 * ojAlgo's dense stores ({@link R032Store}, float32, and {@link R064Store}, float64), both with
 * {@code fillByMultiplying} into a preallocated result. All operands row-major, no transposes
 * (ojAlgo's stores are column-major internally; it sees the same logical product). The naive
 * triple loop lives in {@link SgemmNaiveBench} (small shapes only).
 *
 * <p>Shapes are {@code MxNxK}: C is M x N, the reduction is K deep. FLOPs per op = 2 M N K;
 * {@link BenchMain} turns the times into GFLOP/s.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 4, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class SgemmBench {

    /** {@code MxNxK}. 3152 = 197 tokens x 16 images; (N, K) = qkv, MLP up, MLP down projections. */
    @Param({"256x256x256", "512x512x512", "1024x1024x1024", "2048x2048x2048",
        "3152x2304x768", "3152x3072x768", "3152x768x3072"})
    public String shape;

    int m;
    int n;
    int k;

    private Arena arena;
    private MemorySegment a;
    private MemorySegment b;
    private MemorySegment c;

    private R032Store a32;
    private R032Store b32;
    private R032Store c32;
    private R064Store a64;
    private R064Store b64;
    private R064Store c64;

    /** Parses {@code MxNxK}. */
    static int[] dims(String shape) {
        String[] p = shape.split("x");
        return new int[] {Integer.parseInt(p[0]), Integer.parseInt(p[1]), Integer.parseInt(p[2])};
    }

    @Setup(Level.Trial)
    public void setup(BenchmarkParams params) {
        int[] d = dims(shape);
        m = d[0];
        n = d[1];
        k = d[2];
        SplittableRandom rnd = new SplittableRandom(42);
        String method = params.getBenchmark();
        if (method.endsWith(".radapter")) {
            arena = Arena.ofShared();
            a = random(arena, (long) m * k, rnd);
            b = random(arena, (long) k * n, rnd);
            c = arena.allocate((long) m * n * 4, 64);
        } else if (method.endsWith(".ojalgoR032")) {
            a32 = R032Store.FACTORY.make(m, k);
            b32 = R032Store.FACTORY.make(k, n);
            c32 = R032Store.FACTORY.make(m, n);
            fill(a32, rnd);
            fill(b32, rnd);
        } else if (method.endsWith(".ojalgoR064")) {
            a64 = R064Store.FACTORY.make(m, k);
            b64 = R064Store.FACTORY.make(k, n);
            c64 = R064Store.FACTORY.make(m, n);
            fill(a64, rnd);
            fill(b64, rnd);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        if (arena != null) {
            arena.close();
            arena = null;
        }
    }

    static MemorySegment random(Arena arena, long floats, SplittableRandom rnd) {
        MemorySegment s = arena.allocate(floats * 4, 64);
        for (long i = 0; i < floats; i++) {
            s.setAtIndex(ValueLayout.JAVA_FLOAT, i, (float) (rnd.nextDouble() * 2 - 1));
        }
        return s;
    }

    private static void fill(R032Store s, SplittableRandom rnd) {
        for (int i = 0; i < (int) s.countRows(); i++) {
            for (int j = 0; j < (int) s.countColumns(); j++) {
                s.set(i, j, rnd.nextDouble() * 2 - 1);
            }
        }
    }

    private static void fill(R064Store s, SplittableRandom rnd) {
        for (int i = 0; i < (int) s.countRows(); i++) {
            for (int j = 0; j < (int) s.countColumns(); j++) {
                s.set(i, j, rnd.nextDouble() * 2 - 1);
            }
        }
    }

    /** radapter: packed, blocked, Vector API micro-kernel, parallel on the shared pool. */
    @Benchmark
    public MemorySegment radapter() {
        Sgemm.sgemm(m, n, k, a, 0, k, 1, b, 0, n, 1, c, 0, n, 1, false);
        return c;
    }

    /** ojAlgo float32 dense store. */
    @Benchmark
    public R032Store ojalgoR032() {
        c32.fillByMultiplying(a32, b32);
        return c32;
    }

    /** ojAlgo float64 dense store (its most tuned path; twice the bytes per element). */
    @Benchmark
    public R064Store ojalgoR064() {
        c64.fillByMultiplying(a64, b64);
        return c64;
    }
}
