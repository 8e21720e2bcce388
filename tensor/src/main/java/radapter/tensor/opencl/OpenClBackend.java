package radapter.tensor.opencl;

import radapter.tensor.gpu.GpuBackend;

/**
 * The {@code opencl} backend: {@link GpuBackend} on an {@link OpenClDriver}. Its priority is
 * below {@code cpu}'s, so it runs ops only when chosen ({@code -Dradapter.backend=opencl},
 * {@code Backends.use("opencl")}) or when tensors live on its device ({@code tensor.to(device)}).
 * The driver is opened on first use; without an OpenCL library or device the backend reports
 * itself unavailable with the reason, and never fails to load.
 */
public final class OpenClBackend extends GpuBackend {

    /** The backend on the device {@link OpenClDriver#openDefault()} chooses (the service-loader entry). */
    public OpenClBackend() {
        super("opencl", OpenClDriver::openDefault);
    }

    /** A backend on a driver opened by the caller (another device, a test). */
    public OpenClBackend(OpenClDriver driver) {
        super("opencl", () -> driver);
    }

    @Override
    public String name() {
        return "opencl";
    }

    /** Below {@code cpu} (10), above {@code reference} (0): never the default while the Vector API backend runs. */
    @Override
    public int priority() {
        return 5;
    }
}
