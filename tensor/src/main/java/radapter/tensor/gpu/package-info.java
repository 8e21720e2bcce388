/**
 * The GPU layer shared by every GPU API: the driver SPI ({@link radapter.tensor.gpu.GpuDriver},
 * {@link radapter.tensor.gpu.GpuBuffer}, {@link radapter.tensor.gpu.GpuKernel}) that an API
 * binding implements, {@link radapter.tensor.gpu.GpuBackend} which implements every
 * {@link radapter.tensor.Backend} op on such a driver, the kernel sources
 * ({@link radapter.tensor.gpu.KernelSources}: written once, compiled as OpenCL C or CUDA through a
 * per-API macro prelude), the op codes and flag bits host and kernels share, generated from the Java
 * enums ({@link radapter.tensor.gpu.OpCodes}), and task graphs ({@link radapter.tensor.gpu.TaskGraph}), TornadoVM's
 * model of resident weights and a recorded sequence of launches replayed per step.
 *
 * <p>An API backend ({@code radapter.tensor.opencl}, {@code radapter.tensor.cuda}) is then a
 * driver plus a few lines of subclass.
 */
package radapter.tensor.gpu;
