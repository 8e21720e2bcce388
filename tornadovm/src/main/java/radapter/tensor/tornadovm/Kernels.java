package radapter.tensor.tornadovm;

import radapter.tensor.BinaryOp;
import radapter.tensor.UnaryOp;
import radapter.tensor.gpu.OpCodes;
import uk.ac.manchester.tornado.api.annotations.Parallel;
import uk.ac.manchester.tornado.api.math.TornadoMath;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;

/**
 * The device kernels: plain static Java methods whose {@code @Parallel} loops TornadoVM's JIT turns
 * into a 1-D or 2-D grid of threads. On a JVM without TornadoVM they are ordinary (sequential)
 * Java, which is also what TornadoVM falls back to when it cannot compile one.
 *
 * <p>Written for TornadoVM's compiler: no allocation, no exceptions, no enums or virtual calls;
 * scalars arrive as {@code int}/{@code float} task parameters, which are fixed for the lifetime of
 * an execution plan; math goes through {@link TornadoMath}, whose calls TornadoVM maps to device
 * built-ins. Every kernel computes in F32 and follows the scalar definitions of
 * {@link radapter.tensor.UnaryOp#apply} and {@link radapter.tensor.BinaryOp#apply}, including NaN
 * propagation, so that the parity suite's tolerance rule holds.
 */
final class Kernels {
    // Op codes, read off the enums (OpCodes: the ordinal) so that there is one numbering for every
    // GPU backend. Kernels compare ints, not enum constants: TornadoVM kernels may not touch
    // objects. These static finals are folded to constants when TornadoVM compiles a kernel,
    // which is why TornadoEngine initialises this class before it builds any plan.
    static final int NEG = OpCodes.code(UnaryOp.NEG);
    static final int ABS = OpCodes.code(UnaryOp.ABS);
    static final int EXP = OpCodes.code(UnaryOp.EXP);
    static final int LOG = OpCodes.code(UnaryOp.LOG);
    static final int SQRT = OpCodes.code(UnaryOp.SQRT);
    static final int RSQRT = OpCodes.code(UnaryOp.RSQRT);
    static final int SQUARE = OpCodes.code(UnaryOp.SQUARE);
    static final int RECIPROCAL = OpCodes.code(UnaryOp.RECIPROCAL);
    static final int TANH = OpCodes.code(UnaryOp.TANH);
    static final int SIGMOID = OpCodes.code(UnaryOp.SIGMOID);
    static final int RELU = OpCodes.code(UnaryOp.RELU);
    static final int GELU_TANH = OpCodes.code(UnaryOp.GELU_TANH);
    static final int QUICK_GELU = OpCodes.code(UnaryOp.QUICK_GELU);

    static final int ADD = OpCodes.code(BinaryOp.ADD);
    static final int SUB = OpCodes.code(BinaryOp.SUB);
    static final int MUL = OpCodes.code(BinaryOp.MUL);
    static final int DIV = OpCodes.code(BinaryOp.DIV);
    static final int POW = OpCodes.code(BinaryOp.POW);
    static final int MAXIMUM = OpCodes.code(BinaryOp.MAXIMUM);
    static final int MINIMUM = OpCodes.code(BinaryOp.MINIMUM);
    static final int EQ = OpCodes.code(BinaryOp.EQ);
    static final int NE = OpCodes.code(BinaryOp.NE);
    static final int LT = OpCodes.code(BinaryOp.LT);
    static final int LE = OpCodes.code(BinaryOp.LE);
    static final int GT = OpCodes.code(BinaryOp.GT);
    static final int GE = OpCodes.code(BinaryOp.GE);

    /** Layer-norm flags: which affine parameters are present. */
    static final int HAS_WEIGHT = 1;
    static final int HAS_BIAS = 2;

    /** 2·sqrt(2/π), the tanh-GELU argument scale folded into a sigmoid (tanh(u) = 2·sigmoid(2u) − 1). */
    private static final float TWO_SQRT_2_OVER_PI = 1.5957691216057308f;

    private Kernels() {
    }

    /**
     * Whether {@link #unary} computes {@code op}; the others go to {@code reference}. An exhaustive
     * switch, so that a new op cannot reach the device before it has a branch in {@code unaryOf}.
     */
    static boolean onDevice(UnaryOp op) {
        return switch (op) {
            case NEG, ABS, EXP, LOG, SQRT, RSQRT, SQUARE, RECIPROCAL, TANH, SIGMOID, RELU, GELU_TANH, QUICK_GELU -> true;
            // Exact GELU needs erfc, which TornadoVM's math library does not offer as a device function.
            case GELU -> false;
        };
    }

    /** Whether {@link #binary} computes {@code op}; the others go to {@code reference} (exhaustive, as for unary ops). */
    static boolean onDevice(BinaryOp op) {
        return switch (op) {
            case ADD, SUB, MUL, DIV, POW, MAXIMUM, MINIMUM, EQ, NE, LT, LE, GT, GE -> true;
            case GELU_BACKWARD -> false;
        };
    }

    /** {@code y[i] = op(x[i])} for {@code i < n}. */
    static void unary(FloatArray x, FloatArray y, int op, int n) {
        for (@Parallel int i = 0; i < n; i++) {
            y.set(i, unaryOf(op, x.get(i)));
        }
    }

    /** {@code y[i] = op(a[i], b[i])} for {@code i < n}; comparisons give 1 or 0. */
    static void binary(FloatArray a, FloatArray b, FloatArray y, int op, int n) {
        for (@Parallel int i = 0; i < n; i++) {
            y.set(i, binaryOf(op, a.get(i), b.get(i)));
        }
    }

    /**
     * Batched matrix product over arbitrary strides, one thread per output element (a 2-D
     * {@code @Parallel} grid over output rows of all batches × columns).
     *
     * <p>{@code c[r·n + j] = Σ_p a[aBatch[r / m] + (r % m)·aRow + p·aCol] · b[bBatch[r / m] + p·bRow + j·bCol]}:
     * a transposed operand is just swapped strides, a broadcast batch a repeated batch offset, so
     * no operand is ever copied into another layout.
     */
    static void matmul(FloatArray a, FloatArray b, FloatArray c, IntArray aBatch, IntArray bBatch, int rows, int n, int k, int m,
            int aRow, int aCol, int bRow, int bCol) {
        for (@Parallel int r = 0; r < rows; r++) {
            for (@Parallel int j = 0; j < n; j++) {
                int batch = r / m;
                int i = r - batch * m;
                int aAt = aBatch.get(batch) + i * aRow;
                int bAt = bBatch.get(batch) + j * bCol;
                float sum = 0.0f;
                for (int p = 0; p < k; p++) {
                    sum += a.get(aAt + p * aCol) * b.get(bAt + p * bRow);
                }
                c.set(r * n + j, sum);
            }
        }
    }

    /**
     * Softmax (or log-softmax when {@code logMode != 0}) along a dimension of length {@code len} whose
     * elements are {@code inner} apart, in a contiguous tensor of {@code lines · len} elements: one
     * thread per line (each combination of the outer and inner indices), so no transpose is needed
     * for a dimension that is not the last. (TornadoVM keeps Java parameter names in the OpenCL C it
     * emits, so a parameter named {@code log} would shadow OpenCL's {@code log()} builtin.)
     */
    static void softmax(FloatArray x, FloatArray y, int lines, int len, int inner, int logMode) {
        for (@Parallel int line = 0; line < lines; line++) {
            int outer = line / inner;
            int base = outer * len * inner + (line - outer * inner);
            float max = Float.NEGATIVE_INFINITY;
            for (int j = 0; j < len; j++) {
                float v = x.get(base + j * inner);
                // NaN wins, as with Math.max: once max is NaN no comparison replaces it.
                if (v > max || v != v) {
                    max = v;
                }
            }
            float sum = 0.0f;
            for (int j = 0; j < len; j++) {
                sum += TornadoMath.exp(x.get(base + j * inner) - max);
            }
            float logSum = TornadoMath.log(sum);
            for (int j = 0; j < len; j++) {
                float v = x.get(base + j * inner) - max;
                y.set(base + j * inner, logMode != 0 ? v - logSum : TornadoMath.exp(v) / sum);
            }
        }
    }

    /**
     * Layer normalisation of each of {@code rows} contiguous rows of {@code len} elements, biased
     * variance, like {@code torch.nn.functional.layer_norm}. The optional weight and bias (flags
     * {@link #HAS_WEIGHT}, {@link #HAS_BIAS}) are read at {@code off + j·stride}, so a
     * device-resident checkpoint tensor is used in place. {@code stats} receives each row's mean
     * and reciprocal standard deviation at {@code 2·row} and {@code 2·row + 1}.
     */
    static void layerNorm(FloatArray x, FloatArray w, FloatArray b, FloatArray y, FloatArray stats, int rows, int len, int wOff,
            int wStride, int bOff, int bStride, int affine, float eps) {
        for (@Parallel int row = 0; row < rows; row++) {
            int base = row * len;
            float mean = 0.0f;
            for (int j = 0; j < len; j++) {
                mean += x.get(base + j);
            }
            mean = mean / len;
            // Two passes: the variance of the deviations, which does not cancel like E[x²] − E[x]².
            float var = 0.0f;
            for (int j = 0; j < len; j++) {
                float d = x.get(base + j) - mean;
                var += d * d;
            }
            var = var / len;
            float rstd = 1.0f / TornadoMath.sqrt(var + eps);
            for (int j = 0; j < len; j++) {
                float v = (x.get(base + j) - mean) * rstd;
                if ((affine & HAS_WEIGHT) != 0) {
                    v = v * w.get(wOff + j * wStride);
                }
                if ((affine & HAS_BIAS) != 0) {
                    v = v + b.get(bOff + j * bStride);
                }
                y.set(base + j, v);
            }
            stats.set(2 * row, mean);
            stats.set(2 * row + 1, rstd);
        }
    }

    // ---------------------------------------------------------------- scalar definitions (inlined by TornadoVM)

    private static float unaryOf(int op, float v) {
        if (op == NEG) {
            return -v;
        } else if (op == ABS) {
            return TornadoMath.abs(v);
        } else if (op == EXP) {
            return TornadoMath.exp(v);
        } else if (op == LOG) {
            return TornadoMath.log(v);
        } else if (op == SQRT) {
            return TornadoMath.sqrt(v);
        } else if (op == RSQRT) {
            return 1.0f / TornadoMath.sqrt(v);
        } else if (op == SQUARE) {
            return v * v;
        } else if (op == RECIPROCAL) {
            return 1.0f / v;
        } else if (op == TANH) {
            return TornadoMath.tanh(v);
        } else if (op == SIGMOID) {
            return sigmoid(v);
        } else if (op == RELU) {
            // NaN stays NaN; −0 and negatives become +0 (UnaryOp.RELU).
            return v > 0.0f ? v : (v == v ? 0.0f : v);
        } else if (op == GELU_TANH) {
            return v * sigmoid(TWO_SQRT_2_OVER_PI * (v + 0.044715f * v * v * v));
        } else {
            return v * sigmoid(1.702f * v); // QUICK_GELU
        }
    }

    private static float binaryOf(int op, float a, float b) {
        if (op == ADD) {
            return a + b;
        } else if (op == SUB) {
            return a - b;
        } else if (op == MUL) {
            return a * b;
        } else if (op == DIV) {
            return a / b;
        } else if (op == POW) {
            return TornadoMath.pow(a, b);
        } else if (op == MAXIMUM) {
            // Explicit NaN test: a device max() may return the other operand for NaN (IEEE fmax).
            // a + b is NaN whenever either is: TornadoVM's OpenCL code generator prints the
            // Float.NaN constant as `NaNF`, which is not OpenCL C.
            return (a != a || b != b) ? a + b : (a > b ? a : b);
        } else if (op == MINIMUM) {
            return (a != a || b != b) ? a + b : (a < b ? a : b);
        } else if (op == EQ) {
            return a == b ? 1.0f : 0.0f;
        } else if (op == NE) {
            return a != b ? 1.0f : 0.0f;
        } else if (op == LT) {
            return a < b ? 1.0f : 0.0f;
        } else if (op == LE) {
            return a <= b ? 1.0f : 0.0f;
        } else if (op == GT) {
            return a > b ? 1.0f : 0.0f;
        } else {
            return a >= b ? 1.0f : 0.0f; // GE
        }
    }

    /** The logistic function in the form that cannot overflow: exp of a non-positive argument only. */
    private static float sigmoid(float v) {
        if (v >= 0.0f) {
            return 1.0f / (1.0f + TornadoMath.exp(-v));
        }
        float e = TornadoMath.exp(v);
        return e / (1.0f + e);
    }
}
