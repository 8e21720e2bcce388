package radapter.tensor.cuda;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * The CUDA driver API ({@code libcuda.so.1}) through FFM downcalls: the few dozen calls radapter
 * needs, each wrapped in a Java method that checks the {@code CUresult} and throws a
 * {@link CudaException} naming the call and the CUDA error.
 *
 * <p><b>Versioned symbols.</b> {@code cuda.h} maps {@code cuMemAlloc} to {@code cuMemAlloc_v2}
 * (and so on) with macros; a C program never sees the difference, but a dynamic lookup does: the
 * unversioned names are the old 32-bit ABI. Every symbol here is the one {@code cuda.h} of CUDA 12
 * and 13 resolves to.
 *
 * <p><b>Where symbols come from.</b> {@link #load()} opens the real driver; {@link #bind} takes any
 * {@link SymbolLookup}, which is how the tests drive these bindings with a fake driver made of
 * upcall stubs. Binding happens only when asked for, never in a static initialiser, so a machine
 * without the NVIDIA driver gets a {@link CudaException} with a one-line reason and never an
 * {@link UnsatisfiedLinkError}.
 *
 * <p><b>Threads.</b> A CUDA context is current per thread, and a call made on a thread with no (or
 * another) current context fails with {@code CUDA_ERROR_INVALID_CONTEXT} or, worse, acts on the
 * wrong device. radapter calls CUDA from whichever thread runs an op and frees memory from the
 * {@link java.lang.ref.Cleaner} thread, so the rule is: every context-bound operation of
 * {@link CudaDriver} first calls {@link #makeCurrent}, which costs one thread-local read when the
 * context is already current on that thread (radapter is the only CUDA user in the process, so its
 * own record of what it made current is the truth).
 *
 * <p>Every {@code CUdeviceptr} is a {@code long}; {@code CUcontext}, {@code CUmodule} and
 * {@code CUfunction} are opaque {@link MemorySegment} addresses; {@code size_t} is 64-bit (radapter
 * supports 64-bit platforms only).
 */
@SuppressWarnings("restricted") // binding native code is this class's purpose; the JVM runs with --enable-native-access
public final class CudaApi {
    /** The driver library's name on Linux (the {@code .so.1} is what the driver package installs). */
    public static final String LIBRARY = "libcuda.so.1";
    /** System property naming another driver library (a path or a name for the dynamic loader). */
    public static final String LIBRARY_PROPERTY = "radapter.cuda.lib";
    /**
     * System property naming a class (public, no-argument constructor) that implements
     * {@code Supplier<SymbolLookup>}: the driver's symbols come from it instead of a library. The
     * tests use it to put the service-loaded {@code cuda} backend on a fake driver in a child JVM.
     */
    public static final String SYMBOLS_PROPERTY = "radapter.cuda.symbols";

    /** {@code CUresult} values radapter reacts to or tests for (from {@code cuda.h}). */
    public static final int CUDA_SUCCESS = 0;
    public static final int CUDA_ERROR_INVALID_VALUE = 1;
    public static final int CUDA_ERROR_OUT_OF_MEMORY = 2;
    public static final int CUDA_ERROR_NOT_INITIALIZED = 3;
    public static final int CUDA_ERROR_NO_DEVICE = 100;
    public static final int CUDA_ERROR_INVALID_IMAGE = 200;
    public static final int CUDA_ERROR_INVALID_CONTEXT = 201;
    public static final int CUDA_ERROR_INVALID_PTX = 218;
    public static final int CUDA_ERROR_UNSUPPORTED_PTX_VERSION = 222;
    public static final int CUDA_ERROR_INVALID_HANDLE = 400;
    public static final int CUDA_ERROR_NOT_FOUND = 500;
    public static final int CUDA_ERROR_LAUNCH_FAILED = 719;
    public static final int CUDA_ERROR_NOT_SUPPORTED = 801;
    public static final int CUDA_ERROR_UNKNOWN = 999;

    /** {@code CUdevice_attribute} values used for the device description and launch checks. */
    static final int ATTR_MAX_THREADS_PER_BLOCK = 1;
    static final int ATTR_MAX_GRID_DIM_X = 5;
    static final int ATTR_MAX_GRID_DIM_Y = 6;
    static final int ATTR_MAX_GRID_DIM_Z = 7;
    static final int ATTR_MULTIPROCESSOR_COUNT = 16;
    static final int ATTR_COMPUTE_CAPABILITY_MAJOR = 75;
    static final int ATTR_COMPUTE_CAPABILITY_MINOR = 76;

    /** {@code CUjit_option} values: where the PTX JIT writes its logs, and how big they may be. */
    static final int CU_JIT_INFO_LOG_BUFFER = 3;
    static final int CU_JIT_INFO_LOG_BUFFER_SIZE_BYTES = 4;
    static final int CU_JIT_ERROR_LOG_BUFFER = 5;
    static final int CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES = 6;
    private static final int JIT_LOG_BYTES = 16 * 1024;

    /**
     * The C signature of every bound symbol. Package-private so that the fake driver in the tests
     * builds its upcall stubs from the very same descriptors the downcalls use.
     */
    static final Map<String, FunctionDescriptor> SIGNATURES = signatures();

    private static Map<String, FunctionDescriptor> signatures() {
        Map<String, FunctionDescriptor> m = new LinkedHashMap<>();
        m.put("cuInit", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
        m.put("cuDriverGetVersion", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        m.put("cuDeviceGetCount", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        m.put("cuDeviceGet", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
        m.put("cuDeviceGetName", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT));
        m.put("cuDeviceGetAttribute", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT));
        m.put("cuDeviceTotalMem_v2", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
        m.put("cuDevicePrimaryCtxRetain", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
        m.put("cuDevicePrimaryCtxRelease_v2", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
        m.put("cuCtxSetCurrent", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        m.put("cuCtxSynchronize", FunctionDescriptor.of(JAVA_INT));
        m.put("cuMemAlloc_v2", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG));
        m.put("cuMemFree_v2", FunctionDescriptor.of(JAVA_INT, JAVA_LONG));
        m.put("cuMemGetInfo_v2", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
        m.put("cuMemcpyHtoD_v2", FunctionDescriptor.of(JAVA_INT, JAVA_LONG, ADDRESS, JAVA_LONG));
        m.put("cuMemcpyDtoH_v2", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_LONG));
        m.put("cuMemcpyDtoD_v2", FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_LONG));
        m.put("cuModuleLoadDataEx", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_INT, ADDRESS, ADDRESS));
        m.put("cuModuleUnload", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        m.put("cuModuleGetFunction", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS));
        m.put("cuLaunchKernel", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT,
                JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, ADDRESS));
        m.put("cuGetErrorName", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS));
        m.put("cuGetErrorString", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS));
        return Collections.unmodifiableMap(m);
    }

    /** Bumped whenever a context goes away, so no thread trusts a stale "already current" record. */
    private static final AtomicLong CONTEXT_EPOCH = new AtomicLong();

    private final String libraryName;
    private final MethodHandle cuInit;
    private final MethodHandle cuDriverGetVersion;
    private final MethodHandle cuDeviceGetCount;
    private final MethodHandle cuDeviceGet;
    private final MethodHandle cuDeviceGetName;
    private final MethodHandle cuDeviceGetAttribute;
    private final MethodHandle cuDeviceTotalMem;
    private final MethodHandle cuDevicePrimaryCtxRetain;
    private final MethodHandle cuDevicePrimaryCtxRelease;
    private final MethodHandle cuCtxSetCurrent;
    private final MethodHandle cuCtxSynchronize;
    private final MethodHandle cuMemAlloc;
    private final MethodHandle cuMemFree;
    private final MethodHandle cuMemGetInfo;
    private final MethodHandle cuMemcpyHtoD;
    private final MethodHandle cuMemcpyDtoH;
    private final MethodHandle cuMemcpyDtoD;
    private final MethodHandle cuModuleLoadDataEx;
    private final MethodHandle cuModuleUnload;
    private final MethodHandle cuModuleGetFunction;
    private final MethodHandle cuLaunchKernel;
    private final MethodHandle cuGetErrorName;
    private final MethodHandle cuGetErrorString;
    /** {context address, epoch} last made current on each thread through this instance. */
    private final ThreadLocal<long[]> current = ThreadLocal.withInitial(() -> new long[] {0, -1});

    private CudaApi(SymbolLookup symbols, String libraryName) {
        this.libraryName = libraryName;
        Linker linker = Linker.nativeLinker();
        Map<String, MethodHandle> h = new LinkedHashMap<>();
        for (Map.Entry<String, FunctionDescriptor> e : SIGNATURES.entrySet()) {
            Optional<MemorySegment> symbol = symbols.find(e.getKey());
            if (symbol.isEmpty()) {
                throw new CudaException(libraryName + " has no symbol " + e.getKey()
                        + "; the NVIDIA driver is too old (radapter needs a CUDA 12 or newer driver) or this is not the CUDA driver library");
            }
            h.put(e.getKey(), linker.downcallHandle(symbol.get(), e.getValue()));
        }
        cuInit = h.get("cuInit");
        cuDriverGetVersion = h.get("cuDriverGetVersion");
        cuDeviceGetCount = h.get("cuDeviceGetCount");
        cuDeviceGet = h.get("cuDeviceGet");
        cuDeviceGetName = h.get("cuDeviceGetName");
        cuDeviceGetAttribute = h.get("cuDeviceGetAttribute");
        cuDeviceTotalMem = h.get("cuDeviceTotalMem_v2");
        cuDevicePrimaryCtxRetain = h.get("cuDevicePrimaryCtxRetain");
        cuDevicePrimaryCtxRelease = h.get("cuDevicePrimaryCtxRelease_v2");
        cuCtxSetCurrent = h.get("cuCtxSetCurrent");
        cuCtxSynchronize = h.get("cuCtxSynchronize");
        cuMemAlloc = h.get("cuMemAlloc_v2");
        cuMemFree = h.get("cuMemFree_v2");
        cuMemGetInfo = h.get("cuMemGetInfo_v2");
        cuMemcpyHtoD = h.get("cuMemcpyHtoD_v2");
        cuMemcpyDtoH = h.get("cuMemcpyDtoH_v2");
        cuMemcpyDtoD = h.get("cuMemcpyDtoD_v2");
        cuModuleLoadDataEx = h.get("cuModuleLoadDataEx");
        cuModuleUnload = h.get("cuModuleUnload");
        cuModuleGetFunction = h.get("cuModuleGetFunction");
        cuLaunchKernel = h.get("cuLaunchKernel");
        cuGetErrorName = h.get("cuGetErrorName");
        cuGetErrorString = h.get("cuGetErrorString");
    }

    // ================================================================ binding

    /**
     * Binds the driver: the symbols of the class named by {@code -Dradapter.cuda.symbols=} when
     * set, else the library named by {@code -Dradapter.cuda.lib=} or else {@value #LIBRARY}, found
     * by the dynamic loader. Does not call {@code cuInit}.
     *
     * @throws CudaException when the library cannot be opened or lacks a symbol
     */
    public static CudaApi load() {
        String provider = System.getProperty(SYMBOLS_PROPERTY, "").trim();
        if (!provider.isEmpty()) {
            Supplier<?> symbols = instantiate(provider, Supplier.class, SYMBOLS_PROPERTY);
            if (!(symbols.get() instanceof SymbolLookup lookup)) {
                throw new CudaException(provider + " (named by -D" + SYMBOLS_PROPERTY + ") did not supply a SymbolLookup");
            }
            return bind(lookup, provider);
        }
        String name = System.getProperty(LIBRARY_PROPERTY, "").trim();
        String lib = name.isEmpty() ? LIBRARY : name;
        return bind(openLibrary(lib), lib);
    }

    /**
     * Binds every symbol from {@code symbols}; {@code libraryName} names the source in messages.
     *
     * @throws CudaException naming the first missing symbol
     */
    public static CudaApi bind(SymbolLookup symbols, String libraryName) {
        return new CudaApi(symbols, libraryName);
    }

    /**
     * Opens a native library for the lifetime of the process (unloading a GPU driver under live
     * contexts is never safe). A name containing a path separator is taken as a file.
     *
     * @throws CudaException with a one-line reason when it cannot be opened
     */
    public static SymbolLookup openLibrary(String nameOrPath) {
        try {
            return nameOrPath.contains("/") || nameOrPath.contains("\\")
                    ? SymbolLookup.libraryLookup(Path.of(nameOrPath), Arena.global())
                    : SymbolLookup.libraryLookup(nameOrPath, Arena.global());
        } catch (IllegalArgumentException | IllegalCallerException e) {
            String why = e instanceof IllegalCallerException
                    ? "native access is disabled (run java with --enable-native-access=ALL-UNNAMED)"
                    : "cannot load " + nameOrPath + " (no NVIDIA driver installed, or set -D" + LIBRARY_PROPERTY + "=/path/to/libcuda.so.1)";
            throw new CudaException(why, e);
        }
    }

    /**
     * An instance of the class {@code className} (public, with a public no-argument constructor)
     * for the extension point {@code property}; failures are {@link CudaException}s naming both.
     */
    static <T> T instantiate(String className, Class<T> type, String property) {
        try {
            ClassLoader loader = Thread.currentThread().getContextClassLoader();
            Class<?> c = Class.forName(className, true, loader != null ? loader : CudaApi.class.getClassLoader());
            return type.cast(c.getConstructor().newInstance());
        } catch (ReflectiveOperationException | ClassCastException | LinkageError e) {
            throw new CudaException("cannot use " + className + " (named by -D" + property + ") as a " + type.getSimpleName() + ": " + e, e);
        }
    }

    /** Where the symbols came from, for messages. */
    public String libraryName() {
        return libraryName;
    }

    // ================================================================ errors

    /** Throws when {@code result} is not {@code CUDA_SUCCESS}; {@code detail} says what was being done. */
    void check(String call, int result, String detail) {
        if (result != CUDA_SUCCESS) {
            throw error(call, result, detail);
        }
    }

    private void check(String call, int result) {
        check(call, result, "");
    }

    /** The exception for a failed call, with the driver's own name and description of the code. */
    CudaException error(String call, int result, String detail) {
        return new CudaException(call, result, errorName(result), errorString(result), detail);
    }

    /** {@code cuGetErrorName}, or {@code "CUresult N"} when the driver does not know the code. */
    public String errorName(int result) {
        String s = errorText(cuGetErrorName, result);
        return s != null ? s : "CUresult " + result;
    }

    /** {@code cuGetErrorString}, or empty when the driver does not know the code. */
    public String errorString(int result) {
        String s = errorText(cuGetErrorString, result);
        return s != null ? s : "";
    }

    private static String errorText(MethodHandle h, int result) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment out = a.allocate(ADDRESS);
            int r = (int) h.invokeExact(result, out);
            MemorySegment str = out.get(ADDRESS, 0);
            if (r != CUDA_SUCCESS || str.address() == 0) {
                return null;
            }
            return str.reinterpret(4096).getString(0, StandardCharsets.UTF_8);
        } catch (Throwable t) {
            return null;
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

    // ================================================================ initialisation and devices

    /** {@code cuInit(0)}; idempotent in the driver. */
    public void init() {
        try {
            check("cuInit", (int) cuInit.invokeExact(0));
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code cuDriverGetVersion}: e.g. 13000 for CUDA 13.0. */
    public int driverVersion() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment out = a.allocate(JAVA_INT);
            check("cuDriverGetVersion", (int) cuDriverGetVersion.invokeExact(out));
            return out.get(JAVA_INT, 0);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code cuDeviceGetCount}. */
    public int deviceCount() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment out = a.allocate(JAVA_INT);
            check("cuDeviceGetCount", (int) cuDeviceGetCount.invokeExact(out));
            return out.get(JAVA_INT, 0);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code cuDeviceGet}: the {@code CUdevice} for an ordinal. */
    public int device(int ordinal) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment out = a.allocate(JAVA_INT);
            check("cuDeviceGet", (int) cuDeviceGet.invokeExact(out, ordinal), "ordinal " + ordinal);
            return out.get(JAVA_INT, 0);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code cuDeviceGetName}. */
    public String deviceName(int device) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment out = a.allocate(256);
            check("cuDeviceGetName", (int) cuDeviceGetName.invokeExact(out, 256, device));
            return out.getString(0, StandardCharsets.UTF_8);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code cuDeviceGetAttribute}. */
    public int deviceAttribute(int attribute, int device) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment out = a.allocate(JAVA_INT);
            check("cuDeviceGetAttribute", (int) cuDeviceGetAttribute.invokeExact(out, attribute, device), "attribute " + attribute);
            return out.get(JAVA_INT, 0);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code cuDeviceTotalMem_v2}: the device's memory in bytes. */
    public long deviceTotalMemory(int device) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment out = a.allocate(JAVA_LONG);
            check("cuDeviceTotalMem_v2", (int) cuDeviceTotalMem.invokeExact(out, device));
            return out.get(JAVA_LONG, 0);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    // ================================================================ contexts

    /**
     * {@code cuDevicePrimaryCtxRetain}: the device's primary context, the one the CUDA runtime (and
     * so PyTorch) uses too. radapter uses it rather than {@code cuCtxCreate}, which CUDA 13 renamed
     * to {@code cuCtxCreate_v4} with a new parameter list.
     */
    public MemorySegment retainPrimaryContext(int device) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment out = a.allocate(ADDRESS);
            check("cuDevicePrimaryCtxRetain", (int) cuDevicePrimaryCtxRetain.invokeExact(out, device));
            return out.get(ADDRESS, 0);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code cuDevicePrimaryCtxRelease_v2}; makes every thread forget the context was current. */
    public void releasePrimaryContext(int device) {
        CONTEXT_EPOCH.incrementAndGet();
        try {
            check("cuDevicePrimaryCtxRelease_v2", (int) cuDevicePrimaryCtxRelease.invokeExact(device));
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /**
     * Makes {@code context} current on the calling thread ({@code cuCtxSetCurrent}) unless this
     * thread already made it current and no context has been released since.
     */
    public void makeCurrent(MemorySegment context) {
        long[] rec = current.get();
        long epoch = CONTEXT_EPOCH.get();
        if (rec[0] == context.address() && rec[1] == epoch) {
            return;
        }
        try {
            check("cuCtxSetCurrent", (int) cuCtxSetCurrent.invokeExact(context));
        } catch (Throwable t) {
            throw rethrow(t);
        }
        rec[0] = context.address();
        rec[1] = epoch;
    }

    /** {@code cuCtxSynchronize}: waits for all work of the current context; reports asynchronous kernel faults. */
    public void synchronize(String detail) {
        try {
            check("cuCtxSynchronize", (int) cuCtxSynchronize.invokeExact(), detail);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    // ================================================================ memory

    /** {@code cuMemAlloc_v2}: a fresh {@code CUdeviceptr} of {@code bytes} bytes. */
    public long memAlloc(long bytes) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment out = a.allocate(JAVA_LONG);
            int r = (int) cuMemAlloc.invokeExact(out, bytes);
            if (r != CUDA_SUCCESS) {
                throw error("cuMemAlloc_v2", r, "allocating " + bytes + " bytes");
            }
            return out.get(JAVA_LONG, 0);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code cuMemFree_v2}. */
    public void memFree(long devicePointer) {
        try {
            check("cuMemFree_v2", (int) cuMemFree.invokeExact(devicePointer));
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code cuMemGetInfo_v2}: {free, total} bytes of the current context's device. */
    public long[] memInfo() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment free = a.allocate(JAVA_LONG);
            MemorySegment total = a.allocate(JAVA_LONG);
            check("cuMemGetInfo_v2", (int) cuMemGetInfo.invokeExact(free, total));
            return new long[] {free.get(JAVA_LONG, 0), total.get(JAVA_LONG, 0)};
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code cuMemcpyHtoD_v2}: returns once {@code src} may be reused. {@code src} must be native memory. */
    public void memcpyHtoD(long dst, MemorySegment src, long bytes) {
        try {
            int r = (int) cuMemcpyHtoD.invokeExact(dst, src, bytes);
            if (r != CUDA_SUCCESS) {
                throw error("cuMemcpyHtoD_v2", r, "copying " + bytes + " bytes to the device");
            }
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code cuMemcpyDtoH_v2}: blocks until the bytes are in {@code dst} (native memory). */
    public void memcpyDtoH(MemorySegment dst, long src, long bytes) {
        try {
            int r = (int) cuMemcpyDtoH.invokeExact(dst, src, bytes);
            if (r != CUDA_SUCCESS) {
                throw error("cuMemcpyDtoH_v2", r, "copying " + bytes + " bytes to the host");
            }
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code cuMemcpyDtoD_v2}. */
    public void memcpyDtoD(long dst, long src, long bytes) {
        try {
            int r = (int) cuMemcpyDtoD.invokeExact(dst, src, bytes);
            if (r != CUDA_SUCCESS) {
                throw error("cuMemcpyDtoD_v2", r, "copying " + bytes + " bytes on the device");
            }
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    // ================================================================ modules and launches

    /**
     * {@code cuModuleLoadDataEx} with the JIT's error and info logs captured, so that a PTX the
     * driver rejects is reported with the JIT's own explanation. {@code image} is PTX text, a cubin
     * or a fatbin; a terminating NUL is added (PTX must be a C string).
     */
    public MemorySegment moduleLoad(byte[] image, String label) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment img = a.allocate(image.length + 1L, 16);
            MemorySegment.copy(image, 0, img, JAVA_BYTE, 0, image.length);
            img.set(JAVA_BYTE, image.length, (byte) 0);
            MemorySegment errorLog = a.allocate(JIT_LOG_BYTES);
            MemorySegment infoLog = a.allocate(JIT_LOG_BYTES);
            MemorySegment options = a.allocateFrom(JAVA_INT, CU_JIT_ERROR_LOG_BUFFER, CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES,
                    CU_JIT_INFO_LOG_BUFFER, CU_JIT_INFO_LOG_BUFFER_SIZE_BYTES);
            MemorySegment values = a.allocate(ADDRESS, 4);
            values.setAtIndex(ADDRESS, 0, errorLog);
            // Size options travel in the pointer slot itself, as (void*)(uintptr_t)size.
            values.setAtIndex(ADDRESS, 1, MemorySegment.ofAddress(JIT_LOG_BYTES));
            values.setAtIndex(ADDRESS, 2, infoLog);
            values.setAtIndex(ADDRESS, 3, MemorySegment.ofAddress(JIT_LOG_BYTES));
            MemorySegment out = a.allocate(ADDRESS);
            int r = (int) cuModuleLoadDataEx.invokeExact(out, img, 4, options, values);
            if (r != CUDA_SUCCESS) {
                String log = (errorLog.getString(0, StandardCharsets.UTF_8) + "\n" + infoLog.getString(0, StandardCharsets.UTF_8)).strip();
                throw error("cuModuleLoadDataEx", r, "loading module '" + label + "'" + (log.isEmpty() ? "" : "; JIT log:\n" + log));
            }
            return out.get(ADDRESS, 0);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code cuModuleUnload}. */
    public void moduleUnload(MemorySegment module) {
        try {
            check("cuModuleUnload", (int) cuModuleUnload.invokeExact(module));
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code cuModuleGetFunction}. */
    public MemorySegment moduleFunction(MemorySegment module, String name, String label) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment out = a.allocate(ADDRESS);
            check("cuModuleGetFunction", (int) cuModuleGetFunction.invokeExact(out, module, a.allocateFrom(name)),
                    "kernel '" + name + "' in module '" + label + "' (is it declared KERNEL, i.e. extern \"C\" __global__?)");
            return out.get(ADDRESS, 0);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /**
     * {@code cuLaunchKernel} on the legacy default stream (so launches and copies run in issue
     * order, as {@link radapter.tensor.gpu.GpuDriver} promises). {@code kernelParams} is the
     * {@code void**} array: one pointer per parameter to that parameter's value.
     */
    public void launchKernel(MemorySegment function, int gridX, int gridY, int gridZ, int blockX, int blockY, int blockZ,
            int sharedMemBytes, MemorySegment kernelParams, String kernelName) {
        try {
            int r = (int) cuLaunchKernel.invokeExact(function, gridX, gridY, gridZ, blockX, blockY, blockZ, sharedMemBytes,
                    MemorySegment.NULL, kernelParams, MemorySegment.NULL);
            if (r != CUDA_SUCCESS) {
                throw error("cuLaunchKernel", r, "kernel '" + kernelName + "' with grid " + gridX + "x" + gridY + "x" + gridZ
                        + ", block " + blockX + "x" + blockY + "x" + blockZ);
            }
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }
}
