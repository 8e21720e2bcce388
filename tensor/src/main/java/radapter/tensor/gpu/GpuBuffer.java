package radapter.tensor.gpu;

import radapter.tensor.DeviceMemory;

/**
 * One allocation in a GPU's global memory (an OpenCL {@code cl_mem} or a CUDA {@code CUdeviceptr}).
 * Kernels always receive a buffer's base plus an element offset, never an interior pointer, so the
 * same kernel source works on OpenCL (which has no pointer arithmetic on buffers) and CUDA.
 */
public interface GpuBuffer extends DeviceMemory {

    /** The driver-level handle ({@code cl_mem} address or {@code CUdeviceptr} value). */
    long handle();
}
