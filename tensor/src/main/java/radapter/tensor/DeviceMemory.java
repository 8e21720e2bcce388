package radapter.tensor;

/**
 * Memory that lives on an accelerator rather than in the host address space. A device
 * {@link Storage} wraps one; only the backend owning {@link #device()} reads or writes it, and
 * host code reaches the bytes only through an explicit transfer ({@link Tensor#to(Device)}).
 */
public interface DeviceMemory {

    /** The device holding the bytes. */
    Device device();

    /** Size in bytes. */
    long byteSize();

    /** Gives the memory back to the device. Called once, by the owner (a scope or the cleaner). */
    void release();
}
