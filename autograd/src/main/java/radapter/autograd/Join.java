package radapter.autograd;

import java.util.ArrayList;
import java.util.List;
import radapter.tensor.Shapes;
import radapter.tensor.Tensor;

/**
 * Differentiable joining and splitting, the autograd side of {@link radapter.tensor.Join}. Joins
 * copy once forward and hand each input its slice of the gradient as a view; splits are narrow
 * views, each with its own node.
 */
public final class Join {
    private Join() {
    }

    /** Concatenates along {@code dim}; all other dimensions must agree. */
    public static Variable cat(int dim, List<Variable> xs) {
        if (xs.isEmpty()) {
            throw new IllegalArgumentException("cat needs at least one variable");
        }
        return new Cat(dim).apply(xs.toArray(new Variable[0]));
    }

    /** Varargs form of {@link #cat(int, List)}. */
    public static Variable cat(int dim, Variable... xs) {
        return cat(dim, List.of(xs));
    }

    private static final class Cat extends Function {
        private int dim;

        Cat(int dim) {
            this.dim = dim;
        }

        @Override
        protected Tensor forward(Tensor... xs) {
            Tensor out = radapter.tensor.Join.cat(dim, List.of(xs));
            dim = Shapes.dim(dim, out.dim());
            return out;
        }

        @Override
        protected Tensor[] backward(Tensor g) {
            // Each input's gradient is its own slice of g along dim.
            Tensor[] grads = new Tensor[inputCount()];
            long at = 0;
            for (int i = 0; i < grads.length; i++) {
                long size = inputShape(i)[dim];
                if (needsGrad(i)) {
                    grads[i] = g.narrow(dim, at, size);
                }
                at += size;
            }
            return grads;
        }
    }

    /** Stacks equally shaped variables along a new dimension {@code dim}. */
    public static Variable stack(int dim, List<Variable> xs) {
        if (xs.isEmpty()) {
            throw new IllegalArgumentException("stack needs at least one variable");
        }
        return new Stack(dim).apply(xs.toArray(new Variable[0]));
    }

    /** Varargs form of {@link #stack(int, List)}. */
    public static Variable stack(int dim, Variable... xs) {
        return stack(dim, List.of(xs));
    }

    private static final class Stack extends Function {
        private int dim;

        Stack(int dim) {
            this.dim = dim;
        }

        @Override
        protected Tensor forward(Tensor... xs) {
            Tensor out = radapter.tensor.Join.stack(dim, List.of(xs));
            dim = Shapes.dim(dim, out.dim());
            return out;
        }

        @Override
        protected Tensor[] backward(Tensor g) {
            // Each input's gradient is its own index of g along the new dim.
            Tensor[] grads = new Tensor[inputCount()];
            for (int i = 0; i < grads.length; i++) {
                if (needsGrad(i)) {
                    grads[i] = g.select(dim, i);
                }
            }
            return grads;
        }
    }

    /** Pieces of {@code splitSize} along {@code dim}; the last may be shorter ({@code torch.split}). */
    public static List<Variable> split(Variable x, long splitSize, int dim) {
        if (splitSize <= 0) {
            throw new IllegalArgumentException("split size must be positive, got " + splitSize);
        }
        int d = Shapes.dim(dim, x.dim());
        long n = x.size(d);
        List<Variable> parts = new ArrayList<>();
        for (long at = 0; at < n; at += splitSize) {
            parts.add(Views.narrow(x, d, at, Math.min(splitSize, n - at)));
        }
        if (n == 0) {
            parts.add(Views.narrow(x, d, 0, 0));
        }
        return parts;
    }

    /** Pieces with the given sizes along {@code dim}, which must add up to its length. */
    public static List<Variable> split(Variable x, long[] sizes, int dim) {
        List<Variable> parts = new ArrayList<>();
        int d = Shapes.dim(dim, x.dim());
        // radapter.tensor.Join.split validates the sizes; the pieces themselves are rebuilt as recorded narrows.
        radapter.tensor.Join.split(x.data(), sizes, d);
        long at = 0;
        for (long s : sizes) {
            parts.add(Views.narrow(x, d, at, s));
            at += s;
        }
        return parts;
    }

    /** {@code chunks} nearly equal pieces along {@code dim} ({@code torch.chunk}). */
    public static List<Variable> chunk(Variable x, int chunks, int dim) {
        if (chunks <= 0) {
            throw new IllegalArgumentException("chunk count must be positive, got " + chunks);
        }
        long n = x.size(dim);
        return split(x, Math.max(1, (n + chunks - 1) / chunks), dim);
    }
}
