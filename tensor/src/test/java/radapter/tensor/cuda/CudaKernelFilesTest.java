package radapter.tensor.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The shared kernel files as the CUDA backend sees them: each has build-time PTX (when the build
 * had nvcc), and the fake driver's reading of each kernel's parameters agrees with nvcc's, which is
 * what a real driver reads from the image to copy {@code kernelParams}.
 */
class CudaKernelFilesTest {
    private static final CudaDeviceInfo H100 = new CudaDeviceInfo(0, "test", 9, 0, 132, 80L << 30, 13000);
    private static final Pattern ENTRY = Pattern.compile("\\.entry\\s+(\\w+)\\s*\\(([^)]*)\\)");
    private static final Pattern PARAM = Pattern.compile("\\.param\\s+\\.(\\w)(\\d+)\\s+\\w+");

    static List<Path> kernelFiles() throws IOException, URISyntaxException {
        URL dir = CudaKernelFilesTest.class.getClassLoader().getResource(PtxImages.KERNELS);
        Assumptions.assumeTrue(dir != null && dir.getProtocol().equals("file"), "skipped: no kernel files on the class path yet");
        List<Path> files = PtxBuild.kernelFiles(Path.of(dir.toURI()));
        Assumptions.assumeFalse(files.isEmpty(), "skipped: no kernel files yet");
        return files;
    }

    private static boolean buildHadNvcc() {
        try (var in = CudaKernelFilesTest.class.getClassLoader().getResourceAsStream(PtxImages.PTX + "index.txt")) {
            return in != null && new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().anyMatch(l -> !l.startsWith("#"));
        } catch (IOException e) {
            return false;
        }
    }

    /** Kernel name → parameter sizes in bytes, from PTX {@code .entry} declarations. */
    static Map<String, List<Integer>> entries(String ptx) {
        Map<String, List<Integer>> out = new LinkedHashMap<>();
        Matcher m = ENTRY.matcher(ptx);
        while (m.find()) {
            List<Integer> sizes = new ArrayList<>();
            Matcher p = PARAM.matcher(m.group(2));
            while (p.find()) {
                sizes.add(Integer.parseInt(p.group(2)) / 8);
            }
            out.put(m.group(1), sizes);
        }
        return out;
    }

    private static Map<String, List<Integer>> fakeSizes(String source) {
        Map<String, List<Integer>> out = new LinkedHashMap<>();
        FakeCuda.parseKernels(source).forEach((name, params) -> out.put(name,
                params.stream().map(k -> k == FakeCuda.Param.INT || k == FakeCuda.Param.FLOAT ? 4 : 8).toList()));
        return out;
    }

    @Test
    void everyKernelFileHasBuildTimePtxWhoseEntriesTheFakeReadsAlike() throws Exception {
        List<Path> files = kernelFiles();
        Assumptions.assumeTrue(buildHadNvcc(), "skipped: the build had no nvcc, so there is no build-time PTX to check");
        String saved = System.getProperty(PtxImages.ROUTES_PROPERTY);
        System.setProperty(PtxImages.ROUTES_PROPERTY, "build");
        try {
            PtxImages images = new PtxImages();
            for (Path f : files) {
                String source = Files.readString(f);
                String ptx = new String(images.image(f.getFileName().toString(), source, H100), StandardCharsets.UTF_8);
                assertTrue(ptx.contains(".target sm_" + PtxImages.BUILD_ARCH), f + ": built for compute_80");
                Map<String, List<Integer>> nvcc = entries(ptx);
                assertFalse(nvcc.isEmpty(), f + " has no kernels");
                assertEquals(new java.util.TreeMap<>(nvcc), new java.util.TreeMap<>(fakeSizes(source)),
                        f + ": kernel parameters as nvcc compiled them vs as the fake driver decodes them");
            }
        } finally {
            if (saved == null) {
                System.clearProperty(PtxImages.ROUTES_PROPERTY);
            } else {
                System.setProperty(PtxImages.ROUTES_PROPERTY, saved);
            }
        }
    }

    @Test
    void anOlderDriverGetsTheBuildTimePtxWithALowerIsa() throws Exception {
        List<Path> files = kernelFiles();
        Assumptions.assumeTrue(buildHadNvcc(), "skipped: no build-time PTX");
        CudaDeviceInfo driver124 = new CudaDeviceInfo(0, "test", 8, 0, 108, 40L << 30, 12040);
        String ptx = new String(new PtxImages().image("k", Files.readString(files.getFirst()), driver124), StandardCharsets.UTF_8);
        assertTrue(ptx.contains(".version 8.4"), "PTX ISA lowered for a CUDA 12.4 driver");
    }

    @Test
    void nvccAtRunTimeCompilesAKernelFileForTheDevice() throws Exception {
        List<Path> files = kernelFiles();
        Assumptions.assumeTrue(PtxImages.findNvcc() instanceof Path, "skipped: no nvcc here");
        String saved = System.getProperty(PtxImages.ROUTES_PROPERTY);
        System.setProperty(PtxImages.ROUTES_PROPERTY, "nvcc");
        try {
            Path smallest = files.stream().min(java.util.Comparator.comparingLong(p -> p.toFile().length())).orElseThrow();
            String source = Files.readString(smallest);
            String ptx = new String(new PtxImages().image("k", source, H100), StandardCharsets.UTF_8);
            assertTrue(ptx.contains(".target sm_90"), "compiled for the device's own architecture");
            assertEquals(new java.util.TreeMap<>(fakeSizes(source)), new java.util.TreeMap<>(entries(ptx)));
        } finally {
            if (saved == null) {
                System.clearProperty(PtxImages.ROUTES_PROPERTY);
            } else {
                System.setProperty(PtxImages.ROUTES_PROPERTY, saved);
            }
        }
    }

    @Test
    void noRouteLeftExplainsEachAndTheFix() throws Exception {
        kernelFiles();
        String saved = System.getProperty(PtxImages.ROUTES_PROPERTY);
        System.setProperty(PtxImages.ROUTES_PROPERTY, "build");
        try {
            CudaException e = org.junit.jupiter.api.Assertions.assertThrows(CudaException.class,
                    () -> new PtxImages().image("generated", "KERNEL not_a_file(int n) { }", H100));
            assertTrue(e.getMessage().startsWith("no PTX for CUDA module 'generated': "), e.getMessage());
            assertTrue(e.getMessage().contains("-Dradapter.nvrtc="), e.getMessage());
        } finally {
            if (saved == null) {
                System.clearProperty(PtxImages.ROUTES_PROPERTY);
            } else {
                System.setProperty(PtxImages.ROUTES_PROPERTY, saved);
            }
        }
        assertNotNull(H100);
    }
}
