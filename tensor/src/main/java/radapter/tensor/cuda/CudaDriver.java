package radapter.tensor.cuda;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import radapter.tensor.Device;
import radapter.tensor.gpu.GpuBuffer;
import radapter.tensor.gpu.GpuDriver;
import radapter.tensor.gpu.GpuKernel;

/**
 * {@link GpuDriver} over the CUDA driver API: one device, its primary context, the legacy default
 * stream (so copies and launches run in the order they are issued).
 *
 * <p>Every method makes the context current on the calling thread first (see {@link CudaApi} on
 * threads), so a driver may be used from any thread, including the cleaner thread that frees
 * device memory of unreachable tensors.
 *
 * <p>Memory: {@link GpuBuffer#handle()} is the {@code CUdeviceptr}. Zero-byte requests (empty
 * tensors) get a one-byte allocation, because {@code cuMemAlloc} rejects zero and kernels must
 * still receive a valid pointer. Buffers still alive at {@link #close()} are freed then; releasing
 * them later does nothing.
 */
public final class CudaDriver implements GpuDriver {
    /** Most kernel arguments marshalled from the per-thread scratch area; more use a temporary arena. */
    private static final int SCRATCH_ARGS = 32;

    private final CudaApi api;
    private final CudaModuleImages images;
    private final CudaDeviceInfo info;
    private final Device device;
    private final int cuDevice;
    private final MemorySegment context;
    private final int maxThreadsPerBlock;
    private final long[] maxGrid;
    private final Set<CudaBuffer> live = ConcurrentHashMap.newKeySet();
    private final Set<CudaProgram> programs = ConcurrentHashMap.newKeySet();
    /** Per-thread room for the {@code void**} array and the values it points to. */
    private final ThreadLocal<MemorySegment> scratch =
            ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(2L * SCRATCH_ARGS * Long.BYTES, 16));
    private volatile boolean closed;
    /** The last kernel launched, named when a later synchronisation reports an asynchronous fault. */
    private volatile String lastLaunch = "(none)";

    private CudaDriver(CudaApi api, CudaModuleImages images, int ordinal) {
        this.api = api;
        this.images = images;
        api.init();
        int count = api.deviceCount();
        if (count == 0) {
            throw new CudaException("the CUDA driver reports no device (cuDeviceGetCount = 0)");
        }
        if (ordinal < 0 || ordinal >= count) {
            throw new CudaException("no CUDA device " + ordinal + "; this machine has " + count);
        }
        this.cuDevice = api.device(ordinal);
        this.context = api.retainPrimaryContext(cuDevice);
        api.makeCurrent(context);
        this.info = new CudaDeviceInfo(ordinal, api.deviceName(cuDevice),
                api.deviceAttribute(CudaApi.ATTR_COMPUTE_CAPABILITY_MAJOR, cuDevice),
                api.deviceAttribute(CudaApi.ATTR_COMPUTE_CAPABILITY_MINOR, cuDevice),
                api.deviceAttribute(CudaApi.ATTR_MULTIPROCESSOR_COUNT, cuDevice),
                api.deviceTotalMemory(cuDevice), api.driverVersion());
        this.maxThreadsPerBlock = api.deviceAttribute(CudaApi.ATTR_MAX_THREADS_PER_BLOCK, cuDevice);
        this.maxGrid = new long[] {api.deviceAttribute(CudaApi.ATTR_MAX_GRID_DIM_X, cuDevice) & 0xffffffffL,
                api.deviceAttribute(CudaApi.ATTR_MAX_GRID_DIM_Y, cuDevice) & 0xffffffffL,
                api.deviceAttribute(CudaApi.ATTR_MAX_GRID_DIM_Z, cuDevice) & 0xffffffffL};
        this.device = new Device("cuda", ordinal);
    }

    /**
     * Opens device {@code ordinal} on the real driver with PTX from {@link CudaModuleImages#ptx()}.
     *
     * @throws CudaException when there is no driver, no such device, or initialisation fails
     */
    public static CudaDriver open(int ordinal) {
        return open(CudaApi.load(), ordinal, CudaModuleImages.ptx());
    }

    /** Opens device {@code ordinal} through {@code api}, compiling kernels with {@code images}. */
    public static CudaDriver open(CudaApi api, int ordinal, CudaModuleImages images) {
        return new CudaDriver(Objects.requireNonNull(api), Objects.requireNonNull(images), ordinal);
    }

    /** The device's properties. */
    public CudaDeviceInfo info() {
        return info;
    }

    /** The bindings this driver calls. */
    public CudaApi api() {
        return api;
    }

    /** {free, total} device memory in bytes ({@code cuMemGetInfo_v2}). */
    public long[] memoryInfo() {
        enter();
        return api.memInfo();
    }

    @Override
    public Device device() {
        return device;
    }

    @Override
    public String description() {
        return String.format(Locale.ROOT, "CUDA %s: %s (sm_%d, %d SMs, %.1f GiB), driver %s via %s", device, info.name(),
                info.computeCapability(), info.multiprocessors(), info.totalMemory() / (double) (1L << 30),
                info.driverVersionString(), api.libraryName());
    }

    /** Makes the context current on this thread; fails clearly after {@link #close()}. */
    private void enter() {
        if (closed) {
            throw new IllegalStateException("CUDA driver for " + device + " is closed");
        }
        api.makeCurrent(context);
    }

    // ================================================================ memory

    @Override
    public GpuBuffer allocate(long byteSize) {
        if (byteSize < 0) {
            throw new IllegalArgumentException("negative allocation size " + byteSize);
        }
        enter();
        CudaBuffer b = new CudaBuffer(this, api.memAlloc(Math.max(byteSize, 1)), byteSize);
        live.add(b);
        return b;
    }

    private CudaBuffer own(GpuBuffer b, String what) {
        if (!(b instanceof CudaBuffer c) || c.driver != this) {
            throw new IllegalArgumentException(what + " is not a buffer of " + device + ": " + b);
        }
        if (!live.contains(c)) {
            throw new IllegalStateException(what + " was already released");
        }
        return c;
    }

    private static void checkRange(String what, long offset, long length, long size) {
        if (offset < 0 || length < 0 || offset > size - length) {
            throw new IndexOutOfBoundsException(what + ": bytes [" + offset + ", " + (offset + length)
                    + ") outside a buffer of " + size + " bytes");
        }
    }

    @Override
    public void upload(MemorySegment src, GpuBuffer dst, long dstOffset) {
        CudaBuffer d = own(dst, "upload destination");
        long n = src.byteSize();
        checkRange("upload", dstOffset, n, d.size);
        if (n == 0) {
            return;
        }
        enter();
        if (src.isNative()) {
            api.memcpyHtoD(d.pointer + dstOffset, src, n);
        } else {
            // The driver reads host memory by address, so heap arrays go through native memory.
            try (Arena a = Arena.ofConfined()) {
                MemorySegment tmp = a.allocate(n, 16);
                tmp.copyFrom(src);
                api.memcpyHtoD(d.pointer + dstOffset, tmp, n);
            }
        }
    }

    @Override
    public void download(GpuBuffer src, long srcOffset, MemorySegment dst) {
        CudaBuffer s = own(src, "download source");
        long n = dst.byteSize();
        checkRange("download", srcOffset, n, s.size);
        if (n == 0) {
            return;
        }
        enter();
        if (dst.isNative()) {
            api.memcpyDtoH(dst, s.pointer + srcOffset, n);
        } else {
            try (Arena a = Arena.ofConfined()) {
                MemorySegment tmp = a.allocate(n, 16);
                api.memcpyDtoH(tmp, s.pointer + srcOffset, n);
                dst.copyFrom(tmp);
            }
        }
    }

    @Override
    public void copy(GpuBuffer src, long srcOffset, GpuBuffer dst, long dstOffset, long byteSize) {
        CudaBuffer s = own(src, "copy source");
        CudaBuffer d = own(dst, "copy destination");
        checkRange("copy source", srcOffset, byteSize, s.size);
        checkRange("copy destination", dstOffset, byteSize, d.size);
        if (byteSize == 0) {
            return;
        }
        enter();
        api.memcpyDtoD(d.pointer + dstOffset, s.pointer + srcOffset, byteSize);
    }

    private void free(CudaBuffer b) {
        // Removal from 'live' is the one ticket to free: close() and a cleaner racing cannot both win.
        if (live.remove(b) && !closed) {
            api.makeCurrent(context);
            api.memFree(b.pointer);
        }
    }

    // ================================================================ kernels

    @Override
    public GpuProgram compile(String label, String source) {
        byte[] image = images.image(label, source, info);
        enter();
        CudaProgram p = new CudaProgram(label, api.moduleLoad(image, label));
        programs.add(p);
        return p;
    }

    @Override
    public GpuKernel kernel(GpuProgram program, String name) {
        if (!(program instanceof CudaProgram p) || !programs.contains(p)) {
            throw new IllegalArgumentException("not a live program of " + device + ": " + program);
        }
        enter();
        return new CudaKernel(name, api.moduleFunction(p.module, name, p.label), p);
    }

    @Override
    public void launch(GpuKernel kernel, long[] global, long[] local, Object... args) {
        if (!(kernel instanceof CudaKernel k) || !programs.contains(k.program)) {
            throw new IllegalArgumentException("not a live kernel of " + device + ": " + kernel);
        }
        int dims = global.length;
        if (dims < 1 || dims > 3 || (local != null && local.length != dims)) {
            throw new IllegalArgumentException("launch of '" + k.name + "' needs 1 to 3 dimensions and local sizes of the same count, got global "
                    + java.util.Arrays.toString(global) + ", local " + java.util.Arrays.toString(local));
        }
        long[] grid = {1, 1, 1};
        long[] block = {1, 1, 1};
        for (int d = 0; d < dims; d++) {
            if (global[d] == 0) {
                return; // nothing to run; CUDA rejects an empty grid
            }
            long l = local == null || local[d] <= 0 ? (d == 0 ? Math.min(256, maxThreadsPerBlock) : 1) : local[d];
            block[d] = l;
            // OpenCL-style sizes: the grid covers the global size, kernels bounds-check their id.
            grid[d] = (global[d] + l - 1) / l;
            if (global[d] < 0 || grid[d] > maxGrid[d]) {
                throw new IllegalArgumentException("launch of '" + k.name + "': global size " + global[d] + " in dimension " + d
                        + " needs " + grid[d] + " blocks of " + l + ", more than the device's " + maxGrid[d]);
            }
        }
        if (block[0] * block[1] * block[2] > maxThreadsPerBlock) {
            throw new IllegalArgumentException("launch of '" + k.name + "': work-group of " + block[0] * block[1] * block[2]
                    + " threads exceeds the device's " + maxThreadsPerBlock);
        }
        enter();
        if (args.length <= SCRATCH_ARGS) {
            launchWith(scratch.get(), k, grid, block, args);
        } else {
            try (Arena a = Arena.ofConfined()) {
                launchWith(a.allocate(2L * args.length * Long.BYTES, 16), k, grid, block, args);
            }
        }
        lastLaunch = k.name;
    }

    /**
     * Marshals {@code args} as CUDA wants them: {@code kernelParams[i]} points to the value of
     * parameter {@code i} (8 bytes for a pointer or long, 4 for an int or float). The driver copies
     * the values during {@code cuLaunchKernel}, so the scratch area is free again on return.
     */
    private void launchWith(MemorySegment room, CudaKernel k, long[] grid, long[] block, Object[] args) {
        int n = args.length;
        MemorySegment pointers = room.asSlice(0, (long) n * Long.BYTES);
        MemorySegment values = room.asSlice((long) n * Long.BYTES, (long) n * Long.BYTES);
        for (int i = 0; i < n; i++) {
            MemorySegment slot = values.asSlice((long) i * Long.BYTES, Long.BYTES);
            switch (args[i]) {
                case GpuBuffer b -> slot.set(JAVA_LONG, 0, own(b, "argument " + i + " of '" + k.name + "'").pointer);
                case Integer v -> slot.set(JAVA_INT, 0, v);
                case Long v -> slot.set(JAVA_LONG, 0, v);
                case Float v -> slot.set(JAVA_FLOAT, 0, v);
                case null -> throw new IllegalArgumentException("argument " + i + " of '" + k.name + "' is null");
                default -> throw new IllegalArgumentException("argument " + i + " of '" + k.name + "' is a "
                        + args[i].getClass().getSimpleName() + "; kernels take GpuBuffer, Integer, Long or Float");
            }
            pointers.setAtIndex(ADDRESS, i, slot);
        }
        api.launchKernel(k.function, (int) grid[0], (int) grid[1], (int) grid[2], (int) block[0], (int) block[1], (int) block[2],
                0, n == 0 ? MemorySegment.NULL : pointers, k.name);
    }

    @Override
    public void finish() {
        enter();
        api.synchronize("a kernel failed on the device; the last one launched was '" + lastLaunch + "'");
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        api.makeCurrent(context);
        try {
            api.synchronize("while closing " + device);
        } finally {
            // Free what is left so that a shared primary context does not keep it after this driver.
            for (CudaBuffer b : live) {
                if (live.remove(b)) {
                    api.memFree(b.pointer);
                }
            }
            for (CudaProgram p : programs) {
                api.moduleUnload(p.module);
            }
            programs.clear();
            closed = true;
            api.releasePrimaryContext(cuDevice);
        }
    }

    @Override
    public String toString() {
        return description();
    }

    // ================================================================ handles

    /** A {@code CUdeviceptr} and its size. */
    private static final class CudaBuffer implements GpuBuffer {
        final CudaDriver driver;
        final long pointer;
        final long size;

        CudaBuffer(CudaDriver driver, long pointer, long size) {
            this.driver = driver;
            this.pointer = pointer;
            this.size = size;
        }

        @Override
        public long handle() {
            return pointer;
        }

        @Override
        public Device device() {
            return driver.device;
        }

        @Override
        public long byteSize() {
            return size;
        }

        @Override
        public void release() {
            driver.free(this);
        }

        @Override
        public String toString() {
            return "CUdeviceptr 0x" + Long.toHexString(pointer) + " (" + size + " bytes on " + driver.device + ")";
        }
    }

    /** A loaded {@code CUmodule}. */
    private record CudaProgram(String label, MemorySegment module) implements GpuProgram {
    }

    /** A {@code CUfunction} of a loaded module. */
    private record CudaKernel(String name, MemorySegment function, CudaProgram program) implements GpuKernel {
    }
}
