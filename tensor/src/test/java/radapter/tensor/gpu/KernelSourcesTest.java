package radapter.tensor.gpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import radapter.tensor.BinaryOp;
import radapter.tensor.ReduceOp;
import radapter.tensor.UnaryOp;

/**
 * The kernel sources themselves: they are written once for two compilers, so this checks what
 * ties them together. The shared helper section must be identical in both preludes, the op codes
 * in the kernels must be the ones {@link GpuBackend} passes, and every family must compile as
 * CUDA (with {@code nvcc}, when it is installed; OpenCL compiles them in the parity suite).
 */
class KernelSourcesTest {
    private static final String BEGIN = "/* ==== radapter shared helpers ====";
    private static final String END = "/* ==== end of shared helpers ==== */";

    private static String shared(String prelude) {
        int b = prelude.indexOf(BEGIN);
        int e = prelude.indexOf(END);
        assertTrue(b >= 0 && e > b, "the prelude must mark its shared helper section");
        return prelude.substring(b, e + END.length());
    }

    @Test
    void preludesShareOneHelperSection() {
        String ocl = shared(KernelSources.prelude(KernelSources.Dialect.OPENCL));
        String cuda = shared(KernelSources.prelude(KernelSources.Dialect.CUDA));
        assertEquals(ocl, cuda, "the shared helper section differs between prelude_opencl.h and prelude_cuda.h");
        for (String macro : List.of("KERNEL", "FUNC", "GLOBAL", "LOCAL", "LOCAL_PTR", "BARRIER()", "GID(d)", "LID(d)", "GROUP_ID(d)",
                "LOCAL_SIZE(d)", "NUM_GROUPS(d)", "GLOBAL_SIZE(d)", "EXP(x)", "ERFC(x)", "ISNAN(x)", "ATOMIC_ADD_F32(p, v)")) {
            for (KernelSources.Dialect d : KernelSources.Dialect.values()) {
                assertTrue(KernelSources.prelude(d).contains("#define " + macro), d + " prelude defines " + macro);
            }
        }
    }

    @Test
    void everyFamilyIsShipped() {
        for (String f : KernelSources.FAMILIES) {
            String src = KernelSources.family(f);
            assertTrue(src.contains("KERNEL "), f + " defines kernels");
            assertFalse(src.contains("#include"), f + " must compile with nothing but the prelude");
        }
    }

    private static Map<String, Integer> defines(String source, String prefix) {
        Map<String, Integer> m = new HashMap<>();
        Matcher matcher = Pattern.compile("(?m)^#define " + prefix + "(\\w+) (\\d+)\\s*$").matcher(source);
        while (matcher.find()) {
            m.put(matcher.group(1), Integer.parseInt(matcher.group(2)));
        }
        return m;
    }

    @Test
    void opCodesMatchTheKernels() {
        String elementwise = KernelSources.family("elementwise");
        Map<String, Integer> unary = defines(elementwise, "U_");
        Map<String, Integer> binary = defines(elementwise, "B_");
        assertEquals(UnaryOp.values().length, unary.size(), "one U_ code per UnaryOp: " + unary);
        assertEquals(BinaryOp.values().length, binary.size(), "one B_ code per BinaryOp: " + binary);
        for (UnaryOp op : UnaryOp.values()) {
            assertEquals(unary.get(op.name()), GpuBackend.code(op), "U_" + op.name());
        }
        for (BinaryOp op : BinaryOp.values()) {
            assertEquals(binary.get(op.name()), GpuBackend.code(op), "B_" + op.name());
        }
        Map<String, Integer> reduce = defines(KernelSources.prelude(KernelSources.Dialect.OPENCL), "RK_");
        for (ReduceOp op : ReduceOp.values()) {
            assertEquals(reduce.get(op.name()), GpuBackend.code(op), "RK_" + op.name());
        }
        Map<String, Integer> gemm = defines(KernelSources.family("matmul"), "GEMM_");
        assertEquals(GpuBackend.GEMM_SCALE, gemm.get("SCALE"));
        assertEquals(GpuBackend.GEMM_RESIDUAL, gemm.get("RESIDUAL"));
        assertEquals(GpuBackend.GEMM_ROW_SCALE, gemm.get("ROW_SCALE"));
        assertEquals(GpuBackend.GEMM_K_SCALE, gemm.get("K_SCALE"));
        assertEquals(GpuBackend.WG, defines(KernelSources.prelude(KernelSources.Dialect.CUDA), "RADAPTER_").get("WG"));
    }

    /** nvcc from -Dradapter.nvcc, $CUDA_HOME/bin, /usr/local/bin, /usr/local/cuda/bin or PATH; null when none. */
    static Path nvcc() {
        List<Path> candidates = new ArrayList<>();
        String explicit = System.getProperty("radapter.nvcc");
        if (explicit != null && !explicit.isBlank()) {
            candidates.add(Path.of(explicit));
        }
        String cudaHome = System.getenv("CUDA_HOME");
        if (cudaHome != null) {
            candidates.add(Path.of(cudaHome, "bin", "nvcc"));
        }
        candidates.add(Path.of("/usr/local/bin/nvcc"));
        candidates.add(Path.of("/usr/local/cuda/bin/nvcc"));
        String path = System.getenv("PATH");
        if (path != null) {
            for (String dir : path.split(java.io.File.pathSeparator)) {
                candidates.add(Path.of(dir, "nvcc"));
            }
        }
        return candidates.stream().filter(Files::isExecutable).findFirst().orElse(null);
    }

    /** Each family, with prelude_cuda.h in front exactly as a CUDA driver compiles it, through one nvcc run. */
    @Test
    void everyFamilyCompilesAsCuda(@TempDir Path dir) throws IOException, InterruptedException {
        Path nvcc = nvcc();
        Assumptions.assumeTrue(nvcc != null, "skipped: nvcc not found (-Dradapter.nvcc, $CUDA_HOME/bin, /usr/local/cuda/bin, PATH)");
        List<String> command = new ArrayList<>(List.of(nvcc.toString(), "-ptx", "-arch=compute_80", "--output-directory", dir.toString()));
        for (String f : KernelSources.FAMILIES) {
            Path cu = dir.resolve(f + ".cu");
            Files.writeString(cu, KernelSources.withPrelude(KernelSources.Dialect.CUDA, KernelSources.family(f)), StandardCharsets.UTF_8);
            command.add(cu.toString());
        }
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(300, TimeUnit.SECONDS), "nvcc did not finish");
        assertEquals(0, p.exitValue(), "nvcc failed:\n" + log);
        for (String f : KernelSources.FAMILIES) {
            String ptx = Files.readString(dir.resolve(f + ".ptx"));
            for (String kernel : kernelNames(KernelSources.family(f))) {
                assertTrue(ptx.contains(".entry " + kernel + "("), f + ".ptx has the entry " + kernel);
            }
        }
    }

    /** Names of the KERNEL entry points of a family, with the two macro-generated forms expanded. */
    static List<String> kernelNames(String source) {
        List<String> names = new ArrayList<>();
        Matcher direct = Pattern.compile("(?m)^KERNEL (\\w+)\\(").matcher(source);
        while (direct.find()) {
            names.add(direct.group(1));
        }
        Matcher generated = Pattern.compile("(?m)^RK_(COPY|FILL|INDEX)_KERNELS\\((\\w+)").matcher(source);
        while (generated.find()) {
            String base = generated.group(2);
            if (generated.group(1).equals("INDEX")) {
                names.add("index_select_" + base);
                names.add("index_add_" + base);
            } else {
                names.add(base + "_flat");
                names.add(base + "_strided");
            }
        }
        return names;
    }

    @Test
    void kernelNamesAreUniqueAcrossFamilies() {
        List<String> all = Stream.of(KernelSources.FAMILIES.toArray(String[]::new)).flatMap(f -> kernelNames(KernelSources.family(f)).stream())
                .toList();
        assertEquals(all.size(), all.stream().distinct().count(), "duplicate kernel names: " + all);
        assertTrue(all.size() > 40, "found " + all.size() + " kernels");
    }
}
