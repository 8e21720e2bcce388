package radapter.tensor.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import radapter.tensor.Backend;
import radapter.tensor.Backends;
import radapter.tensor.Device;

/**
 * {@link CudaBackend} itself: registered below {@code cpu}, and unavailable with a one-line reason
 * where there is no driver. Ops through the backend on the fake driver run in
 * {@link CudaFakeDriverParityTest}'s child JVM, where the service-loaded backend is the fake one
 * (a device backend must be the registered one: tensors on its device find it by device).
 */
class CudaBackendTest {
    @Test
    void isRegisteredBelowCpuAndUnavailableWithAOneLineReasonWithoutADriver() {
        Backend cuda = Backends.all().stream().filter(b -> b.name().equals("cuda")).findFirst().orElseThrow();
        assertTrue(cuda instanceof CudaBackend);
        assertTrue(cuda.priority() < Backends.all().stream().filter(b -> b.name().equals("cpu")).findFirst().orElseThrow().priority());
        if (!cuda.isAvailable()) {
            String reason = cuda.unavailableReason();
            assertFalse(reason.isBlank());
            assertFalse(reason.contains("\n"), reason);
            assertTrue(reason.contains("libcuda.so.1") || reason.contains("CUDA"), reason);
            assertEquals(new Device("cuda", 0), cuda.device());
        }
        assertEquals("cpu", Backends.available().getFirst().name(), "the default stays cpu");
    }

    @Test
    void aBrokenOpenerMakesTheBackendUnavailableWithItsMessage() {
        CudaBackend broken = new CudaBackend(() -> {
            FakeCuda f = new FakeCuda();
            f.initResult = CudaApi.CUDA_ERROR_NO_DEVICE;
            return CudaDriver.open(f.api(), 0, FakeCuda.SOURCE_IMAGES);
        });
        assertFalse(broken.isAvailable());
        assertEquals("cuInit failed: CUDA_ERROR_NO_DEVICE (no CUDA-capable device is detected)", broken.unavailableReason());
    }
}
