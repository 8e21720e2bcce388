package radapter.tensor;

/**
 * Element-wise functions of one argument. {@link #apply(double)} is the scalar definition every
 * backend is checked against; fast backends implement their own vectorised forms.
 */
public enum UnaryOp {
    NEG, ABS, EXP, LOG, SQRT, RSQRT, SQUARE, RECIPROCAL, TANH, SIGMOID, RELU,
    /** GELU with the exact Gaussian CDF: {@code x·Φ(x)} (PyTorch {@code approximate='none'}). */
    GELU,
    /** GELU with the tanh approximation (PyTorch {@code approximate='tanh'}). */
    GELU_TANH,
    /** OpenAI CLIP's {@code x·sigmoid(1.702·x)}. */
    QUICK_GELU;

    private static final double SQRT_2_OVER_PI = Math.sqrt(2.0 / Math.PI);

    /** The definition, in double precision. */
    public double apply(double x) {
        return switch (this) {
            case NEG -> -x;
            case ABS -> Math.abs(x);
            case EXP -> Math.exp(x);
            case LOG -> Math.log(x);
            case SQRT -> Math.sqrt(x);
            case RSQRT -> 1.0 / Math.sqrt(x);
            case SQUARE -> x * x;
            case RECIPROCAL -> 1.0 / x;
            case TANH -> Math.tanh(x);
            case SIGMOID -> sigmoid(x);
            case RELU -> x > 0 ? x : (x == x ? 0.0 : x);
            case GELU -> 0.5 * x * SpecialFunctions.erfc(-x / Math.sqrt(2.0));
            // 0.5·(1 + tanh(u)) = sigmoid(2u): the same function without cancellation for x ≪ 0.
            case GELU_TANH -> x * sigmoid(2.0 * SQRT_2_OVER_PI * (x + 0.044715 * x * x * x));
            case QUICK_GELU -> x * sigmoid(1.702 * x);
        };
    }

    /** Logistic function, stable for large |x|. */
    public static double sigmoid(double x) {
        if (x >= 0) {
            return 1.0 / (1.0 + Math.exp(-x));
        }
        double e = Math.exp(x);
        return e / (1.0 + e);
    }

    /** PyTorch's name, for messages. */
    public String pyName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
