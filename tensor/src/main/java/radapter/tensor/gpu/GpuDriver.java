package radapter.tensor.gpu;

import java.lang.foreign.MemorySegment;
import radapter.tensor.Device;

/**
 * The few things radapter needs from a GPU API, implemented once per API (OpenCL, the CUDA driver
 * API) over the FFM API. Everything above this interface — the op-to-kernel mapping
 * ({@link GpuBackend}), the kernel sources ({@link KernelSources}), task graphs — is shared, so a
 * new API only has to implement memory, compilation and launches.
 *
 * <p><b>Kernels</b> are written once, in the macro dialect documented at the top of
 * {@code kernels/prelude_opencl.h}, one file per op family ({@code kernels/<family>.gpu}). The
 * backend passes a family file's text to {@link #compile}, unchanged; the driver compiles
 * {@code prelude + "\n#line 1\n" + source} with its own API's prelude
 * ({@code prelude_opencl.h}, {@code prelude_cuda.h}; see {@link KernelSources#withPrelude}), then
 * {@link #kernel} looks entry points up by their source names. Launch geometry is given
 * OpenCL-style as a global size and a work-group size per dimension; drivers round the global
 * size up to a multiple of the group size (and launch nothing when a global size is 0), so kernels
 * bounds-check their global id or loop with a grid stride.
 *
 * <p><b>Arguments</b> are passed in source order as {@link GpuBuffer}, {@link Integer},
 * {@link Long} or {@link Float} values, mapping to {@code GLOBAL T*}, {@code int}, {@code i64}
 * and {@code float} parameters. Buffers passed to a driver are always its own (callers unwrap any
 * decorating layer first).
 *
 * <p><b>Order and lifetime.</b> Operations are queued in order on one stream/queue; uploads
 * return once the host memory may be reused; {@link #download} and {@link #finish} wait for
 * everything queued before them. {@link GpuBuffer#release()} may be called while launches that use
 * the buffer are still queued (a backend frees a call's temporaries as soon as it has queued the
 * call): the driver must make sure the memory is not reused before those launches are done.
 * OpenCL does this by itself; the CUDA documentation only says {@code cuMemFree} <em>may</em>
 * synchronise, so a CUDA driver should free stream-ordered ({@code cuMemFreeAsync}) or after the
 * stream has passed the launches. A driver is used from several threads, including the cleaner
 * thread that releases unreachable tensors' memory.
 */
public interface GpuDriver extends AutoCloseable {

    /** Which device this driver talks to, e.g. {@code opencl:0}. */
    Device device();

    /** Human-readable device and driver description for logs and benchmark reports. */
    String description();

    /** Fresh device memory; contents unspecified. A size of 0 still gives a valid buffer (kernels need one). */
    GpuBuffer allocate(long byteSize);

    /** Host → device: copies all of {@code src} to {@code dst} at {@code dstOffset} bytes. */
    void upload(MemorySegment src, GpuBuffer dst, long dstOffset);

    /** Device → host: fills all of {@code dst} from {@code src} at {@code srcOffset}; blocks until done. */
    void download(GpuBuffer src, long srcOffset, MemorySegment dst);

    /** Device → device copy of {@code byteSize} bytes. */
    void copy(GpuBuffer src, long srcOffset, GpuBuffer dst, long dstOffset, long byteSize);

    /**
     * Compiles a kernel family's {@code source} (without prelude: the driver prepends its own) into a
     * program. The caller caches programs; {@code label} (the family name) names it in error
     * messages, which carry the compiler's log.
     */
    GpuProgram compile(String label, String source);

    /** The entry point {@code name} of a program {@link #compile} returned. */
    GpuKernel kernel(GpuProgram program, String name);

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
