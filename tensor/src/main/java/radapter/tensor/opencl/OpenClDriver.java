package radapter.tensor.opencl;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import radapter.tensor.Device;
import radapter.tensor.gpu.GpuBuffer;
import radapter.tensor.gpu.GpuDriver;
import radapter.tensor.gpu.GpuKernel;
import radapter.tensor.gpu.KernelSources;

/**
 * {@link GpuDriver} over OpenCL 1.2: one device, one context, one in-order command queue, so
 * transfers and launches run in the order they are issued.
 *
 * <p>Devices are numbered over all platforms in the order the ICD loader lists them (platform
 * order, then device order); {@link #devices()} shows the list. {@link #openDefault()} takes the
 * device named by {@code -Dradapter.opencl.device=N}, else the first GPU, else the first
 * accelerator, else the first device of any type (PoCL's CPU device, for instance).
 *
 * <p>Uploads and downloads are blocking ({@code CL_TRUE}): the host memory may be reused as soon
 * as they return, and a download sees every launch queued before it. Releasing a buffer that
 * queued launches still use is safe (OpenCL frees it once they are done). Kernel arguments are set
 * and the launch enqueued under one lock, because a {@code cl_kernel}'s arguments are shared
 * state. Buffers still alive at {@link #close()} are released then; releasing them later does
 * nothing.
 */
public final class OpenClDriver implements GpuDriver {
    /** System property choosing the device by its index in {@link #devices()}. */
    public static final String DEVICE_PROPERTY = "radapter.opencl.device";
    private static final int SCRATCH_ARGS = 64;

    /**
     * One OpenCL device as the loader lists it.
     *
     * @param index          position in {@link #devices()}, the N of {@code -Dradapter.opencl.device=N}
     * @param platform       platform name and version
     * @param name           device name
     * @param type           "GPU", "CPU", "ACCELERATOR" or "OTHER"
     * @param version        the device's OpenCL version string
     * @param computeUnits   parallel compute units
     * @param globalMemBytes global memory size
     * @param maxWorkGroup   largest work-group the device runs
     */
    public record DeviceInfo(int index, String platform, String name, String type, String version, long computeUnits,
            long globalMemBytes, long maxWorkGroup) {
        @Override
        public String toString() {
            return "opencl:" + index + " " + name + " (" + type + ", " + version + ", " + computeUnits + " compute units, "
                    + (globalMemBytes >> 20) + " MiB; platform " + platform + ")";
        }
    }

    private record Found(DeviceInfo info, MemorySegment platform, MemorySegment device) {
    }

    private final OpenCl api;
    private final DeviceInfo info;
    private final Device device;
    private final MemorySegment clDevice;
    private final MemorySegment context;
    private final MemorySegment queue;
    private final Set<ClBuffer> live = ConcurrentHashMap.newKeySet();
    private final Set<ClProgram> programs = ConcurrentHashMap.newKeySet();
    private final Set<ClKernel> kernels = ConcurrentHashMap.newKeySet();
    private final ReentrantLock launchLock = new ReentrantLock();
    /** Argument values and size arrays of one launch; used only under {@link #launchLock}. */
    private final MemorySegment scratch;
    private final Arena scratchArena = Arena.ofShared();
    private volatile boolean closed;

    private OpenClDriver(OpenCl api, Found found) {
        this.api = api;
        this.info = found.info();
        this.device = new Device("opencl", info.index());
        this.clDevice = found.device();
        this.context = api.createContext(found.platform(), found.device());
        try {
            this.queue = api.createQueue(context, clDevice);
        } catch (RuntimeException e) {
            api.releaseContext(context);
            throw e;
        }
        this.scratch = scratchArena.allocate((SCRATCH_ARGS + 6) * 8L, 16);
    }

    // ================================================================ discovery

    /** Every OpenCL device here; empty when the loader finds no platform. Throws when there is no OpenCL library. */
    public static List<DeviceInfo> devices() {
        return find().stream().map(Found::info).toList();
    }

    private static List<Found> find() {
        OpenCl api = OpenCl.get();
        List<Found> out = new ArrayList<>();
        for (MemorySegment p : api.platforms()) {
            String platform = api.platformString(p, OpenCl.CL_PLATFORM_NAME) + " " + api.platformString(p, OpenCl.CL_PLATFORM_VERSION);
            for (MemorySegment d : api.devices(p)) {
                long type = api.deviceLong(d, OpenCl.CL_DEVICE_TYPE, 8);
                String typeName = (type & OpenCl.CL_DEVICE_TYPE_GPU) != 0 ? "GPU"
                        : (type & OpenCl.CL_DEVICE_TYPE_ACCELERATOR) != 0 ? "ACCELERATOR"
                        : (type & OpenCl.CL_DEVICE_TYPE_CPU) != 0 ? "CPU" : "OTHER";
                DeviceInfo info = new DeviceInfo(out.size(), platform, api.deviceString(d, OpenCl.CL_DEVICE_NAME), typeName,
                        api.deviceString(d, OpenCl.CL_DEVICE_VERSION), api.deviceLong(d, OpenCl.CL_DEVICE_MAX_COMPUTE_UNITS, 4),
                        api.deviceLong(d, OpenCl.CL_DEVICE_GLOBAL_MEM_SIZE, 8), api.deviceLong(d, OpenCl.CL_DEVICE_MAX_WORK_GROUP_SIZE, 8));
                out.add(new Found(info, p, d));
            }
        }
        return out;
    }

    /**
     * The index {@link #openDefault()} opens: {@code -Dradapter.opencl.device}, else the first GPU,
     * accelerator or other device, in that order of preference.
     */
    public static int defaultIndex() {
        return choose(find()).info().index();
    }

    private static Found choose(List<Found> all) {
        if (all.isEmpty()) {
            throw new OpenClException("no OpenCL platform or device found (the ICD loader lists none; is an ICD such as "
                    + "pocl-opencl-icd or the GPU vendor's installed under /etc/OpenCL/vendors?)");
        }
        String requested = System.getProperty(DEVICE_PROPERTY);
        if (requested != null && !requested.isBlank()) {
            int n;
            try {
                n = Integer.parseInt(requested.trim());
            } catch (NumberFormatException e) {
                throw new OpenClException("-D" + DEVICE_PROPERTY + "=" + requested + " is not a device index; devices: "
                        + all.stream().map(f -> f.info().toString()).toList());
            }
            if (n < 0 || n >= all.size()) {
                throw new OpenClException("-D" + DEVICE_PROPERTY + "=" + n + " but there are " + all.size() + " OpenCL device(s): "
                        + all.stream().map(f -> f.info().toString()).toList());
            }
            return all.get(n);
        }
        for (String preferred : List.of("GPU", "ACCELERATOR")) {
            for (Found f : all) {
                if (f.info().type().equals(preferred)) {
                    return f;
                }
            }
        }
        return all.getFirst();
    }

    /** Opens the device chosen by {@link #defaultIndex()}. */
    public static OpenClDriver openDefault() {
        return new OpenClDriver(OpenCl.get(), choose(find()));
    }

    /** Opens device {@code index} of {@link #devices()}. */
    public static OpenClDriver open(int index) {
        List<Found> all = find();
        if (index < 0 || index >= all.size()) {
            throw new OpenClException("OpenCL device " + index + " does not exist; devices: " + all.stream().map(f -> f.info().toString()).toList());
        }
        return new OpenClDriver(OpenCl.get(), all.get(index));
    }

    /** Why OpenCL cannot be used here (no library, no platform, no device), or {@code null} when it can. */
    public static String problem() {
        String p = OpenCl.problem();
        if (p != null) {
            return p;
        }
        try {
            choose(find());
            return null;
        } catch (RuntimeException e) {
            return e.getMessage();
        }
    }

    /** The device this driver runs on. */
    public DeviceInfo info() {
        return info;
    }

    @Override
    public Device device() {
        return device;
    }

    @Override
    public String description() {
        return info.toString();
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("OpenCL driver for " + device + " is closed");
        }
    }

    // ================================================================ memory

    @Override
    public GpuBuffer allocate(long byteSize) {
        if (byteSize < 0) {
            throw new IllegalArgumentException("negative allocation size " + byteSize);
        }
        checkOpen();
        // OpenCL rejects empty buffers, and kernels of empty tensors still need a valid argument.
        ClBuffer b = new ClBuffer(this, api.createBuffer(context, Math.max(byteSize, 1)), byteSize);
        live.add(b);
        return b;
    }

    private ClBuffer own(GpuBuffer b, String what) {
        if (!(b instanceof ClBuffer c) || c.driver != this) {
            throw new IllegalArgumentException(what + " is not a buffer of " + device + ": " + b);
        }
        if (!live.contains(c)) {
            throw new IllegalStateException(what + " was already released");
        }
        return c;
    }

    private static void checkRange(String what, long offset, long length, long size) {
        if (offset < 0 || length < 0 || offset > size - length) {
            throw new IndexOutOfBoundsException(what + ": bytes [" + offset + ", " + (offset + length) + ") outside a buffer of "
                    + size + " bytes");
        }
    }

    @Override
    public void upload(MemorySegment src, GpuBuffer dst, long dstOffset) {
        ClBuffer d = own(dst, "upload destination");
        long n = src.byteSize();
        checkRange("upload", dstOffset, n, d.size);
        if (n == 0) {
            return;
        }
        checkOpen();
        if (src.isNative()) {
            api.write(queue, d.mem, dstOffset, n, src);
        } else {
            // The driver reads host memory by address, so heap segments go through native memory.
            try (Arena a = Arena.ofConfined()) {
                MemorySegment tmp = a.allocate(n, 16);
                tmp.copyFrom(src);
                api.write(queue, d.mem, dstOffset, n, tmp);
            }
        }
    }

    @Override
    public void download(GpuBuffer src, long srcOffset, MemorySegment dst) {
        ClBuffer s = own(src, "download source");
        long n = dst.byteSize();
        checkRange("download", srcOffset, n, s.size);
        if (n == 0) {
            return;
        }
        checkOpen();
        if (dst.isNative()) {
            api.read(queue, s.mem, srcOffset, n, dst);
        } else {
            try (Arena a = Arena.ofConfined()) {
                MemorySegment tmp = a.allocate(n, 16);
                api.read(queue, s.mem, srcOffset, n, tmp);
                dst.copyFrom(tmp);
            }
        }
    }

    @Override
    public void copy(GpuBuffer src, long srcOffset, GpuBuffer dst, long dstOffset, long byteSize) {
        ClBuffer s = own(src, "copy source");
        ClBuffer d = own(dst, "copy destination");
        checkRange("copy source", srcOffset, byteSize, s.size);
        checkRange("copy destination", dstOffset, byteSize, d.size);
        if (byteSize == 0) {
            return;
        }
        checkOpen();
        api.copy(queue, s.mem, srcOffset, d.mem, dstOffset, byteSize);
    }

    private void free(ClBuffer b) {
        // Removal from 'live' is the one ticket to free, so close() and a cleaner cannot both release.
        if (live.remove(b) && !closed) {
            api.releaseBuffer(b.mem);
        }
    }

    /** Bytes in buffers of this driver not yet released (for leak checks). */
    public long liveBytes() {
        long n = 0;
        for (ClBuffer b : live) {
            n += b.size;
        }
        return n;
    }

    // ================================================================ programs and launches

    @Override
    public GpuProgram compile(String label, String source) {
        checkOpen();
        String full = KernelSources.withPrelude(KernelSources.Dialect.OPENCL, source);
        ClProgram p = new ClProgram(label, api.buildProgram(context, clDevice, label, full, ""));
        programs.add(p);
        return p;
    }

    @Override
    public GpuKernel kernel(GpuProgram program, String name) {
        if (!(program instanceof ClProgram p) || !programs.contains(p)) {
            throw new IllegalArgumentException("not a live program of " + device + ": " + program);
        }
        checkOpen();
        ClKernel k = new ClKernel(name, api.createKernel(p.handle(), name, p.label()), p);
        kernels.add(k);
        return k;
    }

    @Override
    public void launch(GpuKernel kernel, long[] global, long[] local, Object... args) {
        if (!(kernel instanceof ClKernel k) || !kernels.contains(k)) {
            throw new IllegalArgumentException("not a live kernel of " + device + ": " + kernel);
        }
        int dims = global.length;
        if (dims < 1 || dims > 3 || local == null || local.length != dims) {
            throw new IllegalArgumentException("launch of '" + k.name() + "' needs 1 to 3 dimensions and local sizes of the same count, "
                    + "got global " + Arrays.toString(global) + ", local " + Arrays.toString(local));
        }
        long[] rounded = new long[dims];
        long groupSize = 1;
        for (int d = 0; d < dims; d++) {
            if (global[d] == 0) {
                return; // nothing to run; OpenCL rejects an empty range
            }
            if (global[d] < 0 || local[d] <= 0) {
                throw new IllegalArgumentException("launch of '" + k.name() + "': bad sizes, global " + Arrays.toString(global)
                        + ", local " + Arrays.toString(local));
            }
            rounded[d] = (global[d] + local[d] - 1) / local[d] * local[d];
            groupSize *= local[d];
        }
        if (groupSize > info.maxWorkGroup()) {
            throw new IllegalArgumentException("launch of '" + k.name() + "': a work-group of " + groupSize
                    + " work-items exceeds the device's " + info.maxWorkGroup());
        }
        checkOpen();
        launchLock.lock();
        try {
            if (args.length <= SCRATCH_ARGS) {
                launchWith(scratch, k, rounded, local, args);
            } else {
                try (Arena a = Arena.ofConfined()) {
                    launchWith(a.allocate((args.length + 6) * 8L, 16), k, rounded, local, args);
                }
            }
        } finally {
            launchLock.unlock();
        }
    }

    /** Sets each argument from an 8-byte slot of {@code room} (OpenCL copies the value), then enqueues. */
    private void launchWith(MemorySegment room, ClKernel k, long[] global, long[] local, Object[] args) {
        int n = args.length;
        for (int i = 0; i < n; i++) {
            MemorySegment slot = room.asSlice(i * 8L, 8);
            long size;
            switch (args[i]) {
                case GpuBuffer b -> {
                    slot.set(ADDRESS, 0, own(b, "argument " + i + " of '" + k.name() + "'").mem);
                    size = ADDRESS.byteSize();
                }
                case Integer v -> {
                    slot.set(JAVA_INT, 0, v);
                    size = 4;
                }
                case Long v -> {
                    slot.set(JAVA_LONG, 0, v);
                    size = 8;
                }
                case Float v -> {
                    slot.set(JAVA_FLOAT, 0, v);
                    size = 4;
                }
                case null -> throw new IllegalArgumentException("argument " + i + " of '" + k.name() + "' is null");
                default -> throw new IllegalArgumentException("argument " + i + " of '" + k.name() + "' is a "
                        + args[i].getClass().getSimpleName() + "; kernels take GpuBuffer, Integer, Long or Float");
            }
            api.setArg(k.handle(), i, size, slot, k.name());
        }
        MemorySegment sizes = room.asSlice(n * 8L, 6 * 8L);
        for (int d = 0; d < global.length; d++) {
            sizes.setAtIndex(JAVA_LONG, d, global[d]);
            sizes.setAtIndex(JAVA_LONG, 3 + d, local[d]);
        }
        api.enqueue(queue, k.handle(), global.length, sizes.asSlice(0, 24), sizes.asSlice(24, 24), k.name());
    }

    @Override
    public void finish() {
        checkOpen();
        api.finish(queue);
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        try {
            api.finish(queue);
        } finally {
            closed = true;
            for (ClBuffer b : live) {
                if (live.remove(b)) {
                    api.releaseBuffer(b.mem);
                }
            }
            for (ClKernel k : kernels) {
                api.releaseKernel(k.handle());
            }
            kernels.clear();
            for (ClProgram p : programs) {
                api.releaseProgram(p.handle());
            }
            programs.clear();
            api.releaseQueue(queue);
            api.releaseContext(context);
            scratchArena.close();
        }
    }

    @Override
    public String toString() {
        return description();
    }

    // ================================================================ handles

    /** A {@code cl_mem} and its size. */
    private static final class ClBuffer implements GpuBuffer {
        final OpenClDriver driver;
        final MemorySegment mem;
        final long size;

        ClBuffer(OpenClDriver driver, MemorySegment mem, long size) {
            this.driver = driver;
            this.mem = mem;
            this.size = size;
        }

        @Override
        public long handle() {
            return mem.address();
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
            return "cl_mem 0x" + Long.toHexString(mem.address()) + " (" + size + " bytes on " + driver.device + ")";
        }
    }

    /** A built {@code cl_program}. */
    private record ClProgram(String label, MemorySegment handle) implements GpuProgram {
    }

    /** A {@code cl_kernel} of a built program. */
    private record ClKernel(String name, MemorySegment handle, ClProgram program) implements GpuKernel {
    }
}
