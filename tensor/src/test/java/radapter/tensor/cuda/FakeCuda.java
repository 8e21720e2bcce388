package radapter.tensor.cuda;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import radapter.tensor.gpu.GpuBuffer;
import radapter.tensor.gpu.GpuDriver;
import radapter.tensor.gpu.GpuKernel;

/**
 * A fake CUDA driver: a {@link SymbolLookup} whose symbols are FFM upcall stubs into this object,
 * built from {@link CudaApi#SIGNATURES} so that the downcalls of {@link CudaApi} reach Java code
 * through exactly the native calling convention they would use with {@code libcuda.so.1}.
 *
 * <p>What it emulates:
 * <ul>
 * <li><b>Memory</b>: every {@code CUdeviceptr} is a made-up address in its own range (never a host
 * address, so a host pointer passed by mistake fails) mapped to a host allocation; allocations are
 * 256-byte aligned with gaps, and a copy that crosses an allocation's end fails with
 * {@code CUDA_ERROR_INVALID_VALUE}, as on a GPU it would corrupt memory.</li>
 * <li><b>Contexts</b>: one primary context per device, current per thread. Every context-bound call
 * checks that the calling thread has it current and returns {@code CUDA_ERROR_INVALID_CONTEXT}
 * otherwise, so the bindings' thread rule is actually tested.</li>
 * <li><b>Modules and launches</b>: the "image" is kernel source (see {@link #SOURCE_IMAGES}); its
 * kernels' parameter lists are parsed from the source. {@code cuLaunchKernel} decodes the
 * {@code void**} parameter array by those lists, maps device pointers to buffers of an executor
 * {@link GpuDriver} (the OpenCL driver on PoCL in the parity tests), and runs the same source there
 * with global size = grid × block. Host and executor copies of each allocation are synchronised
 * lazily (a flag per side says which is current), so chains of launches do not bounce data.
 * Without an executor, launches are only recorded ({@link #launches()}).</li>
 * <li><b>Failures</b> on demand: {@link #failNext}, {@link #initResult}, {@link #deviceCount},
 * {@link #memoryLimit}, {@link #jitRejection}, and lookups missing symbols.</li>
 * </ul>
 * An exception inside an upcall would crash the JVM, so every stub is guarded: a Java exception
 * becomes {@code CUDA_ERROR_UNKNOWN} and is kept in {@link #errors()}.
 */
@SuppressWarnings("restricted") // upcall stubs and raw pointers from the bindings are the point
final class FakeCuda implements AutoCloseable {
    /** A module-image provider that hands the kernel source itself to the fake. */
    static final CudaModuleImages SOURCE_IMAGES = (label, source, device) -> source.getBytes(StandardCharsets.UTF_8);

    private static final long CONTEXT_ADDRESS = 0xC0_0000_1000L;
    private static final long DEVICE_BASE = 0x7f00_0000_0000L;

    // ---- configuration (set before use)
    volatile int initResult = CudaApi.CUDA_SUCCESS;
    volatile int deviceCount = 1;
    volatile int driverVersion = 13000;
    volatile int ccMajor = 9;
    volatile int ccMinor = 0;
    volatile long memoryLimit = 1L << 30;
    /** When non-null, module loads fail with CUDA_ERROR_INVALID_PTX and this JIT error log. */
    volatile String jitRejection;

    private final Arena arena = Arena.ofShared();
    private final GpuDriver executor;
    private final Map<String, MemorySegment> stubs = new HashMap<>();
    private final Map<String, Integer> failNext = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();
    private final List<Throwable> errors = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final Map<Integer, MemorySegment> errorNames = new HashMap<>();
    private final Map<Integer, MemorySegment> errorStrings = new HashMap<>();

    // ---- driver state (guarded by this)
    private boolean initialized;
    private int primaryRefs;
    private final ThreadLocal<Long> current = ThreadLocal.withInitial(() -> 0L);
    private final NavigableMap<Long, Allocation> allocations = new TreeMap<>();
    private long nextPointer = DEVICE_BASE;
    private long used;
    private final Map<Long, Module> modules = new HashMap<>();
    private final Map<Long, Function> functions = new HashMap<>();
    private long nextHandle = 0xF0_0000_0000L;
    private final List<Launch> launches = new ArrayList<>();

    /** A fake that only records launches. */
    FakeCuda() {
        this(null);
    }

    /** A fake that runs launches on {@code executor} (the kernel source must suit it). */
    FakeCuda(GpuDriver executor) {
        this.executor = executor;
        names(CudaApi.CUDA_SUCCESS, "CUDA_SUCCESS", "no error");
        names(CudaApi.CUDA_ERROR_INVALID_VALUE, "CUDA_ERROR_INVALID_VALUE", "invalid argument");
        names(CudaApi.CUDA_ERROR_OUT_OF_MEMORY, "CUDA_ERROR_OUT_OF_MEMORY", "out of memory");
        names(CudaApi.CUDA_ERROR_NOT_INITIALIZED, "CUDA_ERROR_NOT_INITIALIZED", "initialization error");
        names(CudaApi.CUDA_ERROR_NO_DEVICE, "CUDA_ERROR_NO_DEVICE", "no CUDA-capable device is detected");
        names(101, "CUDA_ERROR_INVALID_DEVICE", "invalid device ordinal");
        names(CudaApi.CUDA_ERROR_INVALID_IMAGE, "CUDA_ERROR_INVALID_IMAGE", "device kernel image is invalid");
        names(CudaApi.CUDA_ERROR_INVALID_CONTEXT, "CUDA_ERROR_INVALID_CONTEXT", "invalid device context");
        names(CudaApi.CUDA_ERROR_INVALID_PTX, "CUDA_ERROR_INVALID_PTX", "a PTX JIT compilation failed");
        names(CudaApi.CUDA_ERROR_UNSUPPORTED_PTX_VERSION, "CUDA_ERROR_UNSUPPORTED_PTX_VERSION", "the provided PTX was compiled with an unsupported toolchain.");
        names(CudaApi.CUDA_ERROR_INVALID_HANDLE, "CUDA_ERROR_INVALID_HANDLE", "invalid resource handle");
        names(CudaApi.CUDA_ERROR_NOT_FOUND, "CUDA_ERROR_NOT_FOUND", "named symbol not found");
        names(CudaApi.CUDA_ERROR_LAUNCH_FAILED, "CUDA_ERROR_LAUNCH_FAILED", "unspecified launch failure");
        names(CudaApi.CUDA_ERROR_NOT_SUPPORTED, "CUDA_ERROR_NOT_SUPPORTED", "operation not supported");
        names(CudaApi.CUDA_ERROR_UNKNOWN, "CUDA_ERROR_UNKNOWN", "unknown error");
        Linker linker = Linker.nativeLinker();
        MethodHandles.Lookup lookup = MethodHandles.lookup();
        MethodHandle onError;
        MethodHandle hasInjected;
        MethodHandle takeInjected;
        try {
            onError = lookup.findVirtual(FakeCuda.class, "upcallFailed", MethodType.methodType(int.class, Throwable.class)).bindTo(this);
            hasInjected = lookup.findVirtual(FakeCuda.class, "hasInjected", MethodType.methodType(boolean.class, String.class)).bindTo(this);
            takeInjected = lookup.findVirtual(FakeCuda.class, "takeInjected", MethodType.methodType(int.class, String.class)).bindTo(this);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
        for (Map.Entry<String, FunctionDescriptor> e : CudaApi.SIGNATURES.entrySet()) {
            MethodType type = e.getValue().toMethodType();
            MethodHandle target;
            try {
                target = lookup.findVirtual(FakeCuda.class, e.getKey(), type).bindTo(this);
            } catch (ReflectiveOperationException x) {
                throw new AssertionError("the fake lacks " + e.getKey() + type, x);
            }
            // An injected failure answers instead of the target; every call is counted.
            MethodHandle failing = MethodHandles.dropArguments(
                    MethodHandles.insertArguments(takeInjected, 0, e.getKey()), 0, type.parameterList());
            MethodHandle injectedTest = MethodHandles.dropArguments(
                    MethodHandles.insertArguments(hasInjected, 0, e.getKey()), 0, type.parameterList());
            MethodHandle counted = MethodHandles.foldArguments(
                    MethodHandles.guardWithTest(injectedTest, failing, target), countCall(e.getKey()));
            MethodHandle guarded = MethodHandles.catchException(counted, Throwable.class,
                    MethodHandles.dropArguments(onError, 1, type.parameterList()));
            stubs.put(e.getKey(), linker.upcallStub(guarded, e.getValue(), arena));
        }
    }

    private MethodHandle countCall(String symbol) {
        // A () -> void handle that counts the calls of 'symbol'.
        AtomicInteger counter = calls.computeIfAbsent(symbol, k -> new AtomicInteger());
        try {
            return MethodHandles.lookup().findVirtual(AtomicInteger.class, "incrementAndGet", MethodType.methodType(int.class))
                    .bindTo(counter).asType(MethodType.methodType(void.class));
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }

    private int upcallFailed(Throwable t) {
        errors.add(t);
        return CudaApi.CUDA_ERROR_UNKNOWN;
    }

    private void names(int code, String name, String description) {
        errorNames.put(code, arena.allocateFrom(name));
        errorStrings.put(code, arena.allocateFrom(description));
    }

    // ================================================================ test controls

    /** All symbols. */
    SymbolLookup symbols() {
        return name -> Optional.ofNullable(stubs.get(name));
    }

    /** The symbols without {@code missing} (an old or wrong library). */
    SymbolLookup symbolsWithout(String... missing) {
        Set<String> gone = Set.of(missing);
        return name -> gone.contains(name) ? Optional.empty() : Optional.ofNullable(stubs.get(name));
    }

    /** Bindings over this fake. */
    CudaApi api() {
        return CudaApi.bind(symbols(), "fake libcuda");
    }

    /** The next call of {@code symbol} returns {@code code} without doing anything. */
    void failNext(String symbol, int code) {
        failNext.put(symbol, code);
    }

    /** How often {@code symbol} was called. */
    int calls(String symbol) {
        AtomicInteger c = calls.get(symbol);
        return c == null ? 0 : c.get();
    }

    /** Exceptions thrown inside upcalls (a test should find none). */
    List<Throwable> errors() {
        return errors;
    }

    /** Live allocations. */
    synchronized int liveAllocations() {
        return allocations.size();
    }

    /** Bytes currently allocated. */
    synchronized long usedBytes() {
        return used;
    }

    /** Every launch so far. */
    synchronized List<Launch> launches() {
        return List.copyOf(launches);
    }

    /** A launch as the fake decoded it. */
    record Launch(String kernel, int[] grid, int[] block, List<Object> args) {
    }

    @Override
    public synchronized void close() {
        for (Allocation a : allocations.values()) {
            a.free();
        }
        allocations.clear();
        // The stubs stay valid until the arena closes; the fake is closed after everything using it.
        arena.close();
    }

    // ================================================================ helpers

    private boolean hasInjected(String symbol) {
        return failNext.containsKey(symbol);
    }

    private int takeInjected(String symbol) {
        Integer code = failNext.remove(symbol);
        return code == null ? CudaApi.CUDA_ERROR_UNKNOWN : code;
    }

    private boolean hasContext() {
        return primaryRefs > 0 && current.get() == CONTEXT_ADDRESS;
    }

    /** The check every context-bound call starts with; 0 when it may proceed. */
    private int enter() {
        if (!initialized) {
            return CudaApi.CUDA_ERROR_NOT_INITIALIZED;
        }
        return hasContext() ? 0 : CudaApi.CUDA_ERROR_INVALID_CONTEXT;
    }

    private static MemorySegment out(MemorySegment p, long bytes) {
        return p.reinterpret(bytes);
    }

    /** One device allocation: host bytes plus, once launched on, a twin on the executor. */
    private final class Allocation {
        final long base;
        final long size;
        final Arena memory = Arena.ofShared();
        final MemorySegment host;
        GpuBuffer twin;
        boolean hostCurrent = true;
        boolean twinCurrent;

        Allocation(long base, long size) {
            this.base = base;
            this.size = size;
            this.host = memory.allocate(Math.max(size, 1), 256);
            // Fresh device memory holds garbage; a pattern makes reliance on zeroed memory show up.
            host.fill((byte) 0x7f);
        }

        MemorySegment hostForRead() {
            if (!hostCurrent) {
                executor.download(twin, 0, host.asSlice(0, size));
                hostCurrent = true;
            }
            return host;
        }

        MemorySegment hostForWrite() {
            MemorySegment h = hostForRead();
            twinCurrent = false;
            return h;
        }

        GpuBuffer twinForLaunch() {
            if (twin == null) {
                twin = executor.allocate(Math.max(size, 4));
            }
            if (!twinCurrent) {
                executor.upload(hostForRead().asSlice(0, size), twin, 0);
                twinCurrent = true;
            }
            return twin;
        }

        void free() {
            if (twin != null) {
                twin.release();
            }
            memory.close();
        }
    }

    /** The allocation holding {@code [pointer, pointer + bytes)}, or null. */
    private Allocation range(long pointer, long bytes) {
        Map.Entry<Long, Allocation> e = allocations.floorEntry(pointer);
        if (e == null) {
            return null;
        }
        Allocation a = e.getValue();
        long off = pointer - a.base;
        return off >= 0 && bytes >= 0 && off <= a.size - bytes ? a : null;
    }

    private record Module(long handle, String source, GpuDriver.GpuProgram program, Map<String, List<Param>> kernels) {
    }

    private record Function(long handle, Module module, String name, List<Param> params, GpuKernel kernel) {
    }

    /** How a kernel parameter is read from its {@code kernelParams} slot. */
    enum Param { POINTER, INT, LONG, FLOAT }

    // A kernel entry in radapter's dialect: KERNEL (which supplies the return type), a name, the parameters.
    private static final Pattern KERNEL = Pattern.compile("\\bKERNEL\\s+(\\w+)\\s*\\(([^)]*)\\)");
    private static final Pattern DEFINE = Pattern.compile("(?m)^[ \\t]*#[ \\t]*define[ \\t]+(\\w+)\\(([^)]*)\\)(.*)$");
    private static final Pattern INVOCATION = Pattern.compile("(?m)^[ \\t]*(\\w+)[ \\t]*\\((.*)\\)[ \\t]*;?[ \\t]*$");

    /**
     * The kernels of {@code source} with their parameter kinds. Like a real driver, which reads
     * parameter sizes from the module image, the fake needs them to decode {@code kernelParams};
     * it reads them from the source after expanding the function-like macros that generate
     * kernels (copy.gpu's {@code RK_COPY_KERNELS(NAME, DST_T, ...)} with {@code NAME##_flat}).
     */
    static Map<String, List<Param>> parseKernels(String source) {
        String text = source.replaceAll("(?s)/\\*.*?\\*/", " ").replaceAll("//[^\\n]*", " ").replace("\\\n", " ");
        Map<String, String[]> macros = new HashMap<>();
        Map<String, String> bodies = new HashMap<>();
        Matcher d = DEFINE.matcher(text);
        while (d.find()) {
            macros.put(d.group(1), splitArgs(d.group(2)));
            bodies.put(d.group(1), d.group(3));
        }
        StringBuilder expanded = new StringBuilder(text);
        Matcher inv = INVOCATION.matcher(text);
        while (inv.find()) {
            String[] params = macros.get(inv.group(1));
            if (params == null) {
                continue;
            }
            String[] args = splitArgs(inv.group(2));
            String body = bodies.get(inv.group(1));
            for (int i = 0; i < params.length && i < args.length; i++) {
                // Token substitution, with ## pasting the neighbours together.
                body = body.replaceAll("\\b" + Pattern.quote(params[i]) + "\\b", Matcher.quoteReplacement(args[i]));
            }
            expanded.append('\n').append(body.replaceAll("\\s*##\\s*", ""));
        }
        // Only the expansions and plain text declare kernels; the macro bodies themselves do not.
        String declared = DEFINE.matcher(expanded).replaceAll("");
        Map<String, List<Param>> out = new HashMap<>();
        Matcher m = KERNEL.matcher(declared);
        while (m.find()) {
            List<Param> params = new ArrayList<>();
            String list = m.group(2).trim();
            if (!list.isEmpty() && !list.equals("void")) {
                for (String p : list.split(",")) {
                    params.add(kind(p.trim()));
                }
            }
            out.put(m.group(1), params);
        }
        return out;
    }

    private static String[] splitArgs(String list) {
        if (list.isBlank()) {
            return new String[0];
        }
        String[] a = list.split(",");
        for (int i = 0; i < a.length; i++) {
            a[i] = a[i].trim();
        }
        return a;
    }

    private static Param kind(String param) {
        if (param.contains("*")) {
            return Param.POINTER;
        }
        String[] words = param.replace("const ", " ").trim().split("\\s+");
        String type = words.length >= 2 ? String.join(" ", java.util.Arrays.copyOf(words, words.length - 1)) : words[0];
        return switch (type) {
            case "int", "i32", "u32", "unsigned int" -> Param.INT;
            case "i64", "u64", "long long", "unsigned long long" -> Param.LONG;
            case "float" -> Param.FLOAT;
            default -> throw new IllegalArgumentException("the fake driver cannot tell the size of kernel parameter '" + param + "'");
        };
    }

    // ================================================================ the driver API (upcall targets)

    synchronized int cuInit(int flags) {
        if (flags != 0) {
            return CudaApi.CUDA_ERROR_INVALID_VALUE;
        }
        if (initResult != CudaApi.CUDA_SUCCESS) {
            return initResult;
        }
        initialized = true;
        return 0;
    }

    synchronized int cuDriverGetVersion(MemorySegment version) {
        out(version, 4).set(JAVA_INT, 0, driverVersion);
        return 0;
    }

    synchronized int cuDeviceGetCount(MemorySegment count) {
        if (!initialized) {
            return CudaApi.CUDA_ERROR_NOT_INITIALIZED;
        }
        out(count, 4).set(JAVA_INT, 0, deviceCount);
        return 0;
    }

    synchronized int cuDeviceGet(MemorySegment device, int ordinal) {
        if (!initialized) {
            return CudaApi.CUDA_ERROR_NOT_INITIALIZED;
        }
        if (ordinal < 0 || ordinal >= deviceCount) {
            return 101;
        }
        out(device, 4).set(JAVA_INT, 0, ordinal);
        return 0;
    }

    synchronized int cuDeviceGetName(MemorySegment name, int len, int device) {
        byte[] b = "radapter fake CUDA device".getBytes(StandardCharsets.UTF_8);
        MemorySegment o = out(name, len);
        int n = Math.min(b.length, len - 1);
        MemorySegment.copy(b, 0, o, java.lang.foreign.ValueLayout.JAVA_BYTE, 0, n);
        o.set(java.lang.foreign.ValueLayout.JAVA_BYTE, n, (byte) 0);
        return 0;
    }

    synchronized int cuDeviceGetAttribute(MemorySegment value, int attribute, int device) {
        int v = switch (attribute) {
            case CudaApi.ATTR_MAX_THREADS_PER_BLOCK -> 1024;
            case CudaApi.ATTR_MAX_GRID_DIM_X -> Integer.MAX_VALUE;
            case CudaApi.ATTR_MAX_GRID_DIM_Y, CudaApi.ATTR_MAX_GRID_DIM_Z -> 65535;
            case CudaApi.ATTR_MULTIPROCESSOR_COUNT -> 4;
            case CudaApi.ATTR_COMPUTE_CAPABILITY_MAJOR -> ccMajor;
            case CudaApi.ATTR_COMPUTE_CAPABILITY_MINOR -> ccMinor;
            default -> -1;
        };
        if (v < 0) {
            return CudaApi.CUDA_ERROR_INVALID_VALUE;
        }
        out(value, 4).set(JAVA_INT, 0, v);
        return 0;
    }

    synchronized int cuDeviceTotalMem_v2(MemorySegment bytes, int device) {
        out(bytes, 8).set(JAVA_LONG, 0, memoryLimit);
        return 0;
    }

    synchronized int cuDevicePrimaryCtxRetain(MemorySegment context, int device) {
        if (!initialized) {
            return CudaApi.CUDA_ERROR_NOT_INITIALIZED;
        }
        primaryRefs++;
        out(context, 8).set(ADDRESS, 0, MemorySegment.ofAddress(CONTEXT_ADDRESS));
        return 0;
    }

    synchronized int cuDevicePrimaryCtxRelease_v2(int device) {
        if (primaryRefs == 0) {
            return CudaApi.CUDA_ERROR_INVALID_CONTEXT;
        }
        if (--primaryRefs == 0) {
            // The context goes away with everything in it, as on the real driver.
            for (Allocation a : allocations.values()) {
                a.free();
            }
            allocations.clear();
            used = 0;
            modules.clear();
            functions.clear();
        }
        return 0;
    }

    synchronized int cuCtxSetCurrent(MemorySegment context) {
        if (context.address() != 0 && (context.address() != CONTEXT_ADDRESS || primaryRefs == 0)) {
            return CudaApi.CUDA_ERROR_INVALID_CONTEXT;
        }
        current.set(context.address());
        return 0;
    }

    synchronized int cuCtxSynchronize() {
        int r = enter();
        if (r != 0) {
            return r;
        }
        if (executor != null) {
            executor.finish();
        }
        return 0;
    }

    synchronized int cuMemAlloc_v2(MemorySegment pointer, long bytes) {
        int r = enter();
        if (r != 0) {
            return r;
        }
        if (bytes == 0) {
            return CudaApi.CUDA_ERROR_INVALID_VALUE;
        }
        if (used + bytes > memoryLimit) {
            return CudaApi.CUDA_ERROR_OUT_OF_MEMORY;
        }
        long base = nextPointer;
        nextPointer += (bytes + 255) / 256 * 256 + 256;
        allocations.put(base, new Allocation(base, bytes));
        used += bytes;
        out(pointer, 8).set(JAVA_LONG, 0, base);
        return 0;
    }

    synchronized int cuMemFree_v2(long pointer) {
        int r = enter();
        if (r != 0) {
            return r;
        }
        Allocation a = allocations.remove(pointer);
        if (a == null) {
            return CudaApi.CUDA_ERROR_INVALID_VALUE;
        }
        used -= a.size;
        a.free();
        return 0;
    }

    synchronized int cuMemGetInfo_v2(MemorySegment free, MemorySegment total) {
        int r = enter();
        if (r != 0) {
            return r;
        }
        out(free, 8).set(JAVA_LONG, 0, memoryLimit - used);
        out(total, 8).set(JAVA_LONG, 0, memoryLimit);
        return 0;
    }

    synchronized int cuMemcpyHtoD_v2(long dst, MemorySegment src, long bytes) {
        int r = enter();
        if (r != 0) {
            return r;
        }
        Allocation a = range(dst, bytes);
        if (a == null || src.address() == 0) {
            return CudaApi.CUDA_ERROR_INVALID_VALUE;
        }
        MemorySegment.copy(src.reinterpret(bytes), 0, a.hostForWrite(), dst - a.base, bytes);
        return 0;
    }

    synchronized int cuMemcpyDtoH_v2(MemorySegment dst, long src, long bytes) {
        int r = enter();
        if (r != 0) {
            return r;
        }
        Allocation a = range(src, bytes);
        if (a == null || dst.address() == 0) {
            return CudaApi.CUDA_ERROR_INVALID_VALUE;
        }
        MemorySegment.copy(a.hostForRead(), src - a.base, dst.reinterpret(bytes), 0, bytes);
        return 0;
    }

    synchronized int cuMemcpyDtoD_v2(long dst, long src, long bytes) {
        int r = enter();
        if (r != 0) {
            return r;
        }
        Allocation s = range(src, bytes);
        Allocation d = range(dst, bytes);
        if (s == null || d == null) {
            return CudaApi.CUDA_ERROR_INVALID_VALUE;
        }
        MemorySegment from = s.hostForRead();
        MemorySegment.copy(from, src - s.base, d.hostForWrite(), dst - d.base, bytes);
        return 0;
    }

    synchronized int cuModuleLoadDataEx(MemorySegment module, MemorySegment image, int numOptions, MemorySegment options,
            MemorySegment values) {
        int r = enter();
        if (r != 0) {
            return r;
        }
        MemorySegment opts = options.reinterpret(4L * numOptions);
        MemorySegment vals = values.reinterpret(8L * numOptions);
        MemorySegment errorLog = null;
        long errorLogSize = 0;
        for (int i = 0; i < numOptions; i++) {
            int opt = opts.getAtIndex(JAVA_INT, i);
            if (opt == CudaApi.CU_JIT_ERROR_LOG_BUFFER) {
                errorLog = vals.getAtIndex(ADDRESS, i);
            } else if (opt == CudaApi.CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES) {
                errorLogSize = vals.getAtIndex(ADDRESS, i).address();
            }
        }
        String source = image.reinterpret(Integer.MAX_VALUE).getString(0, StandardCharsets.UTF_8);
        String rejection = jitRejection;
        Map<String, List<Param>> kernels = Map.of();
        GpuDriver.GpuProgram program = null;
        if (rejection == null) {
            try {
                kernels = parseKernels(source);
                if (executor != null) {
                    program = executor.compile("fake-cuda-module", source);
                }
            } catch (RuntimeException e) {
                rejection = e.getMessage();
            }
        }
        if (rejection != null) {
            if (errorLog != null && errorLogSize > 0) {
                byte[] b = rejection.getBytes(StandardCharsets.UTF_8);
                MemorySegment log = errorLog.reinterpret(errorLogSize);
                int n = (int) Math.min(b.length, errorLogSize - 1);
                MemorySegment.copy(b, 0, log, java.lang.foreign.ValueLayout.JAVA_BYTE, 0, n);
                log.set(java.lang.foreign.ValueLayout.JAVA_BYTE, n, (byte) 0);
            }
            return CudaApi.CUDA_ERROR_INVALID_PTX;
        }
        long handle = nextHandle += 16;
        modules.put(handle, new Module(handle, source, program, kernels));
        out(module, 8).set(ADDRESS, 0, MemorySegment.ofAddress(handle));
        return 0;
    }

    synchronized int cuModuleUnload(MemorySegment module) {
        int r = enter();
        if (r != 0) {
            return r;
        }
        if (modules.remove(module.address()) == null) {
            return CudaApi.CUDA_ERROR_INVALID_HANDLE;
        }
        functions.values().removeIf(f -> f.module().handle() == module.address());
        return 0;
    }

    synchronized int cuModuleGetFunction(MemorySegment function, MemorySegment module, MemorySegment name) {
        int r = enter();
        if (r != 0) {
            return r;
        }
        Module m = modules.get(module.address());
        if (m == null) {
            return CudaApi.CUDA_ERROR_INVALID_HANDLE;
        }
        String n = name.reinterpret(4096).getString(0, StandardCharsets.UTF_8);
        List<Param> params = m.kernels().get(n);
        if (params == null) {
            return CudaApi.CUDA_ERROR_NOT_FOUND;
        }
        GpuKernel k = executor != null ? executor.kernel(m.program(), n) : null;
        long handle = nextHandle += 16;
        functions.put(handle, new Function(handle, m, n, params, k));
        out(function, 8).set(ADDRESS, 0, MemorySegment.ofAddress(handle));
        return 0;
    }

    synchronized int cuLaunchKernel(MemorySegment f, int gridX, int gridY, int gridZ, int blockX, int blockY, int blockZ,
            int sharedMemBytes, MemorySegment stream, MemorySegment kernelParams, MemorySegment extra) {
        int r = enter();
        if (r != 0) {
            return r;
        }
        Function fn = functions.get(f.address());
        if (fn == null) {
            return CudaApi.CUDA_ERROR_INVALID_HANDLE;
        }
        int[] grid = {gridX, gridY, gridZ};
        int[] block = {blockX, blockY, blockZ};
        for (int d = 0; d < 3; d++) {
            if (grid[d] <= 0 || block[d] <= 0) {
                return CudaApi.CUDA_ERROR_INVALID_VALUE;
            }
        }
        if ((long) blockX * blockY * blockZ > 1024 || extra.address() != 0 || stream.address() != 0) {
            return CudaApi.CUDA_ERROR_INVALID_VALUE;
        }
        int n = fn.params().size();
        if (n > 0 && kernelParams.address() == 0) {
            return CudaApi.CUDA_ERROR_INVALID_VALUE;
        }
        MemorySegment slots = kernelParams.reinterpret(8L * n);
        List<Object> recorded = new ArrayList<>();
        Object[] args = new Object[n];
        for (int i = 0; i < n; i++) {
            MemorySegment v = slots.getAtIndex(ADDRESS, i).reinterpret(8);
            switch (fn.params().get(i)) {
                case POINTER -> {
                    long p = v.get(JAVA_LONG, 0);
                    Allocation a = allocations.get(p);
                    if (a == null) {
                        // Kernels get buffer bases only (offsets travel as separate arguments).
                        return CudaApi.CUDA_ERROR_INVALID_VALUE;
                    }
                    recorded.add(p);
                    args[i] = a;
                }
                case INT -> recorded.add(args[i] = v.get(JAVA_INT, 0));
                case LONG -> recorded.add(args[i] = v.get(JAVA_LONG, 0));
                case FLOAT -> recorded.add(args[i] = v.get(JAVA_FLOAT, 0));
                default -> throw new AssertionError();
            }
        }
        if (launches.size() == 1000) {
            launches.removeFirst();
        }
        launches.add(new Launch(fn.name(), grid, block, recorded));
        if (executor == null) {
            return 0;
        }
        List<Allocation> touched = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            if (args[i] instanceof Allocation a) {
                args[i] = a.twinForLaunch();
                touched.add(a);
            }
        }
        executor.launch(fn.kernel(), new long[] {(long) gridX * blockX, (long) gridY * blockY, (long) gridZ * blockZ},
                new long[] {blockX, blockY, blockZ}, args);
        for (Allocation a : touched) {
            a.hostCurrent = false; // the kernel may have written it
        }
        return 0;
    }

    synchronized int cuGetErrorName(int error, MemorySegment name) {
        MemorySegment s = errorNames.get(error);
        if (s == null) {
            return CudaApi.CUDA_ERROR_INVALID_VALUE;
        }
        out(name, 8).set(ADDRESS, 0, s);
        return 0;
    }

    synchronized int cuGetErrorString(int error, MemorySegment text) {
        MemorySegment s = errorStrings.get(error);
        if (s == null) {
            return CudaApi.CUDA_ERROR_INVALID_VALUE;
        }
        out(text, 8).set(ADDRESS, 0, s);
        return 0;
    }
}
