package radapter.tensor;

import java.util.Arrays;

/** Shape arithmetic shared by tensors, op front-ends and backends. */
public final class Shapes {
    private Shapes() {
    }

    /** Number of elements of a shape (1 for a scalar, 0 when any dimension is 0). */
    public static long numel(long[] shape) {
        long n = 1;
        for (long d : shape) {
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    /** Row-major strides, in elements. Dimensions of size 1 get the stride they would have anyway. */
    public static long[] contiguousStrides(long[] shape) {
        long[] strides = new long[shape.length];
        long s = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            strides[i] = s;
            s *= Math.max(shape[i], 1);
        }
        return strides;
    }

    /** Resolves a possibly negative dimension index against {@code rank}, with a clear error. */
    public static int dim(int dim, int rank) {
        int d = dim < 0 ? dim + rank : dim;
        if (d < 0 || d >= rank) {
            throw new IllegalArgumentException("dimension " + dim + " is out of range for a tensor of rank " + rank);
        }
        return d;
    }

    /** NumPy/PyTorch broadcasting of two shapes, aligned at the trailing dimension. */
    public static long[] broadcast(long[] a, long[] b) {
        int rank = Math.max(a.length, b.length);
        long[] out = new long[rank];
        for (int i = 0; i < rank; i++) {
            long da = i < rank - a.length ? 1 : a[i - (rank - a.length)];
            long db = i < rank - b.length ? 1 : b[i - (rank - b.length)];
            if (da != db && da != 1 && db != 1) {
                throw new IllegalArgumentException("shapes " + str(a) + " and " + str(b)
                        + " cannot be broadcast: dimension " + i + " is " + da + " vs " + db);
            }
            out[i] = da == 1 ? db : da;
        }
        return out;
    }

    /** Broadcast of any number of shapes. */
    public static long[] broadcast(long[]... shapes) {
        long[] out = new long[0];
        for (long[] s : shapes) {
            out = broadcast(out, s);
        }
        return out;
    }

    /** {@code [2, 3]} style rendering used in every shape message. */
    public static String str(long[] shape) {
        return Arrays.toString(shape);
    }

    /** Resolves one {@code -1} entry of a reshape target against {@code numel}. */
    static long[] inferShape(long[] target, long numel) {
        long[] shape = target.clone();
        int infer = -1;
        long known = 1;
        for (int i = 0; i < shape.length; i++) {
            if (shape[i] == -1) {
                if (infer >= 0) {
                    throw new IllegalArgumentException("only one dimension can be -1 in " + str(target));
                }
                infer = i;
            } else if (shape[i] < 0) {
                throw new IllegalArgumentException("invalid dimension " + shape[i] + " in " + str(target));
            } else {
                known *= shape[i];
            }
        }
        if (infer >= 0) {
            if (known == 0 || numel % known != 0) {
                throw new IllegalArgumentException("cannot reshape " + numel + " elements into " + str(target));
            }
            shape[infer] = numel / known;
        } else if (known != numel) {
            throw new IllegalArgumentException("cannot reshape " + numel + " elements into " + str(target));
        }
        return shape;
    }

    /**
     * Strides that let a tensor with ({@code oldShape}, {@code oldStrides}) be viewed as
     * {@code newShape} without copying, or {@code null} when the memory layout does not allow it.
     * Old dimensions are walked from the innermost out in "chunks" that are contiguous with each
     * other; a chunk can be re-split into any new dimensions whose sizes multiply to its size.
     */
    static long[] viewStrides(long[] oldShape, long[] oldStrides, long[] newShape) {
        if (oldShape.length == 0 || numel(oldShape) == 0) {
            return contiguousStrides(newShape);
        }
        long[] newStrides = new long[newShape.length];
        int viewD = newShape.length - 1;
        long chunkBaseStride = oldStrides[oldStrides.length - 1];
        long tensorNumel = 1;
        long viewNumel = 1;
        for (int d = oldShape.length - 1; d >= 0; d--) {
            tensorNumel *= oldShape[d];
            boolean chunkEnds = d == 0
                    || (oldShape[d - 1] != 1 && oldStrides[d - 1] != tensorNumel * chunkBaseStride);
            if (chunkEnds) {
                while (viewD >= 0 && (viewNumel < tensorNumel || newShape[viewD] == 1)) {
                    newStrides[viewD] = viewNumel * chunkBaseStride;
                    viewNumel *= newShape[viewD];
                    viewD--;
                }
                if (viewNumel != tensorNumel) {
                    return null;
                }
                if (d > 0) {
                    chunkBaseStride = oldStrides[d - 1];
                    tensorNumel = 1;
                    viewNumel = 1;
                }
            }
        }
        return viewD == -1 ? newStrides : null;
    }
}
