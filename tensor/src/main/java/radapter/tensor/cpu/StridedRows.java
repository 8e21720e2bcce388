package radapter.tensor.cpu;

import radapter.tensor.Tensor;

/**
 * Joint row walk over several tensors of one shape (an output and its already broadcast inputs).
 *
 * <p>The shape is first simplified for all operands at once: size-1 dimensions are dropped and
 * neighbouring dimensions are merged wherever every operand's strides allow, so contiguous
 * operands become a single long row and a bias broadcast over rows becomes rows whose inner
 * stride is 1 for every operand (with an outer stride of 0 for the bias). Rows are then handed to a
 * {@link RowFn} as start offsets (one per operand, in elements) plus a length; each operand's stride
 * along the row is {@link #innerStride(int)}. Large walks are split into pieces of whole rows, or of
 * row segments when there are fewer rows than pieces, and run in parallel.
 */
final class StridedRows {

    /** Longest row segment handed out at once (keeps lengths in int range). */
    private static final long MAX_SEGMENT = 1L << 20;

    private final int operands;
    private final int rank;
    private final long[] shape;
    private final long[][] strides;
    private final long[] origin;
    private final long rows;
    private final long inner;

    /** Called for each row segment; {@code offsets} is reused and must not be kept. */
    interface RowFn {
        void row(long[] offsets, int length);
    }

    private StridedRows(long[] shape, long[][] strides, long[] origin) {
        this.operands = origin.length;
        this.rank = shape.length;
        this.shape = shape;
        this.strides = strides;
        this.origin = origin;
        long r = 1;
        for (int d = 0; d < rank - 1; d++) {
            r *= shape[d];
        }
        this.inner = shape[rank - 1];
        this.rows = inner == 0 ? 0 : r;
    }

    /** Walk over {@code shape} for tensors that all have that shape (any strides). */
    static StridedRows of(long[] shape, Tensor... ts) {
        long[][] st = new long[ts.length][];
        long[] origin = new long[ts.length];
        for (int i = 0; i < ts.length; i++) {
            st[i] = ts[i].strides();
            origin[i] = ts[i].offset();
        }
        return of(shape, st, origin);
    }

    /** Walk over {@code shape} with explicit per-operand strides and offsets. */
    static StridedRows of(long[] shape, long[][] st, long[] origin) {
        int k = origin.length;
        int n = shape.length;
        long[] cs = new long[n];
        long[][] cst = new long[k][n];
        int m = 0;
        for (int d = n - 1; d >= 0; d--) {
            long size = shape[d];
            if (size == 1) {
                continue;
            }
            if (m > 0 && size != 0 && cs[m - 1] != 0) {
                boolean merge = true;
                for (int i = 0; i < k && merge; i++) {
                    merge = st[i][d] == cst[i][m - 1] * cs[m - 1];
                }
                if (merge) {
                    cs[m - 1] *= size;
                    continue;
                }
            }
            cs[m] = size;
            for (int i = 0; i < k; i++) {
                cst[i][m] = st[i][d];
            }
            m++;
        }
        if (m == 0) {
            // A scalar, or only size-1 dimensions: one row of one element.
            long[][] one = new long[k][];
            for (int i = 0; i < k; i++) {
                one[i] = new long[] {1};
            }
            return new StridedRows(new long[] {1}, one, origin.clone());
        }
        long[] fs = new long[m];
        long[][] fst = new long[k][m];
        for (int j = 0; j < m; j++) {
            fs[j] = cs[m - 1 - j];
            for (int i = 0; i < k; i++) {
                fst[i][j] = cst[i][m - 1 - j];
            }
        }
        return new StridedRows(fs, fst, origin.clone());
    }

    /** Stride of operand {@code op} along rows, in elements. */
    long innerStride(int op) {
        return strides[op][rank - 1];
    }

    /** Length of a full row. */
    long inner() {
        return inner;
    }

    /** Number of rows. */
    long rows() {
        return rows;
    }

    /** Rank after merging (at least 1). */
    int rank() {
        return rank;
    }

    /** Size of merged dimension {@code d}. */
    long size(int d) {
        return shape[d];
    }

    /** Stride of operand {@code op} along merged dimension {@code d}. */
    long stride(int op, int d) {
        return strides[op][d];
    }

    /** Storage offset of operand {@code op}'s first element. */
    long origin(int op) {
        return origin[op];
    }

    /**
     * Calls {@code fn} for every row segment; runs in parallel when the elements times
     * {@code weight} (relative cost per element) are many.
     */
    void forEach(int weight, RowFn fn) {
        long total = rows * inner;
        if (total == 0) {
            return;
        }
        int tasks = CpuParallel.tasksFor(total * Math.max(weight, 1));
        long blocks = ceilDiv(inner, MAX_SEGMENT);
        if (tasks > 1 && rows < tasks) {
            blocks = Math.max(blocks, ceilDiv(tasks, rows));
        }
        long seg = ceilDiv(inner, blocks);
        if (blocks > 1) {
            seg = Math.min(MAX_SEGMENT, ceilDiv(seg, 64) * 64);
        }
        long segLen = seg;
        long perRow = ceilDiv(inner, segLen);
        CpuParallel.forRange(rows * perRow, tasks, (part, lo, hi) -> walk(lo, hi, perRow, segLen, fn));
    }

    private void walk(long lo, long hi, long perRow, long segLen, RowFn fn) {
        int outer = rank - 1;
        long[] counter = new long[outer];
        long[] rowOff = origin.clone();
        long row = lo / perRow;
        long rem = row;
        for (int d = outer - 1; d >= 0; d--) {
            counter[d] = rem % shape[d];
            rem /= shape[d];
            for (int i = 0; i < operands; i++) {
                rowOff[i] += counter[d] * strides[i][d];
            }
        }
        long[] off = new long[operands];
        for (long item = lo; item < hi; item++) {
            long r = item / perRow;
            while (row < r) {
                advance(counter, rowOff);
                row++;
            }
            long col = (item - r * perRow) * segLen;
            int len = (int) Math.min(segLen, inner - col);
            for (int i = 0; i < operands; i++) {
                off[i] = rowOff[i] + col * strides[i][rank - 1];
            }
            fn.row(off, len);
        }
    }

    private void advance(long[] counter, long[] rowOff) {
        for (int d = rank - 2; d >= 0; d--) {
            for (int i = 0; i < operands; i++) {
                rowOff[i] += strides[i][d];
            }
            if (++counter[d] < shape[d]) {
                return;
            }
            for (int i = 0; i < operands; i++) {
                rowOff[i] -= strides[i][d] * shape[d];
            }
            counter[d] = 0;
        }
    }

    static long ceilDiv(long a, long b) {
        return (a + b - 1) / b;
    }
}
