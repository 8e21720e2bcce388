package radapter.tensor.cuda;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import radapter.tensor.gpu.KernelSources;

/**
 * The default {@link CudaModuleImages}: PTX for a kernel source, from the first of these that
 * works (the order can be changed with {@code -Dradapter.cuda.ptx=build,nvrtc,nvcc}):
 * <ol>
 * <li><b>build</b>: PTX compiled by {@code nvcc -arch=compute_80} during the Maven build (see
 * {@code tensor/pom.xml} and {@link PtxBuild}), stored as resources under
 * {@code radapter/tensor/gpu/ptx/} with an {@code index.txt} mapping the SHA-256 of the exact CUDA
 * text compiled to the PTX file. Looking PTX up by content rather than by file name means a
 * kernel edited after the build can never silently run stale code: it just falls through to the
 * next route.</li>
 * <li><b>nvrtc</b>: {@link Nvrtc} through FFM, for the device's own architecture.</li>
 * <li><b>nvcc</b>: the {@code nvcc} command, when it is on {@code PATH} (or in
 * {@code $CUDA_HOME/bin}, {@code /usr/local/cuda/bin}) at run time.</li>
 * </ol>
 * The CUDA text is always {@link KernelSources#withPrelude}{@code (CUDA, source)}: the CUDA
 * prelude (with the generated op codes), a {@code #line 1} and the source; {@link PtxBuild} hashes
 * the same text, so hashes agree, and a change of an op enum changes the hash. The {@code #line}
 * makes compiler messages point at the kernel file's own line numbers.
 *
 * <p>PTX carries an ISA version ({@code .version 9.0} from CUDA 13) and a driver refuses a newer
 * ISA than it knows ({@code CUDA_ERROR_UNSUPPORTED_PTX_VERSION}), although radapter's plain
 * kernels use nothing beyond ISA 7.0. So when the driver is older than the compiler, the
 * {@code .version} line is lowered to the newest ISA that driver accepts (see
 * {@link CudaDeviceInfo#maxPtxIsa()}).
 */
final class PtxImages implements CudaModuleImages {
    /** Resource folder of the kernel sources and preludes (owned by the shared GPU backend). */
    static final String KERNELS = KernelSources.FOLDER;
    /** Resource folder of the build-time PTX. */
    static final String PTX = "radapter/tensor/gpu/ptx/";
    /** The virtual architecture the build compiles for: the oldest that CUDA 13 still targets well. */
    static final int BUILD_ARCH = 80;
    /** System property: the routes to try, in order. */
    static final String ROUTES_PROPERTY = "radapter.cuda.ptx";

    private static final Pattern VERSION = Pattern.compile("(?m)^[ \\t]*\\.version[ \\t]+(\\d+)\\.(\\d+)");

    private volatile Map<String, String> buildIndex;
    /** PTX compiled at run time, by SHA-256 of the CUDA text and compute capability. */
    private final Map<String, byte[]> runtimeCache = new ConcurrentHashMap<>();
    private Object nvrtc; // an Nvrtc, or the CudaException saying why there is none
    private Object nvcc;  // a Path, or a String saying why there is none

    @Override
    public byte[] image(String label, String source, CudaDeviceInfo device) {
        byte[] cuda = cudaSource(source);
        String sha = sha256(cuda);
        List<String> tried = new ArrayList<>();
        for (String route : System.getProperty(ROUTES_PROPERTY, "build,nvrtc,nvcc").split(",")) {
            String ptx = switch (route.trim()) {
                case "build" -> fromBuild(sha, device, tried);
                case "nvrtc" -> fromNvrtc(new String(cuda, StandardCharsets.UTF_8), sha, label, device, tried);
                case "nvcc" -> fromNvcc(cuda, sha, label, device, tried);
                case "" -> null;
                default -> throw new CudaException("unknown PTX route '" + route + "' in -D" + ROUTES_PROPERTY
                        + "; use build, nvrtc and nvcc");
            };
            if (ptx != null) {
                return fitIsa(ptx, device).getBytes(StandardCharsets.UTF_8);
            }
        }
        throw new CudaException("no PTX for CUDA module '" + label + "': " + String.join("; ", tried)
                + ". Build radapter on a machine with nvcc (the PTX is then compiled into the jar), or install NVRTC"
                + " (e.g. pip install nvidia-cuda-nvrtc) and point -D" + Nvrtc.PROPERTY + "= at libnvrtc.so");
    }

    /**
     * The CUDA C++ text compiled for {@code source}: {@link KernelSources#withPrelude} with the CUDA
     * prelude (prelude, a line reset, the kernel), as bytes.
     */
    static byte[] cudaSource(String source) {
        try {
            return KernelSources.withPrelude(KernelSources.Dialect.CUDA, source).getBytes(StandardCharsets.UTF_8);
        } catch (IllegalStateException | java.io.UncheckedIOException e) {
            throw new CudaException("the CUDA kernel prelude cannot be read: " + e.getMessage(), e);
        }
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] resource(String name) {
        try (InputStream in = PtxImages.class.getClassLoader().getResourceAsStream(name)) {
            return in == null ? null : in.readAllBytes();
        } catch (IOException e) {
            return null;
        }
    }

    // ================================================================ route 1: build time

    private Map<String, String> buildIndex() {
        Map<String, String> idx = buildIndex;
        if (idx == null) {
            idx = new HashMap<>();
            byte[] text = resource(PTX + "index.txt");
            if (text != null) {
                for (String line : new String(text, StandardCharsets.UTF_8).split("\n")) {
                    String[] f = line.trim().split("\\s+");
                    if (f.length == 2 && !line.startsWith("#")) {
                        idx.put(f[0], f[1]);
                    }
                }
            }
            buildIndex = idx;
        }
        return idx;
    }

    private String fromBuild(String sha, CudaDeviceInfo device, List<String> tried) {
        Map<String, String> idx = buildIndex();
        String file = idx.get(sha);
        if (file == null) {
            tried.add(idx.isEmpty() ? "no PTX was compiled at build time (the build found no nvcc)"
                    : "the PTX compiled at build time does not include this source (it changed since, or is generated)");
            return null;
        }
        if (device.computeCapability() < BUILD_ARCH) {
            tried.add("the build-time PTX targets compute_" + BUILD_ARCH + " but the device is sm_" + device.computeCapability());
            return null;
        }
        byte[] ptx = resource(PTX + file);
        if (ptx == null) {
            tried.add("index.txt names " + file + " but the resource is missing");
            return null;
        }
        return new String(ptx, StandardCharsets.UTF_8);
    }

    // ================================================================ route 2: NVRTC

    private String fromNvrtc(String cuda, String sha, String label, CudaDeviceInfo device, List<String> tried) {
        Nvrtc compiler;
        synchronized (this) {
            if (nvrtc == null) {
                try {
                    nvrtc = Nvrtc.find();
                } catch (CudaException e) {
                    nvrtc = e;
                }
            }
            if (nvrtc instanceof CudaException e) {
                tried.add(e.getMessage());
                return null;
            }
            compiler = (Nvrtc) nvrtc;
        }
        String key = sha + "@" + device.computeCapability();
        byte[] cached = runtimeCache.get(key);
        if (cached != null) {
            return new String(cached, StandardCharsets.UTF_8);
        }
        // A compile error is the kernel's fault, not the route's: report it rather than trying nvcc.
        String ptx = compiler.compile(cuda, label, device.computeCapability());
        runtimeCache.put(key, ptx.getBytes(StandardCharsets.UTF_8));
        return ptx;
    }

    // ================================================================ route 3: nvcc at run time

    private String fromNvcc(byte[] cuda, String sha, String label, CudaDeviceInfo device, List<String> tried) {
        Path exe;
        synchronized (this) {
            if (nvcc == null) {
                nvcc = findNvcc();
            }
            if (nvcc instanceof String why) {
                tried.add(why);
                return null;
            }
            exe = (Path) nvcc;
        }
        String key = sha + "@" + device.computeCapability();
        byte[] cached = runtimeCache.get(key);
        if (cached != null) {
            return new String(cached, StandardCharsets.UTF_8);
        }
        Path dir = null;
        try {
            dir = Files.createTempDirectory("radapter-ptx");
            Path in = dir.resolve("kernel.cu");
            Path out = dir.resolve("kernel.ptx");
            Files.write(in, cuda);
            Process p = new ProcessBuilder(exe.toString(), "-ptx", "-arch=compute_" + device.computeCapability(),
                    "-o", out.toString(), in.toString()).redirectErrorStream(true).start();
            String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (!p.waitFor(300, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new CudaException(exe + " failed to compile CUDA module '" + label + "':\n" + log);
            }
            byte[] ptx = Files.readAllBytes(out);
            runtimeCache.put(key, ptx);
            return new String(ptx, StandardCharsets.UTF_8);
        } catch (IOException e) {
            tried.add("running " + exe + " failed: " + e.getMessage());
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CudaException("interrupted while nvcc compiled '" + label + "'", e);
        } finally {
            deleteQuietly(dir);
        }
    }

    /**
     * {@code nvcc}: {@code -Dradapter.nvcc=} (a path, or {@code none} to behave as if there were
     * none), then {@code PATH}, {@code $CUDA_HOME/bin} and {@code /usr/local/cuda/bin}. A
     * {@link Path}, or a String saying why there is none.
     */
    static Object findNvcc() {
        String prop = System.getProperty("radapter.nvcc", "").trim();
        if (prop.equals("none")) {
            return "nvcc is switched off (-Dradapter.nvcc=none)";
        }
        List<Path> candidates = new ArrayList<>();
        if (!prop.isEmpty()) {
            candidates.add(Path.of(prop));
        }
        String path = System.getenv("PATH");
        if (path != null) {
            for (String d : path.split(java.io.File.pathSeparator)) {
                if (!d.isEmpty()) {
                    candidates.add(Path.of(d, "nvcc"));
                }
            }
        }
        String home = System.getenv("CUDA_HOME");
        if (home != null && !home.isBlank()) {
            candidates.add(Path.of(home, "bin", "nvcc"));
        }
        candidates.add(Path.of("/usr/local/cuda/bin/nvcc"));
        for (Path c : candidates) {
            if (Files.isExecutable(c)) {
                return c;
            }
        }
        return "nvcc is not on PATH (nor in $CUDA_HOME/bin or /usr/local/cuda/bin)";
    }

    private static void deleteQuietly(Path dir) {
        if (dir == null) {
            return;
        }
        try (var s = Files.walk(dir)) {
            s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a temp folder left behind is harmless
        }
    }

    // ================================================================ PTX ISA

    /**
     * Lowers the PTX's {@code .version} to what the device's driver accepts, when the compiler was
     * newer than the driver. Left alone when the driver is new enough or unknown to the table.
     */
    static String fitIsa(String ptx, CudaDeviceInfo device) {
        int max = device.maxPtxIsa();
        Matcher m = VERSION.matcher(ptx);
        if (max <= 0 || !m.find()) {
            return ptx;
        }
        int isa = Integer.parseInt(m.group(1)) * 10 + Integer.parseInt(m.group(2));
        if (isa <= max) {
            return ptx;
        }
        return ptx.substring(0, m.start()) + ".version " + max / 10 + "." + max % 10 + ptx.substring(m.end());
    }
}
