/**
 * Reverse-mode automatic differentiation over {@code radapter.tensor}.
 *
 * <p>A {@link radapter.autograd.Variable} holds a tensor, its gradient and the
 * {@link radapter.autograd.Function} that produced it. Each op is a small {@code Function}
 * subclass whose {@code forward} and {@code backward} sit side by side and say the op's math and
 * nothing else; {@link radapter.autograd.Function#apply} decides once whether to record, and the
 * base class owns the tensors saved for backward.
 *
 * <p>The op families carry the names of their {@code radapter.tensor} counterparts, with the
 * same method names (PyTorch's): {@link radapter.autograd.Pointwise},
 * {@link radapter.autograd.Reductions}, {@link radapter.autograd.LinearAlgebra},
 * {@link radapter.autograd.Join} and {@link radapter.autograd.NN} (activations, softmax, layer
 * norm, convolution, dropout: {@code torch.nn.functional}); {@link radapter.autograd.Views}
 * mirrors the tensor's view methods and {@link radapter.autograd.Losses} has no tensor
 * counterpart. {@link radapter.autograd.Checkpoint} trades recomputation for memory.
 *
 * <p>{@link radapter.autograd.Engine} is the backward algorithm (topological order, chain rule,
 * accumulation); {@link radapter.autograd.GradMemory} decides where its gradients live and when
 * they are freed. {@link radapter.autograd.GradMode#noGrad()} and frozen leaves record nothing.
 * {@link radapter.autograd.GradCheck} compares every backward against central differences in
 * double precision on the reference backend.
 */
package radapter.autograd;
