package radapter.tensor.cpu;

import static radapter.tensor.cpu.VectorMath.L;
import static radapter.tensor.cpu.VectorMath.S;
import static radapter.tensor.cpu.VectorMath.get;
import static radapter.tensor.cpu.VectorMath.load;
import static radapter.tensor.cpu.VectorMath.set;
import static radapter.tensor.cpu.VectorMath.store;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import radapter.tensor.Layout;
import radapter.tensor.Tensor;

/**
 * Softmax and log-softmax along one dimension. Rows (the softmax dimension moved last by a view)
 * are walked with {@link Layout.RowCursor} and shared out across the pool. A row with unit stride
 * in both x and out takes three vector passes: the maximum, e^{x−max} (stored) and its sum (the
 * row's tail as one masked vector step), then the scaling; strided rows use a scalar
 * double-precision loop.
 */
final class SoftmaxKernels {

    private SoftmaxKernels() {}

    static void softmax(Tensor x, int dim, boolean log, Tensor out) {
        if (out.numel() == 0) {
            return;
        }
        int r = x.dim();
        int[] order = new int[r];
        for (int d = 0, j = 0; d < r; d++) {
            if (d != dim) {
                order[j++] = d;
            }
        }
        order[r - 1] = dim;
        Tensor xv = x.permute(order);
        Tensor ov = out.permute(order);
        long n = x.size(dim);
        long rows = out.numel() / n;
        long xs = x.stride(dim);
        long os = out.stride(dim);
        MemorySegment xseg = x.segment();
        MemorySegment oseg = out.segment();
        CpuParallel.forRange(rows, CpuParallel.tasksFor(rows * n * 6), (part, lo, hi) -> {
            Layout.RowCursor cx = new Layout.RowCursor(xv).seek(lo);
            Layout.RowCursor co = new Layout.RowCursor(ov).seek(lo);
            for (long row = lo; row < hi; row++) {
                if (xs == 1 && os == 1) {
                    contiguousRow(xseg, cx.offset(), oseg, co.offset(), n, log);
                } else {
                    stridedRow(xseg, cx.offset(), xs, oseg, co.offset(), os, n, log);
                }
                cx.next();
                co.next();
            }
        });
    }

    private static void contiguousRow(MemorySegment x, long xo, MemorySegment o, long oo, long n, boolean log) {
        float max = VectorMath.max(x, xo, n);
        double sum = 0;
        for (long i = 0; i < n; i += VectorMath.SUM_CHUNK) {
            // Chunks keep the float lane sums short; their totals add up in double.
            int len = (int) Math.min(VectorMath.SUM_CHUNK, n - i);
            sum += log ? expSum(x, xo + i, len, max) : expStoreSum(x, xo + i, o, oo + i, len, max);
        }
        if (log) {
            logFinish(x, xo, o, oo, n, max, (float) Math.log(sum));
        } else {
            VectorMath.scale(o, oo, n, (float) (1.0 / sum));
        }
    }

    /** o ← e^{x − max} and returns its sum; the tail runs as one masked vector step. */
    private static double expStoreSum(MemorySegment x, long xo, MemorySegment o, long oo, int n, float max) {
        FloatVector vmax = FloatVector.broadcast(S, max);
        FloatVector acc = FloatVector.zero(S);
        int j = 0;
        for (; j <= n - L; j += L) {
            FloatVector e = VectorMath.exp(load(x, xo + j).sub(vmax));
            store(e, o, oo + j);
            acc = acc.add(e);
        }
        if (j < n) {
            VectorMask<Float> m = S.indexInRange(j, n);
            FloatVector e = VectorMath.exp(FloatVector.fromMemorySegment(S, x, (xo + j) << 2, VectorMath.NO, m).sub(vmax));
            e.intoMemorySegment(o, (oo + j) << 2, VectorMath.NO, m);
            acc = acc.add(e, m);
        }
        return VectorMath.sumLanes(acc);
    }

    /** Σ e^{x − max}, for log-softmax (nothing stored). */
    private static double expSum(MemorySegment x, long xo, int n, float max) {
        FloatVector vmax = FloatVector.broadcast(S, max);
        FloatVector acc = FloatVector.zero(S);
        int j = 0;
        for (; j <= n - L; j += L) {
            acc = acc.add(VectorMath.exp(load(x, xo + j).sub(vmax)));
        }
        if (j < n) {
            VectorMask<Float> m = S.indexInRange(j, n);
            FloatVector e = VectorMath.exp(FloatVector.fromMemorySegment(S, x, (xo + j) << 2, VectorMath.NO, m).sub(vmax));
            acc = acc.add(e, m);
        }
        return VectorMath.sumLanes(acc);
    }

    /** o ← (x − max) − lse. */
    private static void logFinish(MemorySegment x, long xo, MemorySegment o, long oo, long n, float max, float lse) {
        FloatVector vmax = FloatVector.broadcast(S, max);
        FloatVector vl = FloatVector.broadcast(S, lse);
        long j = 0;
        for (; j <= n - L; j += L) {
            store(load(x, xo + j).sub(vmax).sub(vl), o, oo + j);
        }
        for (; j < n; j++) {
            set(o, oo + j, (get(x, xo + j) - max) - lse);
        }
    }

    private static void stridedRow(MemorySegment x, long xo, long xs, MemorySegment o, long oo, long os, long n, boolean log) {
        double max = Double.NEGATIVE_INFINITY;
        for (long j = 0; j < n; j++) {
            max = Math.max(max, get(x, xo + j * xs));
        }
        double sum = 0;
        for (long j = 0; j < n; j++) {
            sum += Math.exp(get(x, xo + j * xs) - max);
        }
        double lse = Math.log(sum);
        for (long j = 0; j < n; j++) {
            double v = get(x, xo + j * xs) - max;
            set(o, oo + j * os, (float) (log ? v - lse : Math.exp(v) / sum));
        }
    }
}
