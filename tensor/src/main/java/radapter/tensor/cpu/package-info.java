/**
 * The {@code cpu} backend: float32 kernels written with the incubating Vector API
 * ({@code jdk.incubator.vector}) over {@link java.lang.foreign.MemorySegment} storage, parallel
 * on one shared fork/join pool ({@link radapter.tensor.cpu.CpuThreads}).
 *
 * <p>{@link radapter.tensor.cpu.CpuBackend} is the {@link radapter.tensor.Backend} registered
 * under the name {@code "cpu"}; it computes in F32 only, and the front-ends send other dtypes to
 * the {@code reference} backend. It is available when the JVM runs with
 * {@code --add-modules=jdk.incubator.vector} (see {@code jvm.options}). Matrix products go to
 * {@link radapter.tensor.cpu.Sgemm}, a packed, cache-blocked GEMM; the other families live in
 * {@code ElementwiseKernels}, {@code ReductionKernels}, {@code SoftmaxKernels},
 * {@code NormKernels}, {@code IndexKernels} and {@code MatmulKernels}, with vectorised elementary
 * functions (exp, log, tanh, sigmoid, erfc-based GELU) in {@code VectorMath}, the joint strided row
 * walk in {@code StridedRows} and the range splitting over the pool in {@code CpuParallel}. Every
 * kernel accepts arbitrary strided views (transposed, sliced, stride-0 broadcast) and takes its
 * vector fast path where rows have unit stride; results match the reference backend to float
 * rounding.
 *
 * <p>Vector API code is slow until C2 has compiled it (interpreted and C1 code box every vector),
 * so the first large call of each kernel in a JVM costs from a few tens of milliseconds up to
 * about a second; later calls run at full speed.
 */
package radapter.tensor.cpu;
