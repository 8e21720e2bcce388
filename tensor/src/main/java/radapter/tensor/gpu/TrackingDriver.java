package radapter.tensor.gpu;

import java.lang.foreign.MemorySegment;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import radapter.tensor.Device;

/**
 * Counts the device bytes a backend holds: every allocation made through it is wrapped so that
 * its release (by a memory scope, the cleaner, a task-graph plan or the backend itself) subtracts
 * it again, exactly once. Leak tests assert on {@link #liveBytes()}; it counts tensors,
 * temporaries and plan buffers, not the backend's own caches (see {@link GpuBackend#cachedDeviceBytes()}).
 */
final class TrackingDriver implements GpuDriver {
    private final GpuDriver raw;
    private final AtomicLong live = new AtomicLong();
    private final AtomicLong allocations = new AtomicLong();

    TrackingDriver(GpuDriver raw) {
        this.raw = raw;
    }

    GpuDriver raw() {
        return raw;
    }

    long liveBytes() {
        return live.get();
    }

    long allocations() {
        return allocations.get();
    }

    /** A driver buffer that gives its bytes back to the count when released. */
    private final class Tracked extends WrappedBuffer {
        private final AtomicBoolean released = new AtomicBoolean();

        Tracked(GpuBuffer inner) {
            super(inner);
        }

        @Override
        public void release() {
            if (released.compareAndSet(false, true)) {
                live.addAndGet(-inner.byteSize());
                inner.release();
            }
        }
    }

    @Override
    public Device device() {
        return raw.device();
    }

    @Override
    public String description() {
        return raw.description();
    }

    @Override
    public GpuBuffer allocate(long byteSize) {
        GpuBuffer b = raw.allocate(byteSize);
        live.addAndGet(byteSize);
        allocations.incrementAndGet();
        return new Tracked(b);
    }

    @Override
    public void upload(MemorySegment src, GpuBuffer dst, long dstOffset) {
        raw.upload(src, WrappedBuffer.raw(dst), dstOffset);
    }

    @Override
    public void download(GpuBuffer src, long srcOffset, MemorySegment dst) {
        raw.download(WrappedBuffer.raw(src), srcOffset, dst);
    }

    @Override
    public void copy(GpuBuffer src, long srcOffset, GpuBuffer dst, long dstOffset, long byteSize) {
        raw.copy(WrappedBuffer.raw(src), srcOffset, WrappedBuffer.raw(dst), dstOffset, byteSize);
    }

    @Override
    public GpuProgram compile(String label, String source) {
        return raw.compile(label, source);
    }

    @Override
    public GpuKernel kernel(GpuProgram program, String name) {
        return raw.kernel(program, name);
    }

    @Override
    public void launch(GpuKernel kernel, long[] global, long[] local, Object... args) {
        raw.launch(kernel, global, local, WrappedBuffer.rawArgs(args));
    }

    @Override
    public void finish() {
        raw.finish();
    }

    @Override
    public void close() {
        raw.close();
    }
}
