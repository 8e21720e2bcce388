package radapter.tensor.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import radapter.tensor.Backend;
import radapter.tensor.Backends;
import radapter.tensor.BinaryOp;
import radapter.tensor.DType;
import radapter.tensor.Join;
import radapter.tensor.LinearAlgebra;
import radapter.tensor.NN;
import radapter.tensor.Pointwise;
import radapter.tensor.ReduceOp;
import radapter.tensor.Reductions;
import radapter.tensor.Rng;
import radapter.tensor.Tensor;
import radapter.tensor.UnaryOp;

/** The cpu backend's kernels against the reference backend, edge cases included. */
class CpuKernelsTest {

    private static final double RTOL = 1e-5;
    private static final double ATOL = 1e-6;

    // ------------------------------------------------------------------ helpers

    /** Runs {@code f} on the reference backend and on cpu; returns {reference, cpu}. */
    private static Tensor[] both(Supplier<Tensor> f) {
        Tensor ref;
        Tensor cpu;
        try (var ignored = Backends.use("reference")) {
            ref = f.get();
        }
        try (var ignored = Backends.use("cpu")) {
            cpu = f.get();
        }
        return new Tensor[] {ref, cpu};
    }

    private static void check(String what, Supplier<Tensor> f) {
        check(what, f, RTOL, ATOL);
    }

    private static void check(String what, Supplier<Tensor> f, double rtol, double atol) {
        Tensor[] r = both(f);
        assertClose(what, r[0], r[1], rtol, atol);
    }

    static void assertClose(String what, Tensor expected, Tensor actual, double rtol, double atol) {
        assertArrayEquals(expected.shape(), actual.shape(), what + ": shape");
        assertEquals(expected.dtype(), actual.dtype(), what + ": dtype");
        if (expected.dtype() == DType.I64 || expected.dtype() == DType.I32) {
            assertArrayEquals(expected.toLongArray(), actual.toLongArray(), what);
            return;
        }
        float[] e = expected.toFloatArray();
        float[] a = actual.toFloatArray();
        for (int i = 0; i < e.length; i++) {
            float x = e[i];
            float y = a[i];
            if (Float.isNaN(x) && Float.isNaN(y) || x == y) {
                continue;
            }
            if (!(Math.abs(x - y) <= atol + rtol * Math.abs(x))) {
                fail(what + ": element " + i + " expected " + x + " but cpu gave " + y);
            }
        }
    }

    private static Tensor randn(long seed, double scale, long... shape) {
        return Tensor.randn(new Rng(seed), shape).mul(scale);
    }

    /** {@code values} repeated {@code times} times (23 values: each lands in vector lanes and in a scalar tail). */
    private static Tensor repeated(int times, float[] values) {
        float[] data = new float[values.length * times];
        for (int i = 0; i < data.length; i++) {
            data[i] = values[i % values.length];
        }
        return Tensor.of(data);
    }

    /** Inputs of one shape in many layouts: contiguous, transposed, sliced with a step, broadcast. */
    private static List<Tensor> layouts(long seed) {
        List<Tensor> xs = new ArrayList<>();
        for (long n : new long[] {1, 3, 17, 33, 100}) {
            xs.add(randn(seed + n, 2, n));
        }
        xs.add(randn(seed, 2, 7, 9).mT());                              // transposed
        xs.add(randn(seed + 1, 2, 6, 40).slice(1, 1, 40, 3));           // step 3
        xs.add(randn(seed + 2, 2, 1, 37).expand(5, 37));                // stride-0 rows
        xs.add(randn(seed + 3, 2, 5, 1).expand(5, 37));                 // stride-0 columns
        xs.add(randn(seed + 4, 2, 3, 4, 5).permute(2, 0, 1));            // permuted 3-D
        xs.add(Tensor.scalar(-1.25));                                    // 0-d
        xs.add(Tensor.zeros(4, 0, 3));                                   // empty
        xs.add(repeated(3, new float[] {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 0f, -0f,
            1e-40f, -1e-40f, 100f, -100f, 30f, -30f, 9f, -9f, 0.5f, -0.5f, 1e-7f, -1e-7f, 1e20f, -1e20f, 3e38f, -3e38f, 15f, -15f}));
        return xs;
    }

    // ------------------------------------------------------------------ backend

    @Test
    void backendIsRegisteredAndAvailable() {
        Backend cpu = Backends.get("cpu");
        assertTrue(cpu.isAvailable(), cpu.unavailableReason());
        assertEquals(10, cpu.priority());
        assertTrue(cpu.supports(DType.F32));
        assertTrue(!cpu.supports(DType.F64));
    }

    // ------------------------------------------------------------------ element-wise

    @Test
    void unaryOpsMatchReferenceInEveryLayout() {
        for (UnaryOp op : UnaryOp.values()) {
            for (Tensor x : layouts(11)) {
                check(op + " " + x, () -> Pointwise.unary(op, x));
            }
        }
    }

    @Test
    void unaryOpsOnLongRowsAndSpecialRanges() {
        Tensor big = randn(5, 4, 1_000_003);
        check("GELU 1000003", () -> Pointwise.unary(UnaryOp.GELU, big));
        Tensor wide = Tensor.arange(-120, 100, 0.0137);
        for (UnaryOp op : UnaryOp.values()) {
            // The reference's 1 + tanh(u) cancels to 0 in double below x ≈ -7, so tiny GELU_TANH values are not comparable.
            check(op + " wide range", () -> Pointwise.unary(op, wide), 3e-6, op == UnaryOp.GELU_TANH ? 1e-14 : 1e-30);
        }
        Tensor logs = Tensor.of(new float[] {1e-45f, 1e-38f, 1.1754942e-38f, 1e-30f, 0.7f, 1f, 1.0000001f, 1.4142135f, 1.4142137f,
            2f, 3e38f, Float.MAX_VALUE, 0.99999994f, 123.456f, -1f, 0f, -0f});
        check("log special", () -> logs.log(), 2e-6, 0);
    }

    @Test
    void geluIsRelativelyAccurateInTheNegativeTail() {
        Tensor x = Tensor.arange(-13, 0, 0.001);
        Tensor[] r = both(x::gelu);
        float[] e = r[0].toFloatArray();
        float[] a = r[1].toFloatArray();
        for (int i = 0; i < e.length; i++) {
            if (Math.abs(e[i]) > 1e-36) {
                assertTrue(Math.abs(a[i] - e[i]) <= 2e-6 * Math.abs(e[i]), "gelu(" + x.get(i) + "): " + e[i] + " vs " + a[i]);
            }
        }
    }

    @Test
    void reluPropagatesNaN() {
        Tensor x = Tensor.of(new float[] {Float.NaN, -1, 2, -0f, Float.NaN, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, Float.NaN});
        try (var ignored = Backends.use("cpu")) {
            float[] y = x.relu().toFloatArray();
            assertTrue(Float.isNaN(y[0]) && Float.isNaN(y[4]) && Float.isNaN(y[18]));
            assertEquals(0f, y[1]);
            assertEquals(2f, y[2]);
        }
    }

    @Test
    void binaryOpsWithBroadcastPatterns() {
        Tensor a = randn(21, 3, 37, 45);
        Tensor rowVec = randn(22, 3, 45);
        Tensor colVec = randn(23, 3, 37, 1);
        Tensor scalar = Tensor.scalar(0.75);
        Tensor aT = randn(24, 3, 45, 37).mT();
        Tensor aStep = randn(25, 3, 37, 90).slice(1, 0, 90, 2);
        Tensor zeroD = Tensor.scalar(-2);
        Tensor special = Tensor.of(new float[] {Float.NaN, 1, -0f, 0f, Float.POSITIVE_INFINITY, 2, 2, -3, 5, 7, 8, 9, 1, 2, 3, 4, 5, Float.NaN});
        Tensor special2 = Tensor.of(new float[] {1, Float.NaN, 0f, -0f, 3, Float.NEGATIVE_INFINITY, 2, -3, 4, 7, 9, 8, 1, 2, 3, 4, 6, 0});
        Tensor positive = a.abs().add(0.5);
        for (BinaryOp op : BinaryOp.values()) {
            Tensor base = op == BinaryOp.POW ? positive : a;
            check(op + " same shape", () -> Pointwise.binary(op, base, aT));
            check(op + " bias [N,D]+[D]", () -> Pointwise.binary(op, base, rowVec));
            check(op + " [D]+[N,D]", () -> Pointwise.binary(op, rowVec.abs(), base));
            check(op + " [N,D]*[N,1]", () -> Pointwise.binary(op, base, colVec));
            check(op + " scalar right", () -> Pointwise.binary(op, base, scalar));
            check(op + " scalar left", () -> Pointwise.binary(op, scalar, base));
            check(op + " sliced", () -> Pointwise.binary(op, aStep.abs(), base));
            check(op + " 0-d", () -> Pointwise.binary(op, zeroD, scalar));
            check(op + " empty", () -> Pointwise.binary(op, Tensor.zeros(0, 3), Tensor.ones(3)));
            check(op + " specials", () -> Pointwise.binary(op, special, special2));
        }
        check("ADD odd 1000003", () -> Pointwise.binary(BinaryOp.ADD, randn(26, 1, 1_000_003), Tensor.scalar(0.25)));
    }

    @Test
    void whereAndMaskedFill() {
        Tensor x = randn(31, 1, 4, 50, 50);
        Tensor mask = randn(32, 1, 4, 1, 50).gt(0.0);
        check("maskedFill broadcast mask", () -> x.maskedFill(mask, Double.NEGATIVE_INFINITY));
        Tensor cond = Tensor.of(new float[] {Float.NaN, 0, -0f, 1, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 3});
        Tensor p = randn(33, 1, 19);
        Tensor q = randn(34, 1, 19);
        check("where NaN cond", () -> Pointwise.where(cond, p, q));
        check("where transposed", () -> Pointwise.where(randn(35, 1, 20, 17).mT(), randn(36, 1, 17, 20), Tensor.scalar(3)));
        check("where 0-d", () -> Pointwise.where(Tensor.scalar(0), Tensor.scalar(1), Tensor.scalar(2)));
    }

    @Test
    void copyAndFillOnStridedViews() {
        Tensor t = randn(41, 1, 33, 65);
        check("contiguous of transposed", () -> t.mT().contiguous());
        check("contiguous of sliced", () -> t.slice(1, 3, 60, 4).contiguous());
        check("batched transpose", () -> randn(45, 1, 3, 70, 45).transpose(1, 2).contiguous());
        check("4-D permute", () -> randn(46, 1, 2, 3, 33, 7).permute(0, 2, 3, 1).contiguous());
        check("transpose of sliced", () -> randn(47, 1, 40, 90).slice(1, 0, 90, 2).mT().contiguous());
        check("cat", () -> Join.cat(1, t, t.mT().contiguous().mT(), randn(42, 1, 33, 1)));
        check("expand copy", () -> randn(43, 1, 1, 65).expand(33, 65).contiguous());
        check("fill strided", () -> {
            Tensor z = Tensor.zeros(17, 19);
            z.mT().slice(0, 1, 19, 2).fill_(2.5);
            return z;
        });
        check("fill 0-d and empty", () -> {
            Tensor z = Tensor.zeros(3);
            z.select(0, 1).fill_(7);
            Tensor.zeros(0, 4).fill_(1);
            return z;
        });
        check("copy broadcast into transposed dst", () -> {
            Tensor z = Tensor.zeros(20, 30);
            z.mT().copy_(randn(44, 1, 30, 1));
            return z;
        });
    }

    // ------------------------------------------------------------------ reductions

    @Test
    void reductionsOverDimensionSets() {
        List<Tensor> xs = List.of(
                randn(51, 1, 4, 5, 6),
                randn(52, 1, 6, 5, 4).permute(2, 1, 0),
                randn(53, 1, 4, 1, 6),
                randn(54, 1, 4, 5, 12).slice(2, 0, 12, 2),
                randn(55, 1, 1, 5, 1).expand(4, 5, 6),
                randn(56, 1, 4, 5, 6).mul(1000).add(5));
        int[][] dimSets = {{}, {0}, {1}, {2}, {0, 2}, {0, 1}, {1, 2}, {0, 1, 2}, {-1}};
        for (ReduceOp op : ReduceOp.values()) {
            for (Tensor x : xs) {
                for (int[] dims : dimSets) {
                    for (boolean keep : new boolean[] {false, true}) {
                        check(op + " " + java.util.Arrays.toString(dims) + " of " + x, () -> Reductions.reduce(op, x, dims, keep));
                    }
                }
            }
        }
    }

    @Test
    void reductionEdgeCases() {
        check("sum over empty dim", () -> Tensor.zeros(3, 0, 4).sum(new int[] {1}, false));
        check("sum empty kept dim", () -> Tensor.zeros(3, 0, 4).sum(new int[] {2}, true));
        check("sum of 0-d", () -> Tensor.scalar(4).sum());
        check("sum of empty", () -> Tensor.zeros(0).sum());
        Tensor big = randn(61, 1, 1_000_003).add(0.5);
        check("sum 1000003", big::sum, 2e-6, 0);
        check("max 1000003", big::max);
        check("column sums", () -> randn(62, 1, 3001, 77).add(1).sum(new int[] {0}, false), 2e-6, 1e-6);
        check("column sums wide", () -> randn(63, 1, 300, 2500).sum(new int[] {0}, false), 2e-6, 2e-5);
        check("column sums one outer", () -> randn(64, 1, 100_000, 3).sum(new int[] {0}, false), 2e-6, 2e-4);
        check("column max", () -> randn(65, 1, 301, 77).max(new int[] {0}, false));
        check("3-D middle", () -> randn(66, 1, 8, 500, 20).sum(new int[] {1}, false), 2e-6, 2e-5);
        check("mean/var", () -> randn(67, 1, 30, 40).var(new int[] {1}, false));
        check("big rows", () -> randn(68, 1, 3, 200_001).sum(new int[] {1}, false), 2e-6, 1e-4);
        check("expanded sum", () -> randn(69, 1, 5, 1).expand(5, 1000).sum(new int[] {1}, false));
        // Reduce with no dimension flagged: called directly, a copy.
        Tensor x = randn(70, 1, 3, 4).mT();
        Tensor[] r = both(() -> {
            Tensor out = Tensor.empty(DType.F32, 4, 3);
            Backends.current().reduce(ReduceOp.SUM, x, new boolean[] {false, false}, out);
            return out;
        });
        assertClose("no dims", r[0], r[1], RTOL, ATOL);
        Tensor nan = randn(71, 1, 50, 40);
        nan.set(Float.NaN, 17, 3);
        nan.set(Float.NaN, 49, 39);
        for (ReduceOp op : ReduceOp.values()) {
            check(op + " NaN rows", () -> Reductions.reduce(op, nan, new int[] {1}, false));
            check(op + " NaN cols", () -> Reductions.reduce(op, nan, new int[] {0}, false));
            check(op + " NaN all", () -> Reductions.reduce(op, nan, new int[] {}, false));
        }
    }

    @Test
    void argmaxArgmin() {
        Tensor ties = Tensor.of(new float[] {1, 3, 3, 0, 3, -5, -5, 2, 1, 3, 3, 0, 3, -5, -5, 2, 1, 3, 3, 0, 3, -5, -5, 2}, 3, 8);
        Tensor nan = Tensor.of(new float[] {1, 3, Float.NaN, 0, 3, Float.NaN, -5, 2, 1, 3, 3, 0, 3, -5, -5, 2,
            1, 3, 3, 0, 3, -5, -5, 2, 9, 9, 9, 9, 9, 9, 9, Float.NaN, 1, 2}, 34);
        Tensor negZero = Tensor.of(new float[] {-0f, 0f, -0f, 0f, -0f, 0f, -0f, 0f, -0f, 0f, -0f, 0f, -0f, 0f, -0f, 0f, -0f, 0f});
        List<Tensor> xs = List.of(ties, nan, negZero, ties.mT(), randn(81, 1, 7, 300), randn(82, 1, 300, 7).mT(),
                randn(83, 1, 2, 3, 100).permute(2, 0, 1), Tensor.scalar(1).reshape(1), randn(84, 1, 1, 100_003));
        for (Tensor x : xs) {
            for (int d = 0; d < x.dim(); d++) {
                int dim = d;
                check("argmax " + dim + " " + x, () -> x.argmax(dim, false));
                check("argmin " + dim + " " + x, () -> x.argmin(dim, true));
            }
        }
    }

    // ------------------------------------------------------------------ softmax, layer norm

    @Test
    void softmaxAndLogSoftmax() {
        Tensor scores = randn(91, 3, 2, 3, 19, 197);
        Tensor masked = randn(92, 3, 4, 50).maskedFill(randn(93, 1, 4, 50).gt(0.5), Double.NEGATIVE_INFINITY);
        Tensor allMasked = Tensor.full(Double.NEGATIVE_INFINITY, 2, 20);
        Tensor withNaN = randn(94, 1, 3, 20);
        withNaN.set(Float.NaN, 1, 7);
        List<Tensor> xs = List.of(scores, masked, allMasked, withNaN, randn(95, 5, 3, 17).mT(), randn(96, 1, 4, 5, 6),
                Tensor.scalar(3), randn(97, 1, 1), randn(98, 30, 100_003), Tensor.zeros(0, 5));
        for (Tensor x : xs) {
            for (int d = 0; d < Math.max(x.dim(), 1); d++) {
                int dim = d;
                if (x.numel() > 100_000 && dim != x.dim() - 1) {
                    continue;
                }
                check("softmax " + dim + " " + x, () -> NN.softmax(x, dim));
                check("logSoftmax " + dim + " " + x, () -> NN.logSoftmax(x, dim), RTOL, 1e-5);
            }
        }
    }

    @Test
    void layerNorm() {
        Tensor x = randn(101, 2, 37, 768).add(0.3);
        Tensor w = randn(102, 1, 768);
        Tensor b = randn(103, 1, 768);
        check("layerNorm w b", () -> NN.layerNorm(x, w, b, 1e-5));
        check("layerNorm none", () -> NN.layerNorm(x, null, null, 1e-5));
        check("layerNorm w only", () -> NN.layerNorm(x, w, null, 1e-6));
        check("layerNorm strided weight", () -> NN.layerNorm(x, randn(104, 1, 768, 2).select(1, 1), b, 1e-5));
        check("layerNorm offset", () -> NN.layerNorm(randn(105, 0.01, 5, 100).add(1000), w.narrow(0, 0, 100), null, 1e-5), 1e-3, 1e-4);
        check("layerNorm odd", () -> NN.layerNorm(randn(106, 1, 3, 4, 17), null, randn(107, 1, 17), 1e-5));
        check("layerNorm 1 wide", () -> NN.layerNorm(randn(108, 1, 3, 1), null, null, 1e-5));
        check("layerNorm empty", () -> NN.layerNorm(Tensor.zeros(0, 8), null, null, 1e-5));
        for (int k = 0; k < 3; k++) {
            int which = k;
            check("layerNorm stats " + k, () -> {
                NN.LayerNormResult res = NN.layerNorm(randn(109, 1, 6, 33), new long[] {33}, null, null, 1e-5, true);
                return which == 0 ? res.output() : which == 1 ? res.mean() : res.rstd();
            });
        }
        // A transposed (strided-row) input, called on the backend directly.
        Tensor xt = randn(110, 1, 40, 12).mT();
        Tensor[] r = both(() -> {
            Tensor out = Tensor.empty(DType.F32, 12, 40);
            Tensor mean = Tensor.empty(DType.F32, 12);
            Tensor rstd = Tensor.empty(DType.F32, 12);
            Backends.current().layerNorm(xt, null, null, 1e-5, out, mean, rstd);
            return Join.cat(1, out, mean.unsqueeze(1), rstd.unsqueeze(1));
        });
        assertClose("layerNorm strided rows", r[0], r[1], RTOL, ATOL);
    }

    // ------------------------------------------------------------------ index ops

    @Test
    void indexSelectAndAdd() {
        Tensor table = randn(111, 1, 50, 33);
        Tensor ids64 = Tensor.ofLongs(new long[] {3, 0, 49, 3, 3, 17});
        Tensor ids32 = Tensor.ofInts(new int[] {2, 2, 0, 4});
        Tensor idsStrided = Tensor.ofLongs(new long[] {1, 9, 4, 9, 0, 9}).slice(0, 0, 6, 2);
        check("embedding", () -> NN.embedding(table, ids64));
        check("select dim 1", () -> NN.indexSelect(randn(112, 1, 3, 5, 7), 1, ids32));
        check("select dim 2 transposed", () -> NN.indexSelect(randn(113, 1, 7, 5, 3).permute(2, 1, 0), 2, ids32));
        check("select strided index", () -> NN.indexSelect(table, 0, idsStrided));
        check("select irregular inner", () -> NN.indexSelect(randn(114, 1, 6, 50, 4).permute(1, 0, 2).slice(1, 0, 6, 2), 0, ids64));
        check("select empty index", () -> NN.indexSelect(table, 0, Tensor.ofLongs(new long[0])));
        check("select big", () -> NN.indexSelect(table, 0, Tensor.arange(DType.I64, 0, 50, 1).reshape(-1).narrow(0, 0, 50)));
        check("add repeated", () -> NN.indexAdd(Tensor.zeros(50, 33), 0, ids64, randn(115, 1, 6, 33)));
        check("add dim 1", () -> NN.indexAdd(randn(116, 1, 3, 5, 7), 1, ids32, randn(117, 1, 3, 4, 7)));
        check("add transposed src", () -> NN.indexAdd(randn(118, 1, 4, 5), 1, ids32, randn(119, 1, 4, 4).mT()));
        check("add irregular src", () -> NN.indexAdd(Tensor.zeros(5, 3, 4), 0, ids32, randn(120, 1, 3, 4, 8).permute(1, 0, 2).slice(2, 0, 8, 2)));
        check("add wide", () -> NN.indexAdd(Tensor.zeros(5, 10_000), 0, ids32, randn(121, 1, 4, 10_000)));
    }

    // ------------------------------------------------------------------ matmul

    @Test
    void matmulLayouts() {
        Tensor a = randn(131, 1, 17, 33);
        Tensor b = randn(132, 1, 33, 9);
        check("2-D", () -> a.matmul(b), 1e-4, 1e-5);
        check("transposed", () -> randn(133, 1, 33, 17).mT().matmul(randn(134, 1, 9, 33).mT()), 1e-4, 1e-5);
        check("batched", () -> randn(135, 1, 4, 17, 33).matmul(randn(136, 1, 4, 33, 9)), 1e-4, 1e-5);
        check("broadcast b", () -> randn(137, 1, 2, 3, 17, 33).matmul(b), 1e-4, 1e-5);
        check("broadcast both", () -> randn(138, 1, 2, 1, 17, 33).matmul(randn(139, 1, 1, 3, 33, 9)), 1e-4, 1e-5);
        check("permuted batches", () -> randn(140, 1, 3, 17, 2, 33).permute(2, 0, 1, 3).matmul(randn(141, 1, 2, 3, 33, 9)), 1e-4, 1e-5);
        check("vector", () -> randn(142, 1, 33).matmul(b), 1e-4, 1e-5);
        check("matrix-vector", () -> a.matmul(randn(143, 1, 33)), 1e-4, 1e-5);
        check("K = 0", () -> Tensor.zeros(4, 0).matmul(Tensor.zeros(0, 5)));
        check("M = 0", () -> Tensor.zeros(0, 3).matmul(Tensor.zeros(3, 5)));
        check("linear", () -> LinearAlgebra.linear(randn(144, 1, 2, 5, 33), randn(145, 1, 9, 33), randn(146, 1, 9)), 1e-4, 1e-5);
    }
}
