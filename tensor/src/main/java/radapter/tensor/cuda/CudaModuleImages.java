package radapter.tensor.cuda;

/**
 * Where {@link CudaDriver#compile} gets the module image that {@code cuModuleLoadDataEx} loads
 * for a kernel source written in radapter's GPU dialect (the source as the shared GPU backend hands
 * it over, without any prelude).
 *
 * <p>The default, {@link #ptx()}, returns PTX: compiled at build time when {@code nvcc} was
 * there, else by NVRTC or {@code nvcc} at run time (see the package documentation). The interface
 * exists so that other sources can be plugged in: the tests' fake driver "loads" the kernel source
 * itself and runs it on OpenCL, and a deployment could hand in cubins.
 */
@FunctionalInterface
public interface CudaModuleImages {

    /**
     * The image for {@code source}: PTX text, a cubin or a fatbin (the driver appends the NUL that
     * PTX needs). {@code label} names the module in messages; {@code device} is the device it will
     * be loaded on.
     *
     * @throws CudaException when no image can be produced, saying what was tried
     */
    byte[] image(String label, String source, CudaDeviceInfo device);

    /**
     * System property naming a class (public, no-argument constructor) that implements this
     * interface, used instead of {@link #ptx()} by the service-loaded backend.
     */
    String PROPERTY = "radapter.cuda.images";

    /** Build-time PTX, then NVRTC, then {@code nvcc} at run time. */
    static CudaModuleImages ptx() {
        return new PtxImages();
    }

    /** The provider named by {@code -Dradapter.cuda.images=}, else {@link #ptx()}. */
    static CudaModuleImages configured() {
        String name = System.getProperty(PROPERTY, "").trim();
        return name.isEmpty() ? ptx() : CudaApi.instantiate(name, CudaModuleImages.class, PROPERTY);
    }
}
