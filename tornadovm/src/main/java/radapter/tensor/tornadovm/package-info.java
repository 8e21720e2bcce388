/**
 * The optional {@code tornadovm} backend: radapter's F32 hot ops (matmul, softmax, layer norm,
 * element-wise) written as plain Java kernels that TornadoVM JIT-compiles for a GPU (or another
 * OpenCL, PTX or SPIR-V device), everything else delegated to {@code reference}.
 *
 * <p>{@link radapter.tensor.tornadovm.TornadoBackend} is the service provider; it names no
 * TornadoVM type, so it loads on any JVM and reports itself unavailable, in one line, where the
 * SDK is absent. {@code TornadoEngine} owns the TornadoVM state: one execution plan per kernel and
 * shape, reused across calls; inputs transferred at every execution, immutable weights (read-only
 * or {@linkplain radapter.tensor.tornadovm.TornadoBackend#markImmutable marked} storages) at the
 * first only, the same rule as radapter's own {@link radapter.tensor.gpu.TaskGraph}.
 * {@code Kernels} holds the {@code @Parallel} kernels; {@code HostTransfer} the host-side copies
 * between strided tensors and TornadoVM arrays.
 *
 * <p>This module is built only with the root pom's {@code tornadovm} profile and has not been
 * compiled against the real TornadoVM API nor run on a device by the radapter project; its README
 * says what was checked and how.
 */
package radapter.tensor.tornadovm;
