package radapter.tensor.gpu;

import java.lang.foreign.MemorySegment;
import radapter.tensor.Device;

/**
 * The few things radapter needs from a GPU API, implemented once per API (OpenCL, the CUDA driver
 * API) over the FFM API. Everything above this interface — the op-to-kernel mapping, the kernel
 * sources, task graphs — is shared, so a new API only has to implement memory, compilation and
 * launches.
 *
 * <p>Kernels are written once in the dialect described in {@code kernels/prelude.h}; a driver
 * prepends its own prelude (OpenCL C or CUDA macros) before compiling. Launch geometry is given
 * OpenCL-style as a global size and a work-group size per dimension; drivers round the global
 * size up to a multiple of the group size, so kernels bounds-check their global id.
 *
 * <p>Kernel arguments are passed in source order as {@link GpuBuffer}, {@link Integer},
 * {@link Long} or {@link Float} values, mapping to {@code GLOBAL T*}, {@code int}, {@code long}
 * and {@code float} parameters.
 *
 * <p>Operations are queued in order on one stream/queue; {@link #download} and {@link #finish}
 * wait for everything queued before them.
 */
public interface GpuDriver extends AutoCloseable {

    /** Which device this driver talks to, e.g. {@code opencl:0}. */
    Device device();

    /** Human-readable device and driver description for logs and benchmark reports. */
    String description();

    /** Fresh device memory; contents unspecified. */
    GpuBuffer allocate(long byteSize);

    /** Host → device: copies all of {@code src} to {@code dst} at {@code dstOffset} bytes. */
    void upload(MemorySegment src, GpuBuffer dst, long dstOffset);

    /** Device → host: fills all of {@code dst} from {@code src} at {@code srcOffset}; blocks until done. */
    void download(GpuBuffer src, long srcOffset, MemorySegment dst);

    /** Device → device copy of {@code byteSize} bytes. */
    void copy(GpuBuffer src, long srcOffset, GpuBuffer dst, long dstOffset, long byteSize);

    /** Compiles kernel source (without prelude) and returns its kernel named {@code name}. */
    GpuKernel kernel(GpuProgram program, String name);

    /** Compiles {@code source} (cached by the caller); {@code label} names it in error messages. */
    GpuProgram compile(String label, String source);

    /** Queues one launch. {@code global} and {@code local} have the same length, 1 to 3. */
    void launch(GpuKernel kernel, long[] global, long[] local, Object... args);

    /** Waits until everything queued has run. */
    void finish();

    /** Releases the context; buffers still alive become invalid. */
    @Override
    void close();

    /** A compiled program (an OpenCL {@code cl_program} or a CUDA module). */
    interface GpuProgram {
        /** The label given to {@link GpuDriver#compile}. */
        String label();
    }
}
