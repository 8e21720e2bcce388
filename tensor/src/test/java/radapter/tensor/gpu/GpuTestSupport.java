package radapter.tensor.gpu;

import org.junit.jupiter.api.Assumptions;
import radapter.tensor.Backend;
import radapter.tensor.Backends;

/** Finds a GPU backend to test on (OpenCL: PoCL in CI), or skips the test with the reason. */
final class GpuTestSupport {
    private GpuTestSupport() {
    }

    /** The registered {@code opencl} backend; the calling test is skipped when it cannot run here. */
    static GpuBackend backend() {
        Backend b = Backends.all().stream().filter(x -> x.name().equals("opencl")).findFirst().orElse(null);
        Assumptions.assumeTrue(b != null, "skipped: no opencl backend is registered");
        Assumptions.assumeTrue(b.isAvailable(), () -> "skipped: no OpenCL platform here (" + b.unavailableReason() + ")");
        return (GpuBackend) b;
    }
}
