package radapter.tensor.cuda;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import radapter.tensor.Device;
import radapter.tensor.gpu.GpuBuffer;
import radapter.tensor.gpu.GpuDriver;
import radapter.tensor.gpu.GpuKernel;

/**
 * {@link CudaDriver} on the fake driver without an executor: memory, copies with offsets, the
 * thread rule, module loading and the marshalling of kernel parameters (which the fake decodes by
 * the kernel's parameter list and records).
 */
class CudaDriverTest {
    private FakeCuda fake;
    private CudaDriver driver;

    @BeforeEach
    void open() {
        fake = new FakeCuda();
        driver = CudaDriver.open(fake.api(), 0, FakeCuda.SOURCE_IMAGES);
    }

    @AfterEach
    void close() {
        driver.close();
        assertEquals(List.of(), fake.errors(), "exceptions inside the fake's upcalls");
        fake.close();
    }

    @Test
    void describesTheDevice() {
        assertEquals(new Device("cuda", 0), driver.device());
        assertEquals(90, driver.info().computeCapability());
        assertEquals("13.0", driver.info().driverVersionString());
        assertTrue(driver.description().contains("radapter fake CUDA device") && driver.description().contains("sm_90"),
                driver.description());
        long[] mem = driver.memoryInfo();
        assertEquals(1L << 30, mem[1]);
    }

    @Test
    void uploadDownloadAndCopyWithOffsets() {
        try (Arena a = Arena.ofConfined()) {
            GpuBuffer x = driver.allocate(64);
            GpuBuffer y = driver.allocate(64);
            assertEquals(64, x.byteSize());
            assertTrue(x.handle() != y.handle());
            MemorySegment src = a.allocate(16);
            for (int i = 0; i < 4; i++) {
                src.setAtIndex(JAVA_INT, i, 10 + i);
            }
            driver.upload(src, x, 8);
            driver.copy(x, 8, y, 32, 16);
            MemorySegment back = a.allocate(16);
            driver.download(y, 32, back);
            assertArrayEquals(new int[] {10, 11, 12, 13}, back.toArray(JAVA_INT));
            // Heap segments go through native memory.
            int[] heap = new int[2];
            driver.download(y, 36, MemorySegment.ofArray(heap));
            assertArrayEquals(new int[] {11, 12}, heap);
            driver.upload(MemorySegment.ofArray(new int[] {7}), y, 0);
            driver.download(y, 0, MemorySegment.ofArray(heap));
            assertEquals(7, heap[0]);
            assertThrows(IndexOutOfBoundsException.class, () -> driver.upload(src, x, 56));
            assertThrows(IndexOutOfBoundsException.class, () -> driver.copy(x, 60, y, 0, 8));
        }
    }

    @Test
    void releaseFreesOnceAndEmptyBuffersWork() {
        int before = fake.liveAllocations();
        GpuBuffer b = driver.allocate(100);
        GpuBuffer empty = driver.allocate(0);
        assertEquals(0, empty.byteSize());
        assertEquals(before + 2, fake.liveAllocations());
        b.release();
        b.release();
        assertEquals(before + 1, fake.liveAllocations());
        assertEquals(1, fake.calls("cuMemFree_v2"));
        assertThrows(IllegalStateException.class, () -> driver.download(b, 0, MemorySegment.ofArray(new byte[4])));
        driver.upload(MemorySegment.ofArray(new byte[0]), empty, 0);
    }

    @Test
    void memoryIsFreedFromAnotherThreadWithTheContextMadeCurrentThere() throws Exception {
        GpuBuffer b = driver.allocate(256);
        var pool = Executors.newSingleThreadExecutor();
        try {
            // A fresh thread has no current context; the driver must make it current (the cleaner case).
            Future<?> f = pool.submit(b::release);
            f.get();
            Future<?> g = pool.submit(() -> driver.allocate(8).release());
            g.get();
        } finally {
            pool.shutdown();
        }
        assertEquals(0, fake.liveAllocations());
    }

    @Test
    void aRawCallWithoutACurrentContextNamesTheCallAndTheError() throws Exception {
        CudaApi api = driver.api();
        var pool = Executors.newSingleThreadExecutor();
        try {
            CudaException e = pool.submit(() -> assertThrows(CudaException.class, () -> api.memAlloc(16))).get();
            assertEquals("cuMemAlloc_v2", e.call());
            assertEquals("CUDA_ERROR_INVALID_CONTEXT", e.errorName());
            assertTrue(e.getMessage().startsWith("cuMemAlloc_v2 failed: CUDA_ERROR_INVALID_CONTEXT (invalid device context)"), e.getMessage());
        } finally {
            pool.shutdown();
        }
    }

    @Test
    void kernelParametersAreMarshalledAsPointersToTheirValues() {
        String src = """
                KERNEL axpy(GLOBAL float* y, i64 yOff, GLOBAL const float* x, int n, float alpha) {
                    // body irrelevant to the fake without an executor
                }
                KERNEL noArgs() { }
                """;
        GpuDriver.GpuProgram p = driver.compile("axpy", src);
        GpuKernel k = driver.kernel(p, "axpy");
        GpuBuffer y = driver.allocate(4000);
        GpuBuffer x = driver.allocate(4000);
        driver.launch(k, new long[] {1000}, new long[] {128}, y, 5L, x, 1000, 2.5f);
        driver.launch(driver.kernel(p, "noArgs"), new long[] {10, 3}, new long[] {4, 2});
        driver.launch(k, new long[] {0}, new long[] {64}, y, 0L, x, 0, 0f); // empty: not launched
        driver.finish();
        List<FakeCuda.Launch> launches = fake.launches();
        assertEquals(2, launches.size());
        FakeCuda.Launch l = launches.getFirst();
        assertEquals("axpy", l.kernel());
        assertArrayEquals(new int[] {8, 1, 1}, l.grid(), "grid = ceil(global / local)");
        assertArrayEquals(new int[] {128, 1, 1}, l.block());
        assertEquals(List.of(y.handle(), 5L, x.handle(), 1000, 2.5f), l.args());
        FakeCuda.Launch m = launches.get(1);
        assertArrayEquals(new int[] {3, 2, 1}, m.grid());
        assertArrayEquals(new int[] {4, 2, 1}, m.block());
    }

    @Test
    void launchArgumentsAreChecked() {
        GpuKernel k = driver.kernel(driver.compile("k", "KERNEL k(GLOBAL float* a, int n) { }"), "k");
        GpuBuffer a = driver.allocate(16);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> driver.launch(k, new long[] {4}, new long[] {4}, a, 1.0));
        assertTrue(e.getMessage().contains("Double"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> driver.launch(k, new long[] {4}, new long[] {2048}, a, 1));
        assertThrows(IllegalArgumentException.class, () -> driver.launch(k, new long[] {4, 4, 4, 4}, new long[] {1, 1, 1, 1}, a, 1));
        CudaException missing = assertThrows(CudaException.class, () -> driver.kernel(driver.compile("k2", "KERNEL k(int n) { }"), "nope"));
        assertEquals("CUDA_ERROR_NOT_FOUND", missing.errorName());
        assertTrue(missing.getMessage().contains("cuModuleGetFunction") && missing.getMessage().contains("'nope'"), missing.getMessage());
    }

    @Test
    void aRejectedModuleReportsTheJitLog() {
        fake.jitRejection = "ptxas fatal   : Unresolved extern function 'frobnicate'";
        CudaException e = assertThrows(CudaException.class, () -> driver.compile("broken", "KERNEL k(int n) { }"));
        assertEquals("cuModuleLoadDataEx", e.call());
        assertEquals(CudaApi.CUDA_ERROR_INVALID_PTX, e.code());
        assertTrue(e.getMessage().contains("module 'broken'") && e.getMessage().contains("Unresolved extern function 'frobnicate'"),
                e.getMessage());
    }

    @Test
    void closeFreesWhatIsLeftAndLaterReleasesDoNothing() {
        GpuBuffer b = driver.allocate(32);
        driver.compile("m", "KERNEL k(GLOBAL float* a) { }");
        driver.close();
        assertEquals(0, fake.liveAllocations());
        b.release(); // after close: nothing to do, no error
        assertThrows(IllegalStateException.class, () -> driver.allocate(4));
        driver.close(); // idempotent
    }

    @Test
    void floatArgumentsKeepTheirBits() {
        GpuKernel k = driver.kernel(driver.compile("f", "KERNEL f(float a, float b) { }"), "f");
        driver.launch(k, new long[] {1}, new long[] {1}, Float.NaN, -0.0f);
        List<Object> args = fake.launches().getLast().args();
        assertTrue(Float.isNaN((Float) args.get(0)));
        assertEquals(Float.floatToRawIntBits(-0.0f), Float.floatToRawIntBits((Float) args.get(1)));
    }
}
