/**
 * The {@code cuda} backend: radapter's GPU kernels on NVIDIA GPUs through the CUDA <em>driver</em>
 * API ({@code libcuda.so.1}, installed with the NVIDIA driver), called with the FFM API: no JNI,
 * no CUDA runtime library, no toolkit needed at run time.
 *
 * <h2>Layers</h2>
 * <ul>
 * <li>{@link radapter.tensor.cuda.CudaApi}: downcall bindings to the driver's versioned symbols
 * ({@code cuMemAlloc_v2}, ...), every {@code CUresult} checked and reported as a
 * {@link radapter.tensor.cuda.CudaException} naming the call and the CUDA error. Symbols come from
 * an injectable {@link java.lang.foreign.SymbolLookup}: the real library, or in the tests a fake
 * driver made of upcall stubs.</li>
 * <li>{@link radapter.tensor.cuda.CudaDriver}: the {@link radapter.tensor.gpu.GpuDriver} of the
 * shared GPU backend (memory, copies, modules, launches, synchronisation) on one device's primary
 * context. Every call makes the context current on its thread first, so ops may run on any thread
 * and the cleaner may free device memory.</li>
 * <li>{@link radapter.tensor.cuda.CudaBackend}: the {@link radapter.tensor.Backend} named
 * {@code cuda}, the shared GPU backend over a {@code CudaDriver}. Its priority is below
 * {@code cpu}, so it runs only when asked for ({@code -Dradapter.backend=cuda},
 * {@code Backends.use("cuda")}, or tensors moved to {@code Device("cuda", 0)}). On a machine
 * without the driver it is listed as unavailable with a one-line reason.</li>
 * </ul>
 *
 * <h2>Where PTX comes from</h2>
 * The kernels are written once (resources under {@code radapter/tensor/gpu/kernels/}) and compiled
 * as CUDA C++ with the CUDA prelude prepended ({@code prelude_cuda.h}, the op codes generated
 * from the Java enums, {@code prelude_shared.h}). The driver loads PTX, which it JIT-compiles
 * for the actual GPU; {@link radapter.tensor.cuda.CudaModuleImages#ptx()} finds it by, in order:
 * <ol>
 * <li><b>build time</b>: when the Maven build finds {@code nvcc} (profile {@code cuda-ptx} in
 * {@code tensor/pom.xml}, running {@link radapter.tensor.cuda.PtxBuild}), every kernel file is
 * compiled for {@code compute_80} into {@code radapter/tensor/gpu/ptx/*.ptx}, looked up by the
 * SHA-256 of the compiled text so stale PTX is never used. compute_80 PTX runs on every GPU from
 * Ampere (sm_80) on, Hopper (sm_90) included, through the driver's JIT;</li>
 * <li><b>NVRTC</b> through FFM at run time ({@code libnvrtc.so}: {@code -Dradapter.nvrtc=}, the CUDA
 * toolkit folders, pip's {@code nvidia/cuda_nvrtc/lib} or {@code nvidia/cu13/lib}, the loader
 * path), for the device's own architecture;</li>
 * <li><b>nvcc</b> at run time, when it is on {@code PATH}.</li>
 * </ol>
 * When none works, the error says what each route lacked. {@code -Dradapter.cuda.ptx=nvrtc,build}
 * changes the order. PTX carries an ISA version and a driver rejects one newer than itself (CUDA 13's
 * nvcc writes ISA 9.0, which driver 580 accepts); for older drivers the {@code .version} line is
 * lowered to the newest the driver knows, which radapter's plain kernels allow.
 *
 * <h2>Testing without a GPU</h2>
 * The tests (package {@code radapter.tensor.cuda} under {@code src/test}) run these bindings
 * against a fake driver whose {@code cuLaunchKernel} executes the same kernel source on the
 * OpenCL driver (PoCL), so the whole CUDA path, marshalling of kernel parameters included, is
 * checked by the tensor parity suite on any machine. On a real GPU, {@code bench/gpu/run-device.sh}
 * runs the parity suite on {@code cuda}.
 */
package radapter.tensor.cuda;
