package radapter.autograd;

import java.util.function.UnaryOperator;
import radapter.tensor.Shapes;
import radapter.tensor.Tensor;

/**
 * Differentiable views: reshapes, permutations, sub-ranges, broadcasts and size-1 dimension
 * edits. Forwards never copy (except {@link #reshape} and {@link #contiguous} when the layout
 * demands it). A backward either applies the inverse view to the gradient or, for views that see
 * only part of the input, copies the gradient into the same view of a zero tensor.
 */
public final class Views {
    private Views() {
    }

    // ---------------------------------------------------------------- shape changes

    /** Same elements in a new shape (one {@code -1} is inferred); copies only when strides forbid a view. */
    public static Variable reshape(Variable x, long... shape) {
        return new Reshape(t -> t.reshape(shape)).apply(x);
    }

    /** Like {@link #reshape} but fails instead of copying (PyTorch's {@code view}). */
    public static Variable view(Variable x, long... shape) {
        return new Reshape(t -> t.view(shape)).apply(x);
    }

    /** Flattens dimensions {@code start..end} (inclusive) into one. */
    public static Variable flatten(Variable x, int start, int end) {
        return new Reshape(t -> t.flatten(start, end)).apply(x);
    }

    /** Removes every size-1 dimension. */
    public static Variable squeeze(Variable x) {
        return new Reshape(Tensor::squeeze).apply(x);
    }

    /** Removes dimension {@code dim} if its size is 1 (else returns the input unchanged, like PyTorch). */
    public static Variable squeeze(Variable x, int dim) {
        return new Reshape(t -> t.squeeze(dim)).apply(x);
    }

    /** Inserts a size-1 dimension at {@code dim}. */
    public static Variable unsqueeze(Variable x, int dim) {
        return new Reshape(t -> t.unsqueeze(dim)).apply(x);
    }

    /** Every shape-only change has the same backward: give the gradient the input's shape back. */
    private static final class Reshape extends Function.Unary {
        private final UnaryOperator<Tensor> change;

        Reshape(UnaryOperator<Tensor> change) {
            this.change = change;
        }

        @Override
        protected Tensor forward(Tensor x) {
            return change.apply(x);
        }

        @Override
        protected Tensor[] backward(Tensor g) {
            return new Tensor[] {g.reshape(inputShape(0))};
        }
    }

    /** A contiguous copy (or the same data when already contiguous). */
    public static Variable contiguous(Variable x) {
        return new Contiguous().apply(x);
    }

    private static final class Contiguous extends Function.Unary {
        @Override
        protected Tensor forward(Tensor x) {
            return x.contiguous();
        }

        @Override
        protected Tensor[] backward(Tensor g) {
            return new Tensor[] {g};
        }
    }

    // ---------------------------------------------------------------- reorderings

    /** Reorders dimensions: result dimension i is input dimension {@code order[i]}. */
    public static Variable permute(Variable x, int... order) {
        return new Permute(order).apply(x);
    }

    private static final class Permute extends Function.Unary {
        private final int[] order;

        Permute(int[] order) {
            this.order = order;
        }

        @Override
        protected Tensor forward(Tensor x) {
            return x.permute(order);
        }

        @Override
        protected Tensor[] backward(Tensor g) {
            // The inverse permutation puts every dimension back where it came from.
            int[] inverse = new int[order.length];
            for (int i = 0; i < order.length; i++) {
                inverse[Shapes.dim(order[i], order.length)] = i;
            }
            return new Tensor[] {g.permute(inverse)};
        }
    }

    /** Swaps dimensions {@code d0} and {@code d1}. */
    public static Variable transpose(Variable x, int d0, int d1) {
        return new Transpose(d0, d1).apply(x);
    }

    /** Transpose of the last two dimensions. */
    public static Variable mT(Variable x) {
        return new Transpose(-2, -1).apply(x);
    }

    private static final class Transpose extends Function.Unary {
        private final int d0;
        private final int d1;

        Transpose(int d0, int d1) {
            this.d0 = d0;
            this.d1 = d1;
        }

        @Override
        protected Tensor forward(Tensor x) {
            // mT is transpose(-2, -1) with a clearer message for fewer than 2 dimensions.
            return d0 == -2 && d1 == -1 ? x.mT() : x.transpose(d0, d1);
        }

        @Override
        protected Tensor[] backward(Tensor g) {
            return new Tensor[] {g.transpose(d0, d1)};
        }
    }

    // ---------------------------------------------------------------- partial views

    /** Elements {@code start .. start+length-1} along {@code dim}. */
    public static Variable narrow(Variable x, int dim, long start, long length) {
        return new PartialView("Narrow", t -> t.narrow(dim, start, length)).apply(x);
    }

    /** Python-style {@code [start:end:step]} along {@code dim} (positive step; bounds clamp). */
    public static Variable slice(Variable x, int dim, long start, long end, long step) {
        return new PartialView("Slice", t -> t.slice(dim, start, end, step)).apply(x);
    }

    /** Removes dimension {@code dim} by fixing it at {@code index}. */
    public static Variable select(Variable x, int dim, long index) {
        return new PartialView("Select", t -> t.select(dim, index)).apply(x);
    }

    /**
     * A view of part of the input: the gradient is {@code g} copied into the same view of a zero
     * tensor, zero wherever the view did not look.
     */
    private static final class PartialView extends Function.Unary {
        private final String name;
        private final UnaryOperator<Tensor> view;

        PartialView(String name, UnaryOperator<Tensor> view) {
            this.name = name;
            this.view = view;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        protected Tensor forward(Tensor x) {
            return view.apply(x);
        }

        @Override
        protected Tensor[] backward(Tensor g) {
            Tensor full = Tensor.zeros(g.dtype(), inputShape(0));
            view.apply(full).copy_(g);
            return new Tensor[] {full};
        }
    }

    // ---------------------------------------------------------------- broadcasting

    /** Broadcasts to {@code shape} (new leading dimensions, stretched size-1 dimensions, {@code -1} keeps). */
    public static Variable expand(Variable x, long... shape) {
        return new Expand(shape).apply(x);
    }

    private static final class Expand extends Function.Unary {
        private final long[] shape;

        Expand(long[] shape) {
            this.shape = shape;
        }

        @Override
        protected Tensor forward(Tensor x) {
            return x.expand(shape);
        }

        @Override
        protected Tensor[] backward(Tensor g) {
            // Summing over the broadcast dimensions is exactly what the engine does to every
            // input gradient, so the output gradient can be handed back as it is.
            return new Tensor[] {g};
        }
    }
}
