package radapter.tensor.cpu;

import static radapter.tensor.cpu.VectorMath.L;
import static radapter.tensor.cpu.VectorMath.S;
import static radapter.tensor.cpu.VectorMath.get;
import static radapter.tensor.cpu.VectorMath.load;
import static radapter.tensor.cpu.VectorMath.set;
import static radapter.tensor.cpu.VectorMath.store;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import radapter.tensor.BinaryOp;
import radapter.tensor.DType;
import radapter.tensor.Elements;
import radapter.tensor.Tensor;
import radapter.tensor.UnaryOp;

/**
 * Copy, fill, unary and binary ops and {@code where}. Operands are walked jointly with
 * {@link StridedRows}; a row is vectorised when the output's stride along it is 1 and every input's
 * is 1 or 0 (a value broadcast along the row), otherwise it runs as a scalar loop. Each op has its
 * own vector loop so that the Vector API sees a constant operator (a switch inside the loop would
 * defeat the compiler's vector boxing elimination); the heavier activations run as two loops (the
 * exponential into {@code out}, then the finish in place) so each loop stays within C2's inlining
 * budget ({@code out} must therefore not alias {@code x}, which the Backend contract guarantees).
 */
final class ElementwiseKernels {

    private ElementwiseKernels() {}

    // ------------------------------------------------------------------ copy, fill

    static void copy(Tensor src, Tensor dst) {
        if (dst.numel() == 0) {
            return;
        }
        StridedRows rows = StridedRows.of(dst.shape(), dst, src);
        MemorySegment d = dst.segment();
        MemorySegment s = src.segment();
        long ds = rows.innerStride(0);
        long ss = rows.innerStride(1);
        if (src.dtype() != DType.F32 || dst.dtype() != DType.F32) {
            DType st = src.dtype();
            DType dt = dst.dtype();
            boolean integral = !st.isFloating() && !dt.isFloating();
            rows.forEach(2, (off, len) -> {
                for (int i = 0; i < len; i++) {
                    long so = off[1] + i * ss;
                    long dOff = off[0] + i * ds;
                    if (integral) {
                        Elements.writeLong(dt, d, dOff, Elements.readLong(st, s, so));
                    } else {
                        Elements.write(dt, d, dOff, Elements.read(st, s, so));
                    }
                }
            });
            return;
        }
        int r = rows.rank();
        if (r >= 2 && ds == 1 && ss != 1 && ss != 0 && rows.stride(1, r - 2) == 1) {
            transposeCopy(rows, s, d);
            return;
        }
        rows.forEach(1, (off, len) -> copyRow(s, off[1], ss, d, off[0], ds, len));
    }

    /** Side of the square tiles of a transposing copy. */
    private static final int TILE = 32;

    /**
     * A copy whose last two (merged) dimensions are transposed between src and dst: dst rows are
     * contiguous, src columns are. Copied in square tiles so every cache line read from src is used
     * for a whole tile row instead of once.
     */
    private static void transposeCopy(StridedRows rows, MemorySegment s, MemorySegment d) {
        int r = rows.rank();
        long nr = rows.size(r - 2);
        long nc = rows.size(r - 1);
        long dRow = rows.stride(0, r - 2);
        long sCol = rows.stride(1, r - 1);
        long batches = 1;
        for (int k = 0; k < r - 2; k++) {
            batches *= rows.size(k);
        }
        long rowTiles = StridedRows.ceilDiv(nr, TILE);
        long items = batches * rowTiles;
        CpuParallel.forRange(items, CpuParallel.tasksFor(batches * nr * nc * 2), (part, lo, hi) -> {
            for (long item = lo; item < hi; item++) {
                long b = item / rowTiles;
                long i0 = (item - b * rowTiles) * TILE;
                long dBase = rows.origin(0);
                long sBase = rows.origin(1);
                long rem = b;
                for (int k = r - 3; k >= 0; k--) {
                    long c = rem % rows.size(k);
                    rem /= rows.size(k);
                    dBase += c * rows.stride(0, k);
                    sBase += c * rows.stride(1, k);
                }
                long i1 = Math.min(nr, i0 + TILE);
                for (long j0 = 0; j0 < nc; j0 += TILE) {
                    long j1 = Math.min(nc, j0 + TILE);
                    for (long i = i0; i < i1; i++) {
                        long dAt = dBase + i * dRow;
                        long sAt = sBase + i;
                        for (long j = j0; j < j1; j++) {
                            set(d, dAt + j, get(s, sAt + j * sCol));
                        }
                    }
                }
            }
        });
    }

    private static void copyRow(MemorySegment s, long so, long ss, MemorySegment d, long dOff, long ds, int n) {
        if (ss == 1 && ds == 1) {
            MemorySegment.copy(s, so << 2, d, dOff << 2, (long) n << 2);
        } else if (ss == 0 && ds == 1) {
            VectorMath.fill(d, dOff, n, get(s, so));
        } else {
            for (int i = 0; i < n; i++) {
                set(d, dOff + i * ds, get(s, so + i * ss));
            }
        }
    }

    static void fill(Tensor dst, double value) {
        if (dst.numel() == 0) {
            return;
        }
        StridedRows rows = StridedRows.of(dst.shape(), dst);
        MemorySegment d = dst.segment();
        long ds = rows.innerStride(0);
        DType dt = dst.dtype();
        if (dt != DType.F32) {
            rows.forEach(2, (off, len) -> {
                for (int i = 0; i < len; i++) {
                    Elements.write(dt, d, off[0] + i * ds, value);
                }
            });
            return;
        }
        float v = (float) value;
        rows.forEach(1, (off, len) -> {
            if (ds == 1) {
                VectorMath.fill(d, off[0], len, v);
            } else {
                for (int i = 0; i < len; i++) {
                    set(d, off[0] + i * ds, v);
                }
            }
        });
    }

    // ------------------------------------------------------------------ unary

    static void unary(UnaryOp op, Tensor x, Tensor out) {
        if (out.numel() == 0) {
            return;
        }
        StridedRows rows = StridedRows.of(out.shape(), out, x);
        MemorySegment xs = x.segment();
        MemorySegment os = out.segment();
        long xst = rows.innerStride(1);
        long ost = rows.innerStride(0);
        rows.forEach(cost(op), (off, len) -> unaryRow(op, xs, off[1], xst, os, off[0], ost, len));
    }

    private static int cost(UnaryOp op) {
        return switch (op) {
            case EXP, LOG, TANH, SIGMOID, GELU, GELU_TANH, QUICK_GELU -> 8;
            case SQRT, RSQRT, RECIPROCAL -> 2;
            default -> 1;
        };
    }

    private static void unaryRow(UnaryOp op, MemorySegment x, long xo, long xs, MemorySegment o, long oo, long os, int n) {
        if (xs == 1 && os == 1) {
            int i = unaryVector(op, x, xo, o, oo, n);
            for (; i < n; i++) {
                set(o, oo + i, (float) op.apply(get(x, xo + i)));
            }
        } else if (xs == 0 && os == 1) {
            VectorMath.fill(o, oo, n, (float) op.apply(get(x, xo)));
        } else {
            for (int i = 0; i < n; i++) {
                set(o, oo + i * os, (float) op.apply(get(x, xo + i * xs)));
            }
        }
    }

    /** Vector part of a contiguous row; returns how many leading elements it wrote. */
    private static int unaryVector(UnaryOp op, MemorySegment x, long xo, MemorySegment o, long oo, int n) {
        return switch (op) {
            case NEG -> neg(x, xo, o, oo, n);
            case ABS -> abs(x, xo, o, oo, n);
            case EXP -> exp(x, xo, o, oo, n);
            case LOG -> log(x, xo, o, oo, n);
            case SQRT -> sqrt(x, xo, o, oo, n);
            case RSQRT -> rsqrt(x, xo, o, oo, n);
            case SQUARE -> square(x, xo, o, oo, n);
            case RECIPROCAL -> reciprocal(x, xo, o, oo, n);
            case TANH -> tanh(x, xo, o, oo, n);
            case SIGMOID -> sigmoid(x, xo, o, oo, n);
            case RELU -> relu(x, xo, o, oo, n);
            case GELU -> gelu(x, xo, o, oo, n);
            case GELU_TANH -> geluTanh(x, xo, o, oo, n);
            case QUICK_GELU -> quickGelu(x, xo, o, oo, n);
        };
    }

    private static int neg(MemorySegment x, long xo, MemorySegment o, long oo, int n) {
        int i = 0;
        for (; i <= n - L; i += L) {
            store(load(x, xo + i).neg(), o, oo + i);
        }
        return i;
    }

    private static int abs(MemorySegment x, long xo, MemorySegment o, long oo, int n) {
        int i = 0;
        for (; i <= n - L; i += L) {
            store(load(x, xo + i).abs(), o, oo + i);
        }
        return i;
    }

    private static int exp(MemorySegment x, long xo, MemorySegment o, long oo, int n) {
        int i = 0;
        for (; i <= n - L; i += L) {
            store(VectorMath.exp(load(x, xo + i)), o, oo + i);
        }
        return i;
    }

    private static int log(MemorySegment x, long xo, MemorySegment o, long oo, int n) {
        int i = 0;
        for (; i <= n - L; i += L) {
            store(VectorMath.log(load(x, xo + i)), o, oo + i);
        }
        return i;
    }

    private static int sqrt(MemorySegment x, long xo, MemorySegment o, long oo, int n) {
        int i = 0;
        for (; i <= n - L; i += L) {
            store(load(x, xo + i).lanewise(VectorOperators.SQRT), o, oo + i);
        }
        return i;
    }

    private static int rsqrt(MemorySegment x, long xo, MemorySegment o, long oo, int n) {
        FloatVector one = FloatVector.broadcast(S, 1f);
        int i = 0;
        for (; i <= n - L; i += L) {
            store(one.div(load(x, xo + i).lanewise(VectorOperators.SQRT)), o, oo + i);
        }
        return i;
    }

    private static int square(MemorySegment x, long xo, MemorySegment o, long oo, int n) {
        int i = 0;
        for (; i <= n - L; i += L) {
            FloatVector v = load(x, xo + i);
            store(v.mul(v), o, oo + i);
        }
        return i;
    }

    private static int reciprocal(MemorySegment x, long xo, MemorySegment o, long oo, int n) {
        FloatVector one = FloatVector.broadcast(S, 1f);
        int i = 0;
        for (; i <= n - L; i += L) {
            store(one.div(load(x, xo + i)), o, oo + i);
        }
        return i;
    }

    private static int tanh(MemorySegment x, long xo, MemorySegment o, long oo, int n) {
        int done = tanhExp(x, xo, o, oo, n);
        tanhFinish(x, xo, o, oo, done);
        return done;
    }

    private static int tanhExp(MemorySegment x, long xo, MemorySegment o, long oo, int n) {
        int i = 0;
        for (; i <= n - L; i += L) {
            store(VectorMath.tanhExp(load(x, xo + i)), o, oo + i);
        }
        return i;
    }

    private static void tanhFinish(MemorySegment x, long xo, MemorySegment o, long oo, int n) {
        for (int i = 0; i < n; i += L) {
            store(VectorMath.tanhFinish(load(x, xo + i), load(o, oo + i)), o, oo + i);
        }
    }

    private static int sigmoid(MemorySegment x, long xo, MemorySegment o, long oo, int n) {
        int done = sigmoidExp(x, xo, o, oo, n);
        sigmoidFinish(x, xo, o, oo, done);
        return done;
    }

    private static int sigmoidExp(MemorySegment x, long xo, MemorySegment o, long oo, int n) {
        int i = 0;
        for (; i <= n - L; i += L) {
            store(VectorMath.sigmoidExp(load(x, xo + i)), o, oo + i);
        }
        return i;
    }

    private static void sigmoidFinish(MemorySegment x, long xo, MemorySegment o, long oo, int n) {
        for (int i = 0; i < n; i += L) {
            store(VectorMath.sigmoidFinish(load(x, xo + i), load(o, oo + i)), o, oo + i);
        }
    }

    /** max(x, 0) with NaN kept: lanes ≤ 0 (false for NaN) become +0. */
    private static int relu(MemorySegment x, long xo, MemorySegment o, long oo, int n) {
        int i = 0;
        for (; i <= n - L; i += L) {
            FloatVector v = load(x, xo + i);
            store(v.blend(0f, v.compare(VectorOperators.LE, 0f)), o, oo + i);
        }
        return i;
    }

    private static int gelu(MemorySegment x, long xo, MemorySegment o, long oo, int n) {
        int done = geluExp(x, xo, o, oo, n);
        geluFinish(x, xo, o, oo, done);
        return done;
    }

    private static int geluExp(MemorySegment x, long xo, MemorySegment o, long oo, int n) {
        int i = 0;
        for (; i <= n - L; i += L) {
            store(VectorMath.geluExp(load(x, xo + i)), o, oo + i);
        }
        return i;
    }

    private static void geluFinish(MemorySegment x, long xo, MemorySegment o, long oo, int n) {
        for (int i = 0; i < n; i += L) {
            store(VectorMath.geluFinish(load(x, xo + i), load(o, oo + i)), o, oo + i);
        }
    }

    private static int geluTanh(MemorySegment x, long xo, MemorySegment o, long oo, int n) {
        int done = geluTanhExp(x, xo, o, oo, n);
        geluTanhFinish(x, xo, o, oo, done);
        return done;
    }

    private static int geluTanhExp(MemorySegment x, long xo, MemorySegment o, long oo, int n) {
        int i = 0;
        for (; i <= n - L; i += L) {
            store(VectorMath.sigmoidExp(VectorMath.geluTanhArg(load(x, xo + i))), o, oo + i);
        }
        return i;
    }

    private static void geluTanhFinish(MemorySegment x, long xo, MemorySegment o, long oo, int n) {
        for (int i = 0; i < n; i += L) {
            FloatVector v = load(x, xo + i);
            store(v.mul(VectorMath.sigmoidFinish(VectorMath.geluTanhArg(v), load(o, oo + i))), o, oo + i);
        }
    }

    private static int quickGelu(MemorySegment x, long xo, MemorySegment o, long oo, int n) {
        int done = quickGeluExp(x, xo, o, oo, n);
        quickGeluFinish(x, xo, o, oo, done);
        return done;
    }

    private static int quickGeluExp(MemorySegment x, long xo, MemorySegment o, long oo, int n) {
        int i = 0;
        for (; i <= n - L; i += L) {
            store(VectorMath.sigmoidExp(VectorMath.quickGeluArg(load(x, xo + i))), o, oo + i);
        }
        return i;
    }

    private static void quickGeluFinish(MemorySegment x, long xo, MemorySegment o, long oo, int n) {
        for (int i = 0; i < n; i += L) {
            FloatVector v = load(x, xo + i);
            store(v.mul(VectorMath.sigmoidFinish(VectorMath.quickGeluArg(v), load(o, oo + i))), o, oo + i);
        }
    }

    // ------------------------------------------------------------------ binary

    static void binary(BinaryOp op, Tensor a, Tensor b, Tensor out) {
        if (out.numel() == 0) {
            return;
        }
        StridedRows rows = StridedRows.of(out.shape(), out, a, b);
        MemorySegment as = a.segment();
        MemorySegment bs = b.segment();
        MemorySegment os = out.segment();
        long ast = rows.innerStride(1);
        long bst = rows.innerStride(2);
        long ost = rows.innerStride(0);
        int cost = op == BinaryOp.POW ? 8 : op == BinaryOp.GELU_BACKWARD ? 6 : op == BinaryOp.DIV ? 2 : 1;
        rows.forEach(cost, (off, len) -> binaryRow(op, as, off[1], ast, bs, off[2], bst, os, off[0], ost, len));
    }

    private static void binaryRow(BinaryOp op, MemorySegment a, long ao, long as, MemorySegment b, long bo, long bs,
            MemorySegment o, long oo, long os, int n) {
        int i = 0;
        if (os == 1 && (as == 0 || as == 1) && (bs == 0 || bs == 1) && op != BinaryOp.POW) {
            i = binaryVector(op, a, ao, as == 0, b, bo, bs == 0, o, oo, n);
        }
        for (; i < n; i++) {
            set(o, oo + i * os, (float) op.apply(get(a, ao + i * as), get(b, bo + i * bs)));
        }
    }

    /**
     * Vector part of a row with unit output stride; an input flagged as broadcast ({@code ab},
     * {@code bb}) has stride 0 and is read once. Returns how many leading elements it wrote.
     */
    private static int binaryVector(BinaryOp op, MemorySegment a, long ao, boolean ab, MemorySegment b, long bo, boolean bb,
            MemorySegment o, long oo, int n) {
        return switch (op) {
            case ADD -> add(a, ao, ab, b, bo, bb, o, oo, n);
            case SUB -> sub(a, ao, ab, b, bo, bb, o, oo, n);
            case MUL -> mul(a, ao, ab, b, bo, bb, o, oo, n);
            case DIV -> div(a, ao, ab, b, bo, bb, o, oo, n);
            case MAXIMUM -> maximum(a, ao, ab, b, bo, bb, o, oo, n);
            case MINIMUM -> minimum(a, ao, ab, b, bo, bb, o, oo, n);
            case GELU_BACKWARD -> geluBackward(a, ao, ab, b, bo, bb, o, oo, n);
            case EQ -> eq(a, ao, ab, b, bo, bb, o, oo, n);
            case NE -> ne(a, ao, ab, b, bo, bb, o, oo, n);
            case LT -> lt(a, ao, ab, b, bo, bb, o, oo, n);
            case LE -> le(a, ao, ab, b, bo, bb, o, oo, n);
            case GT -> gt(a, ao, ab, b, bo, bb, o, oo, n);
            case GE -> ge(a, ao, ab, b, bo, bb, o, oo, n);
            case POW -> 0;
        };
    }

    private static FloatVector operand(MemorySegment s, long off, boolean broadcast, FloatVector value) {
        return broadcast ? value : load(s, off);
    }

    private static FloatVector first(MemorySegment s, long off) {
        return FloatVector.broadcast(S, get(s, off));
    }

    private static int add(MemorySegment a, long ao, boolean ab, MemorySegment b, long bo, boolean bb, MemorySegment o, long oo, int n) {
        FloatVector ca = first(a, ao);
        FloatVector cb = first(b, bo);
        int i = 0;
        for (; i <= n - L; i += L) {
            store(operand(a, ao + i, ab, ca).add(operand(b, bo + i, bb, cb)), o, oo + i);
        }
        return i;
    }

    private static int geluBackward(MemorySegment a, long ao, boolean ab, MemorySegment b, long bo, boolean bb, MemorySegment o, long oo,
            int n) {
        FloatVector ca = first(a, ao);
        FloatVector cb = first(b, bo);
        int i = 0;
        for (; i <= n - L; i += L) {
            store(operand(a, ao + i, ab, ca).mul(VectorMath.geluDerivative(operand(b, bo + i, bb, cb))), o, oo + i);
        }
        return i;
    }

    private static int sub(MemorySegment a, long ao, boolean ab, MemorySegment b, long bo, boolean bb, MemorySegment o, long oo, int n) {
        FloatVector ca = first(a, ao);
        FloatVector cb = first(b, bo);
        int i = 0;
        for (; i <= n - L; i += L) {
            store(operand(a, ao + i, ab, ca).sub(operand(b, bo + i, bb, cb)), o, oo + i);
        }
        return i;
    }

    private static int mul(MemorySegment a, long ao, boolean ab, MemorySegment b, long bo, boolean bb, MemorySegment o, long oo, int n) {
        FloatVector ca = first(a, ao);
        FloatVector cb = first(b, bo);
        int i = 0;
        for (; i <= n - L; i += L) {
            store(operand(a, ao + i, ab, ca).mul(operand(b, bo + i, bb, cb)), o, oo + i);
        }
        return i;
    }

    private static int div(MemorySegment a, long ao, boolean ab, MemorySegment b, long bo, boolean bb, MemorySegment o, long oo, int n) {
        FloatVector ca = first(a, ao);
        FloatVector cb = first(b, bo);
        int i = 0;
        for (; i <= n - L; i += L) {
            store(operand(a, ao + i, ab, ca).div(operand(b, bo + i, bb, cb)), o, oo + i);
        }
        return i;
    }

    /** Vector max follows Math.max: NaN if either is NaN, +0 above −0, as BinaryOp.MAXIMUM wants. */
    private static int maximum(MemorySegment a, long ao, boolean ab, MemorySegment b, long bo, boolean bb, MemorySegment o, long oo, int n) {
        FloatVector ca = first(a, ao);
        FloatVector cb = first(b, bo);
        int i = 0;
        for (; i <= n - L; i += L) {
            store(operand(a, ao + i, ab, ca).max(operand(b, bo + i, bb, cb)), o, oo + i);
        }
        return i;
    }

    private static int minimum(MemorySegment a, long ao, boolean ab, MemorySegment b, long bo, boolean bb, MemorySegment o, long oo, int n) {
        FloatVector ca = first(a, ao);
        FloatVector cb = first(b, bo);
        int i = 0;
        for (; i <= n - L; i += L) {
            store(operand(a, ao + i, ab, ca).min(operand(b, bo + i, bb, cb)), o, oo + i);
        }
        return i;
    }

    private static int eq(MemorySegment a, long ao, boolean ab, MemorySegment b, long bo, boolean bb, MemorySegment o, long oo, int n) {
        FloatVector ca = first(a, ao);
        FloatVector cb = first(b, bo);
        FloatVector zero = FloatVector.zero(S);
        int i = 0;
        for (; i <= n - L; i += L) {
            FloatVector va = operand(a, ao + i, ab, ca);
            store(zero.blend(1f, va.compare(VectorOperators.EQ, operand(b, bo + i, bb, cb))), o, oo + i);
        }
        return i;
    }

    /** a ≠ b is the negation of a = b (so NaN ≠ anything is 1, like Java's !=). */
    private static int ne(MemorySegment a, long ao, boolean ab, MemorySegment b, long bo, boolean bb, MemorySegment o, long oo, int n) {
        FloatVector ca = first(a, ao);
        FloatVector cb = first(b, bo);
        FloatVector one = FloatVector.broadcast(S, 1f);
        int i = 0;
        for (; i <= n - L; i += L) {
            FloatVector va = operand(a, ao + i, ab, ca);
            store(one.blend(0f, va.compare(VectorOperators.EQ, operand(b, bo + i, bb, cb))), o, oo + i);
        }
        return i;
    }

    private static int lt(MemorySegment a, long ao, boolean ab, MemorySegment b, long bo, boolean bb, MemorySegment o, long oo, int n) {
        FloatVector ca = first(a, ao);
        FloatVector cb = first(b, bo);
        FloatVector zero = FloatVector.zero(S);
        int i = 0;
        for (; i <= n - L; i += L) {
            FloatVector va = operand(a, ao + i, ab, ca);
            store(zero.blend(1f, va.compare(VectorOperators.LT, operand(b, bo + i, bb, cb))), o, oo + i);
        }
        return i;
    }

    private static int le(MemorySegment a, long ao, boolean ab, MemorySegment b, long bo, boolean bb, MemorySegment o, long oo, int n) {
        FloatVector ca = first(a, ao);
        FloatVector cb = first(b, bo);
        FloatVector zero = FloatVector.zero(S);
        int i = 0;
        for (; i <= n - L; i += L) {
            FloatVector va = operand(a, ao + i, ab, ca);
            store(zero.blend(1f, va.compare(VectorOperators.LE, operand(b, bo + i, bb, cb))), o, oo + i);
        }
        return i;
    }

    private static int gt(MemorySegment a, long ao, boolean ab, MemorySegment b, long bo, boolean bb, MemorySegment o, long oo, int n) {
        FloatVector ca = first(a, ao);
        FloatVector cb = first(b, bo);
        FloatVector zero = FloatVector.zero(S);
        int i = 0;
        for (; i <= n - L; i += L) {
            FloatVector va = operand(a, ao + i, ab, ca);
            store(zero.blend(1f, va.compare(VectorOperators.GT, operand(b, bo + i, bb, cb))), o, oo + i);
        }
        return i;
    }

    private static int ge(MemorySegment a, long ao, boolean ab, MemorySegment b, long bo, boolean bb, MemorySegment o, long oo, int n) {
        FloatVector ca = first(a, ao);
        FloatVector cb = first(b, bo);
        FloatVector zero = FloatVector.zero(S);
        int i = 0;
        for (; i <= n - L; i += L) {
            FloatVector va = operand(a, ao + i, ab, ca);
            store(zero.blend(1f, va.compare(VectorOperators.GE, operand(b, bo + i, bb, cb))), o, oo + i);
        }
        return i;
    }

    // ------------------------------------------------------------------ where

    static void where(Tensor cond, Tensor a, Tensor b, Tensor out) {
        if (out.numel() == 0) {
            return;
        }
        StridedRows rows = StridedRows.of(out.shape(), out, cond, a, b);
        MemorySegment cs = cond.segment();
        MemorySegment as = a.segment();
        MemorySegment bs = b.segment();
        MemorySegment os = out.segment();
        long cst = rows.innerStride(1);
        long ast = rows.innerStride(2);
        long bst = rows.innerStride(3);
        long ost = rows.innerStride(0);
        boolean vector = ost == 1 && (cst == 0 || cst == 1) && (ast == 0 || ast == 1) && (bst == 0 || bst == 1);
        rows.forEach(1, (off, len) -> {
            int i = 0;
            if (vector) {
                i = whereVector(cs, off[1], cst == 0, as, off[2], ast == 0, bs, off[3], bst == 0, os, off[0], len);
            }
            for (; i < len; i++) {
                float c = get(cs, off[1] + i * cst);
                set(os, off[0] + i * ost, c != 0 ? get(as, off[2] + i * ast) : get(bs, off[3] + i * bst));
            }
        });
    }

    private static int whereVector(MemorySegment c, long co, boolean cb, MemorySegment a, long ao, boolean ab,
            MemorySegment b, long bo, boolean bb, MemorySegment o, long oo, int n) {
        FloatVector cc = first(c, co);
        FloatVector ca = first(a, ao);
        FloatVector cbv = first(b, bo);
        int i = 0;
        for (; i <= n - L; i += L) {
            FloatVector vc = operand(c, co + i, cb, cc);
            FloatVector va = operand(a, ao + i, ab, ca);
            FloatVector vb = operand(b, bo + i, bb, cbv);
            store(vb.blend(va, vc.compare(VectorOperators.NE, 0f)), o, oo + i);
        }
        return i;
    }
}
