package radapter.tensor.cuda;

import java.util.function.Supplier;
import radapter.tensor.gpu.GpuBackend;

/**
 * The {@code cuda} backend: every op of the shared {@link GpuBackend} on an NVIDIA GPU through a
 * {@link CudaDriver}. Registered with {@link java.util.ServiceLoader}; the driver is opened on
 * first use, and when that fails (no driver library, {@code cuInit} error, no device, no PTX
 * route) the backend is unavailable with that one-line reason.
 *
 * <p>Its priority is below {@code cpu}'s, so a machine with a GPU still defaults to {@code cpu};
 * choose it with {@code -Dradapter.backend=cuda}, {@code Backends.use("cuda")} or by moving
 * tensors to {@code new Device("cuda", 0)}. {@code -Dradapter.cuda.device=N} picks the GPU.
 */
public final class CudaBackend extends GpuBackend {
    /** System property: the device ordinal the service-loaded backend opens (default 0). */
    public static final String DEVICE_PROPERTY = "radapter.cuda.device";
    /** Below {@code cpu} (10) and above {@code reference} (0). */
    public static final int PRIORITY = 4;

    /** The backend the service loader creates: the real driver, device {@code -Dradapter.cuda.device}. */
    public CudaBackend() {
        this(() -> CudaDriver.open(CudaApi.load(), Integer.getInteger(DEVICE_PROPERTY, 0), CudaModuleImages.configured()));
    }

    /**
     * A backend over a driver opened by {@code opener} on first use, e.g.
     * {@code () -> CudaDriver.open(api, 1, images)}: another device, other bindings (the tests'
     * fake driver) or another source of module images.
     */
    public CudaBackend(Supplier<CudaDriver> opener) {
        super("cuda", opener);
    }

    @Override
    public String name() {
        return "cuda";
    }

    @Override
    public int priority() {
        return PRIORITY;
    }
}
