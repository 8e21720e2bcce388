package radapter.tensor.cpu;

/**
 * Range splitting for the {@code cpu} backend's non-GEMM kernels: a range of work items is cut into
 * a few contiguous pieces that run on the calling thread and the {@link CpuThreads} helpers; small work stays on the calling
 * thread.
 */
final class CpuParallel {

    /**
     * Work (roughly: elements touched, weighted by cost per element) below which a piece is not
     * worth a task of its own. Handing a piece to an awake {@link CpuThreads} helper costs about a
     * microsecond (a few cache-line transfers), so pieces of a few thousand elements already pay;
     * {@code radapter.cpu.grain} overrides it.
     */
    static final long GRAIN = Long.getLong("radapter.cpu.grain", 8_192L);

    private CpuParallel() {}

    /** Body of a split loop: handles items {@code [from, to)}; {@code part} numbers the piece. */
    interface RangeBody {
        void run(int part, long from, long to);
    }

    /** How many pieces {@code work} units deserve: 1 when small or single-threaded, else up to 4 per thread. */
    static int tasksFor(long work) {
        int p = CpuThreads.parallelism();
        if (p <= 1 || work < 2 * GRAIN) {
            return 1;
        }
        return (int) Math.max(1, Math.min(4L * p, work / GRAIN));
    }

    /**
     * Runs {@code body} over {@code [0, n)} in at most {@code parts} contiguous pieces (fewer when
     * {@code n} is smaller), on the calling thread and the helpers when there are several, and waits for all of them.
     * Returns the number of pieces used.
     */
    static int forRange(long n, int parts, RangeBody body) {
        if (n <= 0) {
            return 0;
        }
        int t = (int) Math.min(Math.max(parts, 1), n);
        if (t == 1) {
            body.run(0, 0, n);
            return 1;
        }
        CpuThreads.parallelFor(t, i -> body.run(i, split(n, i, t), split(n, i + 1, t)));
        return t;
    }

    /** Start of piece {@code i} of {@code t} over {@code n} items (balanced, without overflow for realistic n). */
    private static long split(long n, int i, int t) {
        return n / t * i + Math.min(i, n % t);
    }
}
