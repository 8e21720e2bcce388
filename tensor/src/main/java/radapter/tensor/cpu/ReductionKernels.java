package radapter.tensor.cpu;

import static radapter.tensor.cpu.VectorMath.L;
import static radapter.tensor.cpu.VectorMath.S;
import static radapter.tensor.cpu.VectorMath.get;
import static radapter.tensor.cpu.VectorMath.load;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import radapter.tensor.DType;
import radapter.tensor.Layout;
import radapter.tensor.ReduceOp;
import radapter.tensor.Tensor;

/**
 * Sum, max and min over any set of dimensions, and argmax/argmin along one.
 *
 * <p>{@link #reduce} splits x's dimensions into kept ones (the output's, in order) and reduced ones
 * (reordered by decreasing stride, which does not change the result), drops size-1 dimensions,
 * turns stride-0 reduced dimensions into a repeat count and merges what is contiguous. Then:
 * <ul>
 *   <li>if the innermost reduced dimension has stride 1, each output reduces a block of contiguous
 *       rows with vector accumulators (one big block is split across threads, many small ones are
 *       shared out);
 *   <li>else if the innermost kept dimension has stride 1 (column sums such as a bias gradient
 *       [N, D] → [D]), whole rows are combined into a tile of output columns with vector ops; sums
 *       collect blocks of 32 rows in float lanes and add the blocks into double totals, so long
 *       columns keep their precision;
 *   <li>otherwise a scalar strided walk per output element.
 * </ul>
 * Sums of contiguous runs use several vector accumulators and double between chunks; scalar
 * sums accumulate in double. Max and min propagate NaN.
 */
final class ReductionKernels {

    /** Rows folded into the float block accumulator before it is added to the double column totals. */
    private static final int COLUMN_BLOCK = 32;
    /** Output columns handled at once by the column strategy. */
    private static final int COLUMN_TILE = 1024;

    private ReductionKernels() {}

    static void reduce(ReduceOp op, Tensor x, boolean[] dims, Tensor out) {
        long outN = out.numel();
        if (outN == 0) {
            return;
        }
        long[] xs = x.shape();
        long[] xst = x.strides();
        long[] ost = out.strides();
        int rank = xs.length;
        MemorySegment xseg = x.segment();
        MemorySegment oseg = out.segment();
        long count = 1;
        for (int d = 0; d < rank; d++) {
            if (dims[d]) {
                count *= xs[d];
            }
        }
        if (count == 0) {
            ElementwiseKernels.fill(out, op.identity());
            return;
        }

        // Kept dimensions (x strides and out strides), in order, merged where both allow.
        long[] ks = new long[rank];
        long[] kx = new long[rank];
        long[] ko = new long[rank];
        int kr = 0;
        // Reduced dimensions; stride-0 ones only repeat values.
        long[] rs = new long[rank];
        long[] rx = new long[rank];
        int rr = 0;
        long repeat = 1;
        for (int d = 0; d < rank; d++) {
            if (xs[d] == 1) {
                continue;
            }
            if (dims[d]) {
                if (xst[d] == 0) {
                    repeat *= xs[d];
                } else {
                    rs[rr] = xs[d];
                    rx[rr++] = xst[d];
                }
            } else {
                if (kr > 0 && kx[kr - 1] == xst[d] * xs[d] && ko[kr - 1] == ost[d] * xs[d]) {
                    ks[kr - 1] *= xs[d];
                    kx[kr - 1] = xst[d];
                    ko[kr - 1] = ost[d];
                } else {
                    ks[kr] = xs[d];
                    kx[kr] = xst[d];
                    ko[kr++] = ost[d];
                }
            }
        }
        ks = Arrays.copyOf(ks, kr);
        kx = Arrays.copyOf(kx, kr);
        ko = Arrays.copyOf(ko, kr);
        long[][] red = sortAndMerge(Arrays.copyOf(rs, rr), Arrays.copyOf(rx, rr));
        rs = red[0];
        rx = red[1];
        rr = rs.length;

        if (rr == 0) {
            // Nothing left to fold: a copy, times the repeat count for sums.
            Tensor xv = new Tensor(DType.F32, ks, kx, x.offset(), x.storage());
            Tensor ov = new Tensor(DType.F32, ks, ko, out.offset(), out.storage());
            ElementwiseKernels.copy(xv, ov);
            if (op == ReduceOp.SUM && repeat != 1) {
                // out is contiguous and the kept view covers all of it.
                VectorMath.scale(oseg, out.offset(), outN, (float) repeat);
            }
            return;
        }
        float factor = op == ReduceOp.SUM ? (float) repeat : 1f;
        long blockN = 1;
        for (long s : rs) {
            blockN *= s;
        }
        if (rx[rr - 1] != 1 && kr > 0 && kx[kr - 1] == 1 && ko[kr - 1] == 1) {
            columns(op, xseg, x.offset(), ks, kx, rs, rx, oseg, out.offset(), ko, factor, blockN);
        } else {
            blocks(op, xseg, x.offset(), ks, kx, rs, rx, oseg, out.offset(), ko, factor, outN, blockN);
        }
    }

    /** Reduced dims by decreasing |stride| (stable), then neighbours merged when contiguous. */
    private static long[][] sortAndMerge(long[] size, long[] stride) {
        int n = size.length;
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (p, q) -> Long.compare(Math.abs(stride[q]), Math.abs(stride[p])));
        long[] ms = new long[n];
        long[] mx = new long[n];
        int m = 0;
        for (int j = 0; j < n; j++) {
            long s = size[order[j]];
            long st = stride[order[j]];
            if (m > 0 && mx[m - 1] == st * s) {
                ms[m - 1] *= s;
                mx[m - 1] = st;
            } else {
                ms[m] = s;
                mx[m++] = st;
            }
        }
        return new long[][] {Arrays.copyOf(ms, m), Arrays.copyOf(mx, m)};
    }

    // ------------------------------------------------------------------ one block per output

    private static void blocks(ReduceOp op, MemorySegment x, long xOrigin, long[] ks, long[] kx, long[] rs, long[] rx,
            MemorySegment o, long oOrigin, long[] ko, float factor, long outN, long blockN) {
        int tasks = CpuParallel.tasksFor(outN * blockN);
        if (tasks <= 1 || outN >= 2L * CpuThreads.parallelism() || blockN < 2 * CpuParallel.GRAIN) {
            CpuParallel.forRange(outN, tasks, (part, lo, hi) -> {
                long[] counter = new long[ks.length];
                long xo = seek(lo, ks, kx, counter, xOrigin);
                long oo = offsetOf(lo, ks, ko, oOrigin);
                long[] ocounter = counter.clone();
                for (long i = lo; i < hi; i++) {
                    double v = block(op, x, xo, rs, rx, 0, blockN);
                    VectorMath.set(o, oo, (float) v * factor);
                    xo = step(ks, kx, counter, xo);
                    oo = step(ks, ko, ocounter, oo);
                }
            });
            return;
        }
        // Few outputs with big blocks: split each block across the pool.
        long[] counter = new long[ks.length];
        long xo = xOrigin;
        long[] ocounter = new long[ks.length];
        long oo = oOrigin;
        for (long i = 0; i < outN; i++) {
            double[] partial = new double[tasks];
            long base = xo;
            int used = CpuParallel.forRange(blockN, tasks, (part, lo, hi) -> partial[part] = block(op, x, base, rs, rx, lo, hi));
            double v = op.identity();
            for (int p = 0; p < used; p++) {
                v = op.combine(v, partial[p]);
            }
            VectorMath.set(o, oo, (float) v * factor);
            xo = step(ks, kx, counter, xo);
            oo = step(ks, ko, ocounter, oo);
        }
    }

    /** Folds elements {@code [from, to)} (row-major over {@code rs}) of the block at {@code base}. */
    private static double block(ReduceOp op, MemorySegment x, long base, long[] rs, long[] rx, long from, long to) {
        int rr = rs.length;
        long inner = rs[rr - 1];
        long is = rx[rr - 1];
        if (rr == 1) {
            return run(op, x, base + from * is, is, to - from);
        }
        long[] counter = new long[rr - 1];
        long row = from / inner;
        long col = from - row * inner;
        long rowOff = base;
        for (int d = rr - 2; d >= 0; d--) {
            counter[d] = row % rs[d];
            row /= rs[d];
            rowOff += counter[d] * rx[d];
        }
        double acc = op.identity();
        long pos = from;
        while (pos < to) {
            long len = Math.min(inner - col, to - pos);
            acc = op.combine(acc, run(op, x, rowOff + col * is, is, len));
            pos += len;
            col = 0;
            for (int d = rr - 2; d >= 0; d--) {
                rowOff += rx[d];
                if (++counter[d] < rs[d]) {
                    break;
                }
                rowOff -= rx[d] * rs[d];
                counter[d] = 0;
            }
        }
        return acc;
    }

    /** Folds {@code n ≥ 1} elements at {@code off} with stride {@code stride}. */
    private static double run(ReduceOp op, MemorySegment x, long off, long stride, long n) {
        if (stride == 1) {
            return switch (op) {
                case SUM -> VectorMath.sum(x, off, n);
                case MAX -> VectorMath.max(x, off, n);
                case MIN -> VectorMath.min(x, off, n);
            };
        }
        switch (op) {
            case SUM -> {
                double s = 0;
                for (long i = 0; i < n; i++) {
                    s += get(x, off + i * stride);
                }
                return s;
            }
            case MAX -> {
                float m = Float.NEGATIVE_INFINITY;
                for (long i = 0; i < n; i++) {
                    m = Math.max(m, get(x, off + i * stride));
                }
                return m;
            }
            default -> {
                float m = Float.POSITIVE_INFINITY;
                for (long i = 0; i < n; i++) {
                    m = Math.min(m, get(x, off + i * stride));
                }
                return m;
            }
        }
    }

    // ------------------------------------------------------------------ columns

    /**
     * The innermost kept dimension (size {@code C}) has stride 1 in x and out: for each tile of
     * output columns, fold whole x rows into the tile.
     */
    private static void columns(ReduceOp op, MemorySegment x, long xOrigin, long[] ks, long[] kx, long[] rs, long[] rx,
            MemorySegment o, long oOrigin, long[] ko, float factor, long blockN) {
        int kr = ks.length;
        long c = ks[kr - 1];
        long outerCount = 1;
        for (int d = 0; d < kr - 1; d++) {
            outerCount *= ks[d];
        }
        long[] outerShape = Arrays.copyOf(ks, kr - 1);
        long[] outerX = Arrays.copyOf(kx, kr - 1);
        long[] outerO = Arrays.copyOf(ko, kr - 1);
        int tasks = CpuParallel.tasksFor(outerCount * c * blockN);
        long tile = Math.min(c, COLUMN_TILE);
        if (tasks > 1 && outerCount * StridedRows.ceilDiv(c, tile) < tasks) {
            long perOuter = StridedRows.ceilDiv(tasks, outerCount);
            tile = Math.max(L, StridedRows.ceilDiv(StridedRows.ceilDiv(c, perOuter), L) * L);
            tile = Math.min(tile, c);
        }
        long tileW = tile;
        long tiles = StridedRows.ceilDiv(c, tileW);
        CpuParallel.forRange(outerCount * tiles, tasks, (part, lo, hi) -> {
            float[] acc = new float[(int) tileW];
            float[] blk = new float[(int) tileW];
            double[] total = op == ReduceOp.SUM ? new double[(int) tileW] : null;
            for (long item = lo; item < hi; item++) {
                long outer = item / tiles;
                long j0 = (item - outer * tiles) * tileW;
                int w = (int) Math.min(tileW, c - j0);
                long xb = offsetOf(outer, outerShape, outerX, xOrigin) + j0;
                long ob = offsetOf(outer, outerShape, outerO, oOrigin) + j0;
                if (total != null) {
                    sumColumns(x, xb, rs, rx, blockN, w, blk, total);
                    for (int j = 0; j < w; j++) {
                        acc[j] = (float) total[j] * factor;
                    }
                } else {
                    extremeColumns(op == ReduceOp.MAX, x, xb, rs, rx, blockN, w, acc);
                }
                MemorySegment.copy(acc, 0, o, VectorMath.F, ob << 2, w);
            }
        });
    }

    /** total[0..w) ← Σ over every reduced position p of x[base + off(p) + j], in float blocks of rows added in double. */
    private static void sumColumns(MemorySegment x, long base, long[] rs, long[] rx, long blockN, int w,
            float[] blk, double[] total) {
        long[] counter = new long[rs.length];
        long off = base;
        Arrays.fill(total, 0, w, 0.0);
        long done = 0;
        while (done < blockN) {
            int n = (int) Math.min(COLUMN_BLOCK, blockN - done);
            Arrays.fill(blk, 0, w, 0f);
            for (int r = 0; r < n; r++) {
                addRow(x, off, blk, w);
                off = step(rs, rx, counter, off);
            }
            for (int j = 0; j < w; j++) {
                total[j] += blk[j];
            }
            done += n;
        }
    }

    /** acc[0..w) ← max (or min) over every reduced position p of x[base + off(p) + j]; NaN wins. */
    private static void extremeColumns(boolean max, MemorySegment x, long base, long[] rs, long[] rx, long blockN, int w,
            float[] acc) {
        long[] counter = new long[rs.length];
        long off = base;
        Arrays.fill(acc, 0, w, max ? Float.NEGATIVE_INFINITY : Float.POSITIVE_INFINITY);
        for (long r = 0; r < blockN; r++) {
            extremeRow(max, x, off, acc, w);
            off = step(rs, rx, counter, off);
        }
    }

    private static void addRow(MemorySegment x, long off, float[] acc, int w) {
        int j = 0;
        for (; j <= w - L; j += L) {
            FloatVector.fromArray(S, acc, j).add(load(x, off + j)).intoArray(acc, j);
        }
        for (; j < w; j++) {
            acc[j] += get(x, off + j);
        }
    }

    private static void extremeRow(boolean max, MemorySegment x, long off, float[] acc, int w) {
        int j = 0;
        if (max) {
            for (; j <= w - L; j += L) {
                FloatVector.fromArray(S, acc, j).max(load(x, off + j)).intoArray(acc, j);
            }
            for (; j < w; j++) {
                acc[j] = Math.max(acc[j], get(x, off + j));
            }
        } else {
            for (; j <= w - L; j += L) {
                FloatVector.fromArray(S, acc, j).min(load(x, off + j)).intoArray(acc, j);
            }
            for (; j < w; j++) {
                acc[j] = Math.min(acc[j], get(x, off + j));
            }
        }
    }

    // ------------------------------------------------------------------ index helpers

    /** Offset of row-major position {@code linear} over {@code shape} with {@code strides}. */
    private static long offsetOf(long linear, long[] shape, long[] strides, long origin) {
        long at = origin;
        for (int d = shape.length - 1; d >= 0; d--) {
            at += (linear % shape[d]) * strides[d];
            linear /= shape[d];
        }
        return at;
    }

    /** Sets {@code counter} to the coordinates of {@code linear} and returns its offset. */
    private static long seek(long linear, long[] shape, long[] strides, long[] counter, long origin) {
        long at = origin;
        for (int d = shape.length - 1; d >= 0; d--) {
            counter[d] = linear % shape[d];
            linear /= shape[d];
            at += counter[d] * strides[d];
        }
        return at;
    }

    /** Advances {@code counter} by one row-major position and returns the new offset. */
    private static long step(long[] shape, long[] strides, long[] counter, long at) {
        for (int d = shape.length - 1; d >= 0; d--) {
            at += strides[d];
            if (++counter[d] < shape[d]) {
                return at;
            }
            at -= strides[d] * shape[d];
            counter[d] = 0;
        }
        return at;
    }

    // ------------------------------------------------------------------ argmax / argmin

    static void argReduce(boolean max, Tensor x, int dim, Tensor out) {
        long rows = out.numel();
        if (rows == 0) {
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
        long n = x.size(dim);
        long stride = x.stride(dim);
        MemorySegment xs = x.segment();
        MemorySegment os = out.segment();
        long oo = out.offset();
        CpuParallel.forRange(rows, CpuParallel.tasksFor(rows * n), (part, lo, hi) -> {
            Layout.RowCursor cur = new Layout.RowCursor(xv).seek(lo);
            for (long row = lo; row < hi; row++) {
                long idx = stride == 1 ? argContiguous(max, xs, cur.offset(), n) : argStrided(max, xs, cur.offset(), stride, n);
                os.setAtIndex(ValueLayout.JAVA_LONG_UNALIGNED, oo + row, idx);
                cur.next();
            }
        });
    }

    /** First index of the extreme (NaN counting as extreme) of a strided run, like the reference's scan. */
    private static long argStrided(boolean max, MemorySegment x, long off, long stride, long n) {
        long best = 0;
        float bestV = get(x, off);
        for (long j = 1; j < n && bestV == bestV; j++) {
            float v = get(x, off + j * stride);
            if (v != v || (max ? v > bestV : v < bestV)) {
                best = j;
                bestV = v;
            }
        }
        return best;
    }

    /**
     * Contiguous run: the extreme by a vector reduction (NaN-propagating), then the first lane that
     * equals it (or the first NaN) by vector compares.
     */
    private static long argContiguous(boolean max, MemorySegment x, long off, long n) {
        if (n < L) {
            return argStrided(max, x, off, 1, n);
        }
        float m = max ? VectorMath.max(x, off, n) : VectorMath.min(x, off, n);
        boolean nan = m != m;
        FloatVector vm = FloatVector.broadcast(S, m);
        long i = 0;
        for (; i <= n - L; i += L) {
            FloatVector v = load(x, off + i);
            VectorMask<Float> hit = nan ? v.test(VectorOperators.IS_NAN) : v.compare(VectorOperators.EQ, vm);
            if (hit.anyTrue()) {
                return i + hit.firstTrue();
            }
        }
        for (; i < n; i++) {
            float v = get(x, off + i);
            if (nan ? v != v : v == m) {
                return i;
            }
        }
        return 0;
    }
}
