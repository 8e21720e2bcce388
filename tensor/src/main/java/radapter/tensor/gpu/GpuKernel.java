package radapter.tensor.gpu;

/** A compiled kernel entry point, ready to {@link GpuDriver#launch launch}. */
public interface GpuKernel {

    /** The kernel's name in the source. */
    String name();
}
