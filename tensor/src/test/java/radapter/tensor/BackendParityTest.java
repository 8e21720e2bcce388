package radapter.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestReporter;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.opentest4j.AssertionFailedError;
import org.opentest4j.MultipleFailuresError;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.LongStream;
import java.util.stream.Stream;

/**
 * The parity suite: every op, through the public front-ends, on every available backend other than
 * {@code reference}, against {@code reference} on the same inputs. Backends are found with
 * {@link Backends#available()}, so a new backend (a GPU one included) is covered with no edit here.
 * When {@code reference} is the only backend, the parity tests are reported as skipped (with the
 * reason) and {@link #referenceMatchesHandComputedValues()} plus the behaviour tests still run.
 *
 * <p>Inputs come from a seeded {@link Rng}: random shapes with odd sizes (1, 3, 7, 17, 129), empty
 * (0) dimensions and 0-d scalars, in several layouts (contiguous, fully transposed, last two
 * dimensions swapped, stepped slices, stride-0 expanded, offset views), and with broadcasting.
 *
 * <p><b>Tolerance rule.</b> An element {@code a} of a backend's result matches the reference value
 * {@code r} when both are NaN, or both are the same infinity, or
 * <pre>  |a − r| ≤ rtol · max(1, |r|, m)</pre>
 * with {@code rtol = 1e-5}. {@code m} is 0 except for ops whose result is a sum of many terms
 * (sum, mean, matmul, linear, conv2d, index_add, layer_norm): there {@code m} is the same op applied
 * to the absolute values of the inputs (e.g. {@code |A|·|B|} for matmul), because an F32 kernel that
 * accumulates in another order, in blocks or with FMA legitimately differs from the reference's
 * double-precision sum by a few ulps of the terms, not of the (possibly cancelled) result. The
 * only looser rule is {@code rtol = 1e-4} for exp over the whole F32 range of arguments (−87 to
 * 88; ordinary inputs use 1e-5): an F32 range reduction {@code x − k·ln 2} loses about
 * {@code |x|·1e-7} of relative accuracy for large {@code |x|}.
 * Integer results (argmax, argmin) and dtypes and shapes must match exactly, and an op that throws
 * on {@code reference} must throw the same exception type on the backend.
 */
@SuppressWarnings("try") // try-with-resources used only for its close()
class BackendParityTest {
    static final double RTOL = 1e-5;
    static final double RTOL_EXP_LARGE = 1e-4;
    static final String NONE = "(no backend besides reference)";
    /** Seeds per backend; {@code -Dradapter.parity.seeds=50} for a longer hunt. */
    static final int SEEDS = Integer.getInteger("radapter.parity.seeds", 3);
    /** Number of comparisons made so far (reported, and a guard against vacuous cases). */
    static final AtomicLong COMPARISONS = new AtomicLong();

    // ================================================================ which backends

    static List<String> candidates() {
        return Backends.available().stream().map(Backend::name).filter(n -> !n.equals("reference")).toList();
    }

    /** Every non-reference backend, or one {@link #NONE} entry whose tests are skipped. */
    static Stream<String> backends() {
        List<String> c = candidates();
        return c.isEmpty() ? Stream.of(NONE) : c.stream();
    }

    static Stream<Arguments> backendsAndSeeds() {
        return backends().flatMap(b -> NONE.equals(b)
                ? Stream.of(Arguments.of(b, 0L))
                : LongStream.range(0, SEEDS).mapToObj(s -> Arguments.of(b, 1000 + 17 * s)));
    }

    /** Every available backend including reference (for behaviour that has one right answer). */
    static Stream<String> allBackends() {
        return Backends.available().stream().map(Backend::name);
    }

    static void assumeParity(String backend) {
        Assumptions.assumeFalse(NONE.equals(backend), () -> "skipped: only the reference backend is available ("
                + Backends.all().stream().map(b -> b.name() + (b.isAvailable() ? "" : " [unavailable: " + b.unavailableReason() + "]")).toList()
                + "), so there is nothing to compare it with");
    }

    // ================================================================ the comparison harness

    /**
     * Mismatches of the running test, collected so that one test reports every op that differs
     * rather than only the first; thrown together after the test.
     */
    private static final ThreadLocal<List<Throwable>> FAILURES = new ThreadLocal<>();

    @BeforeEach
    void collectFailures() {
        FAILURES.set(new ArrayList<>());
    }

    @AfterEach
    void reportFailures() {
        List<Throwable> collected = FAILURES.get();
        FAILURES.remove();
        if (collected != null && !collected.isEmpty()) {
            throw new MultipleFailuresError(collected.size() + " comparison(s) with reference failed", collected);
        }
    }

    private record Outcome(List<Tensor> values, RuntimeException error) {
    }

    private static Outcome run(Backend backend, Supplier<List<Tensor>> op) {
        try (Backends.Selection ignored = Backends.use(backend)) {
            return new Outcome(op.get(), null);
        } catch (RuntimeException e) {
            return new Outcome(null, e);
        }
    }

    static void check(String backend, String what, Supplier<Tensor> op) {
        checkAll(Backends.get(backend), what, () -> List.of(op.get()), null, RTOL);
    }

    static void check(String backend, String what, Supplier<Tensor> op, double rtol) {
        checkAll(Backends.get(backend), what, () -> List.of(op.get()), null, rtol);
    }

    /** {@link #check} with the magnitude {@code m} of the tolerance rule given by {@code magnitude} (run on reference). */
    static void checkSum(String backend, String what, Supplier<Tensor> op, Supplier<Tensor> magnitude) {
        checkAll(Backends.get(backend), what, () -> List.of(op.get()), () -> List.of(magnitude.get()), RTOL);
    }

    static void checkAll(Backend backend, String what, Supplier<List<Tensor>> op, Supplier<List<Tensor>> magnitude, double rtol) {
        COMPARISONS.incrementAndGet();
        try {
            compareOutcomes(backend, what, op, magnitude, rtol);
        } catch (AssertionFailedError e) {
            List<Throwable> collected = FAILURES.get();
            if (collected == null) {
                throw e;
            }
            collected.add(e);
        }
    }

    private static void compareOutcomes(Backend backend, String what, Supplier<List<Tensor>> op, Supplier<List<Tensor>> magnitude,
            double rtol) {
        try (MemoryScope ignored = MemoryScope.open()) {
            Outcome ref = run(Backends.reference(), op);
            Outcome got = run(backend, op);
            String where = what + " on '" + backend.name() + "'";
            if (ref.error() != null) {
                if (got.error() == null) {
                    fail(where + ": reference throws " + ref.error() + " but the backend returns " + got.values());
                }
                assertEquals(ref.error().getClass(), got.error().getClass(), () -> where + ": reference throws " + ref.error()
                        + ", the backend " + got.error());
                return;
            }
            if (got.error() != null) {
                throw new AssertionFailedError(where + ": the backend throws where reference does not", got.error());
            }
            List<Tensor> mags = null;
            if (magnitude != null) {
                try (Backends.Selection r = Backends.use(Backends.reference())) {
                    mags = magnitude.get();
                }
            }
            compare(where, ref.values(), got.values(), mags, rtol);
        }
    }

    /** The tolerance rule of the class comment. */
    static boolean matches(double ref, double got, double magnitude, double rtol) {
        if (Double.isNaN(ref) || Double.isNaN(got)) {
            return Double.isNaN(ref) && Double.isNaN(got);
        }
        if (Double.isInfinite(ref) || Double.isInfinite(got)) {
            return ref == got;
        }
        return Math.abs(got - ref) <= rtol * Math.max(1.0, Math.max(Math.abs(ref), magnitude));
    }

    private static void compare(String where, List<Tensor> expected, List<Tensor> actual, List<Tensor> mags, double rtol) {
        assertEquals(expected.size(), actual.size(), () -> where + ": number of results");
        for (int k = 0; k < expected.size(); k++) {
            Tensor e = expected.get(k);
            Tensor a = actual.get(k);
            String w = expected.size() > 1 ? where + ", result " + k : where;
            if (e == null || a == null) {
                assertTrue(e == null && a == null, () -> w + ": one result is null");
                continue;
            }
            assertArrayEquals(e.shape(), a.shape(), () -> w + ": shape " + Shapes.str(a.shape()) + ", reference " + Shapes.str(e.shape()));
            assertEquals(e.dtype(), a.dtype(), () -> w + ": dtype");
            double[] ev = e.toDoubleArray();
            double[] av = a.toDoubleArray();
            Tensor mt = mags == null ? null : mags.get(k);
            double[] mv = mt == null ? null : mt.toDoubleArray();
            if (mv != null) {
                assertEquals(ev.length, mv.length, () -> w + ": the magnitude tensor has the wrong size");
            }
            int bad = 0;
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < ev.length; i++) {
                double m = mv == null ? 0 : mv[i];
                if (!matches(ev[i], av[i], m, rtol)) {
                    if (++bad <= 6) {
                        sb.append("\n  at ").append(Arrays.toString(unravel(i, e.shape()))).append(": ").append(av[i])
                                .append(" vs reference ").append(ev[i]).append(mv == null ? "" : " (magnitude " + m + ")");
                    }
                }
            }
            if (bad > 0) {
                fail(w + ": " + bad + " of " + ev.length + " elements differ (rule |a - r| <= " + rtol + " * max(1, |r|"
                        + (mv == null ? "" : ", m") + "))" + sb);
            }
        }
    }

    private static long[] unravel(long flat, long[] shape) {
        long[] idx = new long[shape.length];
        for (int d = shape.length - 1; d >= 0; d--) {
            idx[d] = flat % shape[d];
            flat /= shape[d];
        }
        return idx;
    }

    // ================================================================ inputs

    enum Values { NORMAL, WIDE, POSITIVE, TIES, EXP_RANGE }

    enum Arrangement { CONTIGUOUS, TRANSPOSED, MT, STEPPED, EXPANDED, OFFSET }

    private static final long[] SIZES = {1, 2, 3, 3, 5, 7, 7, 17};

    static long size(Rng rng) {
        int r = rng.nextInt(100);
        if (r < 5) {
            return 0;
        }
        if (r < 11) {
            return 129;
        }
        return SIZES[rng.nextInt(SIZES.length)];
    }

    static long positiveSize(Rng rng) {
        long s = size(rng);
        return s == 0 ? 1 : s;
    }

    static long[] shape(Rng rng, int minRank, int maxRank, long maxNumel) {
        while (true) {
            int rank = minRank + rng.nextInt(maxRank - minRank + 1);
            long[] s = new long[rank];
            for (int i = 0; i < rank; i++) {
                s[i] = size(rng);
            }
            if (Shapes.numel(s) <= maxNumel) {
                return s;
            }
        }
    }

    /** A shape that broadcasts to {@code out}: some leading dimensions dropped, some others set to 1. */
    static long[] broadcastable(Rng rng, long[] out) {
        int drop = out.length == 0 ? 0 : rng.nextInt(out.length + 1) / 2;
        long[] s = Arrays.copyOfRange(out, drop, out.length);
        for (int i = 0; i < s.length; i++) {
            if (rng.nextInt(4) == 0) {
                s[i] = 1;
            }
        }
        return s;
    }

    static Arrangement layout(Rng rng) {
        return Arrangement.values()[rng.nextInt(Arrangement.values().length)];
    }

    static float value(Rng rng, Values v) {
        return switch (v) {
            case NORMAL -> (float) rng.nextGaussian();
            case WIDE -> (float) (rng.nextGaussian() * 10);
            case POSITIVE -> (float) Math.exp(rng.nextGaussian() * 3);
            case TIES -> Math.round(rng.nextGaussian() * 2) / 2f;
            case EXP_RANGE -> -87f + 175f * rng.nextFloat();
        };
    }

    static Tensor fresh(Rng rng, long[] shape, Values v) {
        float[] d = new float[Math.toIntExact(Shapes.numel(shape))];
        for (int i = 0; i < d.length; i++) {
            d[i] = value(rng, v);
        }
        return Tensor.of(d).view(shape);
    }

    /** A tensor of {@code shape} laid out as {@code layout} over storage made by {@code alloc}. */
    static Tensor laidOut(Rng rng, long[] shape, Arrangement layout, Function<long[], Tensor> alloc) {
        int r = shape.length;
        switch (layout) {
            case CONTIGUOUS -> {
                return alloc.apply(shape);
            }
            case OFFSET -> {
                if (r == 0) {
                    return alloc.apply(new long[] {3}).select(0, 1);
                }
                long[] b = shape.clone();
                b[0] += 2;
                return alloc.apply(b).narrow(0, 1, shape[0]);
            }
            case TRANSPOSED -> {
                if (r < 2) {
                    return laidOut(rng, shape, Arrangement.STEPPED, alloc);
                }
                long[] rev = new long[r];
                int[] order = new int[r];
                for (int i = 0; i < r; i++) {
                    rev[i] = shape[r - 1 - i];
                    order[i] = r - 1 - i;
                }
                return alloc.apply(rev).permute(order);
            }
            case MT -> {
                if (r < 2) {
                    return laidOut(rng, shape, Arrangement.STEPPED, alloc);
                }
                long[] sw = shape.clone();
                sw[r - 1] = shape[r - 2];
                sw[r - 2] = shape[r - 1];
                return alloc.apply(sw).mT();
            }
            case STEPPED -> {
                if (r == 0) {
                    return laidOut(rng, shape, Arrangement.OFFSET, alloc);
                }
                long[] b = shape.clone();
                b[r - 1] = 2 * shape[r - 1] + 1;
                boolean outer = r >= 2 && shape[0] > 0;
                if (outer) {
                    b[0] = 3 * shape[0] - 2;
                }
                Tensor t = alloc.apply(b).slice(r - 1, 1, b[r - 1], 2);
                return outer ? t.slice(0, 0, b[0], 3) : t;
            }
            case EXPANDED -> {
                List<Integer> candidates = new ArrayList<>();
                for (int i = 0; i < r; i++) {
                    if (shape[i] != 1) {
                        candidates.add(i);
                    }
                }
                if (candidates.isEmpty()) {
                    return alloc.apply(shape);
                }
                long[] b = shape.clone();
                b[candidates.get(rng.nextInt(candidates.size()))] = 1;
                return alloc.apply(b).expand(shape);
            }
            default -> throw new AssertionError(layout);
        }
    }

    static Tensor make(Rng rng, long[] shape, Arrangement layout, Values v) {
        Tensor t = laidOut(rng, shape, layout, s -> fresh(rng, s, v));
        assertArrayEquals(shape, t.shape(), "test input construction");
        return t;
    }

    static Tensor make(Rng rng, long[] shape, Values v) {
        return make(rng, shape, layout(rng), v);
    }

    static String d(Tensor t) {
        return Shapes.str(t.shape()) + (t.isContiguous() ? "" : "/" + Shapes.str(t.strides())) + (t.offset() != 0 ? "@" + t.offset() : "");
    }

    /** The whole storage behind {@code t} as a flat tensor (to compare what a write did around a view too). */
    static Tensor whole(Tensor t) {
        long n = t.storage().byteSize() / t.dtype().byteSize();
        return new Tensor(t.dtype(), new long[] {n}, new long[] {1}, 0, t.storage());
    }

    // ================================================================ element-wise

    @ParameterizedTest(name = "{0}, seed {1}")
    @MethodSource("backendsAndSeeds")
    void unaryOps(String backend, long seed) {
        assumeParity(backend);
        Rng rng = new Rng(seed);
        for (UnaryOp op : UnaryOp.values()) {
            boolean positive = op == UnaryOp.LOG || op == UnaryOp.SQRT || op == UnaryOp.RSQRT || op == UnaryOp.RECIPROCAL;
            for (Arrangement l : Arrangement.values()) {
                for (Values v : positive ? List.of(Values.POSITIVE) : List.of(Values.NORMAL, Values.WIDE)) {
                    Tensor x = make(rng, shape(rng, 0, 4, 4000), l, v);
                    check(backend, op.pyName() + " of " + v + " " + d(x), () -> Pointwise.unary(op, x));
                }
            }
        }
        Tensor big = make(rng, new long[] {7, 129}, Values.EXP_RANGE);
        check(backend, "exp of arguments in [-87, 88] " + d(big), big::exp, RTOL_EXP_LARGE);
        Tensor ints = Tensor.ofInts(new int[] {-3, 0, 2, 9});
        check(backend, "relu of I32 (promoted to F32)", ints::relu);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void unaryOpsOnSpecialValues(String backend) {
        assumeParity(backend);
        float inf = Float.POSITIVE_INFINITY;
        float[] finite = {0f, -0f, 1e-30f, -1e-30f, 1e-40f, -1e-40f, 3.5f, -3.5f, 15f, -15f, 50f, -50f, 1e20f, -1e20f, Float.NaN};
        float[] positiveish = {0f, -0f, 1e-30f, 1e-40f, 3.5f, 1e20f, -1f, inf, Float.NaN};
        for (UnaryOp op : UnaryOp.values()) {
            float[] in = switch (op) {
                case LOG, SQRT, RSQRT, RECIPROCAL -> positiveish;
                case NEG, ABS, EXP, SQUARE, TANH, SIGMOID, RELU -> concat(finite, new float[] {inf, -inf});
                default -> finite;
            };
            // repeated to a length that is not a multiple of any vector width, so both the vector
            // loop and the scalar tail see each special value
            float[] data = new float[in.length * 37];
            for (int i = 0; i < data.length; i++) {
                data[i] = in[i % in.length];
            }
            Tensor x = Tensor.of(data);
            check(backend, op.pyName() + " of " + Arrays.toString(in), () -> Pointwise.unary(op, x));
        }
    }

    private static float[] concat(float[] a, float[] b) {
        float[] c = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }

    @ParameterizedTest(name = "{0}, seed {1}")
    @MethodSource("backendsAndSeeds")
    void binaryOps(String backend, long seed) {
        assumeParity(backend);
        Rng rng = new Rng(seed);
        for (BinaryOp op : BinaryOp.values()) {
            boolean ties = op.isComparison() || op == BinaryOp.MAXIMUM || op == BinaryOp.MINIMUM;
            Values va = op == BinaryOp.POW ? Values.POSITIVE : ties ? Values.TIES : Values.NORMAL;
            Values vb = op == BinaryOp.POW ? Values.NORMAL : op == BinaryOp.DIV ? Values.POSITIVE : va;
            String name = op.name().toLowerCase();
            for (int rep = 0; rep < 6; rep++) {
                long[] out = shape(rng, 0, 4, 3000);
                Tensor a = make(rng, rep % 2 == 0 ? out : broadcastable(rng, out), va);
                Tensor b = make(rng, broadcastable(rng, out), vb);
                check(backend, name + " of " + d(a) + " and " + d(b), () -> Pointwise.binary(op, a, b));
                check(backend, name + " of " + d(b) + " and " + d(a) + " (swapped)",
                        () -> op == BinaryOp.POW ? Pointwise.binary(op, b.abs().add(0.5), a) : Pointwise.binary(op, b, a));
            }
            Tensor x = make(rng, shape(rng, 1, 3, 3000), va);
            Tensor y = make(rng, shape(rng, 1, 3, 3000), vb);
            double right = op == BinaryOp.POW ? 1.7 : op == BinaryOp.DIV ? 2.5 : ties ? 0.5 : -1.25;
            double left = op == BinaryOp.POW ? 1.3 : ties ? 0.5 : 0.75;
            check(backend, name + " of " + d(x) + " and the scalar " + right, () -> Pointwise.binary(op, x, right));
            check(backend, name + " of the scalar " + left + " and " + d(y), () -> Pointwise.binary(op, left, y));
            Tensor s = make(rng, new long[0], va);
            check(backend, name + " of a 0-d tensor and " + d(y), () -> Pointwise.binary(op, s, y));
            Tensor xi = Tensor.ofInts(new int[] {1, 2, 3, 4, 5, 6, 7}, 7, 1);
            Tensor row = make(rng, new long[] {1, 5}, vb);
            check(backend, name + " of I32 [7, 1] and F32 [1, 5]", () -> Pointwise.binary(op, xi, row));
        }
    }

    @ParameterizedTest(name = "{0}, seed {1}")
    @MethodSource("backendsAndSeeds")
    void whereMaskedFillClamp(String backend, long seed) {
        assumeParity(backend);
        Rng rng = new Rng(seed);
        for (int rep = 0; rep < 8; rep++) {
            long[] out = shape(rng, 0, 4, 3000);
            Tensor cond = make(rng, broadcastable(rng, out), Values.TIES);
            Tensor a = make(rng, rep % 2 == 0 ? out : broadcastable(rng, out), Values.NORMAL);
            Tensor b = make(rng, broadcastable(rng, out), Values.NORMAL);
            check(backend, "where(" + d(cond) + ", " + d(a) + ", " + d(b) + ")", () -> Pointwise.where(cond, a, b));
            Tensor x = make(rng, out, Values.NORMAL);
            Tensor mask = make(rng, broadcastable(rng, out), Values.TIES);
            double fillValue = rep % 3 == 0 ? Double.NEGATIVE_INFINITY : -1e9;
            check(backend, "masked_fill(" + d(x) + ", " + d(mask) + ", " + fillValue + ")", () -> x.maskedFill(mask, fillValue));
            double lo = -rng.nextDouble();
            double hi = rng.nextDouble();
            check(backend, "clamp(" + d(x) + ", " + lo + ", " + hi + ")", () -> Pointwise.clamp(x, lo, hi));
        }
    }

    // ================================================================ reductions

    private static int[] randomDims(Rng rng, int rank, int count) {
        int[] p = rng.permutation(rank);
        int[] dims = Arrays.copyOf(p, count);
        for (int i = 0; i < count; i++) {
            if (rng.nextInt(2) == 0) {
                dims[i] -= rank;
            }
        }
        return dims;
    }

    @ParameterizedTest(name = "{0}, seed {1}")
    @MethodSource("backendsAndSeeds")
    void reductions(String backend, long seed) {
        assumeParity(backend);
        Rng rng = new Rng(seed);
        for (int rep = 0; rep < 8; rep++) {
            long[] s = shape(rng, 0, 4, 2500);
            Tensor x = make(rng, s, rep % 3 == 0 ? Values.TIES : Values.NORMAL);
            List<int[]> dimSets = new ArrayList<>();
            dimSets.add(new int[0]);
            for (int dd = 0; dd < s.length; dd++) {
                dimSets.add(new int[] {rng.nextInt(2) == 0 ? dd : dd - s.length});
            }
            if (s.length >= 2) {
                dimSets.add(randomDims(rng, s.length, 2));
                dimSets.add(randomDims(rng, s.length, s.length));
            }
            if (s.length >= 3) {
                dimSets.add(randomDims(rng, s.length, 3));
            }
            for (int[] dims : dimSets) {
                boolean keep = rng.nextInt(2) == 0;
                String what = " of " + d(x) + " over " + Arrays.toString(dims) + (keep ? " keepdim" : "");
                checkSum(backend, "sum" + what, () -> Reductions.sum(x, dims, keep), () -> Reductions.sum(x.abs(), dims, keep));
                checkSum(backend, "mean" + what, () -> Reductions.mean(x, dims, keep), () -> Reductions.mean(x.abs(), dims, keep));
                check(backend, "max" + what, () -> Reductions.max(x, dims, keep));
                check(backend, "min" + what, () -> Reductions.min(x, dims, keep));
                int correction = rng.nextInt(2);
                check(backend, "var(correction " + correction + ")" + what, () -> Reductions.var(x, dims, correction, keep));
            }
            checkSum(backend, "sum of all " + d(x), x::sum, () -> x.abs().sum());
        }
    }

    @ParameterizedTest(name = "{0}, seed {1}")
    @MethodSource("backendsAndSeeds")
    void argReductions(String backend, long seed) {
        assumeParity(backend);
        Rng rng = new Rng(seed);
        for (int rep = 0; rep < 8; rep++) {
            long[] s = shape(rng, 1, 4, 3000);
            Tensor x = make(rng, s, rep % 2 == 0 ? Values.TIES : Values.NORMAL);
            for (int dd = 0; dd < s.length; dd++) {
                int dim = rng.nextInt(2) == 0 ? dd : dd - s.length;
                boolean keep = rng.nextInt(2) == 0;
                check(backend, "argmax of " + d(x) + " over " + dim, () -> Reductions.argmax(x, dim, keep));
                check(backend, "argmin of " + d(x) + " over " + dim, () -> Reductions.argmin(x, dim, keep));
            }
        }
    }

    // ================================================================ matmul and linear

    private static long matDim(Rng rng) {
        int r = rng.nextInt(100);
        if (r < 4) {
            return 0;
        }
        if (r < 16) {
            return 64 + rng.nextInt(70);
        }
        return SIZES[rng.nextInt(SIZES.length)];
    }

    @ParameterizedTest(name = "{0}, seed {1}")
    @MethodSource("backendsAndSeeds")
    void matmul(String backend, long seed) {
        assumeParity(backend);
        Rng rng = new Rng(seed);
        String[] forms = {"1-D·1-D", "2-D·1-D", "1-D·2-D", "2-D·2-D", "batched", "broadcast batch", "3-D·2-D", "2-D·3-D", "1-D·3-D",
            "3-D·1-D", "4-D·4-D"};
        for (int rep = 0; rep < 3; rep++) {
            for (String form : forms) {
                long m;
                long k;
                long n;
                do {
                    m = matDim(rng);
                    k = matDim(rng);
                    n = matDim(rng);
                } while (m * k * n > 120_000);
                long bA = 1 + rng.nextInt(3);
                long bB = 1 + rng.nextInt(3);
                long[][] sh = switch (form) {
                    case "1-D·1-D" -> new long[][] {{k}, {k}};
                    case "2-D·1-D" -> new long[][] {{m, k}, {k}};
                    case "1-D·2-D" -> new long[][] {{k}, {k, n}};
                    case "2-D·2-D" -> new long[][] {{m, k}, {k, n}};
                    case "batched" -> new long[][] {{bA, m, k}, {bA, k, n}};
                    case "broadcast batch" -> new long[][] {{bA, 1, m, k}, {bB, k, n}};
                    case "3-D·2-D" -> new long[][] {{bA, m, k}, {k, n}};
                    case "2-D·3-D" -> new long[][] {{m, k}, {bB, k, n}};
                    case "1-D·3-D" -> new long[][] {{k}, {bB, k, n}};
                    case "3-D·1-D" -> new long[][] {{bA, m, k}, {k}};
                    default -> new long[][] {{bA, 1, m, k}, {1, bB, k, n}};
                };
                Tensor a = make(rng, sh[0], Values.NORMAL);
                Tensor b = make(rng, sh[1], Values.NORMAL);
                checkSum(backend, "matmul " + form + " " + d(a) + " · " + d(b), () -> a.matmul(b), () -> a.abs().matmul(b.abs()));
            }
        }
        // explicitly transposed (mT views), sliced and expanded operands of one product
        long m = 17 + rng.nextInt(50);
        long k = 3 + rng.nextInt(70);
        long n = 7 + rng.nextInt(60);
        Tensor a = fresh(rng, new long[] {m, k}, Values.NORMAL);
        Tensor b = fresh(rng, new long[] {k, n}, Values.NORMAL);
        Tensor at = fresh(rng, new long[] {k, m}, Values.NORMAL).mT();
        Tensor bt = fresh(rng, new long[] {n, k}, Values.NORMAL).mT();
        Tensor as = fresh(rng, new long[] {m, 2 * k + 3}, Values.NORMAL).slice(1, 3, 2 * k + 3, 2);
        Tensor bs = fresh(rng, new long[] {3 * k, n + 5}, Values.NORMAL).slice(0, 1, 3 * k, 3).narrow(1, 2, n);
        Tensor be = fresh(rng, new long[] {1, k, n}, Values.NORMAL).expand(4, k, n);
        Tensor ab = fresh(rng, new long[] {4, m, k}, Values.NORMAL);
        for (Tensor[] p : new Tensor[][] {{at, b}, {a, bt}, {at, bt}, {as, b}, {a, bs}, {as, bt}, {at, bs}, {ab, be}, {ab.mT().mT(), bt}}) {
            checkSum(backend, "matmul " + d(p[0]) + " · " + d(p[1]), () -> p[0].matmul(p[1]), () -> p[0].abs().matmul(p[1].abs()));
        }
        checkSum(backend, "attention-like q·kᵀ of views", () -> ab.matmul(ab.mT()), () -> ab.abs().matmul(ab.abs().mT()));
    }

    @ParameterizedTest(name = "{0}, seed {1}")
    @MethodSource("backendsAndSeeds")
    void linear(String backend, long seed) {
        assumeParity(backend);
        Rng rng = new Rng(seed);
        for (int rep = 0; rep < 12; rep++) {
            long in = positiveSize(rng);
            long out = positiveSize(rng);
            long[] lead = shape(rng, 0, 2, 200);
            long[] xs = Arrays.copyOf(lead, lead.length + 1);
            xs[lead.length] = in;
            Tensor x = make(rng, xs, Values.NORMAL);
            Tensor w = make(rng, new long[] {out, in}, List.of(Arrangement.CONTIGUOUS, Arrangement.MT, Arrangement.STEPPED).get(rng.nextInt(3)), Values.NORMAL);
            Tensor b = rep % 3 == 0 ? null : make(rng, new long[] {out}, Values.NORMAL);
            checkSum(backend, "linear " + d(x) + " · " + d(w) + "ᵀ" + (b == null ? "" : " + " + d(b)),
                    () -> LinearAlgebra.linear(x, w, b),
                    () -> LinearAlgebra.linear(x.abs(), w.abs(), b == null ? null : b.abs()));
        }
    }

    // ================================================================ softmax and layer norm

    @ParameterizedTest(name = "{0}, seed {1}")
    @MethodSource("backendsAndSeeds")
    void softmax(String backend, long seed) {
        assumeParity(backend);
        Rng rng = new Rng(seed);
        for (int rep = 0; rep < 8; rep++) {
            long[] s = shape(rng, 0, 4, 3000);
            Tensor x = make(rng, s, rep % 2 == 0 ? Values.WIDE : Values.NORMAL);
            for (int dd = 0; dd < Math.max(1, s.length); dd++) {
                int dim = s.length == 0 || rng.nextInt(2) == 0 ? dd : dd - s.length;
                check(backend, "softmax of " + d(x) + " over " + dim, () -> NN.softmax(x, dim));
                check(backend, "log_softmax of " + d(x) + " over " + dim, () -> NN.logSoftmax(x, dim));
            }
        }
        // attention masks: -inf entries (never a whole row) along the last dimension
        long rows = 1 + rng.nextInt(40);
        long len = 1 + rng.nextInt(140);
        float[] data = new float[Math.toIntExact(rows * len)];
        for (int i = 0; i < data.length; i++) {
            data[i] = i % len != 0 && rng.nextInt(3) == 0 ? Float.NEGATIVE_INFINITY : (float) rng.nextGaussian() * 4;
        }
        Tensor masked = Tensor.of(data, rows, len);
        check(backend, "softmax with -inf of " + d(masked), () -> masked.softmax(-1));
        check(backend, "log_softmax with -inf of " + d(masked), () -> masked.logSoftmax(-1));
        Tensor maskedT = masked.mT();
        check(backend, "softmax with -inf of " + d(maskedT) + " over 0", () -> maskedT.softmax(0));
    }

    @ParameterizedTest(name = "{0}, seed {1}")
    @MethodSource("backendsAndSeeds")
    void layerNorm(String backend, long seed) {
        assumeParity(backend);
        Rng rng = new Rng(seed);
        for (int rep = 0; rep < 12; rep++) {
            long[] norm = rep % 4 == 3 ? new long[] {positiveSize(rng), positiveSize(rng)} : new long[] {positiveSize(rng)};
            if (Shapes.numel(norm) > 3000) {
                norm = new long[] {norm[0]};
            }
            long[] lead = shape(rng, 0, 2, Math.max(1, 3000 / Shapes.numel(norm)));
            long[] xs = Arrays.copyOf(lead, lead.length + norm.length);
            System.arraycopy(norm, 0, xs, lead.length, norm.length);
            double offset = rep % 3 == 0 ? 5 : 0;
            Tensor x0 = make(rng, xs, Values.NORMAL);
            Tensor x = offset == 0 ? x0 : x0.add(offset);
            Tensor w = rep % 2 == 0 ? null : make(rng, norm, Values.NORMAL);
            Tensor b = rep % 4 < 2 ? null : make(rng, norm, Values.NORMAL);
            double eps = rep % 5 == 0 ? 1e-6 : 1e-5;
            long[] ns = norm;
            int k = norm.length;
            Supplier<List<Tensor>> op = () -> {
                NN.LayerNormResult r = NN.layerNorm(x, ns, w, b, eps, true);
                return List.of(r.output(), r.mean(), r.rstd(), NN.layerNorm(x, ns, w, b, eps, false).output());
            };
            Supplier<List<Tensor>> magnitude = () -> {
                Tensor m = layerNormMagnitude(x, ns, w, b, eps);
                Tensor meanAbs = Reductions.mean(x.abs(), k == 1 ? new int[] {-1} : new int[] {-2, -1}, false);
                return Arrays.asList(m, meanAbs, null, m);
            };
            checkAll(Backends.get(backend), "layer_norm of " + d(x) + " over " + Shapes.str(norm) + (w == null ? "" : " weight")
                    + (b == null ? "" : " bias") + " eps " + eps, op, magnitude, RTOL);
        }
    }

    /** {@code |x|·rstd·|w| + |b|}: the size of the terms whose difference layer_norm computes. */
    static Tensor layerNormMagnitude(Tensor x, long[] normalizedShape, Tensor w, Tensor b, double eps) {
        Tensor rstd = NN.layerNorm(x, normalizedShape, null, null, eps, true).rstd();
        for (int i = 0; i < normalizedShape.length; i++) {
            rstd = rstd.unsqueeze(-1);
        }
        Tensor m = x.abs().mul(rstd);
        if (w != null) {
            m = m.mul(w.abs());
        }
        return b == null ? m : m.add(b.abs());
    }

    // ================================================================ indexing and joining

    private static Tensor indexVector(Rng rng, long length, long bound, boolean strided) {
        long[] v = new long[Math.toIntExact(strided ? 2 * length : length)];
        for (int i = 0; i < v.length; i++) {
            v[i] = rng.nextInt(Math.toIntExact(bound));
        }
        Tensor t = rng.nextInt(2) == 0 ? Tensor.ofLongs(v) : Tensor.ofLongs(v).to(DType.I32);
        return strided ? t.slice(0, 0, v.length, 2) : t;
    }

    @ParameterizedTest(name = "{0}, seed {1}")
    @MethodSource("backendsAndSeeds")
    void indexSelectIndexAddEmbedding(String backend, long seed) {
        assumeParity(backend);
        Rng rng = new Rng(seed);
        for (int rep = 0; rep < 10; rep++) {
            long[] s = shape(rng, 1, 3, 3000);
            for (int i = 0; i < s.length; i++) {
                s[i] = Math.max(1, s[i]);
            }
            Tensor src = make(rng, s, Values.NORMAL);
            int dim = rng.nextInt(s.length) - (rng.nextInt(2) == 0 ? 0 : s.length);
            int dd = Shapes.dim(dim, s.length);
            long len = new long[] {0, 1, 5, 17, 40}[rng.nextInt(5)];
            Tensor index = indexVector(rng, len, s[dd], rng.nextInt(2) == 0);
            check(backend, "index_select of " + d(src) + " along " + dim + " at " + d(index), () -> NN.indexSelect(src, dim, index));
            long[] ss = s.clone();
            ss[dd] = len;
            Tensor add = make(rng, ss, Values.NORMAL);
            Tensor dst = make(rng, s, Values.NORMAL);
            checkSum(backend, "index_add into " + d(dst) + " along " + dim + " of " + d(add) + " at " + Arrays.toString(index.toLongArray()),
                    () -> NN.indexAdd(dst, dim, index, add), () -> NN.indexAdd(dst.abs(), dim, index, add.abs()));
        }
        // heavy repetition: every source row lands on one of two destination rows
        Tensor dst = fresh(rng, new long[] {2, 129}, Values.NORMAL);
        Tensor add = fresh(rng, new long[] {300, 129}, Values.NORMAL);
        Tensor idx = indexVector(rng, 300, 2, false);
        checkSum(backend, "index_add with 300 repeats", () -> NN.indexAdd(dst, 0, idx, add), () -> NN.indexAdd(dst.abs(), 0, idx, add.abs()));
        Tensor table = make(rng, new long[] {50, 17}, Values.NORMAL);
        Tensor ids = indexVector(rng, 24, 50, false).view(4, 6);
        check(backend, "embedding of " + d(table) + " at [4, 6]", () -> NN.embedding(table, ids));
        Tensor one = Tensor.ofLongs(new long[] {7}).view();
        check(backend, "embedding at a 0-d id", () -> NN.embedding(table, one));
        Tensor none = Tensor.ofInts(new int[0]).view(0, 3);
        check(backend, "embedding at [0, 3] ids", () -> NN.embedding(table, none));
    }

    @ParameterizedTest(name = "{0}, seed {1}")
    @MethodSource("backendsAndSeeds")
    void catStackSplit(String backend, long seed) {
        assumeParity(backend);
        Rng rng = new Rng(seed);
        for (int rep = 0; rep < 10; rep++) {
            long[] s = shape(rng, 1, 4, 1500);
            int dim = rng.nextInt(s.length);
            int pieces = 1 + rng.nextInt(4);
            List<Tensor> parts = new ArrayList<>();
            StringBuilder desc = new StringBuilder();
            for (int p = 0; p < pieces; p++) {
                long[] ps = s.clone();
                ps[dim] = new long[] {0, 1, 3, 7, s[dim]}[rng.nextInt(5)];
                Tensor t = make(rng, ps, Values.NORMAL);
                parts.add(t);
                desc.append(' ').append(d(t));
            }
            int negDim = rng.nextInt(2) == 0 ? dim : dim - s.length;
            check(backend, "cat along " + negDim + " of" + desc, () -> Join.cat(negDim, parts));
            List<Tensor> same = new ArrayList<>();
            for (int p = 0; p < pieces; p++) {
                same.add(make(rng, s, Values.NORMAL));
            }
            int sd = rng.nextInt(s.length + 1);
            check(backend, "stack along " + sd + " of " + pieces + " × " + Shapes.str(s), () -> Join.stack(sd, same));
            Tensor x = make(rng, s, Values.NORMAL);
            long size = 1 + rng.nextInt(5);
            checkAll(Backends.get(backend), "split " + d(x) + " by " + size + " along " + dim,
                    () -> Join.split(x, size, dim).stream().map(Tensor::contiguous).toList(), null, RTOL);
            int chunks = 1 + rng.nextInt(4);
            checkAll(Backends.get(backend), "chunk " + d(x) + " in " + chunks + " along " + dim,
                    () -> Join.chunk(x, chunks, dim).stream().map(Tensor::clone).toList(), null, RTOL);
        }
        Tensor mixed = Join.cat(0, Tensor.of(new float[] {1, 2}), Tensor.of(new double[] {3}));
        check(backend, "cat of F32 and F64", () -> Join.cat(0, Tensor.of(new float[] {1, 2}), Tensor.of(new double[] {3})));
        assertEquals(DType.F64, mixed.dtype());
    }

    // ================================================================ convolution

    @ParameterizedTest(name = "{0}, seed {1}")
    @MethodSource("backendsAndSeeds")
    void conv2dAndPatchEmbed(String backend, long seed) {
        assumeParity(backend);
        Rng rng = new Rng(seed);
        int done = 0;
        while (done < 10) {
            int n = 1 + rng.nextInt(2);
            int c = 1 + 2 * rng.nextInt(2);
            int h = 5 + rng.nextInt(6);
            int w = 5 + rng.nextInt(6);
            int o = 1 + rng.nextInt(4);
            int kh = 1 + rng.nextInt(3);
            int kw = 1 + rng.nextInt(3);
            NN.Conv2dParams p = done % 4 == 3
                    ? NN.Conv2dParams.of(kh, 0) // the patch path, when the kernel is square
                    : new NN.Conv2dParams(1 + rng.nextInt(2), 1 + rng.nextInt(2), rng.nextInt(3), rng.nextInt(3), 1 + rng.nextInt(2),
                            1 + rng.nextInt(2));
            if (done % 4 == 3) {
                kw = kh;
            }
            long oh = Math.floorDiv(h + 2 * p.padH() - p.dilationH() * (kh - 1) - 1, p.strideH()) + 1;
            long ow = Math.floorDiv(w + 2 * p.padW() - p.dilationW() * (kw - 1) - 1, p.strideW()) + 1;
            if (oh <= 0 || ow <= 0) {
                continue;
            }
            done++;
            Tensor x = rng.nextInt(2) == 0
                    ? make(rng, new long[] {n, c, h, w}, Values.NORMAL)
                    : fresh(rng, new long[] {n, h, w, c}, Values.NORMAL).permute(0, 3, 1, 2); // NHWC storage
            Tensor wt = make(rng, new long[] {o, c, kh, kw}, List.of(Arrangement.CONTIGUOUS, Arrangement.OFFSET, Arrangement.MT).get(rng.nextInt(3)), Values.NORMAL);
            Tensor b = rng.nextInt(2) == 0 ? null : make(rng, new long[] {o}, Values.NORMAL);
            checkSum(backend, "conv2d " + d(x) + " * " + d(wt) + (b == null ? "" : " + bias") + " " + p,
                    () -> NN.conv2d(x, wt, b, p), () -> NN.conv2d(x.abs(), wt.abs(), b == null ? null : b.abs(), p));
        }
        for (int rep = 0; rep < 3; rep++) {
            int k = 2 + rng.nextInt(3);
            Tensor x = make(rng, new long[] {1 + rng.nextInt(2), 3, 4 * k + rng.nextInt(k), 3 * k + rng.nextInt(k)}, Values.NORMAL);
            Tensor wt = make(rng, new long[] {5 + rng.nextInt(20), 3, k, k}, Values.NORMAL);
            checkSum(backend, "patch_embed " + d(x) + " * " + d(wt), () -> NN.patchEmbed(x, wt), () -> NN.patchEmbed(x.abs(), wt.abs()));
        }
    }

    // ================================================================ copies, fills, in-place updates

    @ParameterizedTest(name = "{0}, seed {1}")
    @MethodSource("backendsAndSeeds")
    void copyAndFill(String backend, long seed) {
        assumeParity(backend);
        Rng rng = new Rng(seed);
        List<Arrangement> writable = List.of(Arrangement.CONTIGUOUS, Arrangement.TRANSPOSED, Arrangement.MT, Arrangement.STEPPED, Arrangement.OFFSET);
        for (int rep = 0; rep < 12; rep++) {
            long[] s = shape(rng, 0, 4, 3000);
            Arrangement dl = writable.get(rng.nextInt(writable.size()));
            long layoutSeed = rng.nextLong();
            Tensor src = make(rng, rep % 2 == 0 ? s : broadcastable(rng, s), Values.NORMAL);
            Supplier<Tensor> dst = () -> laidOut(new Rng(layoutSeed), s, dl, Tensor::zeros);
            check(backend, "copy_ " + d(src) + " into a " + dl + " view of " + Shapes.str(s), () -> {
                Tensor t = dst.get();
                t.copy_(src);
                return whole(t);
            });
            double v = rng.nextGaussian();
            check(backend, "fill_ " + v + " into a " + dl + " view of " + Shapes.str(s), () -> {
                Tensor t = dst.get();
                t.fill_(v);
                return whole(t);
            });
            check(backend, "contiguous() of " + d(src), src::contiguous);
            check(backend, "clone() of " + d(src), src::clone);
            for (DType dt : List.of(DType.F16, DType.BF16, DType.I32, DType.I64, DType.F64)) {
                check(backend, "to(" + dt + ") of " + d(src), () -> src.to(dt));
                check(backend, "to(" + dt + ") and back of " + d(src), () -> src.to(dt).to(DType.F32));
            }
            check(backend, "fill_ of an I64 view", () -> {
                Tensor t = laidOut(new Rng(layoutSeed), s, dl, sh -> Tensor.zeros(DType.I64, sh));
                t.fill_(-7);
                return whole(t);
            });
        }
        // overlapping source and destination storage is not supported; disjoint halves of one storage are
        Tensor base = fresh(rng, new long[] {2, 17, 9}, Values.NORMAL);
        check(backend, "copy_ between two halves of one storage", () -> {
            Tensor t = base.clone();
            t.select(0, 1).mT().copy_(t.select(0, 0).mT());
            return t;
        });
    }

    @ParameterizedTest(name = "{0}, seed {1}")
    @MethodSource("backendsAndSeeds")
    void inPlaceUpdates(String backend, long seed) {
        assumeParity(backend);
        Rng rng = new Rng(seed);
        for (BinaryOp op : BinaryOp.values()) {
            Values v = op == BinaryOp.POW ? Values.POSITIVE : op.isComparison() ? Values.TIES : Values.NORMAL;
            long[] s = shape(rng, 0, 4, 3000);
            Tensor x = make(rng, s, rng.nextInt(2) == 0 ? Arrangement.CONTIGUOUS : Arrangement.OFFSET, v);
            Tensor other = make(rng, broadcastable(rng, s), op == BinaryOp.DIV ? Values.POSITIVE : op == BinaryOp.POW ? Values.NORMAL : v);
            String name = op.name().toLowerCase() + "_";
            check(backend, name + " of " + d(x) + " with " + d(other), () -> x.clone().apply_(op, other));
            check(backend, name + " of " + d(x) + " with itself (aliased output)", () -> {
                Tensor t = x.clone();
                return t.apply_(op, t);
            });
        }
        Tensor x = make(rng, shape(rng, 1, 3, 3000), Values.NORMAL);
        check(backend, "add_(2.5) then mul_(-0.5)", () -> x.clone().add_(2.5).mul_(-0.5));
        Tensor nc = make(rng, new long[] {3, 5}, Arrangement.MT, Values.NORMAL);
        check(backend, "add_ on a non-contiguous tensor (an error)", () -> nc.add_(Tensor.ones(3, 5)));
    }

    // ================================================================ larger inputs (vector and thread paths)

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void largerInputs(String backend) {
        assumeParity(backend);
        Rng rng = new Rng(77);
        Tensor x = fresh(rng, new long[] {3, 129, 257}, Values.NORMAL);
        Tensor row = fresh(rng, new long[] {257}, Values.NORMAL);
        check(backend, "add [3, 129, 257] + [257]", () -> x.add(row));
        check(backend, "mul of a transposed [3, 257, 129] with itself", () -> x.mT().mul(x.mT().contiguous()));
        check(backend, "gelu [3, 129, 257]", x::gelu);
        check(backend, "exp [3, 129, 257]", x::exp);
        check(backend, "sigmoid of a transposed [3, 257, 129]", () -> x.mT().sigmoid());
        checkSum(backend, "sum [3, 129, 257] over 1", () -> x.sum(1), () -> x.abs().sum(1));
        checkSum(backend, "sum [3, 129, 257] over 0 and 2", () -> x.sum(new int[] {0, 2}, false), () -> x.abs().sum(new int[] {0, 2}, false));
        checkSum(backend, "sum of all [3, 129, 257]", x::sum, () -> x.abs().sum());
        check(backend, "max [3, 129, 257] over 2", () -> x.max(new int[] {2}, false));
        check(backend, "argmax [3, 129, 257] over 1", () -> x.argmax(1, false));
        check(backend, "softmax [3, 129, 257] over -1", () -> x.softmax(-1));
        check(backend, "softmax [3, 129, 257] over 1", () -> x.softmax(1));
        Tensor ln = fresh(rng, new long[] {64, 768}, Values.NORMAL);
        Tensor g = fresh(rng, new long[] {768}, Values.NORMAL);
        checkSum(backend, "layer_norm [64, 768]", () -> NN.layerNorm(ln, g, g, 1e-5), () -> layerNormMagnitude(ln, new long[] {768}, g, g, 1e-5));
        Tensor a = fresh(rng, new long[] {131, 257}, Values.NORMAL);
        Tensor b = fresh(rng, new long[] {257, 129}, Values.NORMAL);
        checkSum(backend, "matmul [131, 257] · [257, 129]", () -> a.matmul(b), () -> a.abs().matmul(b.abs()));
        checkSum(backend, "matmul of transposed [129, 257] · [257, 131]", () -> b.mT().matmul(a.mT()), () -> b.abs().mT().matmul(a.abs().mT()));
        Tensor q = fresh(rng, new long[] {2, 4, 50, 64}, Values.NORMAL);
        checkSum(backend, "batched q·kᵀ [2, 4, 50, 64]", () -> q.matmul(q.transpose(-1, -2)), () -> q.abs().matmul(q.abs().transpose(-1, -2)));
    }

    // ================================================================ device-resident tensors

    /** The device of the backend the running comparison selected (the host for reference and cpu). */
    private static Device here() {
        return Backends.current().device();
    }

    /**
     * The same ops with every input moved to the backend's device first ({@code .to(device)}) and
     * the results brought back with {@code .cpu()}: device tensors as inputs, device views
     * (transposed, sliced, broadcast) of them, a device index, device outputs written in place,
     * and conversions on the device. On host backends both moves are no-ops.
     */
    @ParameterizedTest(name = "{0}, seed {1}")
    @MethodSource("backendsAndSeeds")
    void deviceResidentInputs(String backend, long seed) {
        assumeParity(backend);
        Rng rng = new Rng(seed);
        for (int rep = 0; rep < 4; rep++) {
            long[] s = shape(rng, 1, 4, 2000);
            Tensor x = make(rng, s, Values.NORMAL);
            Tensor y = make(rng, broadcastable(rng, s), Values.NORMAL);
            String dx = d(x);
            check(backend, "device gelu of " + dx, () -> x.to(here()).gelu().cpu());
            check(backend, "device add of " + dx + " and " + d(y), () -> x.to(here()).add(y.to(here())).cpu());
            check(backend, "device add of " + dx + " and a host " + d(y), () -> x.to(here()).add(y).cpu());
            check(backend, "device mul of a device view " + dx, () -> {
                Tensor dev = x.to(here());
                return dev.mT().mul(dev.mT()).cpu();
            });
            checkSum(backend, "device sum of " + dx + " over 0", () -> x.to(here()).sum(0).cpu(), () -> x.abs().sum(0));
            check(backend, "device max of all " + dx, () -> x.to(here()).max().cpu());
            check(backend, "device argmax of " + dx + " over -1", () -> x.to(here()).argmax(-1, false).cpu());
            check(backend, "device softmax of " + dx + " over 0", () -> x.to(here()).softmax(0).cpu());
            checkSum(backend, "device layer_norm of " + dx, () -> NN.layerNorm(x.to(here()), null, null, 1e-5).cpu(),
                    () -> layerNormMagnitude(x, new long[] {x.size(-1)}, null, null, 1e-5));
            check(backend, "device where of " + dx, () -> {
                Tensor dev = x.to(here());
                return Pointwise.where(dev.gt(0), dev, y.to(here())).cpu();
            });
            for (DType dt : List.of(DType.F16, DType.BF16, DType.I32, DType.I64, DType.F64)) {
                check(backend, "device to(" + dt + ") of " + dx + " and back", () -> {
                    Tensor moved = x.to(dt).to(here());
                    return moved.cpu().to(DType.F32);
                });
                check(backend, "device " + dt + " to float32 of " + dx, () -> x.to(dt).to(here()).to(DType.F32).cpu());
            }
        }
        Tensor a = fresh(rng, new long[] {37, 19}, Values.NORMAL);
        Tensor b = fresh(rng, new long[] {23, 19}, Values.NORMAL);
        checkSum(backend, "device matmul of [37, 19] · a transposed device [23, 19]",
                () -> a.to(here()).matmul(b.to(here()).mT()).cpu(), () -> a.abs().matmul(b.abs().mT()));
        Tensor batch = fresh(rng, new long[] {3, 9, 11}, Values.NORMAL);
        checkSum(backend, "device batched q·kᵀ of [3, 9, 11]", () -> {
            Tensor q = batch.to(here());
            return q.matmul(q.mT()).cpu();
        }, () -> batch.abs().matmul(batch.abs().mT()));
        Tensor table = fresh(rng, new long[] {40, 13}, Values.NORMAL);
        Tensor ids = indexVector(rng, 30, 40, true);
        check(backend, "device index_select with a device index " + d(ids), () -> NN.indexSelect(table.to(here()), 0, ids.to(here())).cpu());
        Tensor rows = fresh(rng, new long[] {30, 13}, Values.NORMAL);
        checkSum(backend, "device index_add with a host index", () -> NN.indexAdd(table.to(here()), 0, ids, rows.to(here())).cpu(),
                () -> NN.indexAdd(table.abs(), 0, ids, rows.abs()));
        List<Arrangement> writable = List.of(Arrangement.CONTIGUOUS, Arrangement.TRANSPOSED, Arrangement.MT, Arrangement.STEPPED,
                Arrangement.OFFSET);
        for (Arrangement dl : writable) {
            long[] s = {5, 7, 3};
            long layoutSeed = rng.nextLong();
            Tensor src = make(rng, s, Values.NORMAL);
            double v = rng.nextGaussian();
            check(backend, "device copy_ of a host " + d(src) + " into a " + dl + " device view", () -> {
                Tensor t = laidOut(new Rng(layoutSeed), s, dl, sh -> Tensor.zeros(sh).to(here()));
                t.copy_(src);
                return whole(t).cpu();
            });
            check(backend, "device copy_ of a device " + d(src) + " into a " + dl + " device view", () -> {
                Tensor t = laidOut(new Rng(layoutSeed), s, dl, sh -> Tensor.zeros(sh).to(here()));
                t.copy_(src.to(here()));
                return whole(t).cpu();
            });
            check(backend, "device fill_ " + v + " of a " + dl + " device view", () -> {
                Tensor t = laidOut(new Rng(layoutSeed), s, dl, sh -> Tensor.zeros(sh).to(here()));
                t.fill_(v);
                return whole(t).cpu();
            });
            check(backend, "device in-place add_ of a " + dl + " device view (contiguous only)", () -> {
                Tensor t = laidOut(new Rng(layoutSeed), s, dl, sh -> Tensor.ones(sh).to(here()));
                return t.add_(src.to(here())).cpu();
            });
        }
    }

    // ================================================================ matmul with a fused epilogue

    /** {@code a · b} with the epilogue, through the backend the inputs select (a test front-end for the SPI method). */
    static Tensor matmulEpilogue(Tensor a, Tensor b, Epilogue e) {
        Backend be = Backends.forOp(DType.F32, a, b, e.scale(), e.rowScale(), e.residual());
        long[] shape = a.shape().clone();
        shape[shape.length - 1] = b.size(-1);
        Tensor out = Tensor.empty(be.device(), DType.F32, shape);
        be.matmul(a, b, out, e);
        return out;
    }

    /** The epilogue of the given parts; {@code alpha} and {@code beta} are taken in absolute value for magnitudes. */
    private static Epilogue epilogue(double alpha, Tensor scale, Tensor rowScale, double beta, Tensor residual) {
        Epilogue.Builder b = Epilogue.builder().alpha(alpha).scale(scale).rowScale(rowScale).residual(residual);
        return residual == null ? b.build() : b.beta(beta).build();
    }

    @ParameterizedTest(name = "{0}, seed {1}")
    @MethodSource("backendsAndSeeds")
    void matmulWithEpilogue(String backend, long seed) {
        assumeParity(backend);
        Rng rng = new Rng(seed);
        double[] betas = {1, 0.5, 0, -2};
        for (int rep = 0; rep < 2; rep++) {
            long m = new long[] {1, 3, 17, 70, 129}[rng.nextInt(5)];
            long k = new long[] {1, 5, 16, 33, 70}[rng.nextInt(5)];
            long n = new long[] {1, 7, 40, 65}[rng.nextInt(4)];
            long[] lead = rep == 0 ? new long[0] : new long[] {2};
            Tensor a = make(rng, concat(lead, m, k), Values.NORMAL);
            Tensor b = make(rng, concat(lead, k, n), Values.NORMAL);
            for (int parts = 0; parts < 16; parts++) {
                boolean withScale = (parts & 1) != 0;
                boolean withRows = (parts & 2) != 0;
                boolean withResidual = (parts & 4) != 0;
                double alpha = (parts & 8) != 0 ? -0.75 : 1;
                double beta = betas[(parts + rep) % betas.length];
                Tensor s = withScale ? fresh(rng, parts % 3 == 0 ? new long[0] : new long[] {1}, Values.NORMAL) : null;
                Tensor rows = withRows ? make(rng, new long[] {m}, Values.NORMAL) : null;
                Tensor r = withResidual ? make(rng, concat(lead, m, n), Values.NORMAL) : null;
                String what = "matmul " + d(a) + " · " + d(b) + " with alpha " + alpha + (withScale ? ", scale " + d(s) : "")
                        + (withRows ? ", row scale " + d(rows) : "") + (withResidual ? ", beta " + beta + ", residual " + d(r) : "");
                checkAll(Backends.get(backend), what, () -> List.of(matmulEpilogue(a, b, epilogue(alpha, s, rows, beta, r))),
                        () -> List.of(matmulEpilogue(a.abs(), b.abs(), epilogue(Math.abs(alpha), abs(s), abs(rows), Math.abs(beta), abs(r)))),
                        RTOL);
            }
            Tensor s = fresh(rng, new long[] {1}, Values.NORMAL);
            Tensor rows = fresh(rng, new long[] {m}, Values.NORMAL);
            Tensor r = fresh(rng, concat(lead, m, n), Values.NORMAL);
            checkAll(Backends.get(backend), "matmul with every epilogue part, inputs on the device", () -> {
                Device dev = here();
                return List.of(matmulEpilogue(a.to(dev), b.to(dev), epilogue(2, s.to(dev), rows.to(dev), 1, r.to(dev))).cpu());
            }, () -> List.of(matmulEpilogue(a.abs(), b.abs(), epilogue(2, s.abs(), rows.abs(), 1, r.abs()))), RTOL);
        }
        // a residual that is the left operand itself, as in the R-Adapter update x + s·x·Wᵀ
        Tensor x = fresh(rng, new long[] {10, 16}, Values.NORMAL);
        Tensor w = fresh(rng, new long[] {16, 16}, Values.NORMAL);
        Tensor s = Tensor.full(0.1, 1);
        check(backend, "matmul x · Wᵀ with x as the residual", () -> matmulEpilogue(x, w.mT(), epilogue(1, s, null, 1, x)));
        check(backend, "matmul epilogue with a row scale of the wrong length (an error)",
                () -> matmulEpilogue(x, w, Epilogue.builder().rowScale(Tensor.ones(3)).build()));
        check(backend, "matmul epilogue with a residual of the wrong shape (an error)",
                () -> matmulEpilogue(x, w, Epilogue.builder().residual(Tensor.ones(16, 10)).build()));
        check(backend, "matmul epilogue with a scale of two elements (an error)",
                () -> matmulEpilogue(x, w, Epilogue.scaled(Tensor.ones(2))));
    }

    private static long[] concat(long[] lead, long... tail) {
        long[] all = Arrays.copyOf(lead, lead.length + tail.length);
        System.arraycopy(tail, 0, all, lead.length, tail.length);
        return all;
    }

    // ================================================================ the R-Adapter op, composed in NN over the epilogue

    /** The R-Adapter forward: {@link NN#adapter} when x is the residual, else the epilogue it is built on. */
    static Tensor adapterForward(Tensor x, Tensor w, Tensor s, Tensor mask, Tensor residual) {
        if (residual == null) {
            return NN.adapter(x, w, s, mask);
        }
        return matmulEpilogue(x, w.mT(), Epilogue.builder().scale(s).rowScale(mask).residual(residual).build());
    }

    /** The R-Adapter backward: [grad x, grad W, grad s], each null unless asked for. */
    static List<Tensor> adapterBackward(Tensor x, Tensor w, Tensor s, Tensor mask, boolean residualIsX, Tensor gy, boolean wantX,
            boolean wantW, boolean wantS) {
        return Arrays.asList(NN.adapterBackward(x, w, s, mask, residualIsX, gy, wantX, wantW, wantS));
    }

    private static Tensor abs(Tensor t) {
        return t == null ? null : t.abs();
    }

    @ParameterizedTest(name = "{0}, seed {1}")
    @MethodSource("backendsAndSeeds")
    void adapterOps(String backend, long seed) {
        assumeParity(backend);
        Rng rng = new Rng(seed);
        for (int rep = 0; rep < 8; rep++) {
            long n = new long[] {1, 3, 17, 77, 129}[rng.nextInt(5)];
            long d = new long[] {1, 5, 16, 33, 70}[rng.nextInt(5)];
            boolean square = rep % 2 == 0;
            long dOut = square ? d : new long[] {1, 7, 40}[rng.nextInt(3)];
            Tensor x = make(rng, new long[] {n, d}, List.of(Arrangement.CONTIGUOUS, Arrangement.MT, Arrangement.OFFSET).get(rng.nextInt(3)),
                    Values.NORMAL);
            Tensor w = make(rng, new long[] {dOut, d}, List.of(Arrangement.CONTIGUOUS, Arrangement.MT, Arrangement.STEPPED).get(rng.nextInt(3)),
                    Values.NORMAL);
            Tensor s = rep % 3 == 0 ? fresh(rng, new long[0], Values.NORMAL) : fresh(rng, new long[] {1}, Values.NORMAL);
            Tensor mask = null;
            if (rep % 4 != 1) {
                float[] m = new float[(int) n];
                for (int i = 0; i < n; i++) {
                    m[i] = rng.nextInt(5) == 0 ? 0f : 1f / 0.8f;
                }
                mask = Tensor.of(m);
            }
            Tensor residual = square && rep % 4 == 0 ? null : make(rng, new long[] {n, dOut}, Values.NORMAL);
            boolean residualIsX = residual == null;
            Tensor gy = make(rng, new long[] {n, dOut}, Values.NORMAL);
            Tensor mk = mask;
            String what = "adapter x " + d(x) + ", W " + d(w) + ", s " + d(s) + (mk == null ? ", no mask" : ", mask")
                    + (residualIsX ? ", residual x" : ", residual " + d(residual));
            checkAll(Backends.get(backend), what + " forward", () -> List.of(adapterForward(x, w, s, mk, residual)),
                    () -> List.of(adapterForward(x.abs(), w.abs(), s.abs(), abs(mk), abs(residual))), RTOL);
            boolean wantX = rep % 5 != 2;
            boolean wantW = rep % 5 != 3;
            boolean wantS = rep % 5 != 4;
            checkAll(Backends.get(backend), what + " backward" + (wantX ? " gx" : "") + (wantW ? " gW" : "") + (wantS ? " gs" : ""),
                    () -> adapterBackward(x, w, s, mk, residualIsX, gy, wantX, wantW, wantS),
                    () -> adapterBackward(x.abs(), w.abs(), s.abs(), abs(mk), residualIsX, gy.abs(), wantX, wantW, wantS), RTOL);
            checkAll(Backends.get(backend), what + " forward and backward on the device", () -> {
                Device dev = here();
                Tensor dmask = mk == null ? null : mk.to(dev);
                Tensor dres = residual == null ? null : residual.to(dev);
                List<Tensor> out = new ArrayList<>();
                out.add(adapterForward(x.to(dev), w.to(dev), s.to(dev), dmask, dres).cpu());
                for (Tensor g : adapterBackward(x.to(dev), w.to(dev), s.to(dev), dmask, residualIsX, gy.to(dev), true, true, true)) {
                    out.add(g.cpu());
                }
                return out;
            }, () -> {
                List<Tensor> out = new ArrayList<>();
                out.add(adapterForward(x.abs(), w.abs(), s.abs(), abs(mk), abs(residual)));
                out.addAll(adapterBackward(x.abs(), w.abs(), s.abs(), abs(mk), residualIsX, gy.abs(), true, true, true));
                return out;
            }, RTOL);
        }
        // the adapter's real orientation: tokens of [B, L, D] flattened to rows, a zero-initialised f.weight
        Tensor h = fresh(rng, new long[] {2 * 5, 16}, Values.NORMAL);
        Tensor zero = Tensor.zeros(16, 16);
        Tensor s = Tensor.full(0.1, 1);
        check(backend, "a fresh adapter is the identity", () -> adapterForward(h, zero, s, null, null));
        Tensor bad = fresh(rng, new long[] {7, 16}, Values.NORMAL);
        check(backend, "adapter with a non-square weight and no residual (an error)", () -> adapterForward(h, bad, s, null, null));
        check(backend, "adapter with a mask of the wrong length (an error)", () -> adapterForward(h, zero, s, Tensor.ones(3), null));
    }

    // ================================================================ behaviour with one right answer, on every backend

    @ParameterizedTest(name = "{0}")
    @MethodSource("allBackends")
    void nanPropagates(String backend) {
        try (var ignored = Backends.use(backend)) {
            for (int len : new int[] {1, 5, 8, 17, 1031}) {
                for (int at : new int[] {0, len / 2, len - 1}) {
                    float[] data = new float[len];
                    for (int i = 0; i < len; i++) {
                        data[i] = i - len / 3f;
                    }
                    data[at] = Float.NaN;
                    Tensor x = Tensor.of(data);
                    String where = backend + ", length " + len + ", NaN at " + at;
                    assertTrue(Double.isNaN(x.max().item()), where + ": max");
                    assertTrue(Double.isNaN(x.min().item()), where + ": min");
                    assertTrue(Double.isNaN(x.sum().item()), where + ": sum");
                    assertTrue(Double.isNaN(x.view(1, len).max(new int[] {1}, false).item()), where + ": max over a dim");
                    assertTrue(Double.isNaN(x.view(len, 1).mT().min(new int[] {1}, true).item()), where + ": min of a view");
                    assertEquals(at, x.argmax(0, false).item(), where + ": argmax is the NaN");
                    assertEquals(at, x.argmin(0, false).item(), where + ": argmin is the NaN");
                    assertTrue(Double.isNaN(x.relu().get(at)), where + ": relu");
                    assertTrue(Double.isNaN(x.maximum(Tensor.zeros(len)).get(at)), where + ": maximum(x, 0)");
                    assertTrue(Double.isNaN(Tensor.zeros(len).maximum(x).get(at)), where + ": maximum(0, x)");
                    assertTrue(Double.isNaN(x.minimum(1e30).get(at)), where + ": minimum(x, big)");
                    assertTrue(Double.isNaN(Pointwise.clamp(x, -1, 1).get(at)), where + ": clamp");
                    Tensor relu = x.relu();
                    for (int i = 0; i < len; i++) {
                        if (i != at) {
                            assertEquals(Math.max(data[i], 0), relu.get(i), 0.0, where + ": relu elsewhere");
                        }
                    }
                }
            }
            Tensor m = Tensor.of(new float[] {1, Float.NaN, 3, 4, 5, 6}, 2, 3);
            assertArrayEquals(new long[] {1, 0, 1}, Tensor.of(new float[] {0, Float.NaN, 2, Float.NaN, 9, 9}, 2, 3).argmax(0, false).toLongArray());
            double[] colMax = m.max(new int[] {0}, false).toDoubleArray();
            assertEquals(4, colMax[0]);
            assertTrue(Double.isNaN(colMax[1]));
            assertEquals(6, colMax[2]);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("allBackends")
    void argmaxTakesTheFirstOfTies(String backend) {
        try (var ignored = Backends.use(backend)) {
            for (int len : new int[] {1, 3, 8, 16, 17, 1031}) {
                Tensor same = Tensor.full(2.5, len);
                assertEquals(0, same.argmax(0, false).item(), backend + ": all equal, length " + len);
                assertEquals(0, same.argmin(0, false).item(), backend + ": all equal, length " + len);
                if (len < 8) {
                    continue;
                }
                float[] data = new float[len];
                int p1 = len / 4;
                int p2 = len - 1;
                int q1 = len / 4 + 1;
                int q2 = len / 2 + 1;
                data[p1] = 7;
                data[p2] = 7;
                data[q1] = -7;
                data[q2] = -7;
                Tensor x = Tensor.of(data);
                assertEquals(p1, x.argmax(0, false).item(), backend + ": maximum at " + p1 + " and " + p2);
                assertEquals(q1, x.argmin(0, false).item(), backend + ": minimum at " + q1 + " and " + q2);
                Tensor rows = x.view(1, len).expand(3, len);
                assertArrayEquals(new long[] {p1, p1, p1}, rows.argmax(1, false).toLongArray());
                assertArrayEquals(new long[] {q1, q1, q1}, rows.mT().contiguous().argmin(0, false).toLongArray());
            }
            Tensor m = Tensor.of(new float[] {1, 3, 3, 2, 2, 1}, 2, 3);
            assertArrayEquals(new long[] {1, 0}, m.argmax(1, false).toLongArray());
            assertArrayEquals(new long[] {0, 2}, m.argmin(1, false).toLongArray());
            assertArrayEquals(new long[] {1, 0, 0}, m.argmax(0, false).toLongArray());
            assertArrayEquals(new long[] {0, 1, 1}, m.argmin(0, false).toLongArray());
            assertArrayEquals(new long[] {1, 0, 0}, m.mT().argmax(1, false).toLongArray(), "ties along a strided dimension");
            Tensor e = Tensor.of(new float[] {1, 1, 1, 1}, 1, 4).expand(3, 4);
            assertArrayEquals(new long[] {0, 0, 0}, e.argmax(1, false).toLongArray(), "ties in a stride-0 view");
            assertArrayEquals(new long[] {0, 0, 0, 0}, e.argmax(0, false).toLongArray());
        }
    }

    @Test
    void referenceMatchesHandComputedValues() {
        try (var ignored = Backends.use("reference")) {
            Tensor a = Tensor.of(new float[] {1, 2, 3, 4}, 2, 2);
            assertArrayEquals(new double[] {7, 10, 15, 22}, a.matmul(a).toDoubleArray());
            assertArrayEquals(new double[] {2, 4, 6, 8}, a.add(a).toDoubleArray());
            assertArrayEquals(new double[] {4, 6}, a.sum(0).toDoubleArray());
            assertArrayEquals(new double[] {1, 1}, a.argmax(1, false).toDoubleArray());
            double[] sm = Tensor.of(new float[] {0, (float) Math.log(3)}).softmax(0).toDoubleArray();
            assertEquals(0.25, sm[0], 1e-7);
            assertEquals(0.75, sm[1], 1e-7);
            assertEquals(0.8413447460685429, Tensor.of(new double[] {1}).gelu().item(), 1e-15);
            double[] ln = NN.layerNorm(Tensor.of(new float[] {-1, 1}), null, null, 0).toDoubleArray();
            assertArrayEquals(new double[] {-1, 1}, ln, 1e-6);
        }
    }

    // ================================================================ the harness itself

    @Test
    void toleranceRule() {
        assertTrue(matches(1.0, 1.0 + 9e-6, 0, RTOL));
        assertFalse(matches(1.0, 1.0 + 2e-5, 0, RTOL));
        assertTrue(matches(0.0, 9e-6, 0, RTOL), "near zero the rule is absolute");
        assertFalse(matches(0.0, 2e-5, 0, RTOL));
        assertTrue(matches(1e6, 1e6 + 9, 0, RTOL), "large values: relative");
        assertFalse(matches(1e6, 1e6 + 11, 0, RTOL));
        assertTrue(matches(0.5, 0.5 + 9e-4, 100, RTOL), "sums: relative to the magnitude of the terms");
        assertFalse(matches(0.5, 0.5 + 2e-3, 100, RTOL));
        assertTrue(matches(Double.NaN, Double.NaN, 0, RTOL));
        assertFalse(matches(Double.NaN, 0, 0, RTOL));
        assertFalse(matches(0, Double.NaN, 0, RTOL));
        assertTrue(matches(Double.NEGATIVE_INFINITY, Double.NEGATIVE_INFINITY, 0, RTOL));
        assertFalse(matches(Double.POSITIVE_INFINITY, 3.4e38, 0, RTOL));
        assertFalse(matches(Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, 0, RTOL));
        assertTrue(matches(0.0, -0.0, 0, RTOL));
    }

    /** A backend that is reference with one deliberate defect, to prove the harness notices. */
    private static Backend skewed(UnaryOp broken, boolean throwOnMatmul) {
        Backend ref = Backends.reference();
        return new Backend() {
            @Override public String name() { return "skewed-test-backend"; }
            @Override public int priority() { return -1; }
            @Override public boolean supports(DType dtype) { return dtype == DType.F32; }
            @Override public void copy(Tensor src, Tensor dst) { ref.copy(src, dst); }
            @Override public void fill(Tensor dst, double value) { ref.fill(dst, value); }
            @Override public void unary(UnaryOp op, Tensor x, Tensor out) {
                ref.unary(op, x, out);
                if (op == broken && out.numel() > 2) {
                    long[] at = unravel(2, out.shape());
                    out.set(out.get(at) * (1 + 1e-4) + 1e-4, at);
                }
            }
            @Override public void binary(BinaryOp op, Tensor a, Tensor b, Tensor out) { ref.binary(op, a, b, out); }
            @Override public void where(Tensor c, Tensor a, Tensor b, Tensor out) { ref.where(c, a, b, out); }
            @Override public void reduce(ReduceOp op, Tensor x, boolean[] dims, Tensor out) { ref.reduce(op, x, dims, out); }
            @Override public void argReduce(boolean max, Tensor x, int dim, Tensor out) { ref.argReduce(max, x, dim, out); }
            @Override public void matmul(Tensor a, Tensor b, Tensor out) {
                if (throwOnMatmul) {
                    throw new UnsupportedOperationException("deliberately broken");
                }
                ref.matmul(a, b, out);
            }
            @Override public void indexSelect(Tensor src, int dim, Tensor index, Tensor out) { ref.indexSelect(src, dim, index, out); }
            @Override public void indexAdd(Tensor dst, int dim, Tensor index, Tensor src) { ref.indexAdd(dst, dim, index, src); }
            @Override public void softmax(Tensor x, int dim, boolean log, Tensor out) { ref.softmax(x, dim, log, out); }
            @Override public void layerNorm(Tensor x, Tensor w, Tensor b, double eps, Tensor out, Tensor mean, Tensor rstd) {
                ref.layerNorm(x, w, b, eps, out, mean, rstd);
            }
        };
    }

    @Test
    void harnessCatchesADefectiveBackend() {
        FAILURES.remove(); // each mismatch must throw here
        Tensor x = Tensor.of(new float[] {0.5f, 1, 2, 3, 4}, 5);
        Backend broken = skewed(UnaryOp.EXP, true);
        AssertionFailedError e = assertThrows(AssertionFailedError.class,
                () -> checkAll(broken, "exp", () -> List.of(x.exp()), null, RTOL));
        assertTrue(e.getMessage().contains("1 of 5 elements differ") && e.getMessage().contains("at [2]"), e.getMessage());
        checkAll(broken, "tanh", () -> List.of(x.tanh()), null, RTOL); // the unbroken ops pass
        AssertionFailedError t = assertThrows(AssertionFailedError.class,
                () -> checkAll(broken, "matmul", () -> List.of(x.matmul(x)), null, RTOL));
        assertTrue(t.getMessage().contains("the backend throws where reference does not"), t.getMessage());
        // the same exception on both sides is parity
        checkAll(broken, "matmul of mismatched shapes", () -> List.of(x.matmul(Tensor.ones(4))), null, RTOL);
        AssertionFailedError shape = assertThrows(AssertionFailedError.class, () -> compare("shapes",
                List.of(Tensor.zeros(2, 3)), List.of(Tensor.zeros(3, 2)), null, RTOL));
        assertTrue(shape.getMessage().contains("shape"), shape.getMessage());
    }

    /**
     * Runs every parity case with reference standing in for the backend, so the cases themselves
     * (input construction, op coverage, exception parity) are exercised even where no other
     * backend exists. Comparing reference with itself must of course find no difference.
     */
    @Test
    void everyParityCaseRunsOnReference(TestReporter reporter) {
        String r = "reference";
        long seed = 4242;
        long before = COMPARISONS.get();
        unaryOps(r, seed);
        unaryOpsOnSpecialValues(r);
        binaryOps(r, seed);
        whereMaskedFillClamp(r, seed);
        reductions(r, seed);
        argReductions(r, seed);
        matmul(r, seed);
        linear(r, seed);
        softmax(r, seed);
        layerNorm(r, seed);
        indexSelectIndexAddEmbedding(r, seed);
        catStackSplit(r, seed);
        conv2dAndPatchEmbed(r, seed);
        copyAndFill(r, seed);
        inPlaceUpdates(r, seed);
        largerInputs(r);
        deviceResidentInputs(r, seed);
        matmulWithEpilogue(r, seed);
        adapterOps(r, seed);
        long n = COMPARISONS.get() - before;
        reporter.publishEntry("comparisons per seed", Long.toString(n));
        assertTrue(n > 800, "only " + n + " comparisons: the cases have become vacuous");
    }
}
