package radapter.tensor.gpu;

import java.util.Arrays;

/**
 * A shape walked by several operands at once, each with its own strides, reduced to as few
 * dimensions as possible: size-1 dimensions are dropped and a dimension is merged into the next
 * inner one when every operand steps over it as one run ({@code stride[d] == stride[d+1] ·
 * size[d+1]}). A contiguous tensor becomes one dimension with stride 1, a broadcast scalar one
 * with stride 0 or none at all; both then run the {@code *_flat} kernels, which need no meta
 * buffer. What stays is written to a meta buffer as {@code {r, shape, strides of operand 0, ...}}
 * (the format {@code rk_offsets} in the preludes reads).
 */
final class StridedLayout {
    final long[] shape;
    final long[][] strides;

    private StridedLayout(long[] shape, long[][] strides) {
        this.shape = shape;
        this.strides = strides;
    }

    /** Coalesces {@code shape} walked with each of {@code strides} (one array per operand). */
    static StridedLayout of(long[] shape, long[]... strides) {
        int r = shape.length;
        int ops = strides.length;
        long[] s = new long[r];
        long[][] st = new long[ops][r];
        int n = 0; // dimensions kept so far, stored innermost first
        for (int d = r - 1; d >= 0; d--) {
            if (shape[d] == 1) {
                continue;
            }
            if (n > 0) {
                boolean merge = true;
                for (int k = 0; k < ops && merge; k++) {
                    merge = strides[k][d] == st[k][n - 1] * s[n - 1];
                }
                if (merge) {
                    s[n - 1] *= shape[d];
                    continue;
                }
            }
            s[n] = shape[d];
            for (int k = 0; k < ops; k++) {
                st[k][n] = strides[k][d];
            }
            n++;
        }
        long[] shapeOut = new long[n];
        long[][] stridesOut = new long[ops][n];
        for (int i = 0; i < n; i++) {
            shapeOut[i] = s[n - 1 - i];
            for (int k = 0; k < ops; k++) {
                stridesOut[k][i] = st[k][n - 1 - i];
            }
        }
        return new StridedLayout(shapeOut, stridesOut);
    }

    int rank() {
        return shape.length;
    }

    /** True when one run {@code base + i · step} per operand covers it (the *_flat kernels). */
    boolean flat() {
        return shape.length <= 1;
    }

    /** The step of operand {@code k} in the flat form. */
    long step(int k) {
        return shape.length == 0 ? 0 : strides[k][0];
    }

    /** The meta words {@code {r, shape, strides of each operand}}. */
    long[] words() {
        int r = shape.length;
        long[] w = new long[1 + r * (1 + strides.length)];
        w[0] = r;
        System.arraycopy(shape, 0, w, 1, r);
        for (int k = 0; k < strides.length; k++) {
            System.arraycopy(strides[k], 0, w, 1 + r * (k + 1), r);
        }
        return w;
    }

    /** Concatenation of several layouts' words (kernels that read two layouts back to back). */
    static long[] concat(long[]... parts) {
        int n = 0;
        for (long[] p : parts) {
            n += p.length;
        }
        long[] out = new long[n];
        int at = 0;
        for (long[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("StridedLayout").append(Arrays.toString(shape));
        for (long[] s : strides) {
            sb.append(' ').append(Arrays.toString(s));
        }
        return sb.toString();
    }
}
