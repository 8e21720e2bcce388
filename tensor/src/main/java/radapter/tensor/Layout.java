package radapter.tensor;

/**
 * Index arithmetic for strided tensors, shared by kernels. The reference backend uses the slow,
 * obviously correct {@link #offsetOf}; fast backends walk rows with {@link RowCursor}.
 */
public final class Layout {
    private Layout() {
    }

    /** Storage offset (in elements) of the element at row-major position {@code linear} of {@code t}. */
    public static long offsetOf(Tensor t, long linear) {
        long[] shape = t.shape();
        long[] strides = t.strides();
        long at = t.offset();
        for (int d = shape.length - 1; d >= 0; d--) {
            long n = shape[d];
            if (n == 0) {
                return at;
            }
            at += (linear % n) * strides[d];
            linear /= n;
        }
        return at;
    }

    /**
     * Walks the rows (innermost dimension) of a tensor in row-major order, giving the storage
     * offset at which each row starts. For a scalar there is one row of length 1.
     */
    public static final class RowCursor {
        private final long[] shape;
        private final long[] strides;
        private final long[] counter;
        private final long origin;
        private long base;
        private final long rows;
        private long row;

        public RowCursor(Tensor t) {
            long[] s = t.shape();
            long[] st = t.strides();
            int outer = Math.max(s.length - 1, 0);
            this.shape = java.util.Arrays.copyOf(s, outer);
            this.strides = java.util.Arrays.copyOf(st, outer);
            this.counter = new long[outer];
            this.origin = t.offset();
            this.base = origin;
            this.rows = s.length == 0 ? 1 : Shapes.numel(shape) * (s[s.length - 1] == 0 ? 0 : 1);
        }

        /** Starts the walk at row {@code r} (for splitting rows across threads). */
        public RowCursor seek(long r) {
            long rem = r;
            long at = origin;
            for (int d = shape.length - 1; d >= 0; d--) {
                counter[d] = rem % shape[d];
                rem /= shape[d];
                at += counter[d] * strides[d];
            }
            this.base = at;
            this.row = r;
            return this;
        }

        /** Number of rows. */
        public long rows() {
            return rows;
        }

        /** Offset of the current row's first element. */
        public long offset() {
            return base;
        }

        /** Moves to the next row. */
        public void next() {
            row++;
            for (int d = shape.length - 1; d >= 0; d--) {
                base += strides[d];
                if (++counter[d] < shape[d]) {
                    return;
                }
                base -= strides[d] * shape[d];
                counter[d] = 0;
            }
        }
    }
}
