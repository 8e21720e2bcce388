/**
 * N-dimensional tensors over off-heap memory and the ops on them.
 *
 * <p>A {@link radapter.tensor.Tensor} is a dtype, a shape, strides and an offset over a
 * {@link radapter.tensor.Storage}; views share storage and never copy. Memory is owned by
 * {@link radapter.tensor.MemoryScope}s. Ops are front-ends ({@link radapter.tensor.Pointwise},
 * {@link radapter.tensor.Reductions}, {@link radapter.tensor.LinearAlgebra},
 * {@link radapter.tensor.NN}, {@link radapter.tensor.Join}) that check shapes, broadcast and
 * allocate, then call the current {@link radapter.tensor.Backend}. This package knows nothing of
 * gradients; that is {@code radapter.autograd}'s job.
 */
package radapter.tensor;
