package radapter.autograd;

import radapter.tensor.BinaryOp;
import radapter.tensor.Tensor;

/**
 * Differentiable element-wise ops, the autograd side of {@link radapter.tensor.Pointwise}:
 * arithmetic with broadcasting, selection, clamping and the element-wise math functions.
 * Broadcast gradients are summed back to each input's shape by the engine. Each backward saves
 * whichever of input or output makes its derivative cheapest. The activations (ReLU, the GELUs)
 * live in {@link NN}, as on the tensor side.
 */
public final class Pointwise {
    private Pointwise() {
    }

    /** A 0-d zero of {@code g}'s dtype, which broadcasts against anything. */
    private static Tensor zero(Tensor g) {
        return Tensor.full(g.dtype(), 0.0);
    }

    /** {@code 1 − t}, element-wise. */
    static Tensor oneMinus(Tensor t) {
        return radapter.tensor.Pointwise.binary(BinaryOp.SUB, 1.0, t);
    }

    // ---------------------------------------------------------------- two variables

    /** {@code a + b}. */
    public static Variable add(Variable a, Variable b) {
        return new Add().apply(a, b);
    }

    private static final class Add extends Function.Binary {
        @Override
        protected Tensor forward(Tensor a, Tensor b) {
            return a.add(b);
        }

        @Override
        protected Tensor[] backward(Tensor g) {
            return new Tensor[] {g, g};
        }
    }

    /** {@code a − b}. */
    public static Variable sub(Variable a, Variable b) {
        return new Sub().apply(a, b);
    }

    private static final class Sub extends Function.Binary {
        @Override
        protected Tensor forward(Tensor a, Tensor b) {
            return a.sub(b);
        }

        @Override
        protected Tensor[] backward(Tensor g) {
            return new Tensor[] {needsGrad(0) ? g : null, needsGrad(1) ? g.neg() : null};
        }
    }

    /** {@code a · b} element-wise. */
    public static Variable mul(Variable a, Variable b) {
        return new Mul().apply(a, b);
    }

    private static final class Mul extends Function.Binary {
        @Override
        protected Tensor forward(Tensor a, Tensor b) {
            saveForBackward(a, b);
            return a.mul(b);
        }

        @Override
        protected Tensor[] backward(Tensor g) {
            Tensor a = saved(0);
            Tensor b = saved(1);
            return new Tensor[] {needsGrad(0) ? g.mul(b) : null, needsGrad(1) ? g.mul(a) : null};
        }
    }

    /** {@code a / b} element-wise. */
    public static Variable div(Variable a, Variable b) {
        return new Div().apply(a, b);
    }

    private static final class Div extends Function.Binary {
        @Override
        protected Tensor forward(Tensor a, Tensor b) {
            Tensor y = a.div(b);
            // d(a/b)/db = −(a/b)/b: the result stands in for a, so a need not be kept.
            saveForBackward(b, needsGrad(1) ? y : null);
            return y;
        }

        @Override
        protected Tensor[] backward(Tensor g) {
            Tensor b = saved(0);
            Tensor y = saved(1);
            Tensor ga = g.div(b);
            return new Tensor[] {needsGrad(0) ? ga : null, needsGrad(1) ? ga.mul(y).neg() : null};
        }
    }

    /**
     * {@code a ^ b} element-wise for a positive base. Where the base is exactly 0 the exponent's
     * gradient is taken as 0 (PyTorch's convention) instead of {@code 0 · log 0 = NaN}.
     */
    public static Variable pow(Variable a, Variable b) {
        return new Pow().apply(a, b);
    }

    private static final class Pow extends Function.Binary {
        @Override
        protected Tensor forward(Tensor a, Tensor b) {
            Tensor y = a.pow(b);
            saveForBackward(a, b, y);
            return y;
        }

        @Override
        protected Tensor[] backward(Tensor g) {
            Tensor a = saved(0);
            Tensor b = saved(1);
            Tensor y = saved(2);
            // d/da = b·a^(b−1); d/db = a^b·ln a.
            Tensor ga = needsGrad(0) ? g.mul(b).mul(a.pow(b.sub(1.0))) : null;
            Tensor gb = needsGrad(1) ? g.mul(radapter.tensor.Pointwise.where(a.eq(0.0), zero(g), y.mul(a.log()))) : null;
            return new Tensor[] {ga, gb};
        }
    }

    /**
     * Element-wise maximum. The gradient goes to the larger operand; on a tie each operand gets
     * half of it, as in PyTorch.
     */
    public static Variable maximum(Variable a, Variable b) {
        return new Extremum(true).apply(a, b);
    }

    /** Element-wise minimum; the gradient goes to the smaller operand, split in half on ties. */
    public static Variable minimum(Variable a, Variable b) {
        return new Extremum(false).apply(a, b);
    }

    private static final class Extremum extends Function.Binary {
        private final boolean max;

        Extremum(boolean max) {
            this.max = max;
        }

        @Override
        public String name() {
            return max ? "Maximum" : "Minimum";
        }

        @Override
        protected Tensor forward(Tensor a, Tensor b) {
            saveForBackward(a, b);
            return max ? a.maximum(b) : a.minimum(b);
        }

        @Override
        protected Tensor[] backward(Tensor g) {
            Tensor a = saved(0);
            Tensor b = saved(1);
            Tensor half = a.eq(b).mul(0.5);
            Tensor wa = (max ? a.gt(b) : a.lt(b)).add(half);
            Tensor wb = (max ? b.gt(a) : b.lt(a)).add(half);
            return new Tensor[] {needsGrad(0) ? g.mul(wa) : null, needsGrad(1) ? g.mul(wb) : null};
        }
    }

    // ---------------------------------------------------------------- one variable, one scalar

    /** {@code −x}. */
    public static Variable neg(Variable x) {
        return new Neg(null).apply(x);
    }

    /** {@code s − x}. */
    public static Variable rsub(double s, Variable x) {
        return new Neg(s).apply(x);
    }

    /** {@code −x}, or {@code s − x} when a scalar is given: either way the gradient is negated. */
    private static final class Neg extends Function.Unary {
        private final Double s;

        Neg(Double s) {
            this.s = s;
        }

        @Override
        protected Tensor forward(Tensor x) {
            return s == null ? x.neg() : radapter.tensor.Pointwise.binary(BinaryOp.SUB, s, x);
        }

        @Override
        protected Tensor[] backward(Tensor g) {
            return new Tensor[] {g.neg()};
        }
    }

    /** {@code x + s}. */
    public static Variable add(Variable x, double s) {
        return new Shift(s, false).apply(x);
    }

    /** {@code x − s}. */
    public static Variable sub(Variable x, double s) {
        return new Shift(s, true).apply(x);
    }

    /** {@code x ± s}: shifting by a constant leaves the gradient unchanged. */
    private static final class Shift extends Function.Unary {
        private final double s;
        private final boolean subtract;

        Shift(double s, boolean subtract) {
            this.s = s;
            this.subtract = subtract;
        }

        @Override
        public String name() {
            return subtract ? "SubScalar" : "AddScalar";
        }

        @Override
        protected Tensor forward(Tensor x) {
            return subtract ? x.sub(s) : x.add(s);
        }

        @Override
        protected Tensor[] backward(Tensor g) {
            return new Tensor[] {g};
        }
    }

    /** {@code x · s}. */
    public static Variable mul(Variable x, double s) {
        return new Scale(s, false).apply(x);
    }

    /** {@code x / s}. */
    public static Variable div(Variable x, double s) {
        // Divides (rather than multiplying by 1/s) so results round exactly like PyTorch's.
        return new Scale(s, true).apply(x);
    }

    private static final class Scale extends Function.Unary {
        private final double s;
        private final boolean divide;

        Scale(double s, boolean divide) {
            this.s = s;
            this.divide = divide;
        }

        @Override
        public String name() {
            return divide ? "DivScalar" : "MulScalar";
        }

        @Override
        protected Tensor forward(Tensor x) {
            return divide ? x.div(s) : x.mul(s);
        }

        @Override
        protected Tensor[] backward(Tensor g) {
            return new Tensor[] {divide ? g.div(s) : g.mul(s)};
        }
    }

    /** {@code x ^ p} for a constant exponent. */
    public static Variable pow(Variable x, double p) {
        return new PowScalar(p).apply(x);
    }

    private static final class PowScalar extends Function.Unary {
        private final double p;

        PowScalar(double p) {
            this.p = p;
        }

        @Override
        protected Tensor forward(Tensor x) {
            saveForBackward(x);
            return x.pow(p);
        }

        @Override
        protected Tensor[] backward(Tensor g) {
            Tensor x = saved(0);
            if (p == 0.0) {
                // x^0 is constant even at x = 0, where p·x^(p−1) would be 0·inf.
                return new Tensor[] {g.mul(0.0)};
            }
            Tensor d = p == 2.0 ? x.mul(2.0) : x.pow(p - 1.0).mul(p);
            return new Tensor[] {g.mul(d)};
        }
    }

    // ---------------------------------------------------------------- selection

    /** {@code cond ≠ 0 ? a : b}, with {@code cond}, {@code a} and {@code b} broadcast together. */
    public static Variable where(Tensor cond, Variable a, Variable b) {
        return new Where().apply(Variable.constant(cond), a, b);
    }

    private static final class Where extends Function {
        @Override
        protected Tensor forward(Tensor... in) {
            Tensor cond = in[0];
            saveForBackward(cond);
            return radapter.tensor.Pointwise.where(cond, in[1], in[2]);
        }

        @Override
        protected Tensor[] backward(Tensor g) {
            Tensor cond = saved(0);
            return new Tensor[] {
                null,
                needsGrad(1) ? radapter.tensor.Pointwise.where(cond, g, zero(g)) : null,
                needsGrad(2) ? radapter.tensor.Pointwise.where(cond, zero(g), g) : null
            };
        }
    }

    /** {@code x} with {@code value} wherever {@code mask} (broadcastable to x) is nonzero; no gradient flows there. */
    public static Variable maskedFill(Variable x, Tensor mask, double value) {
        return new MaskedFill(value).apply(x, Variable.constant(mask));
    }

    private static final class MaskedFill extends Function.Binary {
        private final double value;

        MaskedFill(double value) {
            this.value = value;
        }

        @Override
        protected Tensor forward(Tensor x, Tensor mask) {
            saveForBackward(mask);
            return x.maskedFill(mask, value);
        }

        @Override
        protected Tensor[] backward(Tensor g) {
            Tensor mask = saved(0);
            return new Tensor[] {radapter.tensor.Pointwise.where(mask, zero(g), g), null};
        }
    }

    /**
     * {@code min(max(x, lo), hi)}; pass ±infinity for a one-sided clamp. The gradient flows where
     * {@code lo ≤ x ≤ hi} (bounds inclusive, like PyTorch).
     */
    public static Variable clamp(Variable x, double lo, double hi) {
        return new Clamp(lo, hi).apply(x);
    }

    /** {@code max(x, lo)} ({@code clamp_min}). */
    public static Variable clampMin(Variable x, double lo) {
        return clamp(x, lo, Double.POSITIVE_INFINITY);
    }

    /** {@code min(x, hi)} ({@code clamp_max}). */
    public static Variable clampMax(Variable x, double hi) {
        return clamp(x, Double.NEGATIVE_INFINITY, hi);
    }

    private static final class Clamp extends Function.Unary {
        private final double lo;
        private final double hi;

        Clamp(double lo, double hi) {
            this.lo = lo;
            this.hi = hi;
        }

        @Override
        protected Tensor forward(Tensor x) {
            saveForBackward(x);
            return radapter.tensor.Pointwise.clamp(x, lo, hi);
        }

        @Override
        protected Tensor[] backward(Tensor g) {
            Tensor x = saved(0);
            return new Tensor[] {g.mul(x.ge(lo).mul(x.le(hi)))};
        }
    }

    // ---------------------------------------------------------------- math functions

    /** {@code eˣ}. */
    public static Variable exp(Variable x) {
        return new Exp().apply(x);
    }

    private static final class Exp extends Function.Unary {
        @Override
        protected Tensor forward(Tensor x) {
            Tensor y = x.exp();
            saveForBackward(y);
            return y;
        }

        @Override
        protected Tensor[] backward(Tensor g) {
            Tensor y = saved(0);
            return new Tensor[] {g.mul(y)};
        }
    }

    /** Natural logarithm. */
    public static Variable log(Variable x) {
        return new Log().apply(x);
    }

    private static final class Log extends Function.Unary {
        @Override
        protected Tensor forward(Tensor x) {
            saveForBackward(x);
            return x.log();
        }

        @Override
        protected Tensor[] backward(Tensor g) {
            Tensor x = saved(0);
            return new Tensor[] {g.div(x)};
        }
    }

    /** {@code √x}. */
    public static Variable sqrt(Variable x) {
        return new Sqrt().apply(x);
    }

    private static final class Sqrt extends Function.Unary {
        @Override
        protected Tensor forward(Tensor x) {
            Tensor y = x.sqrt();
            saveForBackward(y);
            return y;
        }

        @Override
        protected Tensor[] backward(Tensor g) {
            Tensor y = saved(0);
            return new Tensor[] {g.div(y.mul(2.0))};
        }
    }

    /** {@code 1/√x}. */
    public static Variable rsqrt(Variable x) {
        return new Rsqrt().apply(x);
    }

    private static final class Rsqrt extends Function.Unary {
        @Override
        protected Tensor forward(Tensor x) {
            Tensor y = x.rsqrt();
            saveForBackward(y);
            return y;
        }

        @Override
        protected Tensor[] backward(Tensor g) {
            Tensor y = saved(0);
            // d x^(−1/2) = −½ x^(−3/2) = −½ y³.
            return new Tensor[] {g.mul(y.square().mul(y)).mul(-0.5)};
        }
    }

    /** {@code x²}. */
    public static Variable square(Variable x) {
        return new Square().apply(x);
    }

    private static final class Square extends Function.Unary {
        @Override
        protected Tensor forward(Tensor x) {
            saveForBackward(x);
            return x.square();
        }

        @Override
        protected Tensor[] backward(Tensor g) {
            Tensor x = saved(0);
            return new Tensor[] {g.mul(x.mul(2.0))};
        }
    }

    /** {@code 1/x}. */
    public static Variable reciprocal(Variable x) {
        return new Reciprocal().apply(x);
    }

    private static final class Reciprocal extends Function.Unary {
        @Override
        protected Tensor forward(Tensor x) {
            Tensor y = x.reciprocal();
            saveForBackward(y);
            return y;
        }

        @Override
        protected Tensor[] backward(Tensor g) {
            Tensor y = saved(0);
            return new Tensor[] {g.mul(y.square()).neg()};
        }
    }

    /** {@code |x|}; the gradient at exactly 0 is 0, like PyTorch's {@code sign}. */
    public static Variable abs(Variable x) {
        return new Abs().apply(x);
    }

    private static final class Abs extends Function.Unary {
        @Override
        protected Tensor forward(Tensor x) {
            saveForBackward(x);
            return x.abs();
        }

        @Override
        protected Tensor[] backward(Tensor g) {
            Tensor x = saved(0);
            return new Tensor[] {g.mul(x.gt(0.0).sub(x.lt(0.0)))};
        }
    }

    /** Hyperbolic tangent. */
    public static Variable tanh(Variable x) {
        return new Tanh().apply(x);
    }

    private static final class Tanh extends Function.Unary {
        @Override
        protected Tensor forward(Tensor x) {
            Tensor y = x.tanh();
            saveForBackward(y);
            return y;
        }

        @Override
        protected Tensor[] backward(Tensor g) {
            Tensor y = saved(0);
            return new Tensor[] {g.mul(oneMinus(y.square()))};
        }
    }

    /** Logistic sigmoid. */
    public static Variable sigmoid(Variable x) {
        return new Sigmoid().apply(x);
    }

    private static final class Sigmoid extends Function.Unary {
        @Override
        protected Tensor forward(Tensor x) {
            Tensor y = x.sigmoid();
            saveForBackward(y);
            return y;
        }

        @Override
        protected Tensor[] backward(Tensor g) {
            Tensor y = saved(0);
            return new Tensor[] {g.mul(y.mul(oneMinus(y)))};
        }
    }
}
