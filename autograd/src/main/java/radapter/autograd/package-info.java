/**
 * Reverse-mode automatic differentiation over {@code radapter.tensor}.
 *
 * <p>A {@link radapter.autograd.Variable} holds a tensor, its gradient and the
 * {@link radapter.autograd.Function} that produced it. Each op is a small {@code Function}
 * subclass with its forward and backward side by side, grouped by family ({@code Arithmetic},
 * {@code Aggregations}, ...). {@link radapter.autograd.GradMode#noGrad()} and frozen leaves record
 * nothing. {@link radapter.autograd.GradCheck} compares every backward against central
 * differences in double precision on the reference backend.
 */
package radapter.autograd;
