package radapter.tensor;

/**
 * Element-wise functions of two arguments. Comparisons produce 1 or 0 in the output's float type
 * (radapter has no bool dtype; masks are float tensors where nonzero means true).
 */
public enum BinaryOp {
    ADD, SUB, MUL, DIV, POW, MAXIMUM, MINIMUM,
    /**
     * The backward of exact GELU, fused: {@code a · GELU'(b) = a · (Φ(b) + b·φ(b))} with a the
     * incoming gradient and b the GELU input (one pass instead of ten element-wise ops).
     */
    GELU_BACKWARD,
    EQ, NE, LT, LE, GT, GE;

    private static final double INV_SQRT_2PI = 1.0 / Math.sqrt(2 * Math.PI);

    /** The definition, in double precision. NaN propagates through maximum and minimum like PyTorch. */
    public double apply(double a, double b) {
        return switch (this) {
            case ADD -> a + b;
            case SUB -> a - b;
            case MUL -> a * b;
            case DIV -> a / b;
            case POW -> Math.pow(a, b);
            case MAXIMUM -> (a != a || b != b) ? Double.NaN : Math.max(a, b);
            case MINIMUM -> (a != a || b != b) ? Double.NaN : Math.min(a, b);
            case GELU_BACKWARD -> a * (0.5 * SpecialFunctions.erfc(-b / Math.sqrt(2.0)) + b * Math.exp(-0.5 * b * b) * INV_SQRT_2PI);
            case EQ -> a == b ? 1 : 0;
            case NE -> a != b ? 1 : 0;
            case LT -> a < b ? 1 : 0;
            case LE -> a <= b ? 1 : 0;
            case GT -> a > b ? 1 : 0;
            case GE -> a >= b ? 1 : 0;
        };
    }

    /** True for the six comparisons. */
    public boolean isComparison() {
        return ordinal() >= EQ.ordinal();
    }
}
