package radapter.tensor.cpu;

import java.util.concurrent.RecursiveAction;

/**
 * Range splitting for the {@code cpu} backend's non-GEMM kernels: a range of work items is cut into
 * a few contiguous pieces that run on {@link CpuThreads#pool()}; small work stays on the calling
 * thread.
 */
final class CpuParallel {

    /**
     * Work (roughly: elements touched, weighted by cost per element) below which a piece is not
     * worth a task of its own; forking and joining costs a few microseconds.
     */
    static final long GRAIN = 32_768;

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
     * {@code n} is smaller), in the compute pool when there are several, and waits for all of them.
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
        RecursiveAction[] pieces = new RecursiveAction[t];
        for (int i = 0; i < t; i++) {
            long lo = split(n, i, t);
            long hi = split(n, i + 1, t);
            int part = i;
            pieces[i] = new RecursiveAction() {
                @Override
                protected void compute() {
                    body.run(part, lo, hi);
                }
            };
        }
        CpuThreads.invoke(new RecursiveAction() {
            @Override
            protected void compute() {
                invokeAll(pieces);
            }
        });
        return t;
    }

    /** Start of piece {@code i} of {@code t} over {@code n} items (balanced, without overflow for realistic n). */
    private static long split(long n, int i, int t) {
        return n / t * i + Math.min(i, n % t);
    }
}
