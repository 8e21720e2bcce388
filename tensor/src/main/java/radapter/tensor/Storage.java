package radapter.tensor;

import java.lang.foreign.MemorySegment;

/**
 * The bytes behind one or more tensors. Views share a storage; only {@link Tensor#contiguous()},
 * {@link Tensor#clone()} and the ops create new ones. Host storage wraps a {@link MemorySegment}
 * owned by a {@link MemoryScope}, by the garbage collector, or by whoever mapped it (a checkpoint).
 */
public final class Storage {
    private final MemorySegment segment;
    private final Device device;

    private Storage(MemorySegment segment, Device device) {
        this.segment = segment;
        this.device = device;
    }

    /** Fresh zeroed host storage of {@code byteSize} bytes in the current memory scope. */
    public static Storage allocate(long byteSize) {
        return allocate(byteSize, true);
    }

    /**
     * Fresh host storage in the current memory scope; unless {@code zeroed}, its bytes are
     * whatever a recycled block held (every op output is fully written, so ops skip the zeroing).
     */
    public static Storage allocate(long byteSize, boolean zeroed) {
        Storage s = new Storage(MemoryScope.allocate(byteSize, zeroed), Device.CPU);
        if (MemoryScope.current() == null) {
            MemoryScope.untrackWhenUnreachable(s, byteSize);
        }
        return s;
    }

    /** Wraps memory someone else owns (a mapped file, a caller's arena). Not counted as live. */
    public static Storage wrap(MemorySegment segment) {
        return new Storage(segment, Device.CPU);
    }

    /** The host memory. */
    public MemorySegment segment() {
        return segment;
    }

    /** Where the bytes live. */
    public Device device() {
        return device;
    }

    /** Size in bytes. */
    public long byteSize() {
        return segment.byteSize();
    }
}
