package radapter.tensor.gpu;

import radapter.tensor.Device;

/**
 * A {@link GpuBuffer} that decorates a driver's own buffer (to count it, or to defer its release
 * to a task graph's plan). Drivers accept only their own buffers, so everything handed to a driver
 * is first unwrapped with {@link #raw}.
 */
abstract class WrappedBuffer implements GpuBuffer {
    final GpuBuffer inner;

    WrappedBuffer(GpuBuffer inner) {
        this.inner = inner;
    }

    /** The driver's buffer under any number of wrappers. */
    static GpuBuffer raw(GpuBuffer b) {
        GpuBuffer r = b;
        while (r instanceof WrappedBuffer w) {
            r = w.inner;
        }
        return r;
    }

    /** {@code args} with every buffer unwrapped (a copy; the caller's array is not changed). */
    static Object[] rawArgs(Object[] args) {
        Object[] out = args.clone();
        for (int i = 0; i < out.length; i++) {
            if (out[i] instanceof GpuBuffer b) {
                out[i] = raw(b);
            }
        }
        return out;
    }

    @Override
    public long handle() {
        return inner.handle();
    }

    @Override
    public Device device() {
        return inner.device();
    }

    @Override
    public long byteSize() {
        return inner.byteSize();
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "(" + inner + ")";
    }
}
