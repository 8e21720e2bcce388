package radapter.tensor.gpu;

import radapter.tensor.DType;
import radapter.tensor.Tensor;

/**
 * A tensor as a kernel sees it: a driver buffer (unwrapped), an element offset into it, and the
 * tensor's shape and strides. For a device tensor that is its own storage; for a host tensor it
 * is the temporary copy a {@link Call} staged.
 */
record DeviceView(GpuBuffer buffer, long offset, long[] shape, long[] strides, DType dtype) {

    static DeviceView of(GpuBuffer buffer, long offset, Tensor t) {
        return new DeviceView(buffer, offset, t.shape(), t.strides(), t.dtype());
    }

    long size(int d) {
        return shape[d < 0 ? d + shape.length : d];
    }

    long stride(int d) {
        return strides[d < 0 ? d + strides.length : d];
    }

    int rank() {
        return shape.length;
    }

    /** The same elements with dimensions {@code a} and {@code b} swapped (a view, like {@link Tensor#transpose}). */
    DeviceView transpose(int a, int b) {
        long[] s = shape.clone();
        long[] st = strides.clone();
        s[a] = shape[b];
        s[b] = shape[a];
        st[a] = strides[b];
        st[b] = strides[a];
        return new DeviceView(buffer, offset, s, st, dtype);
    }

    /** This view with {@code shape} and {@code strides} replaced (broadcasting a scalar, say). */
    DeviceView as(long[] newShape, long[] newStrides) {
        return new DeviceView(buffer, offset, newShape, newStrides, dtype);
    }
}
