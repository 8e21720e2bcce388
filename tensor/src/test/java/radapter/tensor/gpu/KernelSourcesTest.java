package radapter.tensor.gpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
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
 * The kernel sources themselves: they are written once for two compilers, behind a prelude made of
 * the dialect's file, the op codes generated from the Java enums and the shared helpers. This checks
 * the generator (every enum constant gets its code, and nothing else defines one), how the prelude
 * is put together, and that every family compiles as CUDA (with {@code nvcc}, when it is installed;
 * OpenCL compiles them in the parity suite).
 */
class KernelSourcesTest {
    private static final Pattern DEFINE = Pattern.compile("(?m)^#define (\\w+) (-?\\d+)\\s*$");

    private static Map<String, Integer> defines(String source) {
        Map<String, Integer> m = new HashMap<>();
        Matcher matcher = DEFINE.matcher(source);
        while (matcher.find()) {
            assertNull(m.put(matcher.group(1), Integer.parseInt(matcher.group(2))), "defined twice: " + matcher.group(1));
        }
        return m;
    }

    @Test
    void theHeaderGivesEveryEnumConstantItsCode() {
        Map<String, Integer> header = defines(OpCodes.header());
        for (UnaryOp op : UnaryOp.values()) {
            assertEquals(OpCodes.code(op), header.get("U_" + op.name()), "U_" + op.name());
        }
        for (BinaryOp op : BinaryOp.values()) {
            assertEquals(OpCodes.code(op), header.get("B_" + op.name()), "B_" + op.name());
        }
        for (ReduceOp op : ReduceOp.values()) {
            assertEquals(OpCodes.code(op), header.get("RK_" + op.name()), "RK_" + op.name());
        }
        int gemmBits = 0;
        for (OpCodes.GemmFlag f : OpCodes.GemmFlag.values()) {
            assertEquals(f.bit(), header.get("GEMM_" + f.name()), "GEMM_" + f.name());
            assertEquals(1, Integer.bitCount(f.bit()), f + " is one bit");
            gemmBits |= f.bit();
        }
        assertEquals(OpCodes.GemmFlag.values().length, Integer.bitCount(gemmBits), "distinct gemm flag bits");
        int lnBits = 0;
        for (OpCodes.LayerNormFlag f : OpCodes.LayerNormFlag.values()) {
            assertEquals(f.bit(), header.get("LN_" + f.name()), "LN_" + f.name());
            lnBits |= f.bit();
        }
        assertEquals(OpCodes.LayerNormFlag.values().length, Integer.bitCount(lnBits), "distinct layer-norm flag bits");
        assertEquals(GpuBackend.WG, header.get("RADAPTER_WG"));
        assertEquals(UnaryOp.values().length + BinaryOp.values().length + ReduceOp.values().length + OpCodes.GemmFlag.values().length
                + OpCodes.LayerNormFlag.values().length + 1, header.size(), "nothing else in the header: " + header);
        // Codes within a kind are distinct, or a kernel switch would not compile.
        assertEquals(UnaryOp.values().length, Stream.of(UnaryOp.values()).map(OpCodes::code).distinct().count());
        assertEquals(BinaryOp.values().length, Stream.of(BinaryOp.values()).map(OpCodes::code).distinct().count());
    }

    @Test
    void noKernelFileDefinesAGeneratedNumber() {
        Set<String> generated = defines(OpCodes.header()).keySet();
        List<String> files = new ArrayList<>();
        for (String f : KernelSources.FAMILIES) {
            files.add(f + ".gpu");
        }
        for (KernelSources.Dialect d : KernelSources.Dialect.values()) {
            files.add(d.file());
        }
        files.add(KernelSources.SHARED_PRELUDE);
        for (String file : files) {
            String text = resource(file);
            for (String name : generated) {
                assertFalse(Pattern.compile("(?m)^\\s*#define\\s+" + name + "\\b").matcher(text).find(),
                        file + " defines " + name + " by hand; it comes from OpCodes");
            }
        }
    }

    @Test
    void everyElementwiseOpHasAKernelCase() {
        String elementwise = KernelSources.family("elementwise");
        for (UnaryOp op : UnaryOp.values()) {
            assertTrue(elementwise.contains("case U_" + op.name() + ":"), "elementwise.gpu has no case U_" + op.name());
        }
        for (BinaryOp op : BinaryOp.values()) {
            assertTrue(elementwise.contains("case B_" + op.name() + ":"), "elementwise.gpu has no case B_" + op.name());
        }
    }

    @Test
    void thePreludeIsTheDialectThenTheCodesThenTheSharedHelpers() {
        String shared = resource(KernelSources.SHARED_PRELUDE);
        assertTrue(shared.contains("FUNC void rk_offsets(") && shared.contains("FUNC float rk_group_reduce("), "the shared helpers");
        for (KernelSources.Dialect d : KernelSources.Dialect.values()) {
            String own = resource(d.file());
            assertFalse(own.contains("rk_offsets") || own.contains("rk_combine"), d.file() + " keeps no copy of the shared helpers");
            String full = KernelSources.withPrelude(d, "KERNEL k() { }\n");
            int codes = full.indexOf(OpCodes.header());
            assertTrue(full.startsWith(own), d + ": the dialect's file first");
            assertTrue(codes > own.length() - 1, d + ": then the generated codes");
            assertTrue(full.indexOf(shared) > codes, d + ": then the shared helpers");
            assertTrue(full.endsWith(shared + "\n#line 1\nKERNEL k() { }\n"), d + ": then a line reset and the family");
            for (String macro : List.of("KERNEL", "FUNC", "GLOBAL", "LOCAL", "LOCAL_PTR", "BARRIER()", "GID(d)", "LID(d)", "GROUP_ID(d)",
                    "LOCAL_SIZE(d)", "NUM_GROUPS(d)", "GLOBAL_SIZE(d)", "EXP(x)", "ERFC(x)", "ISNAN(x)", "ATOMIC_ADD_F32(p, v)")) {
                assertTrue(own.contains("#define " + macro), d + " prelude defines " + macro);
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

    @Test
    void theCommandLinePrintsWhatADriverCompiles() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertEquals(0, KernelSources.print(new String[] {"cuda", "matmul"}, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8)));
        assertEquals(KernelSources.withPrelude(KernelSources.Dialect.CUDA, KernelSources.family("matmul")),
                out.toString(StandardCharsets.UTF_8));
        assertEquals("", err.toString(StandardCharsets.UTF_8));
        for (String[] bad : List.of(new String[] {"metal", "matmul"}, new String[] {"opencl", "conv"}, new String[] {"opencl"})) {
            err.reset();
            assertEquals(2, KernelSources.print(bad, new PrintStream(OutputStream.nullOutputStream()),
                    new PrintStream(err, true, StandardCharsets.UTF_8)));
            String line = err.toString(StandardCharsets.UTF_8);
            assertEquals(1, line.lines().count(), line);
            assertTrue(line.contains(bad.length == 1 ? "usage" : bad[bad[0].equals("metal") ? 0 : 1]), line);
        }
    }

    private static String resource(String file) {
        try (var in = KernelSourcesTest.class.getClassLoader().getResourceAsStream(KernelSources.FOLDER + file)) {
            assertNotNull(in, file + " is on the class path");
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
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

    /** Each family, with the CUDA prelude (op codes included) in front exactly as a CUDA driver compiles it, through one nvcc run. */
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
