package radapter.tensor.cuda;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * NVRTC, the CUDA runtime compiler ({@code libnvrtc.so}), through FFM: CUDA C++ source in, PTX
 * out. Used when a kernel has no PTX compiled at build time. NVRTC is not part of the driver; it
 * ships with the CUDA toolkit and with pip's {@code nvidia-cuda-nvrtc} wheels (which PyTorch
 * installs), so it is searched for in those places; {@code -Dradapter.nvrtc=} names the library
 * file, or a folder holding it, when it is elsewhere.
 */
@SuppressWarnings("restricted") // binding native code is this class's purpose
final class Nvrtc {
    /** System property: the NVRTC library file or a folder containing it. */
    static final String PROPERTY = "radapter.nvrtc";

    private static final int NVRTC_SUCCESS = 0;
    private static final int NVRTC_ERROR_INVALID_OPTION = 5;

    private final String library;
    private final MethodHandle version;
    private final MethodHandle createProgram;
    private final MethodHandle compileProgram;
    private final MethodHandle getPtxSize;
    private final MethodHandle getPtx;
    private final MethodHandle getLogSize;
    private final MethodHandle getLog;
    private final MethodHandle destroyProgram;
    private final MethodHandle getErrorString;

    private Nvrtc(SymbolLookup symbols, String library) {
        this.library = library;
        version = bind(symbols, "nvrtcVersion", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
        createProgram = bind(symbols, "nvrtcCreateProgram",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, JAVA_INT, ADDRESS, ADDRESS));
        compileProgram = bind(symbols, "nvrtcCompileProgram", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, ADDRESS));
        getPtxSize = bind(symbols, "nvrtcGetPTXSize", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
        getPtx = bind(symbols, "nvrtcGetPTX", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
        getLogSize = bind(symbols, "nvrtcGetProgramLogSize", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
        getLog = bind(symbols, "nvrtcGetProgramLog", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
        destroyProgram = bind(symbols, "nvrtcDestroyProgram", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        getErrorString = bind(symbols, "nvrtcGetErrorString", FunctionDescriptor.of(ADDRESS, JAVA_INT));
    }

    private MethodHandle bind(SymbolLookup symbols, String name, FunctionDescriptor fd) {
        MemorySegment s = symbols.find(name).orElseThrow(() -> new CudaException(library + " has no symbol " + name
                + "; it is not NVRTC, or a very old one"));
        return Linker.nativeLinker().downcallHandle(s, fd);
    }

    /**
     * Opens the first NVRTC found: {@code -Dradapter.nvrtc=}, then the CUDA toolkit folders, then
     * pip's wheels, then the dynamic loader's own search path.
     *
     * @throws CudaException saying where it looked
     */
    static Nvrtc find() {
        List<String> tried = new ArrayList<>();
        for (String candidate : candidates()) {
            try {
                return new Nvrtc(CudaApi.openLibrary(candidate), candidate);
            } catch (CudaException e) {
                tried.add(candidate);
            }
        }
        throw new CudaException("NVRTC (libnvrtc.so) not found; looked for " + (tried.size() > 6
                ? String.join(", ", tried.subList(0, 6)) + " and " + (tried.size() - 6) + " more"
                : String.join(", ", tried)) + "; set -D" + PROPERTY + "=/path/to/libnvrtc.so");
    }

    /** Library files and loader names to try, most specific first. */
    static List<String> candidates() {
        Set<String> out = new LinkedHashSet<>();
        String prop = System.getProperty(PROPERTY, "").trim();
        if (!prop.isEmpty()) {
            Path p = Path.of(prop);
            if (Files.isDirectory(p)) {
                libsIn(p).forEach(out::add);
            } else {
                out.add(prop);
            }
        }
        List<Path> dirs = new ArrayList<>();
        for (String env : new String[] {"CUDA_HOME", "CUDA_PATH"}) {
            String v = System.getenv(env);
            if (v != null && !v.isBlank()) {
                dirs.add(Path.of(v, "lib64"));
                dirs.add(Path.of(v, "lib"));
            }
        }
        dirs.add(Path.of("/usr/local/cuda/lib64"));
        dirs.add(Path.of("/usr/local/cuda/targets/x86_64-linux/lib"));
        dirs.addAll(childrenNamed(Path.of("/usr/local"), "cuda-").stream().map(d -> d.resolve("lib64")).toList());
        dirs.add(Path.of("/usr/lib/x86_64-linux-gnu"));
        dirs.add(Path.of("/usr/lib64"));
        // pip wheels: nvidia-cuda-nvrtc-cu12 installs nvidia/cuda_nvrtc/lib, the CUDA 13 wheels nvidia/cu13/lib.
        for (Path site : sitePackages()) {
            for (String sub : new String[] {"nvidia/cuda_nvrtc/lib", "nvidia/cu13/lib", "nvidia/cu12/lib"}) {
                dirs.add(site.resolve(sub));
            }
        }
        String conda = System.getenv("CONDA_PREFIX");
        if (conda != null && !conda.isBlank()) {
            dirs.add(Path.of(conda, "lib"));
        }
        for (Path d : dirs) {
            libsIn(d).forEach(out::add);
        }
        out.add("libnvrtc.so");
        out.add("libnvrtc.so.13");
        out.add("libnvrtc.so.12");
        return List.copyOf(out);
    }

    /** Python site-packages folders where pip may have put NVIDIA's wheels. */
    private static List<Path> sitePackages() {
        List<Path> roots = new ArrayList<>();
        for (String env : new String[] {"VIRTUAL_ENV", "CONDA_PREFIX"}) {
            String v = System.getenv(env);
            if (v != null && !v.isBlank()) {
                roots.add(Path.of(v, "lib"));
            }
        }
        String home = System.getProperty("user.home");
        if (home != null) {
            roots.add(Path.of(home, ".local", "lib"));
        }
        roots.add(Path.of("/usr/local/lib"));
        roots.add(Path.of("/usr/lib"));
        roots.add(Path.of("/opt/conda/lib"));
        List<Path> sites = new ArrayList<>();
        for (Path r : roots) {
            for (Path py : childrenNamed(r, "python3")) {
                sites.add(py.resolve("site-packages"));
                sites.add(py.resolve("dist-packages"));
            }
        }
        return sites;
    }

    private static List<Path> childrenNamed(Path dir, String prefix) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().startsWith(prefix) && Files.isDirectory(p))
                    .sorted(Comparator.reverseOrder()).toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    /** {@code libnvrtc.so*} in {@code dir} (not the builtins library NVRTC loads by itself), newest first. */
    private static List<String> libsIn(Path dir) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> {
                String n = p.getFileName().toString();
                return n.startsWith("libnvrtc.so") && Files.isRegularFile(p);
            }).sorted(Comparator.comparing((Path p) -> p.getFileName().toString().length()).reversed()
                    .thenComparing(Comparator.reverseOrder()))
                    .map(Path::toString).toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    /** Which library this is, for messages. */
    String library() {
        return library;
    }

    /** {@code "13.0"}. */
    String version() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment major = a.allocate(JAVA_INT);
            MemorySegment minor = a.allocate(JAVA_INT);
            int r = (int) version.invokeExact(major, minor);
            return r == NVRTC_SUCCESS ? major.get(JAVA_INT, 0) + "." + minor.get(JAVA_INT, 0) : "?";
        } catch (Throwable t) {
            return "?";
        }
    }

    /**
     * Compiles CUDA C++ to PTX for {@code compute_<arch>}. When this NVRTC does not know that
     * architecture (a device newer than the compiler), it retries with {@code compute_80}, whose
     * PTX every later device's driver JIT-compiles.
     */
    String compile(String cudaSource, String label, int arch) {
        try {
            return compileFor(cudaSource, label, arch);
        } catch (CudaException e) {
            if (e.code() == NVRTC_ERROR_INVALID_OPTION && arch != 80) {
                return compileFor(cudaSource, label, 80);
            }
            throw e;
        }
    }

    private String compileFor(String cudaSource, String label, int arch) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment progOut = a.allocate(ADDRESS);
            check("nvrtcCreateProgram", (int) createProgram.invokeExact(progOut, a.allocateFrom(cudaSource), a.allocateFrom(label + ".cu"),
                    0, MemorySegment.NULL, MemorySegment.NULL), label, "");
            MemorySegment prog = progOut.get(ADDRESS, 0);
            try {
                String[] opts = {"--gpu-architecture=compute_" + arch};
                MemorySegment optArray = a.allocate(ADDRESS, opts.length);
                for (int i = 0; i < opts.length; i++) {
                    optArray.setAtIndex(ADDRESS, i, a.allocateFrom(opts[i]));
                }
                int r = (int) compileProgram.invokeExact(prog, opts.length, optArray);
                if (r != NVRTC_SUCCESS) {
                    throw failure("nvrtcCompileProgram", r, label, programLog(a, prog));
                }
                MemorySegment size = a.allocate(JAVA_LONG);
                check("nvrtcGetPTXSize", (int) getPtxSize.invokeExact(prog, size), label, "");
                MemorySegment ptx = a.allocate(size.get(JAVA_LONG, 0) + 1);
                check("nvrtcGetPTX", (int) getPtx.invokeExact(prog, ptx), label, "");
                return ptx.getString(0, StandardCharsets.UTF_8);
            } finally {
                int ignored = (int) destroyProgram.invokeExact(progOut);
            }
        } catch (CudaException e) {
            throw e;
        } catch (Throwable t) {
            throw new CudaException("NVRTC call failed: " + t, t);
        }
    }

    private String programLog(Arena a, MemorySegment prog) throws Throwable {
        MemorySegment size = a.allocate(JAVA_LONG);
        if ((int) getLogSize.invokeExact(prog, size) != NVRTC_SUCCESS) {
            return "";
        }
        MemorySegment log = a.allocate(size.get(JAVA_LONG, 0) + 1);
        if ((int) getLog.invokeExact(prog, log) != NVRTC_SUCCESS) {
            return "";
        }
        return log.getString(0, StandardCharsets.UTF_8).strip();
    }

    private void check(String call, int r, String label, String log) {
        if (r != NVRTC_SUCCESS) {
            throw failure(call, r, label, log);
        }
    }

    private CudaException failure(String call, int r, String label, String log) {
        String name;
        try {
            MemorySegment s = (MemorySegment) getErrorString.invokeExact(r);
            name = s.address() == 0 ? "nvrtcResult " + r : s.reinterpret(256).getString(0, StandardCharsets.UTF_8);
        } catch (Throwable t) {
            name = "nvrtcResult " + r;
        }
        return new CudaException(call, r, name, "", "compiling '" + label + "' with " + library
                + (log.isEmpty() ? "" : "; log:\n" + log));
    }
}
