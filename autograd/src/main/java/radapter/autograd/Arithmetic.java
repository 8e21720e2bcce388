package radapter.autograd;

import radapter.tensor.Tensor;

/**
 * Differentiable element-wise arithmetic with broadcasting. Each op is a small {@link Function}
 * whose forward and backward sit together; broadcast gradients are summed back to each input's
 * shape by the engine.
 */
public final class Arithmetic {
    private Arithmetic() {
    }

    /** {@code a + b}. */
    public static Variable add(Variable a, Variable b) {
        return Function.record(new Add(), a.data().add(b.data()), a, b);
    }

    private static final class Add extends Function {
        @Override
        protected Tensor[] backward(Tensor g) {
            return new Tensor[] {g, g};
        }
    }

    /** {@code a · b} element-wise. */
    public static Variable mul(Variable a, Variable b) {
        Mul fn = new Mul();
        if (Function.recording(a, b)) {
            fn.a = a.data();
            fn.b = b.data();
        }
        return Function.record(fn, a.data().mul(b.data()), a, b);
    }

    private static final class Mul extends Function {
        Tensor a;
        Tensor b;

        @Override
        protected Tensor[] backward(Tensor g) {
            return new Tensor[] {needsGrad(0) ? g.mul(b) : null, needsGrad(1) ? g.mul(a) : null};
        }

        @Override
        protected void release() {
            a = null;
            b = null;
        }
    }
}
