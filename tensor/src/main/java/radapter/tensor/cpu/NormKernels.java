package radapter.tensor.cpu;

import static radapter.tensor.cpu.VectorMath.L;
import static radapter.tensor.cpu.VectorMath.S;
import static radapter.tensor.cpu.VectorMath.get;
import static radapter.tensor.cpu.VectorMath.load;
import static radapter.tensor.cpu.VectorMath.set;
import static radapter.tensor.cpu.VectorMath.store;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;
import radapter.tensor.Layout;
import radapter.tensor.Tensor;

/**
 * Layer normalisation over the last dimension, two-pass per row: the mean, then the biased variance
 * of the centred values, then {@code (x − mean)·rstd·w + b} with {@code rstd = 1/√(var + eps)}.
 * The mean is kept as a float pair (hi + lo) while centring so a large common offset does not cost
 * precision. Rows are shared out across the pool; rows with unit stride (and unit-stride weight and
 * bias) are vectorised, others run a scalar double-precision loop.
 */
final class NormKernels {

    private NormKernels() {}

    static void layerNorm(Tensor x, Tensor weight, Tensor bias, double eps, Tensor out, Tensor mean, Tensor rstd) {
        int r = x.dim();
        long n = r == 0 ? 1 : x.size(-1);
        if (x.numel() == 0 || n == 0) {
            return;
        }
        long rows = x.numel() / n;
        long xs = r == 0 ? 1 : x.stride(-1);
        long os = r == 0 ? 1 : out.stride(-1);
        long ws = weight == null ? 1 : weight.stride(0);
        long bs = bias == null ? 1 : bias.stride(0);
        boolean vector = xs == 1 && os == 1 && ws == 1 && bs == 1;
        MemorySegment xseg = x.segment();
        MemorySegment oseg = out.segment();
        MemorySegment wseg = weight == null ? null : weight.segment();
        MemorySegment bseg = bias == null ? null : bias.segment();
        long wo = weight == null ? 0 : weight.offset();
        long bo = bias == null ? 0 : bias.offset();
        CpuParallel.forRange(rows, CpuParallel.tasksFor(rows * n * 3), (part, lo, hi) -> {
            Layout.RowCursor cx = new Layout.RowCursor(x).seek(lo);
            Layout.RowCursor co = new Layout.RowCursor(out).seek(lo);
            for (long row = lo; row < hi; row++) {
                double[] stats = vector
                        ? contiguousRow(xseg, cx.offset(), oseg, co.offset(), n, wseg, wo, bseg, bo, eps)
                        : stridedRow(xseg, cx.offset(), xs, oseg, co.offset(), os, n, wseg, wo, ws, bseg, bo, bs, eps);
                if (mean != null) {
                    set(mean.segment(), Layout.offsetOf(mean, row), (float) stats[0]);
                }
                if (rstd != null) {
                    set(rstd.segment(), Layout.offsetOf(rstd, row), (float) stats[1]);
                }
                cx.next();
                co.next();
            }
        });
    }

    private static double[] contiguousRow(MemorySegment x, long xo, MemorySegment o, long oo, long n,
            MemorySegment w, long wo, MemorySegment b, long bo, double eps) {
        float shift = get(x, xo);
        double mu = shift + VectorMath.sumShifted(x, xo, n, shift) / n;
        float hi = (float) mu;
        float lo = (float) (mu - hi);
        double var = VectorMath.sumSquaredDeviations(x, xo, n, hi, lo) / n;
        double rs = 1.0 / Math.sqrt(var + eps);
        float rsf = (float) rs;
        FloatVector vh = FloatVector.broadcast(S, hi);
        FloatVector vl = FloatVector.broadcast(S, lo);
        FloatVector vr = FloatVector.broadcast(S, rsf);
        boolean hasW = w != null;
        boolean hasB = b != null;
        long j = 0;
        for (; j <= n - L; j += L) {
            FloatVector y = load(x, xo + j).sub(vh).sub(vl).mul(vr);
            if (hasW) {
                y = y.mul(load(w, wo + j));
            }
            if (hasB) {
                y = y.add(load(b, bo + j));
            }
            store(y, o, oo + j);
        }
        for (; j < n; j++) {
            float y = ((get(x, xo + j) - hi) - lo) * rsf;
            if (hasW) {
                y *= get(w, wo + j);
            }
            if (hasB) {
                y += get(b, bo + j);
            }
            set(o, oo + j, y);
        }
        return new double[] {mu, rs};
    }

    private static double[] stridedRow(MemorySegment x, long xo, long xs, MemorySegment o, long oo, long os, long n,
            MemorySegment w, long wo, long ws, MemorySegment b, long bo, long bs, double eps) {
        double mu = 0;
        for (long j = 0; j < n; j++) {
            mu += get(x, xo + j * xs);
        }
        mu /= n;
        double var = 0;
        for (long j = 0; j < n; j++) {
            double d = get(x, xo + j * xs) - mu;
            var += d * d;
        }
        var /= n;
        double rs = 1.0 / Math.sqrt(var + eps);
        for (long j = 0; j < n; j++) {
            double y = (get(x, xo + j * xs) - mu) * rs;
            if (w != null) {
                y *= get(w, wo + j * ws);
            }
            if (b != null) {
                y += get(b, bo + j * bs);
            }
            set(o, oo + j * os, (float) y);
        }
        return new double[] {mu, rs};
    }
}
