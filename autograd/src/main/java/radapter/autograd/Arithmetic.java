package radapter.autograd;

import radapter.tensor.BinaryOp;
import radapter.tensor.Pointwise;
import radapter.tensor.Tensor;

/**
 * Differentiable element-wise arithmetic with broadcasting. Each op is a small {@link Function}
 * whose forward and backward sit together; broadcast gradients are summed back to each input's
 * shape by the engine.
 */
public final class Arithmetic {
    private Arithmetic() {
    }

    // ---------------------------------------------------------------- two variables

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

    /** {@code a − b}. */
    public static Variable sub(Variable a, Variable b) {
        return Function.record(new Sub(), a.data().sub(b.data()), a, b);
    }

    private static final class Sub extends Function {
        @Override
        protected Tensor[] backward(Tensor g) {
            return new Tensor[] {needsGrad(0) ? g : null, needsGrad(1) ? g.neg() : null};
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

    /** {@code a / b} element-wise. */
    public static Variable div(Variable a, Variable b) {
        Div fn = new Div();
        Tensor out = a.data().div(b.data());
        if (Function.recording(a, b)) {
            fn.b = b.data();
            // d(a/b)/db = −(a/b)/b: the output stands in for a, so a need not be kept.
            fn.out = b.requiresGrad() ? out : null;
        }
        return Function.record(fn, out, a, b);
    }

    private static final class Div extends Function {
        Tensor b;
        Tensor out;

        @Override
        protected Tensor[] backward(Tensor g) {
            Tensor ga = g.div(b);
            return new Tensor[] {needsGrad(0) ? ga : null, needsGrad(1) && out != null ? ga.mul(out).neg() : null};
        }

        @Override
        protected void release() {
            b = null;
            out = null;
        }
    }

    /**
     * {@code a ^ b} element-wise for a positive base. Where the base is exactly 0 the exponent's
     * gradient is taken as 0 (PyTorch's convention) instead of {@code 0 · log 0 = NaN}.
     */
    public static Variable pow(Variable a, Variable b) {
        Pow fn = new Pow();
        Tensor out = a.data().pow(b.data());
        if (Function.recording(a, b)) {
            fn.a = a.data();
            fn.b = b.data();
            fn.out = out;
        }
        return Function.record(fn, out, a, b);
    }

    private static final class Pow extends Function {
        Tensor a;
        Tensor b;
        Tensor out;

        @Override
        protected Tensor[] backward(Tensor g) {
            Tensor ga = needsGrad(0) ? g.mul(b).mul(a.pow(b.sub(1.0))) : null;
            Tensor gb = null;
            if (needsGrad(1)) {
                Tensor zero = Tensor.full(g.dtype(), 0.0);
                gb = g.mul(Pointwise.where(a.eq(0.0), zero, out.mul(a.log())));
            }
            return new Tensor[] {ga, gb};
        }

        @Override
        protected void release() {
            a = null;
            b = null;
            out = null;
        }
    }

    /**
     * Element-wise maximum. The gradient goes to the larger operand; on a tie each operand gets
     * half of it, as in PyTorch.
     */
    public static Variable maximum(Variable a, Variable b) {
        return extremum(a, b, true);
    }

    /** Element-wise minimum; the gradient goes to the smaller operand, split in half on ties. */
    public static Variable minimum(Variable a, Variable b) {
        return extremum(a, b, false);
    }

    private static Variable extremum(Variable a, Variable b, boolean max) {
        Extremum fn = new Extremum();
        fn.max = max;
        if (Function.recording(a, b)) {
            fn.a = a.data();
            fn.b = b.data();
        }
        Tensor out = max ? a.data().maximum(b.data()) : a.data().minimum(b.data());
        return Function.record(fn, out, a, b);
    }

    private static final class Extremum extends Function {
        boolean max;
        Tensor a;
        Tensor b;

        @Override
        public String name() {
            return max ? "Maximum" : "Minimum";
        }

        @Override
        protected Tensor[] backward(Tensor g) {
            Tensor half = a.eq(b).mul(0.5);
            Tensor wa = (max ? a.gt(b) : a.lt(b)).add(half);
            Tensor wb = (max ? b.gt(a) : b.lt(a)).add(half);
            return new Tensor[] {needsGrad(0) ? g.mul(wa) : null, needsGrad(1) ? g.mul(wb) : null};
        }

        @Override
        protected void release() {
            a = null;
            b = null;
        }
    }

    // ---------------------------------------------------------------- one variable, one scalar

    /** {@code −x}. */
    public static Variable neg(Variable x) {
        return Function.record(new Neg(), x.data().neg(), x);
    }

    private static final class Neg extends Function {
        @Override
        protected Tensor[] backward(Tensor g) {
            return new Tensor[] {g.neg()};
        }
    }

    /** {@code x + s}. */
    public static Variable add(Variable x, double s) {
        return Function.record(new PassThrough("AddScalar"), x.data().add(s), x);
    }

    /** {@code x − s}. */
    public static Variable sub(Variable x, double s) {
        return Function.record(new PassThrough("SubScalar"), x.data().sub(s), x);
    }

    /** Gradient of an op that shifts its input by a constant: unchanged. */
    private static final class PassThrough extends Function {
        final String name;

        PassThrough(String name) {
            this.name = name;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        protected Tensor[] backward(Tensor g) {
            return new Tensor[] {g};
        }
    }

    /** {@code s − x}. */
    public static Variable rsub(double s, Variable x) {
        return Function.record(new Neg(), Pointwise.binary(BinaryOp.SUB, s, x.data()), x);
    }

    /** {@code x · s}. */
    public static Variable mul(Variable x, double s) {
        return Function.record(new Scale(s, false), x.data().mul(s), x);
    }

    /** {@code x / s}. */
    public static Variable div(Variable x, double s) {
        // Divides (rather than multiplying by 1/s) so results round exactly like PyTorch's.
        return Function.record(new Scale(s, true), x.data().div(s), x);
    }

    private static final class Scale extends Function {
        final double factor;
        final boolean divide;

        Scale(double factor, boolean divide) {
            this.factor = factor;
            this.divide = divide;
        }

        @Override
        public String name() {
            return divide ? "DivScalar" : "MulScalar";
        }

        @Override
        protected Tensor[] backward(Tensor g) {
            return new Tensor[] {divide ? g.div(factor) : g.mul(factor)};
        }
    }

    /** {@code x ^ p} for a constant exponent. */
    public static Variable pow(Variable x, double p) {
        PowScalar fn = new PowScalar();
        fn.p = p;
        if (Function.recording(x)) {
            fn.x = x.data();
        }
        return Function.record(fn, x.data().pow(p), x);
    }

    private static final class PowScalar extends Function {
        double p;
        Tensor x;

        @Override
        protected Tensor[] backward(Tensor g) {
            if (p == 0.0) {
                // x^0 is constant even at x = 0, where p·x^(p−1) would be 0·inf.
                return new Tensor[] {g.mul(0.0)};
            }
            Tensor d = p == 2.0 ? x.mul(2.0) : x.pow(p - 1.0).mul(p);
            return new Tensor[] {g.mul(d)};
        }

        @Override
        protected void release() {
            x = null;
        }
    }

    // ---------------------------------------------------------------- selection

    /** {@code cond ≠ 0 ? a : b}, with {@code cond}, {@code a} and {@code b} broadcast together. */
    public static Variable where(Tensor cond, Variable a, Variable b) {
        Where fn = new Where();
        if (Function.recording(a, b)) {
            fn.cond = cond;
        }
        return Function.record(fn, Pointwise.where(cond, a.data(), b.data()), a, b);
    }

    private static final class Where extends Function {
        Tensor cond;

        @Override
        protected Tensor[] backward(Tensor g) {
            Tensor zero = Tensor.full(g.dtype(), 0.0);
            return new Tensor[] {
                needsGrad(0) ? Pointwise.where(cond, g, zero) : null,
                needsGrad(1) ? Pointwise.where(cond, zero, g) : null
            };
        }

        @Override
        protected void release() {
            cond = null;
        }
    }

    /** {@code x} with {@code value} wherever {@code mask} (broadcastable to x) is nonzero; no gradient flows there. */
    public static Variable maskedFill(Variable x, Tensor mask, double value) {
        MaskedFill fn = new MaskedFill();
        if (Function.recording(x)) {
            fn.mask = mask;
        }
        return Function.record(fn, Pointwise.maskedFill(x.data(), mask, value), x);
    }

    private static final class MaskedFill extends Function {
        Tensor mask;

        @Override
        protected Tensor[] backward(Tensor g) {
            return new Tensor[] {Pointwise.where(mask, Tensor.full(g.dtype(), 0.0), g)};
        }

        @Override
        protected void release() {
            mask = null;
        }
    }

    /**
     * {@code min(max(x, lo), hi)}; pass ±infinity for a one-sided clamp. The gradient flows where
     * {@code lo ≤ x ≤ hi} (bounds inclusive, like PyTorch).
     */
    public static Variable clamp(Variable x, double lo, double hi) {
        Clamp fn = new Clamp();
        fn.lo = lo;
        fn.hi = hi;
        if (Function.recording(x)) {
            fn.x = x.data();
        }
        return Function.record(fn, Pointwise.clamp(x.data(), lo, hi), x);
    }

    /** {@code max(x, lo)} ({@code clamp_min}). */
    public static Variable clampMin(Variable x, double lo) {
        return clamp(x, lo, Double.POSITIVE_INFINITY);
    }

    /** {@code min(x, hi)} ({@code clamp_max}). */
    public static Variable clampMax(Variable x, double hi) {
        return clamp(x, Double.NEGATIVE_INFINITY, hi);
    }

    private static final class Clamp extends Function {
        double lo;
        double hi;
        Tensor x;

        @Override
        protected Tensor[] backward(Tensor g) {
            return new Tensor[] {g.mul(x.ge(lo).mul(x.le(hi)))};
        }

        @Override
        protected void release() {
            x = null;
        }
    }
}
