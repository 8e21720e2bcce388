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

    /** A zero tensor of {@code shape} whose part seen through {@code view} holds {@code g}. */
    private static Tensor scatterInto(Tensor g, long[] shape, UnaryOperator<Tensor> view) {
        Tensor full = Tensor.zeros(g.dtype(), shape);
        view.apply(full).copy_(g);
        return full;
    }

    // ---------------------------------------------------------------- shape changes

    /** Same elements in a new shape (one {@code -1} is inferred); copies only when strides forbid a view. */
    public static Variable reshape(Variable x, long... shape) {
        return Function.record(new Reshape(x.shape()), x.data().reshape(shape), x);
    }

    /** Like {@link #reshape} but fails instead of copying (PyTorch's {@code view}). */
    public static Variable view(Variable x, long... shape) {
        return Function.record(new Reshape(x.shape()), x.data().view(shape), x);
    }

    /** Flattens dimensions {@code start..end} (inclusive) into one. */
    public static Variable flatten(Variable x, int start, int end) {
        return Function.record(new Reshape(x.shape()), x.data().flatten(start, end), x);
    }

    /** Removes every size-1 dimension. */
    public static Variable squeeze(Variable x) {
        return Function.record(new Reshape(x.shape()), x.data().squeeze(), x);
    }

    /** Removes dimension {@code dim} if its size is 1 (else returns the input unchanged, like PyTorch). */
    public static Variable squeeze(Variable x, int dim) {
        return Function.record(new Reshape(x.shape()), x.data().squeeze(dim), x);
    }

    /** Inserts a size-1 dimension at {@code dim}. */
    public static Variable unsqueeze(Variable x, int dim) {
        return Function.record(new Reshape(x.shape()), x.data().unsqueeze(dim), x);
    }

    /** Every shape-only change has the same backward: give the gradient the input's shape back. */
    private static final class Reshape extends Function {
        final long[] shape;

        Reshape(long[] shape) {
            this.shape = shape;
        }

        @Override
        protected Tensor[] backward(Tensor g) {
            return new Tensor[] {g.reshape(shape)};
        }
    }

    /** A contiguous copy (or the same data when already contiguous). */
    public static Variable contiguous(Variable x) {
        return Function.record(new Contiguous(), x.data().contiguous(), x);
    }

    private static final class Contiguous extends Function {
        @Override
        protected Tensor[] backward(Tensor g) {
            return new Tensor[] {g};
        }
    }

    // ---------------------------------------------------------------- reorderings

    /** Reorders dimensions: result dimension i is input dimension {@code order[i]}. */
    public static Variable permute(Variable x, int... order) {
        int[] inverse = new int[order.length];
        for (int i = 0; i < order.length; i++) {
            inverse[Shapes.dim(order[i], order.length)] = i;
        }
        return Function.record(new Permute(inverse), x.data().permute(order), x);
    }

    private static final class Permute extends Function {
        final int[] inverse;

        Permute(int[] inverse) {
            this.inverse = inverse;
        }

        @Override
        protected Tensor[] backward(Tensor g) {
            return new Tensor[] {g.permute(inverse)};
        }
    }

    /** Swaps dimensions {@code d0} and {@code d1}. */
    public static Variable transpose(Variable x, int d0, int d1) {
        return Function.record(new Transpose(d0, d1), x.data().transpose(d0, d1), x);
    }

    /** Transpose of the last two dimensions. */
    public static Variable mT(Variable x) {
        return Function.record(new Transpose(-2, -1), x.data().mT(), x);
    }

    private static final class Transpose extends Function {
        final int d0;
        final int d1;

        Transpose(int d0, int d1) {
            this.d0 = d0;
            this.d1 = d1;
        }

        @Override
        protected Tensor[] backward(Tensor g) {
            return new Tensor[] {g.transpose(d0, d1)};
        }
    }

    // ---------------------------------------------------------------- partial views

    /** Elements {@code start .. start+length-1} along {@code dim}. */
    public static Variable narrow(Variable x, int dim, long start, long length) {
        return Function.record(new Narrow(x.shape(), dim, start, length), x.data().narrow(dim, start, length), x);
    }

    private static final class Narrow extends Function {
        final long[] shape;
        final int dim;
        final long start;
        final long length;

        Narrow(long[] shape, int dim, long start, long length) {
            this.shape = shape;
            this.dim = dim;
            this.start = start;
            this.length = length;
        }

        @Override
        protected Tensor[] backward(Tensor g) {
            return new Tensor[] {scatterInto(g, shape, t -> t.narrow(dim, start, length))};
        }
    }

    /** Python-style {@code [start:end:step]} along {@code dim} (positive step; bounds clamp). */
    public static Variable slice(Variable x, int dim, long start, long end, long step) {
        return Function.record(new Slice(x.shape(), dim, start, end, step), x.data().slice(dim, start, end, step), x);
    }

    private static final class Slice extends Function {
        final long[] shape;
        final int dim;
        final long start;
        final long end;
        final long step;

        Slice(long[] shape, int dim, long start, long end, long step) {
            this.shape = shape;
            this.dim = dim;
            this.start = start;
            this.end = end;
            this.step = step;
        }

        @Override
        protected Tensor[] backward(Tensor g) {
            return new Tensor[] {scatterInto(g, shape, t -> t.slice(dim, start, end, step))};
        }
    }

    /** Removes dimension {@code dim} by fixing it at {@code index}. */
    public static Variable select(Variable x, int dim, long index) {
        return Function.record(new Select(x.shape(), dim, index), x.data().select(dim, index), x);
    }

    private static final class Select extends Function {
        final long[] shape;
        final int dim;
        final long index;

        Select(long[] shape, int dim, long index) {
            this.shape = shape;
            this.dim = dim;
            this.index = index;
        }

        @Override
        protected Tensor[] backward(Tensor g) {
            return new Tensor[] {scatterInto(g, shape, t -> t.select(dim, index))};
        }
    }

    // ---------------------------------------------------------------- broadcasting

    /** Broadcasts to {@code shape} (new leading dimensions, stretched size-1 dimensions, {@code -1} keeps). */
    public static Variable expand(Variable x, long... shape) {
        return Function.record(new Expand(), x.data().expand(shape), x);
    }

    private static final class Expand extends Function {
        @Override
        protected Tensor[] backward(Tensor g) {
            // Summing over the broadcast dimensions is exactly what the engine does to every
            // input gradient, so the output gradient can be handed back as it is.
            return new Tensor[] {g};
        }
    }
}
