package radapter.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.stream.Stream;

/** Shape arithmetic: broadcasting, contiguous strides, dimension resolution, -1 inference, view strides. */
class ShapesTest {

    private static long[] s(long... dims) {
        return dims;
    }

    // ---------------------------------------------------------------- broadcast

    static Stream<Arguments> broadcastable() {
        return Stream.of(
                Arguments.of(s(), s(), s()),
                Arguments.of(s(), s(3), s(3)),
                Arguments.of(s(3), s(), s(3)),
                Arguments.of(s(3), s(3), s(3)),
                Arguments.of(s(3, 1), s(1, 4), s(3, 4)),
                Arguments.of(s(2, 1, 5), s(7, 1), s(2, 7, 5)),
                Arguments.of(s(1), s(2, 3, 4), s(2, 3, 4)),
                Arguments.of(s(0), s(1), s(0)),
                Arguments.of(s(1), s(0), s(0)),
                Arguments.of(s(2, 0, 1), s(1, 5), s(2, 0, 5)),
                Arguments.of(s(1, 1, 1), s(1), s(1, 1, 1)),
                Arguments.of(s(8, 1, 6, 1), s(7, 1, 5), s(8, 7, 6, 5)));
    }

    @ParameterizedTest
    @MethodSource("broadcastable")
    void broadcastFollowsNumpyRules(long[] a, long[] b, long[] expected) {
        assertArrayEquals(expected, Shapes.broadcast(a, b));
        assertArrayEquals(expected, Shapes.broadcast(b, a), "broadcast is symmetric");
    }

    static Stream<Arguments> notBroadcastable() {
        return Stream.of(
                Arguments.of(s(3), s(4), 0),
                Arguments.of(s(2, 3), s(4), 1),
                Arguments.of(s(0), s(3), 0),
                Arguments.of(s(2, 1), s(3, 5), 0),
                Arguments.of(s(5, 2, 3), s(4, 3), 1));
    }

    @ParameterizedTest
    @MethodSource("notBroadcastable")
    void broadcastErrorNamesBothShapesAndTheDimension(long[] a, long[] b, int dim) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Shapes.broadcast(a, b));
        String m = e.getMessage();
        assertTrue(m.contains(Shapes.str(a)), m);
        assertTrue(m.contains(Shapes.str(b)), m);
        assertTrue(m.contains("cannot be broadcast"), m);
        assertTrue(m.contains("dimension " + dim), m);
    }

    @Test
    void broadcastOfManyShapes() {
        assertArrayEquals(s(), Shapes.broadcast(new long[0][]));
        assertArrayEquals(s(4), Shapes.broadcast(new long[][] {s(4)}));
        assertArrayEquals(s(2, 3, 4), Shapes.broadcast(s(4), s(3, 1), s(2, 1, 1)));
        assertArrayEquals(s(2, 3, 4), Shapes.broadcast(s(), s(2, 3, 4), s(1)));
        assertThrows(IllegalArgumentException.class, () -> Shapes.broadcast(s(4), s(3, 1), s(2, 2, 1)));
    }

    @Test
    void broadcastDoesNotModifyItsInputs() {
        long[] a = s(3, 1);
        long[] b = s(4);
        Shapes.broadcast(a, b);
        assertArrayEquals(s(3, 1), a);
        assertArrayEquals(s(4), b);
    }

    // ---------------------------------------------------------------- numel, strides, dims

    @Test
    void numel() {
        assertEquals(1, Shapes.numel(s()));
        assertEquals(0, Shapes.numel(s(3, 0, 5)));
        assertEquals(60, Shapes.numel(s(3, 4, 5)));
        assertThrows(ArithmeticException.class, () -> Shapes.numel(s(1L << 40, 1L << 40)));
    }

    static Stream<Arguments> contiguous() {
        return Stream.of(
                Arguments.of(s(), s()),
                Arguments.of(s(5), s(1)),
                Arguments.of(s(2, 3, 4), s(12, 4, 1)),
                Arguments.of(s(1, 1), s(1, 1)),
                Arguments.of(s(3, 1, 2), s(2, 2, 1)),
                Arguments.of(s(2, 0, 3), s(3, 3, 1)),
                Arguments.of(s(0), s(1)),
                Arguments.of(s(7, 17, 129), s(17 * 129, 129, 1)));
    }

    @ParameterizedTest
    @MethodSource("contiguous")
    void contiguousStridesAreRowMajor(long[] shape, long[] strides) {
        assertArrayEquals(strides, Shapes.contiguousStrides(shape));
    }

    @Test
    void dimResolvesNegativeIndices() {
        assertEquals(0, Shapes.dim(0, 3));
        assertEquals(2, Shapes.dim(-1, 3));
        assertEquals(0, Shapes.dim(-3, 3));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Shapes.dim(3, 3));
        assertTrue(e.getMessage().contains("dimension 3 is out of range for a tensor of rank 3"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Shapes.dim(-4, 3));
        assertThrows(IllegalArgumentException.class, () -> Shapes.dim(0, 0));
    }

    @Test
    void strRendersLikeAList() {
        assertEquals("[2, 3]", Shapes.str(s(2, 3)));
        assertEquals("[]", Shapes.str(s()));
    }

    // ---------------------------------------------------------------- -1 inference

    @Test
    void inferShape() {
        assertArrayEquals(s(4, 6), Shapes.inferShape(s(4, -1), 24));
        assertArrayEquals(s(2, 3, 4), Shapes.inferShape(s(2, -1, 4), 24));
        assertArrayEquals(s(24), Shapes.inferShape(s(-1), 24));
        assertArrayEquals(s(), Shapes.inferShape(s(), 1));
        assertArrayEquals(s(0, 3), Shapes.inferShape(s(-1, 3), 0));
        assertArrayEquals(s(1, 1), Shapes.inferShape(s(1, -1), 1));

        long[] target = s(4, -1);
        Shapes.inferShape(target, 24);
        assertArrayEquals(s(4, -1), target, "the target array is not modified");

        IllegalArgumentException two = assertThrows(IllegalArgumentException.class, () -> Shapes.inferShape(s(-1, -1), 24));
        assertTrue(two.getMessage().contains("only one dimension can be -1"), two.getMessage());
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class, () -> Shapes.inferShape(s(5, -1), 24));
        assertTrue(bad.getMessage().contains("cannot reshape 24 elements into [5, -1]"), bad.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Shapes.inferShape(s(5, 5), 24));
        assertThrows(IllegalArgumentException.class, () -> Shapes.inferShape(s(-1, 0), 0), "-1 next to a 0 is ambiguous");
        IllegalArgumentException neg = assertThrows(IllegalArgumentException.class, () -> Shapes.inferShape(s(-2, 12), 24));
        assertTrue(neg.getMessage().contains("invalid dimension -2"), neg.getMessage());
    }

    // ---------------------------------------------------------------- viewStrides

    static Stream<Arguments> viewable() {
        return Stream.of(
                // split one contiguous dimension
                Arguments.of("split", s(6), s(1), s(2, 3), s(3, 1)),
                Arguments.of("split 3-way", s(24), s(1), s(2, 3, 4), s(12, 4, 1)),
                // merge contiguous dimensions
                Arguments.of("merge", s(2, 3), s(3, 1), s(6), s(1)),
                Arguments.of("merge inner", s(2, 3, 4), s(12, 4, 1), s(2, 12), s(12, 1)),
                // size-1 dimensions: added, removed, with arbitrary strides
                Arguments.of("add ones", s(6), s(1), s(1, 6, 1), s(6, 1, 1)),
                Arguments.of("drop one with odd stride", s(2, 1, 3), s(3, 100, 1), s(6), s(1)),
                Arguments.of("trailing one with odd stride", s(3, 1), s(1, 99), s(3), s(1)),
                Arguments.of("scalar to ones", s(), s(), s(1, 1), s(1, 1)),
                Arguments.of("one to scalar", s(1), s(1), s(), s()),
                // transposed matrix: the dimensions can be split but not merged
                Arguments.of("split transposed", s(3, 4), s(1, 3), s(3, 2, 2), s(1, 6, 3)),
                Arguments.of("identity on transposed", s(3, 4), s(1, 3), s(3, 4), s(1, 3)),
                // narrowed columns: rows are separate chunks
                Arguments.of("split narrowed rows", s(4, 6), s(12, 1), s(4, 2, 3), s(12, 3, 1)),
                Arguments.of("split outer of narrowed", s(4, 6), s(12, 1), s(2, 2, 6), s(24, 12, 1)),
                // stepped slice: a stride-2 dimension can be split
                Arguments.of("split stepped", s(6), s(2), s(2, 3), s(6, 2)),
                // expanded (stride 0) dimension split
                Arguments.of("split expanded", s(4, 3), s(0, 1), s(2, 2, 3), s(0, 0, 1)),
                // empty tensors: any view, contiguous strides
                Arguments.of("empty", s(0, 3), s(3, 1), s(3, 0), s(1, 1)),
                Arguments.of("empty transposed", s(3, 0), s(1, 3), s(0, 5), s(5, 1)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("viewable")
    void viewStridesWhenPossible(String name, long[] oldShape, long[] oldStrides, long[] newShape, long[] expected) {
        assertArrayEquals(expected, Shapes.viewStrides(oldShape, oldStrides, newShape));
    }

    static Stream<Arguments> notViewable() {
        return Stream.of(
                Arguments.of("merge transposed", s(3, 2), s(1, 3), s(6)),
                Arguments.of("merge narrowed", s(4, 6), s(12, 1), s(24)),
                Arguments.of("regroup narrowed", s(4, 6), s(12, 1), s(8, 3)),
                Arguments.of("merge expanded", s(3, 4), s(0, 1), s(12)),
                Arguments.of("merge permuted 3-d", s(2, 3, 4), s(4, 8, 1), s(6, 4)),
                Arguments.of("merge stepped rows", s(3, 4), s(8, 1), s(12)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("notViewable")
    void viewStridesNullWhenACopyIsNeeded(String name, long[] oldShape, long[] oldStrides, long[] newShape) {
        assertNull(Shapes.viewStrides(oldShape, oldStrides, newShape));
    }

    @Test
    void viewStridesAgreeWithTensorsElementOrder() {
        // Every viewable reshape of a permuted tensor must address the same elements in row-major order.
        Tensor base = Tensor.arange(2 * 3 * 4 * 5).view(2, 3, 4, 5);
        Tensor[] sources = {
            base, base.permute(1, 0, 2, 3), base.narrow(3, 1, 3), base.slice(2, 0, 4, 2), base.select(0, 1).unsqueeze(1),
        };
        long[][] targets = {s(-1), s(6, -1), s(2, -1, 5), s(-1, 3), s(1, -1, 1), s(3, 2, -1)};
        for (Tensor src : sources) {
            double[] expected = src.contiguous().toDoubleArray();
            for (long[] t : targets) {
                long[] shape;
                try {
                    shape = Shapes.inferShape(t, src.numel());
                } catch (IllegalArgumentException e) {
                    continue;
                }
                long[] st = Shapes.viewStrides(src.shape(), src.strides(), shape);
                if (st != null) {
                    Tensor v = new Tensor(src.dtype(), shape, st, src.offset(), src.storage());
                    assertArrayEquals(expected, v.toDoubleArray(), () -> Shapes.str(src.shape()) + "/" + Shapes.str(src.strides())
                            + " viewed as " + Shapes.str(shape));
                }
                assertArrayEquals(expected, src.reshape(shape).toDoubleArray());
            }
        }
    }
}
