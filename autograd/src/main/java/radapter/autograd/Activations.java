package radapter.autograd;

import radapter.tensor.BinaryOp;
import radapter.tensor.Pointwise;
import radapter.tensor.Tensor;

/**
 * Differentiable element-wise functions of one variable: exponentials, roots, the usual
 * nonlinearities and the three GELU variants CLIP-style models use. Each backward keeps whichever
 * of input or output makes its derivative cheapest.
 */
public final class Activations {
    private static final double SQRT_2_OVER_PI = Math.sqrt(2.0 / Math.PI);
    private static final double GELU_TANH_CUBIC = 0.044715;
    private static final double QUICK_GELU_SCALE = 1.702;

    private Activations() {
    }

    /** 1 − t, element-wise. */
    private static Tensor oneMinus(Tensor t) {
        return Pointwise.binary(BinaryOp.SUB, 1.0, t);
    }

    /** {@code eˣ}. */
    public static Variable exp(Variable x) {
        Tensor y = x.data().exp();
        Exp fn = new Exp();
        if (Function.recording(x)) {
            fn.y = y;
        }
        return Function.record(fn, y, x);
    }

    private static final class Exp extends Function {
        Tensor y;

        @Override
        protected Tensor[] backward(Tensor g) {
            return new Tensor[] {g.mul(y)};
        }

        @Override
        protected void release() {
            y = null;
        }
    }

    /** Natural logarithm. */
    public static Variable log(Variable x) {
        Log fn = new Log();
        if (Function.recording(x)) {
            fn.x = x.data();
        }
        return Function.record(fn, x.data().log(), x);
    }

    private static final class Log extends Function {
        Tensor x;

        @Override
        protected Tensor[] backward(Tensor g) {
            return new Tensor[] {g.div(x)};
        }

        @Override
        protected void release() {
            x = null;
        }
    }

    /** {@code √x}. */
    public static Variable sqrt(Variable x) {
        Tensor y = x.data().sqrt();
        Sqrt fn = new Sqrt();
        if (Function.recording(x)) {
            fn.y = y;
        }
        return Function.record(fn, y, x);
    }

    private static final class Sqrt extends Function {
        Tensor y;

        @Override
        protected Tensor[] backward(Tensor g) {
            return new Tensor[] {g.div(y.mul(2.0))};
        }

        @Override
        protected void release() {
            y = null;
        }
    }

    /** {@code 1/√x}. */
    public static Variable rsqrt(Variable x) {
        Tensor y = x.data().rsqrt();
        Rsqrt fn = new Rsqrt();
        if (Function.recording(x)) {
            fn.y = y;
        }
        return Function.record(fn, y, x);
    }

    private static final class Rsqrt extends Function {
        Tensor y;

        @Override
        protected Tensor[] backward(Tensor g) {
            // d x^(−1/2) = −½ x^(−3/2) = −½ y³.
            return new Tensor[] {g.mul(y.square().mul(y)).mul(-0.5)};
        }

        @Override
        protected void release() {
            y = null;
        }
    }

    /** {@code x²}. */
    public static Variable square(Variable x) {
        Square fn = new Square();
        if (Function.recording(x)) {
            fn.x = x.data();
        }
        return Function.record(fn, x.data().square(), x);
    }

    private static final class Square extends Function {
        Tensor x;

        @Override
        protected Tensor[] backward(Tensor g) {
            return new Tensor[] {g.mul(x.mul(2.0))};
        }

        @Override
        protected void release() {
            x = null;
        }
    }

    /** {@code 1/x}. */
    public static Variable reciprocal(Variable x) {
        Tensor y = x.data().reciprocal();
        Reciprocal fn = new Reciprocal();
        if (Function.recording(x)) {
            fn.y = y;
        }
        return Function.record(fn, y, x);
    }

    private static final class Reciprocal extends Function {
        Tensor y;

        @Override
        protected Tensor[] backward(Tensor g) {
            return new Tensor[] {g.mul(y.square()).neg()};
        }

        @Override
        protected void release() {
            y = null;
        }
    }

    /** {@code |x|}; the gradient at exactly 0 is 0, like PyTorch's {@code sign}. */
    public static Variable abs(Variable x) {
        Abs fn = new Abs();
        if (Function.recording(x)) {
            fn.x = x.data();
        }
        return Function.record(fn, x.data().abs(), x);
    }

    private static final class Abs extends Function {
        Tensor x;

        @Override
        protected Tensor[] backward(Tensor g) {
            return new Tensor[] {g.mul(x.gt(0.0).sub(x.lt(0.0)))};
        }

        @Override
        protected void release() {
            x = null;
        }
    }

    /** Hyperbolic tangent. */
    public static Variable tanh(Variable x) {
        Tensor y = x.data().tanh();
        Tanh fn = new Tanh();
        if (Function.recording(x)) {
            fn.y = y;
        }
        return Function.record(fn, y, x);
    }

    private static final class Tanh extends Function {
        Tensor y;

        @Override
        protected Tensor[] backward(Tensor g) {
            return new Tensor[] {g.mul(oneMinus(y.square()))};
        }

        @Override
        protected void release() {
            y = null;
        }
    }

    /** Logistic sigmoid. */
    public static Variable sigmoid(Variable x) {
        Tensor y = x.data().sigmoid();
        Sigmoid fn = new Sigmoid();
        if (Function.recording(x)) {
            fn.y = y;
        }
        return Function.record(fn, y, x);
    }

    private static final class Sigmoid extends Function {
        Tensor y;

        @Override
        protected Tensor[] backward(Tensor g) {
            return new Tensor[] {g.mul(y.mul(oneMinus(y)))};
        }

        @Override
        protected void release() {
            y = null;
        }
    }

    /** {@code max(x, 0)}; the gradient at exactly 0 is 0, like PyTorch. */
    public static Variable relu(Variable x) {
        Tensor y = x.data().relu();
        Relu fn = new Relu();
        if (Function.recording(x)) {
            fn.y = y;
        }
        return Function.record(fn, y, x);
    }

    private static final class Relu extends Function {
        Tensor y;

        @Override
        protected Tensor[] backward(Tensor g) {
            return new Tensor[] {g.mul(y.gt(0.0))};
        }

        @Override
        protected void release() {
            y = null;
        }
    }

    /** Exact GELU {@code x·Φ(x)} (PyTorch {@code approximate='none'}); derivative {@code Φ(x) + x·φ(x)}. */
    public static Variable gelu(Variable x) {
        Gelu fn = new Gelu();
        if (Function.recording(x)) {
            fn.x = x.data();
        }
        return Function.record(fn, x.data().gelu(), x);
    }

    private static final class Gelu extends Function {
        Tensor x;

        @Override
        protected Tensor[] backward(Tensor g) {
            // One fused pass (BinaryOp.GELU_BACKWARD) instead of building Φ and φ from primitives.
            return new Tensor[] {Pointwise.binary(BinaryOp.GELU_BACKWARD, g, x)};
        }

        @Override
        protected void release() {
            x = null;
        }
    }

    /** tanh-approximated GELU (PyTorch {@code approximate='tanh'}). */
    public static Variable geluTanh(Variable x) {
        GeluTanh fn = new GeluTanh();
        if (Function.recording(x)) {
            fn.x = x.data();
        }
        return Function.record(fn, x.data().geluTanh(), x);
    }

    private static final class GeluTanh extends Function {
        Tensor x;

        @Override
        protected Tensor[] backward(Tensor g) {
            // y = ½x(1 + t), t = tanh(u), u = c(x + k x³):
            // dy/dx = ½(1 + t) + ½x(1 − t²)·c(1 + 3k x²).
            Tensor x2 = x.square();
            Tensor t = x2.mul(GELU_TANH_CUBIC).add(1.0).mul(x).mul(SQRT_2_OVER_PI).tanh();
            Tensor du = x2.mul(3 * GELU_TANH_CUBIC).add(1.0).mul(SQRT_2_OVER_PI);
            Tensor d = t.add(1.0).mul(0.5).add(x.mul(0.5).mul(oneMinus(t.square())).mul(du));
            return new Tensor[] {g.mul(d)};
        }

        @Override
        protected void release() {
            x = null;
        }
    }

    /** OpenAI CLIP's QuickGELU {@code x·σ(1.702x)}. */
    public static Variable quickGelu(Variable x) {
        QuickGelu fn = new QuickGelu();
        if (Function.recording(x)) {
            fn.x = x.data();
        }
        return Function.record(fn, x.data().quickGelu(), x);
    }

    private static final class QuickGelu extends Function {
        Tensor x;

        @Override
        protected Tensor[] backward(Tensor g) {
            // d/dx xσ(ax) = σ(ax)·(1 + a x (1 − σ(ax))).
            Tensor s = x.mul(QUICK_GELU_SCALE).sigmoid();
            Tensor d = s.mul(x.mul(QUICK_GELU_SCALE).mul(oneMinus(s)).add(1.0));
            return new Tensor[] {g.mul(d)};
        }

        @Override
        protected void release() {
            x = null;
        }
    }
}
