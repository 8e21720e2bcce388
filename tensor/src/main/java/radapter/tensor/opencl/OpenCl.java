package radapter.tensor.opencl;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The OpenCL 1.2 C API through the FFM API: the ICD loader ({@code libOpenCL.so.1}) is opened and
 * the functions radapter uses are bound the first time {@link #get()} is called, never at class
 * load, so a machine without OpenCL gets a one-line {@link #problem()} instead of a linkage error.
 *
 * <p>Handles ({@code cl_platform_id}, {@code cl_context}, {@code cl_mem}, ...) are addresses, held
 * as {@link MemorySegment}s of size 0. {@code size_t} and {@code cl_bitfield} are 64-bit and
 * {@code cl_int}/{@code cl_uint}/{@code cl_bool} 32-bit, which is what the FFM layouts below say;
 * radapter only supports 64-bit hosts. Every wrapper throws {@link OpenClException} for a
 * non-{@code CL_SUCCESS} result.
 */
final class OpenCl {
    // ---------------------------------------------------------------- constants (cl.h, cl_ext.h)
    static final int CL_SUCCESS = 0;
    static final int CL_DEVICE_NOT_FOUND = -1;
    static final int CL_PLATFORM_NOT_FOUND_KHR = -1001;

    static final long CL_DEVICE_TYPE_CPU = 1L << 1;
    static final long CL_DEVICE_TYPE_GPU = 1L << 2;
    static final long CL_DEVICE_TYPE_ACCELERATOR = 1L << 3;
    static final long CL_DEVICE_TYPE_ALL = 0xFFFFFFFFL;

    static final int CL_PLATFORM_VERSION = 0x0901;
    static final int CL_PLATFORM_NAME = 0x0902;
    static final int CL_PLATFORM_VENDOR = 0x0903;

    static final int CL_DEVICE_TYPE = 0x1000;
    static final int CL_DEVICE_MAX_COMPUTE_UNITS = 0x1002;
    static final int CL_DEVICE_MAX_WORK_GROUP_SIZE = 0x1004;
    static final int CL_DEVICE_MAX_MEM_ALLOC_SIZE = 0x1010;
    static final int CL_DEVICE_GLOBAL_MEM_SIZE = 0x101F;
    static final int CL_DEVICE_LOCAL_MEM_SIZE = 0x1023;
    static final int CL_DEVICE_NAME = 0x102B;
    static final int CL_DEVICE_VENDOR = 0x102C;
    static final int CL_DRIVER_VERSION = 0x102D;
    static final int CL_DEVICE_VERSION = 0x102F;

    static final long CL_CONTEXT_PLATFORM = 0x1084;
    static final long CL_MEM_READ_WRITE = 1L;
    static final int CL_PROGRAM_BUILD_LOG = 0x1183;
    static final int CL_TRUE = 1;

    private static final Map<Integer, String> ERRORS = errorNames();

    /** The bound API, or the reason there is none; computed once. */
    private static final class Holder {
        static final Object API = load();
    }

    // ---------------------------------------------------------------- bound functions
    private final MethodHandle getPlatformIDs;
    private final MethodHandle getPlatformInfo;
    private final MethodHandle getDeviceIDs;
    private final MethodHandle getDeviceInfo;
    private final MethodHandle createContext;
    private final MethodHandle releaseContext;
    private final MethodHandle createCommandQueue;
    private final MethodHandle releaseCommandQueue;
    private final MethodHandle createBuffer;
    private final MethodHandle releaseMemObject;
    private final MethodHandle enqueueWriteBuffer;
    private final MethodHandle enqueueReadBuffer;
    private final MethodHandle enqueueCopyBuffer;
    private final MethodHandle createProgramWithSource;
    private final MethodHandle buildProgram;
    private final MethodHandle getProgramBuildInfo;
    private final MethodHandle releaseProgram;
    private final MethodHandle createKernel;
    private final MethodHandle releaseKernel;
    private final MethodHandle setKernelArg;
    private final MethodHandle enqueueNDRangeKernel;
    private final MethodHandle finish;

    private OpenCl(SymbolLookup lib) {
        Linker linker = Linker.nativeLinker();
        Binder b = new Binder(linker, lib);
        getPlatformIDs = b.bind("clGetPlatformIDs", JAVA_INT, JAVA_INT, ADDRESS, ADDRESS);
        getPlatformInfo = b.bind("clGetPlatformInfo", JAVA_INT, ADDRESS, JAVA_INT, JAVA_LONG, ADDRESS, ADDRESS);
        getDeviceIDs = b.bind("clGetDeviceIDs", JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT, ADDRESS, ADDRESS);
        getDeviceInfo = b.bind("clGetDeviceInfo", JAVA_INT, ADDRESS, JAVA_INT, JAVA_LONG, ADDRESS, ADDRESS);
        createContext = b.bind("clCreateContext", ADDRESS, ADDRESS, JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS);
        releaseContext = b.bind("clReleaseContext", JAVA_INT, ADDRESS);
        createCommandQueue = b.bind("clCreateCommandQueue", ADDRESS, ADDRESS, ADDRESS, JAVA_LONG, ADDRESS);
        releaseCommandQueue = b.bind("clReleaseCommandQueue", JAVA_INT, ADDRESS);
        createBuffer = b.bind("clCreateBuffer", ADDRESS, ADDRESS, JAVA_LONG, JAVA_LONG, ADDRESS, ADDRESS);
        releaseMemObject = b.bind("clReleaseMemObject", JAVA_INT, ADDRESS);
        enqueueWriteBuffer = b.bind("clEnqueueWriteBuffer", JAVA_INT, ADDRESS, ADDRESS, JAVA_INT, JAVA_LONG, JAVA_LONG, ADDRESS,
                JAVA_INT, ADDRESS, ADDRESS);
        enqueueReadBuffer = b.bind("clEnqueueReadBuffer", JAVA_INT, ADDRESS, ADDRESS, JAVA_INT, JAVA_LONG, JAVA_LONG, ADDRESS,
                JAVA_INT, ADDRESS, ADDRESS);
        enqueueCopyBuffer = b.bind("clEnqueueCopyBuffer", JAVA_INT, ADDRESS, ADDRESS, ADDRESS, JAVA_LONG, JAVA_LONG, JAVA_LONG,
                JAVA_INT, ADDRESS, ADDRESS);
        createProgramWithSource = b.bind("clCreateProgramWithSource", ADDRESS, ADDRESS, JAVA_INT, ADDRESS, ADDRESS, ADDRESS);
        buildProgram = b.bind("clBuildProgram", JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS);
        getProgramBuildInfo = b.bind("clGetProgramBuildInfo", JAVA_INT, ADDRESS, ADDRESS, JAVA_INT, JAVA_LONG, ADDRESS, ADDRESS);
        releaseProgram = b.bind("clReleaseProgram", JAVA_INT, ADDRESS);
        createKernel = b.bind("clCreateKernel", ADDRESS, ADDRESS, ADDRESS, ADDRESS);
        releaseKernel = b.bind("clReleaseKernel", JAVA_INT, ADDRESS);
        setKernelArg = b.bind("clSetKernelArg", JAVA_INT, ADDRESS, JAVA_INT, JAVA_LONG, ADDRESS);
        enqueueNDRangeKernel = b.bind("clEnqueueNDRangeKernel", JAVA_INT, ADDRESS, ADDRESS, JAVA_INT, ADDRESS, ADDRESS, ADDRESS,
                JAVA_INT, ADDRESS, ADDRESS);
        finish = b.bind("clFinish", JAVA_INT, ADDRESS);
    }

    /** Looks symbols up, naming the one that is missing. */
    private record Binder(Linker linker, SymbolLookup lib) {
        MethodHandle bind(String name, java.lang.foreign.MemoryLayout result, java.lang.foreign.MemoryLayout... args) {
            MemorySegment symbol = lib.find(name).orElseThrow(() -> new OpenClException(
                    "the OpenCL library has no symbol " + name + " (an OpenCL 1.2 ICD loader is needed)"));
            return linker.downcallHandle(symbol, FunctionDescriptor.of(result, args));
        }
    }

    private static Object load() {
        List<String> tried = new ArrayList<>();
        String explicit = System.getProperty("radapter.opencl.library");
        List<String> names = explicit != null && !explicit.isBlank()
                ? List.of(explicit.trim())
                : List.of("libOpenCL.so.1", "libOpenCL.so", "/System/Library/Frameworks/OpenCL.framework/OpenCL", "OpenCL.dll");
        for (String name : names) {
            try {
                // Global arena: the loader stays mapped for the life of the process, as the driver needs.
                SymbolLookup lib = SymbolLookup.libraryLookup(name, Arena.global());
                return new OpenCl(lib);
            } catch (IllegalArgumentException e) {
                tried.add(name);
            } catch (OpenClException e) {
                return e.getMessage();
            } catch (Throwable t) {
                return "the OpenCL library " + name + " could not be bound: " + t;
            }
        }
        return "no OpenCL library found (tried " + String.join(", ", tried)
                + "); install an ICD loader and a platform, e.g. apt-get install ocl-icd-libopencl1 pocl-opencl-icd";
    }

    /** The bound API; throws {@link OpenClException} with {@link #problem()} when there is none. */
    static OpenCl get() {
        if (Holder.API instanceof OpenCl api) {
            return api;
        }
        throw new OpenClException((String) Holder.API);
    }

    /** Why there is no API here, or {@code null} when the library was bound. */
    static String problem() {
        return Holder.API instanceof String s ? s : null;
    }

    // ---------------------------------------------------------------- error handling

    static String errorName(int code) {
        return ERRORS.getOrDefault(code, "CL_UNKNOWN_ERROR");
    }

    private static void check(int rc, String call, String detail) {
        if (rc != CL_SUCCESS) {
            throw new OpenClException(call, rc, detail);
        }
    }

    private static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) {
            return r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        return new IllegalStateException(t);
    }

    // ---------------------------------------------------------------- platforms and devices

    /** Every platform; empty when the loader finds none ({@code CL_PLATFORM_NOT_FOUND_KHR}). */
    List<MemorySegment> platforms() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment count = a.allocate(JAVA_INT);
            int rc = (int) getPlatformIDs.invokeExact(0, MemorySegment.NULL, count);
            if (rc == CL_PLATFORM_NOT_FOUND_KHR || (rc == CL_SUCCESS && count.get(JAVA_INT, 0) == 0)) {
                return List.of();
            }
            check(rc, "clGetPlatformIDs", "counting platforms");
            int n = count.get(JAVA_INT, 0);
            MemorySegment ids = a.allocate(ADDRESS, n);
            check((int) getPlatformIDs.invokeExact(n, ids, MemorySegment.NULL), "clGetPlatformIDs", "listing platforms");
            List<MemorySegment> out = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                out.add(ids.getAtIndex(ADDRESS, i));
            }
            return out;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** The devices of one platform (of any type); empty when it has none. */
    List<MemorySegment> devices(MemorySegment platform) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment count = a.allocate(JAVA_INT);
            int rc = (int) getDeviceIDs.invokeExact(platform, CL_DEVICE_TYPE_ALL, 0, MemorySegment.NULL, count);
            if (rc == CL_DEVICE_NOT_FOUND) {
                return List.of();
            }
            check(rc, "clGetDeviceIDs", "counting devices");
            int n = count.get(JAVA_INT, 0);
            MemorySegment ids = a.allocate(ADDRESS, Math.max(n, 1));
            check((int) getDeviceIDs.invokeExact(platform, CL_DEVICE_TYPE_ALL, n, ids, MemorySegment.NULL), "clGetDeviceIDs",
                    "listing devices");
            List<MemorySegment> out = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                out.add(ids.getAtIndex(ADDRESS, i));
            }
            return out;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    String platformString(MemorySegment platform, int param) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment size = a.allocate(JAVA_LONG);
            check((int) getPlatformInfo.invokeExact(platform, param, 0L, MemorySegment.NULL, size), "clGetPlatformInfo", "");
            long n = size.get(JAVA_LONG, 0);
            MemorySegment buf = a.allocate(Math.max(n, 1));
            check((int) getPlatformInfo.invokeExact(platform, param, n, buf, MemorySegment.NULL), "clGetPlatformInfo", "");
            return cString(buf, n);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    String deviceString(MemorySegment device, int param) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment size = a.allocate(JAVA_LONG);
            check((int) getDeviceInfo.invokeExact(device, param, 0L, MemorySegment.NULL, size), "clGetDeviceInfo", "");
            long n = size.get(JAVA_LONG, 0);
            MemorySegment buf = a.allocate(Math.max(n, 1));
            check((int) getDeviceInfo.invokeExact(device, param, n, buf, MemorySegment.NULL), "clGetDeviceInfo", "");
            return cString(buf, n);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** A numeric device property of {@code bytes} bytes (4 for cl_uint, 8 for cl_ulong, size_t, bitfields). */
    long deviceLong(MemorySegment device, int param, int bytes) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment buf = a.allocate(8);
            check((int) getDeviceInfo.invokeExact(device, param, (long) bytes, buf, MemorySegment.NULL), "clGetDeviceInfo", "");
            return bytes == 4 ? Integer.toUnsignedLong(buf.get(JAVA_INT, 0)) : buf.get(JAVA_LONG, 0);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    private static String cString(MemorySegment buf, long n) {
        byte[] bytes = buf.asSlice(0, n).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
        int len = 0;
        while (len < bytes.length && bytes[len] != 0) {
            len++;
        }
        return new String(bytes, 0, len, StandardCharsets.UTF_8).trim();
    }

    // ---------------------------------------------------------------- context and queue

    MemorySegment createContext(MemorySegment platform, MemorySegment device) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment props = a.allocate(JAVA_LONG, 3);
            props.setAtIndex(JAVA_LONG, 0, CL_CONTEXT_PLATFORM);
            props.setAtIndex(JAVA_LONG, 1, platform.address());
            props.setAtIndex(JAVA_LONG, 2, 0L);
            MemorySegment devices = a.allocate(ADDRESS);
            devices.set(ADDRESS, 0, device);
            MemorySegment err = a.allocate(JAVA_INT);
            MemorySegment ctx = (MemorySegment) createContext.invokeExact(props, 1, devices, MemorySegment.NULL, MemorySegment.NULL, err);
            check(err.get(JAVA_INT, 0), "clCreateContext", "");
            return ctx;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    void releaseContext(MemorySegment context) {
        try {
            check((int) releaseContext.invokeExact(context), "clReleaseContext", "");
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** An in-order queue without profiling: commands run in the order they are enqueued. */
    MemorySegment createQueue(MemorySegment context, MemorySegment device) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment err = a.allocate(JAVA_INT);
            MemorySegment q = (MemorySegment) createCommandQueue.invokeExact(context, device, 0L, err);
            check(err.get(JAVA_INT, 0), "clCreateCommandQueue", "");
            return q;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    void releaseQueue(MemorySegment queue) {
        try {
            check((int) releaseCommandQueue.invokeExact(queue), "clReleaseCommandQueue", "");
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    void finish(MemorySegment queue) {
        try {
            check((int) finish.invokeExact(queue), "clFinish", "a kernel or transfer queued earlier failed");
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    // ---------------------------------------------------------------- memory

    MemorySegment createBuffer(MemorySegment context, long bytes) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment err = a.allocate(JAVA_INT);
            MemorySegment mem = (MemorySegment) createBuffer.invokeExact(context, CL_MEM_READ_WRITE, bytes, MemorySegment.NULL, err);
            check(err.get(JAVA_INT, 0), "clCreateBuffer", "allocating " + bytes + " bytes");
            return mem;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    void releaseBuffer(MemorySegment mem) {
        try {
            check((int) releaseMemObject.invokeExact(mem), "clReleaseMemObject", "");
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** Blocking host → device write of {@code bytes} bytes at {@code host} (native memory). */
    void write(MemorySegment queue, MemorySegment mem, long offset, long bytes, MemorySegment host) {
        try {
            check((int) enqueueWriteBuffer.invokeExact(queue, mem, CL_TRUE, offset, bytes, host, 0, MemorySegment.NULL,
                    MemorySegment.NULL), "clEnqueueWriteBuffer", "uploading " + bytes + " bytes at offset " + offset);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** Blocking device → host read (waits for every command queued before it). */
    void read(MemorySegment queue, MemorySegment mem, long offset, long bytes, MemorySegment host) {
        try {
            check((int) enqueueReadBuffer.invokeExact(queue, mem, CL_TRUE, offset, bytes, host, 0, MemorySegment.NULL,
                    MemorySegment.NULL), "clEnqueueReadBuffer", "downloading " + bytes + " bytes at offset " + offset);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    void copy(MemorySegment queue, MemorySegment src, long srcOffset, MemorySegment dst, long dstOffset, long bytes) {
        try {
            check((int) enqueueCopyBuffer.invokeExact(queue, src, dst, srcOffset, dstOffset, bytes, 0, MemorySegment.NULL,
                    MemorySegment.NULL), "clEnqueueCopyBuffer", "copying " + bytes + " bytes");
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    // ---------------------------------------------------------------- programs and kernels

    /**
     * Compiles {@code source} for {@code device}; a failed build throws with the compiler's log,
     * labelled {@code label}.
     */
    MemorySegment buildProgram(MemorySegment context, MemorySegment device, String label, String source, String options) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment text = a.allocateFrom(source);
            MemorySegment strings = a.allocate(ADDRESS);
            strings.set(ADDRESS, 0, text);
            MemorySegment lengths = a.allocate(JAVA_LONG);
            lengths.set(JAVA_LONG, 0, text.byteSize() - 1);
            MemorySegment err = a.allocate(JAVA_INT);
            MemorySegment program = (MemorySegment) createProgramWithSource.invokeExact(context, 1, strings, lengths, err);
            check(err.get(JAVA_INT, 0), "clCreateProgramWithSource", label);
            MemorySegment devices = a.allocate(ADDRESS);
            devices.set(ADDRESS, 0, device);
            int rc = (int) buildProgram.invokeExact(program, 1, devices, a.allocateFrom(options), MemorySegment.NULL, MemorySegment.NULL);
            if (rc != CL_SUCCESS) {
                String log;
                try {
                    log = buildLog(program, device);
                } catch (RuntimeException e) {
                    log = "(no build log: " + e.getMessage() + ")";
                }
                releaseProgram(program);
                throw new OpenClException("clBuildProgram", rc, "building kernel program '" + label + "'; build log:\n" + log);
            }
            return program;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    private String buildLog(MemorySegment program, MemorySegment device) throws Throwable {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment size = a.allocate(JAVA_LONG);
            check((int) getProgramBuildInfo.invokeExact(program, device, CL_PROGRAM_BUILD_LOG, 0L, MemorySegment.NULL, size),
                    "clGetProgramBuildInfo", "");
            long n = size.get(JAVA_LONG, 0);
            MemorySegment buf = a.allocate(Math.max(n, 1));
            check((int) getProgramBuildInfo.invokeExact(program, device, CL_PROGRAM_BUILD_LOG, n, buf, MemorySegment.NULL),
                    "clGetProgramBuildInfo", "");
            return cString(buf, n);
        }
    }

    void releaseProgram(MemorySegment program) {
        try {
            check((int) releaseProgram.invokeExact(program), "clReleaseProgram", "");
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    MemorySegment createKernel(MemorySegment program, String name, String label) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment err = a.allocate(JAVA_INT);
            MemorySegment k = (MemorySegment) createKernel.invokeExact(program, a.allocateFrom(name), err);
            check(err.get(JAVA_INT, 0), "clCreateKernel", "kernel '" + name + "' of program '" + label + "'");
            return k;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    void releaseKernel(MemorySegment kernel) {
        try {
            check((int) releaseKernel.invokeExact(kernel), "clReleaseKernel", "");
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** Sets argument {@code index} to the {@code size} bytes at {@code value}. */
    void setArg(MemorySegment kernel, int index, long size, MemorySegment value, String kernelName) {
        try {
            check((int) setKernelArg.invokeExact(kernel, index, size, value), "clSetKernelArg",
                    "argument " + index + " (" + size + " bytes) of kernel '" + kernelName + "'");
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** Enqueues a launch; {@code global} and {@code local} hold {@code dims} size_t values each. */
    void enqueue(MemorySegment queue, MemorySegment kernel, int dims, MemorySegment global, MemorySegment local, String kernelName) {
        try {
            check((int) enqueueNDRangeKernel.invokeExact(queue, kernel, dims, MemorySegment.NULL, global, local, 0, MemorySegment.NULL,
                    MemorySegment.NULL), "clEnqueueNDRangeKernel", "kernel '" + kernelName + "'");
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    // ---------------------------------------------------------------- error names

    private static Map<Integer, String> errorNames() {
        String[] low = {"CL_SUCCESS", "CL_DEVICE_NOT_FOUND", "CL_DEVICE_NOT_AVAILABLE", "CL_COMPILER_NOT_AVAILABLE",
            "CL_MEM_OBJECT_ALLOCATION_FAILURE", "CL_OUT_OF_RESOURCES", "CL_OUT_OF_HOST_MEMORY", "CL_PROFILING_INFO_NOT_AVAILABLE",
            "CL_MEM_COPY_OVERLAP", "CL_IMAGE_FORMAT_MISMATCH", "CL_IMAGE_FORMAT_NOT_SUPPORTED", "CL_BUILD_PROGRAM_FAILURE",
            "CL_MAP_FAILURE", "CL_MISALIGNED_SUB_BUFFER_OFFSET", "CL_EXEC_STATUS_ERROR_FOR_EVENTS_IN_WAIT_LIST",
            "CL_COMPILE_PROGRAM_FAILURE", "CL_LINKER_NOT_AVAILABLE", "CL_LINK_PROGRAM_FAILURE", "CL_DEVICE_PARTITION_FAILED",
            "CL_KERNEL_ARG_INFO_NOT_AVAILABLE"};
        String[] invalid = {"CL_INVALID_VALUE", "CL_INVALID_DEVICE_TYPE", "CL_INVALID_PLATFORM", "CL_INVALID_DEVICE",
            "CL_INVALID_CONTEXT", "CL_INVALID_QUEUE_PROPERTIES", "CL_INVALID_COMMAND_QUEUE", "CL_INVALID_HOST_PTR",
            "CL_INVALID_MEM_OBJECT", "CL_INVALID_IMAGE_FORMAT_DESCRIPTOR", "CL_INVALID_IMAGE_SIZE", "CL_INVALID_SAMPLER",
            "CL_INVALID_BINARY", "CL_INVALID_BUILD_OPTIONS", "CL_INVALID_PROGRAM", "CL_INVALID_PROGRAM_EXECUTABLE",
            "CL_INVALID_KERNEL_NAME", "CL_INVALID_KERNEL_DEFINITION", "CL_INVALID_KERNEL", "CL_INVALID_ARG_INDEX",
            "CL_INVALID_ARG_VALUE", "CL_INVALID_ARG_SIZE", "CL_INVALID_KERNEL_ARGS", "CL_INVALID_WORK_DIMENSION",
            "CL_INVALID_WORK_GROUP_SIZE", "CL_INVALID_WORK_ITEM_SIZE", "CL_INVALID_GLOBAL_OFFSET", "CL_INVALID_EVENT_WAIT_LIST",
            "CL_INVALID_EVENT", "CL_INVALID_OPERATION", "CL_INVALID_GL_OBJECT", "CL_INVALID_BUFFER_SIZE", "CL_INVALID_MIP_LEVEL",
            "CL_INVALID_GLOBAL_WORK_SIZE", "CL_INVALID_PROPERTY", "CL_INVALID_IMAGE_DESCRIPTOR", "CL_INVALID_COMPILER_OPTIONS",
            "CL_INVALID_LINKER_OPTIONS", "CL_INVALID_DEVICE_PARTITION_COUNT", "CL_INVALID_PIPE_SIZE", "CL_INVALID_DEVICE_QUEUE"};
        java.util.HashMap<Integer, String> m = new java.util.HashMap<>();
        for (int i = 0; i < low.length; i++) {
            m.put(-i, low[i]);
        }
        for (int i = 0; i < invalid.length; i++) {
            m.put(-30 - i, invalid[i]);
        }
        m.put(CL_PLATFORM_NOT_FOUND_KHR, "CL_PLATFORM_NOT_FOUND_KHR");
        return Map.copyOf(m);
    }
}
