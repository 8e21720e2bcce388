package radapter.tensor.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The bindings' error paths: every failure names the call and the CUDA error, setup problems say what to do. */
class CudaApiTest {
    private final FakeCuda fake = new FakeCuda();

    @AfterEach
    void close() {
        assertEquals(List.of(), fake.errors(), "exceptions inside the fake's upcalls");
        fake.close();
    }

    @Test
    void outOfMemoryNamesTheCallTheErrorAndTheSize() {
        try (CudaDriver driver = CudaDriver.open(fake.api(), 0, FakeCuda.SOURCE_IMAGES)) {
            fake.failNext("cuMemAlloc_v2", CudaApi.CUDA_ERROR_OUT_OF_MEMORY);
            CudaException e = assertThrows(CudaException.class, () -> driver.allocate(1 << 20));
            assertEquals("cuMemAlloc_v2", e.call());
            assertEquals(CudaApi.CUDA_ERROR_OUT_OF_MEMORY, e.code());
            assertEquals("CUDA_ERROR_OUT_OF_MEMORY", e.errorName());
            assertEquals("cuMemAlloc_v2 failed: CUDA_ERROR_OUT_OF_MEMORY (out of memory), allocating 1048576 bytes", e.getMessage());
            // The failure was one call's: the next allocation works.
            driver.allocate(16).release();
            // And a real exhaustion of the (fake) device reads the same.
            CudaException full = assertThrows(CudaException.class, () -> driver.allocate(2L << 30));
            assertEquals("CUDA_ERROR_OUT_OF_MEMORY", full.errorName());
        }
    }

    @Test
    void aMissingLibraryIsAOneLineReason() {
        CudaException e = assertThrows(CudaException.class, () -> CudaApi.openLibrary("/nonexistent/libcuda.so.1"));
        assertTrue(e.getMessage().contains("cannot load /nonexistent/libcuda.so.1"), e.getMessage());
        assertTrue(e.getMessage().contains("-Dradapter.cuda.lib="), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
    }

    @Test
    void theRealDriverIsAbsentHereWithAReasonNotALinkError() {
        // This machine has no NVIDIA driver: loading must fail cleanly (on a GPU machine it binds).
        try {
            CudaApi api = CudaApi.load();
            assertEquals(CudaApi.LIBRARY, api.libraryName());
        } catch (CudaException e) {
            assertTrue(e.getMessage().contains("libcuda.so.1"), e.getMessage());
        }
    }

    @Test
    void aMissingSymbolIsNamed() {
        CudaException e = assertThrows(CudaException.class, () -> CudaApi.bind(fake.symbolsWithout("cuMemAlloc_v2"), "old libcuda"));
        assertTrue(e.getMessage().startsWith("old libcuda has no symbol cuMemAlloc_v2;"), e.getMessage());
        assertTrue(e.getMessage().contains("too old"), e.getMessage());
    }

    @Test
    void failingInitNamesCuInit() {
        fake.initResult = CudaApi.CUDA_ERROR_NO_DEVICE;
        CudaException e = assertThrows(CudaException.class, () -> CudaDriver.open(fake.api(), 0, FakeCuda.SOURCE_IMAGES));
        assertEquals("cuInit failed: CUDA_ERROR_NO_DEVICE (no CUDA-capable device is detected)", e.getMessage());
    }

    @Test
    void zeroDevicesAndABadOrdinalAreClear() {
        fake.deviceCount = 0;
        CudaException none = assertThrows(CudaException.class, () -> CudaDriver.open(fake.api(), 0, FakeCuda.SOURCE_IMAGES));
        assertTrue(none.getMessage().contains("no device"), none.getMessage());
        fake.deviceCount = 1;
        CudaException bad = assertThrows(CudaException.class, () -> CudaDriver.open(fake.api(), 3, FakeCuda.SOURCE_IMAGES));
        assertEquals("no CUDA device 3; this machine has 1", bad.getMessage());
    }

    @Test
    void anUnknownResultCodeIsStillNamed() {
        CudaApi api = fake.api();
        CudaException e = api.error("cuFancyCall", 12345, "");
        assertEquals("cuFancyCall failed: CUresult 12345", e.getMessage());
        assertEquals("CUDA_ERROR_LAUNCH_FAILED", api.errorName(CudaApi.CUDA_ERROR_LAUNCH_FAILED));
    }

    @Test
    void asynchronousFaultsNameTheLastKernel() {
        try (CudaDriver driver = CudaDriver.open(fake.api(), 0, FakeCuda.SOURCE_IMAGES)) {
            var k = driver.kernel(driver.compile("m", "KERNEL scale(GLOBAL float* x, int n) { }"), "scale");
            var b = driver.allocate(64);
            driver.launch(k, new long[] {16}, new long[] {16}, b, 16);
            fake.failNext("cuCtxSynchronize", 700);
            CudaException e = assertThrows(CudaException.class, driver::finish);
            assertTrue(e.getMessage().startsWith("cuCtxSynchronize failed: CUresult 700"), e.getMessage());
            assertTrue(e.getMessage().contains("'scale'"), e.getMessage());
        }
    }

    @Test
    void contextsAreSetOncePerThread() {
        try (CudaDriver driver = CudaDriver.open(fake.api(), 0, FakeCuda.SOURCE_IMAGES)) {
            int before = fake.calls("cuCtxSetCurrent");
            for (int i = 0; i < 10; i++) {
                driver.allocate(8).release();
            }
            assertEquals(before, fake.calls("cuCtxSetCurrent"), "the context was already current on this thread");
        }
    }
}
