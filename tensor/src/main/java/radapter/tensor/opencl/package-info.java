/**
 * The {@code opencl} backend: OpenCL 1.2 through the FFM API, with no JNI and no native code of
 * radapter's own. {@link radapter.tensor.opencl.OpenCl} binds the ICD loader
 * ({@code libOpenCL.so.1}) lazily, so a machine without OpenCL reports the backend unavailable
 * instead of failing at class load; {@link radapter.tensor.opencl.OpenClDriver} implements the
 * shared {@link radapter.tensor.gpu.GpuDriver} (device choice, context, in-order queue, buffers,
 * program builds with their logs, launches); {@link radapter.tensor.opencl.OpenClBackend} is the
 * service-loader entry. Everything that maps ops to kernels lives in {@link radapter.tensor.gpu}.
 *
 * <p>PoCL ({@code pocl-opencl-icd}) runs these kernels on the CPU, which is how CI checks GPU
 * code for correctness; its speed says nothing about a GPU's.
 */
package radapter.tensor.opencl;
