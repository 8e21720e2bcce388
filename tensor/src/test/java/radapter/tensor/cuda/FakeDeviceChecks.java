package radapter.tensor.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import radapter.tensor.Backend;
import radapter.tensor.Backends;
import radapter.tensor.Device;
import radapter.tensor.MemoryScope;
import radapter.tensor.Tensor;
import radapter.tensor.gpu.GpuBackend;

/**
 * Checks that only make sense where the service-loaded {@code cuda} backend runs on the fake
 * driver: run by {@link CudaFakeDriverParityTest}'s child JVM next to the parity suite (the name
 * does not end in Test, so the normal test run does not pick it up; there it would only skip).
 */
@SuppressWarnings("try") // try-with-resources used only for its close()
class FakeDeviceChecks {
    private Backend cuda;

    @BeforeEach
    void cuda() {
        cuda = Backends.all().stream().filter(b -> b.name().equals("cuda")).findFirst().orElseThrow();
        Assumptions.assumeTrue(cuda.isAvailable() && FakeCudaSymbols.installed(),
                () -> "skipped: the cuda backend is not on the fake driver here (" + cuda.unavailableReason() + ")");
    }

    @AfterAll
    static void noUpcallFailed() {
        if (FakeCudaSymbols.installed()) {
            assertEquals(List.of(), FakeCudaSymbols.fake().errors(), "exceptions inside the fake's upcalls");
        }
    }

    @Test
    void theBackendRunsOnTheFakeDriver() {
        assertTrue(((GpuBackend) cuda).description().contains("radapter fake CUDA device"), ((GpuBackend) cuda).description());
        assertEquals(new Device("cuda", 0), cuda.device());
    }

    @Test
    void tensorsMoveToTheDeviceComputeThereAndComeBack() {
        int before = FakeCudaSymbols.fake().calls("cuLaunchKernel");
        try (MemoryScope ignored = MemoryScope.open()) {
            Tensor x = Tensor.of(new float[] {1, -2, 3, -4, 5, -6}, 2, 3);
            Tensor d = x.to(cuda.device());
            assertEquals(cuda.device(), d.device());
            assertFalse(d.storage().isHost());
            Tensor y = d.mul(d).add(d).transpose(0, 1).contiguous();
            assertEquals(cuda.device(), y.device());
            assertArrayEquals(new float[] {2, 12, 2, 30, 12, 30}, y.cpu().toFloatArray());
        }
        assertTrue(FakeCudaSymbols.fake().calls("cuLaunchKernel") > before, "the ops launched kernels through cuLaunchKernel");
        assertTrue(FakeCudaSymbols.fake().calls("cuMemcpyHtoD_v2") > 0 && FakeCudaSymbols.fake().calls("cuMemcpyDtoH_v2") > 0);
    }

    @Test
    void deviceMemoryOfAClosedScopeIsFreed() {
        long before = FakeCudaSymbols.fake().usedBytes();
        try (MemoryScope ignored = MemoryScope.open()) {
            Tensor d = Tensor.zeros(256, 256).to(cuda.device());
            assertTrue(FakeCudaSymbols.fake().usedBytes() >= before + 256 * 256 * 4);
            d.add(d);
        }
        ((GpuBackend) cuda).synchronize();
        assertTrue(FakeCudaSymbols.fake().usedBytes() < before + 256 * 256 * 4, "the scope's device memory went back");
    }
}
