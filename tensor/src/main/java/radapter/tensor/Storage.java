package radapter.tensor;

import java.lang.foreign.MemorySegment;

/**
 * The bytes behind one or more tensors. Views share a storage; only {@link Tensor#contiguous()},
 * {@link Tensor#clone()} and the ops create new ones. Host storage wraps a {@link MemorySegment}
 * owned by a {@link MemoryScope}, by the garbage collector, or by whoever mapped it (a checkpoint).
 * Device storage wraps {@link DeviceMemory} owned the same way; its bytes are reachable only
 * through the device's backend.
 */
public final class Storage {
    private final MemorySegment segment;
    private final DeviceMemory deviceMemory;
    private final Device device;

    private Storage(MemorySegment segment, DeviceMemory deviceMemory, Device device) {
        this.segment = segment;
        this.deviceMemory = deviceMemory;
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
        Storage s = new Storage(MemoryScope.allocate(byteSize, zeroed), null, Device.CPU);
        if (MemoryScope.current() == null) {
            MemoryScope.untrackWhenUnreachable(s, byteSize);
        }
        return s;
    }

    /** Wraps memory someone else owns (a mapped file, a caller's arena). Not counted as live. */
    public static Storage wrap(MemorySegment segment) {
        return new Storage(segment, null, Device.CPU);
    }

    /**
     * Device storage around {@code memory}, owned by the current memory scope (released when it
     * closes) or, outside any scope, by the garbage collector.
     */
    public static Storage onDevice(DeviceMemory memory) {
        Storage s = new Storage(null, memory, memory.device());
        MemoryScope.ownDeviceMemory(s, memory);
        return s;
    }

    /** Whether the bytes are in host memory (a {@link #segment()} exists). */
    public boolean isHost() {
        return segment != null;
    }

    /** The host memory; fails for device storage, which must be transferred first. */
    public MemorySegment segment() {
        if (segment == null) {
            throw new IllegalStateException("tensor lives on " + device
                    + "; copy it to the host first with tensor.to(Device.CPU)");
        }
        return segment;
    }

    /** The device memory, or {@code null} for host storage. */
    public DeviceMemory deviceMemory() {
        return deviceMemory;
    }

    /** Where the bytes live. */
    public Device device() {
        return device;
    }

    /** Size in bytes. */
    public long byteSize() {
        return segment != null ? segment.byteSize() : deviceMemory.byteSize();
    }
}
