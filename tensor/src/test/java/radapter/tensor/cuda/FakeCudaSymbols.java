package radapter.tensor.cuda;

import java.lang.foreign.SymbolLookup;
import java.nio.charset.StandardCharsets;
import java.util.function.Supplier;
import radapter.tensor.opencl.OpenClDriver;

/**
 * The extension-point classes that put the service-loaded {@code cuda} backend on {@link FakeCuda}
 * in {@link CudaFakeDriverParityTest}'s child JVM: {@code -Dradapter.cuda.symbols=} names this
 * class, {@code -Dradapter.cuda.images=} names {@link Images}. The fake executes launches on the
 * OpenCL device {@code -Dradapter.fakecuda.opencl=N} (PoCL in CI).
 */
public final class FakeCudaSymbols implements Supplier<SymbolLookup> {
    /** System property: the OpenCL device index the fake runs kernels on. */
    static final String OPENCL_PROPERTY = "radapter.fakecuda.opencl";
    private static FakeCuda fake;

    /** The JVM-wide fake, created (with its OpenCL executor) on first use. */
    static synchronized FakeCuda fake() {
        if (fake == null) {
            String index = System.getProperty(OPENCL_PROPERTY);
            OpenClDriver executor = index == null ? OpenClDriver.openDefault() : OpenClDriver.open(Integer.parseInt(index));
            // Lives as long as the JVM: the backend keeps its driver, and the stubs must outlive it.
            fake = new FakeCuda(executor);
        }
        return fake;
    }

    /** Whether this JVM's cuda backend runs on the fake (true only in the child JVM). */
    static synchronized boolean installed() {
        return fake != null;
    }

    /** Used by the service loader's {@link CudaBackend} through {@link CudaApi#load()}. */
    public FakeCudaSymbols() {
    }

    @Override
    public SymbolLookup get() {
        return fake().symbols();
    }

    /** Module images for the fake: the kernel source itself. */
    public static final class Images implements CudaModuleImages {
        /** For {@code -Dradapter.cuda.images=}. */
        public Images() {
        }

        @Override
        public byte[] image(String label, String source, CudaDeviceInfo device) {
            return source.getBytes(StandardCharsets.UTF_8);
        }
    }
}
