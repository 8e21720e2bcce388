package radapter.tensor.opencl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import radapter.tensor.Backend;
import radapter.tensor.Backends;
import radapter.tensor.gpu.GpuBuffer;
import radapter.tensor.gpu.GpuDriver;
import radapter.tensor.gpu.GpuKernel;
import radapter.tensor.gpu.KernelSources;

/**
 * The OpenCL driver on whatever platform is installed (PoCL in CI): device listing and choice,
 * transfers, program builds (errors carry the build log), launches and their argument checks.
 * Skipped when there is no OpenCL platform; the last test checks, in a child JVM, that a missing
 * library makes the backend unavailable with a reason rather than failing to load.
 */
class OpenClDriverTest {

    private static void assumeOpenCl() {
        String problem = OpenClDriver.problem();
        Assumptions.assumeTrue(problem == null, () -> "skipped: no OpenCL here (" + problem + ")");
    }

    @Test
    void listsDevicesAndOpensTheDefault() {
        assumeOpenCl();
        List<OpenClDriver.DeviceInfo> devices = OpenClDriver.devices();
        assertFalse(devices.isEmpty());
        int chosen = OpenClDriver.defaultIndex();
        try (OpenClDriver d = OpenClDriver.openDefault()) {
            assertEquals(chosen, d.info().index());
            assertEquals("opencl:" + chosen, d.device().toString());
            assertTrue(d.description().contains(d.info().name()), d.description());
            boolean anyGpu = devices.stream().anyMatch(i -> i.type().equals("GPU"));
            assertTrue(!anyGpu || d.info().type().equals("GPU"), "a GPU is preferred over other devices");
        }
    }

    @Test
    void theDevicePropertyChoosesAndIsChecked() {
        assumeOpenCl();
        String saved = System.getProperty(OpenClDriver.DEVICE_PROPERTY);
        try {
            System.setProperty(OpenClDriver.DEVICE_PROPERTY, "0");
            assertEquals(0, OpenClDriver.defaultIndex());
            System.setProperty(OpenClDriver.DEVICE_PROPERTY, "99");
            String p = OpenClDriver.problem();
            assertTrue(p != null && p.contains(OpenClDriver.DEVICE_PROPERTY + "=99"), p);
            System.setProperty(OpenClDriver.DEVICE_PROPERTY, "first");
            assertTrue(OpenClDriver.problem().contains("not a device index"), OpenClDriver.problem());
        } finally {
            if (saved == null) {
                System.clearProperty(OpenClDriver.DEVICE_PROPERTY);
            } else {
                System.setProperty(OpenClDriver.DEVICE_PROPERTY, saved);
            }
        }
    }

    @Test
    void transfersRoundTripAtOffsets() {
        assumeOpenCl();
        try (OpenClDriver d = OpenClDriver.openDefault(); Arena arena = Arena.ofConfined()) {
            GpuBuffer a = d.allocate(64);
            GpuBuffer b = d.allocate(64);
            float[] values = new float[16];
            for (int i = 0; i < values.length; i++) {
                values[i] = i * 1.5f - 3;
            }
            d.upload(MemorySegment.ofArray(values), a, 0); // a heap segment goes through native memory
            d.copy(a, 8, b, 16, 24);
            MemorySegment back = arena.allocate(24);
            d.download(b, 16, back);
            assertArrayEquals(new float[] {values[2], values[3], values[4], values[5], values[6], values[7]},
                    back.toArray(ValueLayout.JAVA_FLOAT));
            GpuBuffer empty = d.allocate(0);
            d.upload(MemorySegment.ofArray(new byte[0]), empty, 0);
            assertEquals(0, empty.byteSize());
            assertThrows(IndexOutOfBoundsException.class, () -> d.upload(MemorySegment.ofArray(new float[17]), a, 0));
            assertThrows(IndexOutOfBoundsException.class, () -> d.download(a, 60, arena.allocate(8)));
            long live = d.liveBytes();
            a.release();
            a.release(); // twice is harmless
            assertEquals(live - 64, d.liveBytes());
            assertThrows(IllegalStateException.class, () -> d.download(a, 0, arena.allocate(4)), "a released buffer is refused");
        }
    }

    @Test
    void buildErrorsCarryTheBuildLog() {
        assumeOpenCl();
        try (OpenClDriver d = OpenClDriver.openDefault()) {
            OpenClException e = assertThrows(OpenClException.class,
                    () -> d.compile("broken", "KERNEL broken(GLOBAL float* x) { x[0] = no_such_symbol; }"));
            assertEquals("clBuildProgram", e.call());
            assertTrue(e.getMessage().contains("CL_BUILD_PROGRAM_FAILURE") && e.getMessage().contains("'broken'")
                    && e.getMessage().contains("no_such_symbol"), e.getMessage());
        }
    }

    @Test
    void launchesRunAndCheckTheirArguments() {
        assumeOpenCl();
        try (OpenClDriver d = OpenClDriver.openDefault(); Arena arena = Arena.ofConfined()) {
            GpuDriver.GpuProgram p = d.compile("copy", KernelSources.family("copy"));
            GpuKernel fill = d.kernel(p, "fill_b32_flat");
            GpuBuffer buf = d.allocate(4 * 1000);
            // n, dst, offset, step, bits: 1000 - 7 elements from 7 on, global size not a multiple of the group
            d.launch(fill, new long[] {300}, new long[] {64}, 993L, buf, 7L, 1L, (long) Float.floatToRawIntBits(2.5f));
            d.launch(fill, new long[] {0}, new long[] {64}, 7L, buf, 0L, 1L, 0L); // an empty range runs nothing
            MemorySegment out = arena.allocate(4 * 1000);
            d.download(buf, 0, out);
            float[] got = out.toArray(ValueLayout.JAVA_FLOAT);
            for (int i = 7; i < 1000; i++) {
                assertEquals(2.5f, got[i], "element " + i);
            }
            assertThrows(IllegalArgumentException.class, () -> d.launch(fill, new long[] {64}, new long[] {64}, 1L, buf, 0L, 1L, "x"));
            assertThrows(IllegalArgumentException.class, () -> d.launch(fill, new long[] {64}, new long[] {64}, 1L, null, 0L, 1L, 0L));
            assertThrows(IllegalArgumentException.class, () -> d.launch(fill, new long[] {64, 1}, new long[] {64}, 1L, buf, 0L, 1L, 0L));
            assertThrows(OpenClException.class, () -> d.kernel(p, "no_such_kernel"));
        }
    }

    /** Prints what the backend registry says about opencl (run in a child JVM). */
    public static final class Probe {
        public static void main(String[] args) {
            for (Backend b : Backends.all()) {
                if (b.name().equals("opencl")) {
                    System.out.println("opencl available=" + b.isAvailable() + " reason=" + b.unavailableReason() + " device=" + b.device());
                }
            }
            System.out.println("default=" + Backends.current().name());
        }
    }

    @Test
    void aMissingLibraryIsAReasonNotALinkageError() throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process p = new ProcessBuilder(java.toString(), "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                "-Dradapter.opencl.library=/nonexistent/libOpenCL.so.1", Probe.class.getName()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
        assertTrue(out.contains("opencl available=false reason=no OpenCL library found") && out.contains("device=opencl:0"), out);
        assertFalse(out.contains("UnsatisfiedLinkError") || out.contains("failed to load"), out);
    }
}
