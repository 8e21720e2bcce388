package radapter.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;

/**
 * The {@code reference} backend against values computed by hand (or by an independent naive loop
 * in this file), so that the yardstick of the parity suite is itself checked. Every test runs with
 * {@code Backends.use("reference")}.
 */
@SuppressWarnings("try") // try-with-resources used only for its close()
class ReferenceBackendTest {
    private Backends.Selection selection;

    @BeforeEach
    void useReference() {
        selection = Backends.use("reference");
    }

    @AfterEach
    void restore() {
        selection.close();
    }

    private static Tensor m(int rows, int cols, float... values) {
        return Tensor.of(values, rows, cols);
    }

    private static void close(double[] expected, Tensor actual, double tol) {
        double[] a = actual.toDoubleArray();
        assertEquals(expected.length, a.length, () -> "numel of " + actual);
        for (int i = 0; i < a.length; i++) {
            int k = i;
            assertEquals(expected[i], a[i], tol, () -> "element " + k + " of " + actual);
        }
    }

    @Test
    void isRegisteredAndSupportsEveryDtype() {
        Backend ref = Backends.reference();
        assertEquals("reference", ref.name());
        assertTrue(ref.isAvailable());
        assertTrue(Backends.available().contains(ref));
        for (DType d : DType.values()) {
            assertTrue(ref.supports(d), d.name());
        }
        assertEquals(ref, Backends.current());
        assertEquals(ref, Backends.forDtype(DType.F64));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Backends.get("no-such-backend"));
        assertTrue(e.getMessage().contains("unknown backend 'no-such-backend'") && e.getMessage().contains("reference"), e.getMessage());
    }

    @Test
    void useRestoresThePreviousSelection() {
        Backend before = Backends.current();
        try (var ignored = Backends.use("reference")) {
            assertEquals("reference", Backends.current().name());
        }
        assertEquals(before, Backends.current());
    }

    // ---------------------------------------------------------------- matmul, linear

    @Test
    void smallMatmul() {
        Tensor a = m(3, 2, 1, 2, 3, 4, 5, 6);
        Tensor b = m(2, 3, 1, 0, -1, 2, 1, 0);
        Tensor c = a.matmul(b);
        assertArrayEquals(new long[] {3, 3}, c.shape());
        assertArrayEquals(new double[] {5, 2, -1, 11, 4, -3, 17, 6, -5}, c.toDoubleArray());
        // the same product through transposed storage
        assertArrayEquals(c.toDoubleArray(), m(2, 3, 1, 3, 5, 2, 4, 6).mT().matmul(m(3, 2, 1, 2, 0, 1, -1, 0).mT()).toDoubleArray());
    }

    @Test
    void matmulRankRules() {
        Tensor dot = Tensor.of(new float[] {1, 2, 3}).matmul(Tensor.of(new float[] {4, 5, 6}));
        assertEquals(0, dot.dim());
        assertEquals(32, dot.item());
        Tensor sq = m(2, 2, 1, 2, 3, 4);
        Tensor ones = Tensor.ones(2);
        assertArrayEquals(new double[] {3, 7}, sq.matmul(ones).toDoubleArray());
        assertArrayEquals(new double[] {4, 6}, ones.matmul(sq).toDoubleArray());
        Tensor batch = Tensor.of(new float[] {1, 0, 0, 1, 2, 0, 0, 2}, 2, 2, 2);
        Tensor out = batch.matmul(sq);
        assertArrayEquals(new long[] {2, 2, 2}, out.shape());
        assertArrayEquals(new double[] {1, 2, 3, 4, 2, 4, 6, 8}, out.toDoubleArray());
        // batch [2, 1] x [3] broadcast to [2, 3]
        Tensor a4 = Tensor.of(new float[] {1, 0, 0, 1, 2, 0, 0, 2}, 2, 1, 2, 2);
        Tensor b3 = Tensor.of(new float[] {1, 1, 1, 1, 1, 2, 3, 4, 0, 1, 1, 0}, 3, 2, 2);
        Tensor o4 = a4.matmul(b3);
        assertArrayEquals(new long[] {2, 3, 2, 2}, o4.shape());
        assertArrayEquals(new double[] {6, 8}, o4.select(0, 1).select(0, 1).select(0, 1).toDoubleArray());
        assertArrayEquals(new double[] {0, 1}, o4.select(0, 0).select(0, 2).select(0, 0).toDoubleArray());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> sq.matmul(Tensor.ones(3, 2)));
        assertTrue(e.getMessage().contains("2 columns vs 3 rows"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Tensor.scalar(1).matmul(sq));
    }

    @Test
    void linearWithAndWithoutBias() {
        Tensor x = m(1, 2, 1, 2);
        Tensor w = m(3, 2, 1, 1, 2, -1, 0, 3);
        Tensor b = Tensor.of(new float[] {0.5f, 0, -1});
        assertArrayEquals(new double[] {3.5, 0, 5}, LinearAlgebra.linear(x, w, b).toDoubleArray());
        assertArrayEquals(new double[] {3, 0, 6}, LinearAlgebra.linear(x, w, null).toDoubleArray());
        assertArrayEquals(new long[] {3}, LinearAlgebra.linear(Tensor.of(new float[] {1, 2}), w, b).shape());
        Tensor x3 = Tensor.of(new float[] {1, 2, 0, 1, 1, 0, 2, 2}, 2, 2, 2);
        Tensor y3 = LinearAlgebra.linear(x3, w, b);
        assertArrayEquals(new long[] {2, 2, 3}, y3.shape());
        assertArrayEquals(new double[] {3.5, 0, 5, 1.5, -1, 2, 1.5, 2, -1, 4.5, 2, 5}, y3.toDoubleArray());
        assertThrows(IllegalArgumentException.class, () -> LinearAlgebra.linear(x, w.mT(), null));
        assertThrows(IllegalArgumentException.class, () -> LinearAlgebra.linear(x, w, Tensor.ones(2)));
    }

    // ---------------------------------------------------------------- softmax, layer norm

    @Test
    void softmaxRow() {
        Tensor x = Tensor.of(new double[] {1, 2, 3});
        close(new double[] {0.09003057317038046, 0.24472847105479764, 0.6652409557748218}, x.softmax(0), 1e-15);
        close(new double[] {-2.4076059644443806, -1.4076059644443804, -0.4076059644443804}, x.logSoftmax(-1), 1e-15);
        Tensor f = Tensor.of(new float[] {1, 2, 3});
        close(new double[] {0.09003057317038046, 0.24472847105479764, 0.6652409557748218}, f.softmax(0), 1e-7);
        // columns of a matrix, a stable shift, -inf and a 0-d input
        close(new double[] {0.11920292202211755, 0.11920292202211755, 0.8807970779778823, 0.8807970779778823},
                m(2, 2, 1, 2, 3, 4).softmax(0), 1e-7);
        close(new double[] {0.2689414213699951, 0.7310585786300049}, Tensor.of(new float[] {1000, 1001}).softmax(0), 1e-7);
        close(new double[] {-1000, 0}, Tensor.of(new double[] {0, 1000}).logSoftmax(0), 1e-12);
        close(new double[] {-10.000045398899218, -4.539889921686465e-05}, Tensor.of(new double[] {0, 10}).logSoftmax(0), 1e-15);
        close(new double[] {1, 0}, Tensor.of(new float[] {0, Float.NEGATIVE_INFINITY}).softmax(0), 0);
        assertEquals(1, Tensor.scalar(-7).softmax(0).item());
        assertEquals(0, Tensor.scalar(-7).logSoftmax(-1).item());
        assertEquals(0, Tensor.scalar(-7).softmax(0).dim());
    }

    @Test
    void layerNormRow() {
        Tensor x = Tensor.of(new double[] {1, 2, 3, 4}, 1, 4);
        close(new double[] {-1.3416354199689269, -0.447211806656309, 0.447211806656309, 1.3416354199689269},
                NN.layerNorm(x, null, null, 1e-5), 1e-14);
        Tensor w = Tensor.of(new double[] {2, 1, 0.5, -1});
        Tensor b = Tensor.of(new double[] {0, 1, 0, -1});
        close(new double[] {-2.6832708399378538, 0.552788193343691, 0.2236059033281545, -2.341635419968927},
                NN.layerNorm(x, w, b, 1e-5), 1e-14);
        NN.LayerNormResult r = NN.layerNorm(x, new long[] {4}, w, null, 1e-5, true);
        close(new double[] {-2.6832708399378538, -0.447211806656309, 0.2236059033281545, -1.3416354199689269}, r.output(), 1e-14);
        assertArrayEquals(new long[] {1}, r.mean().shape());
        assertEquals(2.5, r.mean().item(), 1e-15);
        assertEquals(0.894423613312618, r.rstd().item(), 1e-15);
        // normalised over two trailing dimensions: the same four numbers
        Tensor x22 = Tensor.of(new double[] {1, 2, 3, 4}, 2, 2);
        NN.LayerNormResult r2 = NN.layerNorm(x22, new long[] {2, 2}, null, null, 1e-5, true);
        close(new double[] {-1.3416354199689269, -0.447211806656309, 0.447211806656309, 1.3416354199689269}, r2.output(), 1e-14);
        assertEquals(0, r2.mean().dim());
        // F32 input, constant row: output 0, rstd 1/sqrt(eps)
        NN.LayerNormResult c = NN.layerNorm(Tensor.full(3, 2, 5), new long[] {5}, null, null, 1e-5, true);
        close(new double[10], c.output(), 0);
        close(new double[] {1 / Math.sqrt(1e-5), 1 / Math.sqrt(1e-5)}, c.rstd(), 1e-3);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> NN.layerNorm(x, new long[] {3}, null, null, 1e-5, false));
        assertTrue(e.getMessage().contains("normalized_shape [3]"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> NN.layerNorm(x, Tensor.ones(3), null, 1e-5));
    }

    // ---------------------------------------------------------------- activations

    @Test
    void activationsAtOne() {
        Tensor one = Tensor.of(new double[] {1.0});
        assertEquals(0.8413447460685429, one.gelu().item(), 1e-15);
        assertEquals(0.8411919906082768, one.geluTanh().item(), 1e-15);
        assertEquals(0.8457957659328212, one.quickGelu().item(), 1e-15);
        assertEquals(-0.15865525393145707, one.neg().gelu().item(), 1e-15);
        assertEquals(1.9544997361036416, Tensor.of(new double[] {2}).gelu().item(), 1e-15);
        assertEquals(0.8413447460685429, Tensor.of(new float[] {1}).gelu().item(), 1e-7);
        assertEquals(0.46211715726000974, Tensor.of(new double[] {0.5}).tanh().item(), 1e-15);
        assertEquals(0.2689414213699951, Tensor.of(new double[] {-1}).sigmoid().item(), 1e-15);
        assertEquals(0.8807970779778823, Tensor.of(new double[] {2}).sigmoid().item(), 1e-15);
        assertEquals(0, Tensor.of(new double[] {-800}).sigmoid().item(), "sigmoid is stable for large |x|");
        assertEquals(1, Tensor.of(new double[] {800}).sigmoid().item());
        assertEquals(-0.0, Tensor.of(new double[] {-40}).gelu().item(), 1e-300, "gelu of a large negative is 0, not NaN");
        assertEquals(40, Tensor.of(new double[] {40}).gelu().item());
    }

    @Test
    void elementaryUnaryOps() {
        Tensor x = Tensor.of(new double[] {-2, 0.25, 4});
        close(new double[] {2, -0.25, -4}, x.neg(), 0);
        close(new double[] {2, 0.25, 4}, x.abs(), 0);
        close(new double[] {4, 0.0625, 16}, x.square(), 0);
        close(new double[] {-0.5, 4, 0.25}, x.reciprocal(), 0);
        close(new double[] {0, 0.25, 4}, x.relu(), 0);
        Tensor p = Tensor.of(new double[] {0.25, 4});
        close(new double[] {0.5, 2}, p.sqrt(), 0);
        close(new double[] {2, 0.5}, p.rsqrt(), 0);
        close(new double[] {Math.log(0.25), Math.log(4)}, p.log(), 0);
        close(new double[] {Math.exp(0.25), Math.exp(4)}, p.exp(), 0);
        assertTrue(Double.isNaN(Tensor.of(new float[] {-1}).log().item()));
        assertEquals(Double.NEGATIVE_INFINITY, Tensor.of(new float[] {0}).log().item());
    }

    // ---------------------------------------------------------------- element-wise binary

    @Test
    void binaryOpsAndScalarForms() {
        Tensor a = Tensor.of(new float[] {1, 2, 3});
        Tensor b = Tensor.of(new float[] {3, 2, 1});
        close(new double[] {4, 4, 4}, a.add(b), 0);
        close(new double[] {-2, 0, 2}, a.sub(b), 0);
        close(new double[] {3, 4, 3}, a.mul(b), 0);
        close(new double[] {1.0 / 3, 1, 3}, a.div(b), 1e-7);
        close(new double[] {1, 4, 3}, a.pow(b), 0);
        close(new double[] {3, 2, 3}, a.maximum(b), 0);
        close(new double[] {1, 2, 1}, a.minimum(b), 0);
        close(new double[] {0, 1, 0}, a.eq(b), 0);
        close(new double[] {1, 0, 1}, a.ne(b), 0);
        close(new double[] {1, 0, 0}, a.lt(b), 0);
        close(new double[] {1, 1, 0}, a.le(b), 0);
        close(new double[] {0, 0, 1}, a.gt(b), 0);
        close(new double[] {0, 1, 1}, a.ge(b), 0);
        close(new double[] {0, 0, 1}, a.gt(2), 0);
        close(new double[] {1, 4, 9}, a.pow(2), 0);
        close(new double[] {2, 4, 8}, Pointwise.binary(BinaryOp.POW, 2, a), 0);
        close(new double[] {0, -1, -2}, Pointwise.binary(BinaryOp.SUB, 1, a), 0);
        close(new double[] {1.5, 2, 3}, Pointwise.clamp(a, 1.5, 3), 0);
        // broadcasting: [3, 1] with [3]
        Tensor col = Tensor.of(new float[] {10, 20, 30}, 3, 1);
        close(new double[] {11, 12, 13, 21, 22, 23, 31, 32, 33}, col.add(a), 0);
        assertThrows(IllegalArgumentException.class, () -> a.add(Tensor.ones(2)));
        // mixed dtypes promote: I32 + F32 -> F32, F32 + F64 -> F64
        assertEquals(DType.F32, Tensor.ofInts(new int[] {1, 2, 3}).add(a).dtype());
        assertEquals(DType.F64, a.add(Tensor.of(new double[] {1, 1, 1})).dtype());
        assertEquals(DType.F32, Tensor.ofLongs(new long[] {4}).sqrt().dtype());
        assertEquals(2, Tensor.ofLongs(new long[] {4}).sqrt().item());
    }

    @Test
    void nanPropagation() {
        Tensor a = Tensor.of(new float[] {Float.NaN, 1, Float.NaN});
        Tensor b = Tensor.of(new float[] {0, Float.NaN, Float.NaN});
        for (Tensor r : List.of(a.maximum(b), a.minimum(b), a.add(b))) {
            for (double v : r.toDoubleArray()) {
                assertTrue(Double.isNaN(v), r.toString());
            }
        }
        close(new double[] {0, 0, 0}, a.eq(b), 0);
        close(new double[] {1, 1, 1}, a.ne(b), 0);
        assertTrue(Double.isNaN(Tensor.of(new float[] {Float.NaN}).relu().item()));
        assertTrue(Double.isNaN(Tensor.of(new float[] {1, Float.NaN, 3}).max().item()));
        assertTrue(Double.isNaN(Tensor.of(new float[] {1, Float.NaN, 3}).min().item()));
        assertTrue(Double.isNaN(Pointwise.clamp(Tensor.of(new float[] {Float.NaN}), 0, 1).item()));
    }

    @Test
    void whereMaskedFill() {
        Tensor cond = Tensor.of(new float[] {1, 0, 2, 0});
        Tensor a = Tensor.of(new float[] {1, 2, 3, 4});
        close(new double[] {1, -1, 3, -1}, Pointwise.where(cond, a, Tensor.scalar(-1)), 0);
        Tensor mask = Tensor.of(new float[] {0, 1}, 2, 1);
        close(new double[] {1, 2, -9, -9}, a.view(2, 2).maskedFill(mask, -9), 0);
        close(new double[] {1, 2, 3, 4, 0, 0, 0, 0}, Pointwise.where(Tensor.of(new float[] {1, 0}, 2, 1, 1), a.view(1, 2, 2), Tensor.scalar(0)), 0);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> a.maskedFill(Tensor.ones(2, 4), 0));
        assertTrue(e.getMessage().contains("does not broadcast to the input's shape"), e.getMessage());
    }

    // ---------------------------------------------------------------- reductions

    @Test
    void reductionsOverDims() {
        Tensor t = m(2, 3, 0, 1, 2, 3, 4, 5);
        assertEquals(15, t.sum().item());
        close(new double[] {3, 5, 7}, t.sum(0), 0);
        close(new double[] {3, 12}, t.sum(-1), 0);
        assertArrayEquals(new long[] {2, 1}, t.sum(new int[] {1}, true).shape());
        assertArrayEquals(new long[] {1, 1}, t.sum(new int[] {0, 1}, true).shape());
        assertArrayEquals(new long[] {1, 1}, t.sum(new int[0], true).shape());
        close(new double[] {1, 4}, t.mean(1), 0);
        assertEquals(2.5, t.mean().item());
        close(new double[] {2, 5}, t.max(new int[] {1}, false), 0);
        close(new double[] {0, 1, 2}, t.min(new int[] {0}, false), 0);
        assertEquals(5, t.max().item());
        assertEquals(0, t.min().item());
        IllegalArgumentException dup = assertThrows(IllegalArgumentException.class, () -> t.sum(new int[] {1, -1}, false));
        assertTrue(dup.getMessage().contains("appears twice"), dup.getMessage());
        assertThrows(IllegalArgumentException.class, () -> t.sum(new int[] {2}, false));
        // 3-d: reduce the outer and inner dimensions together
        Tensor c = Tensor.arange(24).view(2, 3, 4);
        close(new double[] {60, 92, 124}, c.sum(new int[] {0, 2}, false), 0);
        close(new double[] {15, 19, 23}, c.max(new int[] {0, 2}, false), 0);
        // 0-d: reductions are the identity
        assertEquals(4, Tensor.scalar(4).sum().item());
        assertEquals(4, Tensor.scalar(4).max().item());
    }

    @Test
    void varianceWithCorrectionOneAndZero() {
        Tensor x = Tensor.of(new double[] {1, 2, 3, 4});
        assertEquals(5.0 / 3, x.var(new int[] {0}, false).item(), 1e-15);
        assertEquals(5.0 / 3, Reductions.var(x, new int[0], 1, false).item(), 1e-15);
        assertEquals(1.25, Reductions.var(x, new int[] {0}, 0, false).item(), 1e-15);
        Tensor m = Tensor.of(new double[] {1, 2, 3, 4, 6, 8}, 2, 3);
        close(new double[] {1, 4}, m.var(new int[] {1}, false), 1e-15);
        close(new double[] {2.0 / 3, 8.0 / 3}, Reductions.var(m, new int[] {1}, 0, true), 1e-15);
        assertArrayEquals(new long[] {2, 1}, Reductions.var(m, new int[] {1}, 0, true).shape());
        close(new double[] {4.5, 8, 12.5}, m.var(new int[] {0}, false), 1e-15);
        assertTrue(Double.isNaN(Tensor.of(new double[] {3}).var(new int[] {0}, false).item()), "n - correction = 0 gives NaN");
        assertEquals(0, Reductions.var(Tensor.of(new double[] {3}), new int[] {0}, 0, false).item());
    }

    @Test
    void argmaxArgminFirstOnTiesAndNan() {
        Tensor t = m(2, 3, 1, 3, 3, 2, 2, 1);
        assertArrayEquals(new long[] {1, 0}, t.argmax(1, false).toLongArray());
        assertArrayEquals(new long[] {0, 2}, t.argmin(1, false).toLongArray());
        assertArrayEquals(new long[] {1, 0, 0}, t.argmax(0, false).toLongArray());
        assertArrayEquals(new long[] {2, 1}, t.argmax(-1, true).shape());
        assertEquals(DType.I64, t.argmax(1, false).dtype());
        Tensor n = Tensor.of(new float[] {1, Float.NaN, 5, Float.NaN});
        assertEquals(1, n.argmax(0, false).item());
        assertEquals(1, n.argmin(0, false).item());
        assertEquals(0, Tensor.of(new float[] {7, 7, 7}).argmin(0, false).item());
        assertThrows(IllegalArgumentException.class, () -> Tensor.zeros(0, 2).argmax(0, false));
    }

    // ---------------------------------------------------------------- F64 stays double

    @Test
    void f64PathStaysInDoublePrecision() {
        double tiny = (1 + 1e-12) - 1; // 1.000088900582341e-12
        Tensor x = Tensor.of(new double[] {1 + 1e-12});
        Tensor d = x.sub(1.0);
        assertEquals(DType.F64, d.dtype());
        assertEquals(tiny, d.item(), 0);
        assertEquals(0, Tensor.of(new float[] {(float) (1 + 1e-12)}).sub(1.0).item(), "F32 cannot see it: the contrast");
        assertEquals(tiny, Tensor.of(new double[] {1, 1e-12, -1}).sum().item(), 1e-27);
        assertEquals(tiny, Tensor.of(new double[] {1 + 1e-12, 1}).matmul(Tensor.of(new double[] {1, -1})).item(), 0);
        assertEquals(1e-12, Tensor.of(new double[] {1e-12}).exp().sub(1.0).item(), 1e-15);
        assertEquals(DType.F64, Tensor.of(new double[] {1}).add(Tensor.of(new float[] {1})).dtype());
        Tensor sm = Tensor.of(new double[] {0, 1e-9}).softmax(0);
        assertEquals(DType.F64, sm.dtype());
        assertEquals(5e-10, sm.get(1) - sm.get(0), 1e-15);
        Tensor ln = NN.layerNorm(Tensor.of(new double[] {1, 1 + 1e-9}), null, null, 0);
        close(new double[] {-1, 1}, ln, 1e-6);
        assertEquals(tiny / 2, Tensor.of(new double[] {1 + 1e-12, 1}).mean().sub(1.0).item(), 1e-15);
        assertEquals(0.25e-24, Reductions.var(Tensor.of(new double[] {1 + 1e-12, 1}), new int[0], 0, false).item(), 1e-26);
        Tensor conv = NN.conv2d(Tensor.of(new double[] {1 + 1e-12, 1}, 1, 1, 1, 2), Tensor.of(new double[] {1, -1}, 1, 1, 1, 2), null,
                NN.Conv2dParams.of(1, 0));
        assertEquals(DType.F64, conv.dtype());
        assertEquals(tiny, conv.item(), 0);
    }

    // ---------------------------------------------------------------- indexing and joining

    @Test
    void indexSelectIndexAddEmbedding() {
        Tensor src = m(3, 2, 1, 2, 3, 4, 5, 6);
        close(new double[] {5, 6, 1, 2, 5, 6}, NN.indexSelect(src, 0, Tensor.ofLongs(new long[] {2, 0, 2})), 0);
        close(new double[] {2, 4, 6}, NN.indexSelect(src, 1, Tensor.ofInts(new int[] {1})), 0);
        assertArrayEquals(new long[] {0, 2}, NN.indexSelect(src, 0, Tensor.ofLongs(new long[0])).shape());
        Tensor sum = NN.indexAdd(Tensor.zeros(3, 2), 0, Tensor.ofInts(new int[] {0, 2, 0}), m(3, 2, 1, 1, 2, 2, 3, 3));
        close(new double[] {4, 4, 0, 0, 2, 2}, sum, 0);
        Tensor cols = NN.indexAdd(Tensor.ones(2, 3), -1, Tensor.ofLongs(new long[] {2, 2}), m(2, 2, 1, 2, 3, 4));
        close(new double[] {1, 1, 4, 1, 1, 8}, cols, 0);
        Tensor w = m(3, 2, 0, 0, 1, 1, 2, 2);
        Tensor e = NN.embedding(w, Tensor.ofInts(new int[] {2, 1, 0, 2}, 2, 2));
        assertArrayEquals(new long[] {2, 2, 2}, e.shape());
        close(new double[] {2, 2, 1, 1, 0, 0, 2, 2}, e, 0);
        assertArrayEquals(new long[] {2}, NN.embedding(w, Tensor.ofLongs(new long[] {1}).view()).shape());
        IndexOutOfBoundsException oob = assertThrows(IndexOutOfBoundsException.class,
                () -> NN.indexSelect(src, 0, Tensor.ofLongs(new long[] {0, 3})));
        assertTrue(oob.getMessage().contains("index 3 at position 1"), oob.getMessage());
        assertThrows(IndexOutOfBoundsException.class, () -> NN.indexSelect(src, 0, Tensor.ofLongs(new long[] {-1})));
        assertThrows(IllegalArgumentException.class, () -> NN.indexSelect(src, 0, Tensor.of(new float[] {0})));
        assertThrows(IllegalArgumentException.class, () -> NN.indexAdd(Tensor.zeros(3, 2), 0, Tensor.ofInts(new int[] {0}), Tensor.zeros(2, 2)));
    }

    @Test
    void catStackSplit() {
        Tensor a = m(1, 2, 1, 2);
        Tensor b = m(2, 2, 3, 4, 5, 6);
        close(new double[] {1, 2, 3, 4, 5, 6}, Join.cat(0, a, b), 0);
        close(new double[] {1, 3, 2, 4}, Join.cat(1, a.mT(), b.narrow(0, 0, 1).mT()), 0);
        assertArrayEquals(new long[] {3, 2}, Join.cat(0, List.of(a, Tensor.zeros(0, 2), b)).shape());
        Tensor st = Join.stack(1, a.squeeze(0), b.select(0, 1));
        assertArrayEquals(new long[] {2, 2}, st.shape());
        close(new double[] {1, 5, 2, 6}, st, 0);
        assertArrayEquals(new long[] {2, 1}, Join.stack(-1, Tensor.scalar(1), Tensor.scalar(2)).unsqueeze(1).shape());
        assertEquals(DType.F64, Join.cat(0, Tensor.of(new float[] {1}), Tensor.of(new double[] {2})).dtype());
        assertThrows(IllegalArgumentException.class, () -> Join.cat(0, a, Tensor.zeros(1, 3)));
        assertThrows(IllegalArgumentException.class, () -> Join.cat(0, a, Tensor.zeros(2)));
        assertThrows(IllegalArgumentException.class, () -> Join.stack(0, a, b));
        assertThrows(IllegalArgumentException.class, () -> Join.cat(0, List.of()));

        Tensor v = Tensor.arange(7);
        List<Tensor> parts = Join.split(v, 3, 0);
        assertEquals(3, parts.size());
        close(new double[] {6}, parts.get(2), 0);
        for (Tensor p : parts) {
            assertEquals(v.storage(), p.storage(), "split gives views");
        }
        List<Tensor> sized = Join.split(v, new long[] {2, 0, 5}, 0);
        assertEquals(0, sized.get(1).numel());
        close(new double[] {2, 3, 4, 5, 6}, sized.get(2), 0);
        assertThrows(IllegalArgumentException.class, () -> Join.split(v, new long[] {2, 2}, 0));
        assertThrows(IllegalArgumentException.class, () -> Join.split(v, 0, 0));
        assertEquals(4, Join.chunk(v, 4, 0).size());
        assertEquals(1, Join.chunk(v, 4, 0).get(3).numel());
    }

    @Test
    void chunkRejectsZeroChunks() {
        assertThrows(IllegalArgumentException.class, () -> Join.chunk(Tensor.zeros(4), 0, 0));
    }

    // ---------------------------------------------------------------- convolution

    private static Tensor x33() {
        return Tensor.of(new float[] {1, 2, 3, 4, 5, 6, 7, 8, 9}, 1, 1, 3, 3);
    }

    private static Tensor w22() {
        return Tensor.of(new float[] {1, 2, 3, 4}, 1, 1, 2, 2);
    }

    @Test
    void conv2dTinyByHand() {
        // out[i][j] = 1*x[i][j] + 2*x[i][j+1] + 3*x[i+1][j] + 4*x[i+1][j+1]
        Tensor y = NN.conv2d(x33(), w22(), null, NN.Conv2dParams.of(1, 0));
        assertArrayEquals(new long[] {1, 1, 2, 2}, y.shape());
        close(new double[] {37, 47, 67, 77}, y, 0);
        close(new double[] {37.5, 47.5, 67.5, 77.5}, NN.conv2d(x33(), w22(), Tensor.of(new float[] {0.5f}), NN.Conv2dParams.of(1, 0)), 0);
        // padding 1, stride 2: windows start at -1 and 1 in both directions
        close(new double[] {4, 18, 36, 77}, NN.conv2d(x33(), w22(), null, NN.Conv2dParams.of(2, 1)), 0);
        // dilation 2: the kernel taps the four corners
        Tensor dil = NN.conv2d(x33(), w22(), null, new NN.Conv2dParams(1, 1, 0, 0, 2, 2));
        assertArrayEquals(new long[] {1, 1, 1, 1}, dil.shape());
        assertEquals(1 + 2 * 3 + 3 * 7 + 4 * 9, dil.item());
        // stride = kernel: the patch path, cropping the odd last row and column
        close(new double[] {37}, NN.conv2d(x33(), w22(), null, NN.Conv2dParams.of(2, 0)), 0);
        Tensor tokens = NN.patchEmbed(x33(), w22());
        assertArrayEquals(new long[] {1, 1, 1}, tokens.shape());
        assertEquals(37, tokens.item());
        // two output channels, two input channels
        Tensor x2 = Join.cat(1, x33(), x33().mul(10));
        Tensor w2 = Join.cat(0, Join.cat(1, w22(), w22().mul(0)), Join.cat(1, w22().mul(0), Tensor.ones(1, 1, 2, 2)));
        Tensor y2 = NN.conv2d(x2, w2, Tensor.of(new float[] {0, 1}), NN.Conv2dParams.of(1, 0));
        assertArrayEquals(new long[] {1, 2, 2, 2}, y2.shape());
        close(new double[] {37, 47, 67, 77, 121, 161, 241, 281}, y2, 0);
    }

    /** Direct convolution, six nested loops, in double. */
    private static double[] naiveConv(Tensor x, Tensor w, Tensor b, NN.Conv2dParams p) {
        int n = (int) x.size(0), c = (int) x.size(1), h = (int) x.size(2), wd = (int) x.size(3);
        int o = (int) w.size(0), kh = (int) w.size(2), kw = (int) w.size(3);
        int oh = Math.floorDiv(h + 2 * p.padH() - p.dilationH() * (kh - 1) - 1, p.strideH()) + 1;
        int ow = Math.floorDiv(wd + 2 * p.padW() - p.dilationW() * (kw - 1) - 1, p.strideW()) + 1;
        double[] out = new double[n * o * oh * ow];
        int at = 0;
        for (int ni = 0; ni < n; ni++) {
            for (int oi = 0; oi < o; oi++) {
                for (int yi = 0; yi < oh; yi++) {
                    for (int xi = 0; xi < ow; xi++) {
                        double s = b == null ? 0 : b.get(oi);
                        for (int ci = 0; ci < c; ci++) {
                            for (int u = 0; u < kh; u++) {
                                for (int v = 0; v < kw; v++) {
                                    int r = yi * p.strideH() - p.padH() + u * p.dilationH();
                                    int q = xi * p.strideW() - p.padW() + v * p.dilationW();
                                    if (r >= 0 && r < h && q >= 0 && q < wd) {
                                        s += x.get(ni, ci, r, q) * w.get(oi, ci, u, v);
                                    }
                                }
                            }
                        }
                        out[at++] = s;
                    }
                }
            }
        }
        return out;
    }

    @ParameterizedTest(name = "stride {0}x{1} pad {2}x{3} dilation {4}x{5} kernel {6}x{7}")
    @CsvSource({
        "1,1,0,0,1,1,3,3", "2,2,1,1,1,1,3,3", "1,2,2,0,1,1,3,2", "1,1,0,0,2,2,3,3", "2,1,1,2,2,1,2,3",
        "3,3,0,0,1,1,3,3", "4,4,0,0,1,1,4,4", "1,1,3,3,1,1,1,1", "2,3,0,1,3,2,2,2"})
    void conv2dMatchesNaiveLoops(int sh, int sw, int ph, int pw, int dh, int dw, int kh, int kw) {
        Rng rng = new Rng(sh * 31L + sw * 7 + ph * 5 + pw * 3 + dh + dw * 11 + kh * 13 + kw);
        Tensor x = Tensor.randn(rng, 2, 3, 9, 10).to(DType.F64);
        Tensor w = Tensor.randn(rng, 4, 3, kh, kw).to(DType.F64);
        Tensor b = Tensor.randn(rng, 4).to(DType.F64);
        NN.Conv2dParams p = new NN.Conv2dParams(sh, sw, ph, pw, dh, dw);
        Tensor y = NN.conv2d(x, w, b, p);
        close(naiveConv(x, w, b, p), y, 1e-12);
        close(naiveConv(x, w, null, p), NN.conv2d(x, w, null, p), 1e-12);
        // a non-contiguous input (NHWC storage) gives the same result
        Tensor nhwc = x.permute(0, 2, 3, 1).contiguous().permute(0, 3, 1, 2);
        close(naiveConv(x, w, b, p), NN.conv2d(nhwc, w, b, p), 1e-12);
    }

    @Test
    void patchEmbedIsAStrideKernelConvolutionAsTokens() {
        Rng rng = new Rng(9);
        Tensor x = Tensor.randn(rng, 2, 3, 10, 9).to(DType.F64);
        Tensor w = Tensor.randn(rng, 5, 3, 4, 4).to(DType.F64);
        Tensor tokens = NN.patchEmbed(x, w);
        assertArrayEquals(new long[] {2, 4, 5}, tokens.shape());
        Tensor conv = NN.conv2d(x, w, null, NN.Conv2dParams.of(4, 0)); // [2, 5, 2, 2]
        close(conv.flatten(2, 3).transpose(1, 2).contiguous().toDoubleArray(), tokens, 1e-12);
        close(naiveConv(x, w, null, NN.Conv2dParams.of(4, 0)), conv, 1e-12);
        assertThrows(IllegalArgumentException.class, () -> NN.patchEmbed(x, Tensor.zeros(5, 3, 4, 2)));
    }

    @Test
    void conv2dShapeErrors() {
        assertThrows(IllegalArgumentException.class, () -> NN.conv2d(Tensor.zeros(1, 3, 4), w22(), null, NN.Conv2dParams.of(1, 0)));
        IllegalArgumentException ch = assertThrows(IllegalArgumentException.class,
                () -> NN.conv2d(Tensor.zeros(1, 2, 4, 4), w22(), null, NN.Conv2dParams.of(1, 0)));
        assertTrue(ch.getMessage().contains("2 channels"), ch.getMessage());
        assertThrows(IllegalArgumentException.class, () -> NN.conv2d(x33(), w22(), null, NN.Conv2dParams.of(0, 0)));
        assertThrows(IllegalArgumentException.class, () -> NN.conv2d(x33(), w22(), null, NN.Conv2dParams.of(1, -1)));
        IllegalArgumentException fit = assertThrows(IllegalArgumentException.class,
                () -> NN.conv2d(x33(), Tensor.zeros(1, 1, 4, 4), null, NN.Conv2dParams.of(1, 0)));
        assertTrue(fit.getMessage().contains("does not fit"), fit.getMessage());
    }

    @Test
    void conv2dKernelLargerThanInputIsAClearError() {
        // regression: an oversized kernel with stride > 1 (or the patch path) used to pass as one output row
        IllegalArgumentException patch = assertThrows(IllegalArgumentException.class,
                () -> NN.conv2d(Tensor.zeros(1, 1, 2, 2), Tensor.zeros(1, 1, 4, 4), null, NN.Conv2dParams.of(4, 0)));
        assertTrue(patch.getMessage().contains("does not fit"), patch.getMessage());
        assertThrows(IllegalArgumentException.class, () -> NN.patchEmbed(Tensor.zeros(1, 1, 2, 2), Tensor.zeros(1, 1, 4, 4)));
        assertThrows(IllegalArgumentException.class,
                () -> NN.conv2d(x33(), w22(), null, new NN.Conv2dParams(3, 3, 0, 0, 3, 3)));
    }

    // ---------------------------------------------------------------- the SPI directly

    @Test
    void spiKernelsOnStridedViews() {
        Backend ref = Backends.reference();
        Tensor x = Tensor.arange(12).view(3, 4).mT(); // [4, 3], strides [1, 4]
        Tensor out = Tensor.empty(DType.F32, 4, 3);
        ref.unary(UnaryOp.NEG, x, out);
        assertArrayEquals(new double[] {-0.0, -4, -8, -1, -5, -9, -2, -6, -10, -3, -7, -11}, out.toDoubleArray());
        Tensor red = Tensor.empty(DType.F32, 1, 3);
        ref.reduce(ReduceOp.SUM, x, new boolean[] {true, false}, red);
        assertArrayEquals(new double[] {6, 22, 38}, red.toDoubleArray());
        Tensor arg = Tensor.empty(DType.I64, 4, 1);
        ref.argReduce(true, x, 1, arg);
        assertArrayEquals(new long[] {2, 2, 2, 2}, arg.toLongArray());
        Tensor filled = Tensor.zeros(2, 3);
        ref.fill(filled.slice(1, 0, 3, 2), 5);
        assertArrayEquals(new double[] {5, 0, 5, 5, 0, 5}, filled.toDoubleArray());
        Tensor sum = Tensor.empty(DType.F32, 4, 3);
        ref.binary(BinaryOp.ADD, x, Tensor.scalar(100).expand(4, 3), sum);
        assertEquals(111, sum.get(3, 2));
        assertNotEquals(0, sum.get(0, 0));
    }
}
