package radapter.tensor.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import radapter.tensor.gpu.GpuBuffer;
import radapter.tensor.gpu.GpuKernel;

/**
 * On a real NVIDIA GPU (skipped elsewhere): the driver opens, memory round-trips, and every kernel
 * file loads through every PTX route this machine has (build-time PTX, NVRTC, nvcc), with every
 * kernel found in the loaded module. The op results are checked by the parity suite on
 * {@code cuda}; bench/gpu/run-device.sh runs both.
 */
class CudaDeviceTest {
    private static CudaDriver driver;
    private static String reason;

    @BeforeAll
    static void open() {
        try {
            driver = CudaDriver.open(Integer.getInteger(CudaBackend.DEVICE_PROPERTY, 0));
            System.out.println("CUDA device: " + driver.description());
        } catch (CudaException e) {
            reason = e.getMessage().lines().findFirst().orElse("");
        }
    }

    @AfterAll
    static void close() {
        if (driver != null) {
            driver.close();
        }
    }

    private static void assumeDevice() {
        Assumptions.assumeTrue(driver != null, () -> "skipped: no CUDA device here (" + reason + ")");
    }

    @Test
    void memoryRoundTripsAndReportsBandwidth() {
        assumeDevice();
        long n = 64L << 20;
        try (Arena a = Arena.ofConfined()) {
            MemorySegment host = a.allocate(n, 64);
            for (long i = 0; i < n / 8; i++) {
                host.setAtIndex(ValueLayout.JAVA_LONG, i, i * 0x9E3779B97F4A7C15L);
            }
            GpuBuffer x = driver.allocate(n);
            GpuBuffer y = driver.allocate(n);
            long t0 = System.nanoTime();
            driver.upload(host, x, 0);
            long t1 = System.nanoTime();
            driver.copy(x, 0, y, 0, n);
            driver.finish();
            MemorySegment back = a.allocate(n, 64);
            long t2 = System.nanoTime();
            driver.download(y, 0, back);
            long t3 = System.nanoTime();
            assertEquals(-1, host.mismatch(back));
            System.out.printf(Locale.ROOT, "CUDA pageable copies of 64 MiB: host->device %.1f GB/s, device->host %.1f GB/s%n",
                    n / (double) (t1 - t0), n / (double) (t3 - t2));
            long[] info = driver.memoryInfo();
            assertTrue(info[0] > 0 && info[1] >= info[0], () -> java.util.Arrays.toString(info));
            x.release();
            y.release();
        }
    }

    @Test
    void everyKernelFileLoadsThroughEveryAvailablePtxRoute() throws Exception {
        assumeDevice();
        List<Path> files = CudaKernelFilesTest.kernelFiles();
        List<String> routes = new ArrayList<>(List.of("build", "nvrtc", "nvcc"));
        String saved = System.getProperty(PtxImages.ROUTES_PROPERTY);
        List<String> tried = new ArrayList<>();
        try {
            for (String route : routes) {
                System.setProperty(PtxImages.ROUTES_PROPERTY, route);
                PtxImages images = new PtxImages();
                for (Path f : files) {
                    String source = Files.readString(f);
                    byte[] ptx;
                    try {
                        ptx = images.image(f.getFileName().toString(), source, driver.info());
                    } catch (CudaException e) {
                        if (e.getMessage().startsWith("no PTX for CUDA module")) {
                            tried.add(route + ": unavailable (" + e.getMessage() + ")");
                            break; // this route does not exist here
                        }
                        throw e;
                    }
                    MemorySegment module = driver.api().moduleLoad(ptx, route + ":" + f.getFileName());
                    for (String kernel : FakeCuda.parseKernels(source).keySet()) {
                        assertFalse(driver.api().moduleFunction(module, kernel, f.getFileName().toString()).equals(MemorySegment.NULL));
                    }
                    driver.api().moduleUnload(module);
                    if (f.equals(files.getLast())) {
                        tried.add(route + ": all " + files.size() + " kernel files loaded");
                    }
                }
            }
        } finally {
            if (saved == null) {
                System.clearProperty(PtxImages.ROUTES_PROPERTY);
            } else {
                System.setProperty(PtxImages.ROUTES_PROPERTY, saved);
            }
        }
        System.out.println("CUDA PTX routes on " + driver.info().name() + ":\n  " + String.join("\n  ", tried));
        assertTrue(tried.stream().anyMatch(t -> t.endsWith("kernel files loaded")), () -> "no PTX route works: " + tried);
    }

    @Test
    void aSmallKernelRunsOnTheDevice() {
        assumeDevice();
        GpuKernel fill = driver.kernel(driver.compile("copy", radapter.tensor.gpu.KernelSources.family("copy")), "fill_b32_flat");
        int n = 1000;
        GpuBuffer b = driver.allocate(4L * n);
        driver.launch(fill, new long[] {1024}, new long[] {256}, (long) n, b, 0L, 1L, (long) Float.floatToRawIntBits(2.5f));
        float[] out = new float[n];
        driver.download(b, 0, MemorySegment.ofArray(out));
        float[] expected = new float[n];
        java.util.Arrays.fill(expected, 2.5f);
        assertArrayEquals(expected, out);
        b.release();
    }
}
