package radapter.tensor;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.List;

/**
 * Tensor metadata and element access: views share storage and never copy, reshape copies only
 * when it must, errors are clear, dtype conversions round correctly, creation functions and
 * printing behave, and every one of these works on empty (a 0 dimension) and 0-d tensors.
 */
class TensorViewsTest {

    private static long[] s(long... dims) {
        return dims;
    }

    /** 0, 1, ..., n-1 laid out as {@code shape}. */
    private static Tensor iota(long... shape) {
        return Tensor.arange(Shapes.numel(shape)).view(shape);
    }

    private static void assertValues(double[] expected, Tensor t) {
        assertArrayEquals(expected, t.toDoubleArray(), () -> "values of " + t);
    }

    private static void assertValues(double[] expected, Tensor t, String why) {
        assertArrayEquals(expected, t.toDoubleArray(), why);
    }

    private static void assertMessage(Throwable e, String... parts) {
        for (String p : parts) {
            assertTrue(e.getMessage() != null && e.getMessage().contains(p), () -> "message '" + e.getMessage() + "' lacks '" + p + "'");
        }
    }

    private static void assertView(Tensor base, Tensor v, long[] shape, long[] strides, long offset) {
        assertAll(
                () -> assertSame(base.storage(), v.storage(), "a view shares the storage"),
                () -> assertArrayEquals(shape, v.shape(), "shape"),
                () -> assertArrayEquals(strides, v.strides(), "strides"),
                () -> assertEquals(offset, v.offset(), "offset"));
    }

    // ---------------------------------------------------------------- views

    @Nested
    class Views {
        @Test
        void viewsNeverAllocate() {
            try (MemoryScope scope = MemoryScope.open()) {
                Tensor t = iota(2, 3, 4);
                long before = scope.allocatedBytes();
                List<Tensor> views = List.of(
                        t.view(6, 4), t.view(-1), t.reshape(4, 6), t.flatten(0, 1), t.flatten(1, 2), t.permute(2, 0, 1),
                        t.transpose(0, 2), t.mT(), t.narrow(1, 1, 2), t.slice(2, 0, 4, 2), t.select(0, 1),
                        t.narrow(0, 0, 1).squeeze(), t.squeeze(0), t.unsqueeze(1), t.unsqueeze(-1),
                        t.narrow(2, 0, 1).expand(2, 3, 5), t.unsqueeze(0).expand(7, -1, -1, -1), t.broadcastTo(2, 2, 3, 4),
                        t.asStrided(s(3, 3), s(1, 1), 2), t.contiguous(), t.to(DType.F32), t.permute(1, 0, 2).reshape(3, 2, 2, 2),
                        t.squeeze(1), t.select(-1, -1).view(3, 2));
                for (Tensor v : views) {
                    assertSame(t.storage(), v.storage(), () -> "view " + Shapes.str(v.shape()) + " copied");
                }
                assertEquals(before, scope.allocatedBytes(), "views allocated memory");
            }
        }

        @Test
        void viewStridesAndOffsets() {
            Tensor t = iota(2, 3, 4);
            assertView(t, t, s(2, 3, 4), s(12, 4, 1), 0);
            assertView(t, t.view(6, 4), s(6, 4), s(4, 1), 0);
            assertView(t, t.view(2, -1), s(2, 12), s(12, 1), 0);
            assertView(t, t.permute(2, 0, 1), s(4, 2, 3), s(1, 12, 4), 0);
            assertView(t, t.transpose(0, 2), s(4, 3, 2), s(1, 4, 12), 0);
            assertView(t, t.mT(), s(2, 4, 3), s(12, 1, 4), 0);
            assertView(t, t.narrow(1, 1, 2), s(2, 2, 4), s(12, 4, 1), 4);
            assertView(t, t.narrow(2, -3, 2), s(2, 3, 2), s(12, 4, 1), 1);
            assertView(t, t.slice(2, 1, 4, 2), s(2, 3, 2), s(12, 4, 2), 1);
            assertView(t, t.select(1, 2), s(2, 4), s(12, 1), 8);
            assertView(t, t.select(-1, -1), s(2, 3), s(12, 4), 3);
            assertView(t, t.unsqueeze(0), s(1, 2, 3, 4), s(24, 12, 4, 1), 0);
            assertView(t, t.unsqueeze(3), s(2, 3, 4, 1), s(12, 4, 1, 1), 0);
            assertView(t, t.unsqueeze(-1), s(2, 3, 4, 1), s(12, 4, 1, 1), 0);
            assertView(t, t.narrow(1, 2, 1).squeeze(), s(2, 4), s(12, 1), 8);
            assertView(t, t.narrow(1, 2, 1).squeeze(1), s(2, 4), s(12, 1), 8);
            Tensor col = t.narrow(2, 1, 1);
            assertView(t, col.expand(2, 3, 5), s(2, 3, 5), s(12, 4, 0), 1);
            assertView(t, col.expand(6, -1, -1, 7), s(6, 2, 3, 7), s(0, 12, 4, 0), 1);
            assertView(t, t.asStrided(s(3, 3), s(1, 1), 2), s(3, 3), s(1, 1), 2);
            // a view of a view composes offsets and strides
            assertView(t, t.narrow(1, 1, 2).slice(2, 1, 4, 2).select(0, 1), s(2, 2), s(4, 2), 12 + 4 + 1);
        }

        @Test
        void viewsSeeTheSameElements() {
            Tensor t = iota(2, 3, 4);
            assertValues(new double[] {1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23}, t.slice(2, 1, 4, 2));
            assertValues(new double[] {0, 12, 4, 16, 8, 20}, t.select(2, 0).mT());
            assertValues(new double[] {4, 5, 6, 7, 8, 9, 10, 11}, t.select(0, 0).narrow(0, 1, 2));
            Tensor v = t.permute(2, 0, 1);
            assertEquals(t.get(1, 2, 3), v.get(3, 1, 2));
            // writing through a view changes the base
            t.transpose(0, 1).select(0, 2).set(-5, 1, 3);
            assertEquals(-5, t.get(1, 2, 3));
            t.narrow(2, 1, 1).expand(2, 3, 9).fill_(100);
            assertEquals(100, t.get(0, 0, 1));
            assertEquals(100, t.get(1, 2, 1));
            assertEquals(2, t.get(0, 0, 2));
        }

        @Test
        void reshapeCopiesOnlyWhenNeeded() {
            Tensor m = iota(2, 3);
            Tensor mt = m.mT();
            assertFalse(mt.isContiguous());

            Tensor flat = mt.reshape(6);
            assertNotSame(m.storage(), flat.storage(), "reshape of a transposed matrix must copy");
            assertTrue(flat.isContiguous());
            assertValues(new double[] {0, 3, 1, 4, 2, 5}, flat);

            assertSame(m.storage(), mt.reshape(3, 2).storage(), "same shape: no copy");
            assertSame(m.storage(), mt.reshape(3, 1, 2).storage(), "splitting a dimension of a transposed matrix is a view");
            assertSame(m.storage(), mt.reshape(1, 3, 2, 1).storage());
            assertSame(m.storage(), m.reshape(6).storage(), "contiguous: no copy");
            assertSame(m.storage(), m.reshape(-1, 2).storage());

            Tensor evenly = iota(4, 6).slice(1, 0, 6, 2); // [4, 3] strides [6, 2]: one uniform stride-2 run
            assertSame(evenly.storage(), evenly.reshape(-1).storage());
            assertArrayEquals(s(2), evenly.reshape(-1).strides());
            assertValues(new double[] {0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22}, evenly.reshape(-1));

            Tensor stepped = iota(4, 7).slice(1, 0, 7, 2); // [4, 4] strides [7, 2]: rows do not join up
            assertSame(stepped.storage(), stepped.reshape(2, 2, 4).storage());
            assertArrayEquals(s(14, 7, 2), stepped.reshape(2, 2, 4).strides());
            Tensor steppedFlat = stepped.reshape(-1);
            assertNotSame(stepped.storage(), steppedFlat.storage());
            assertValues(new double[] {0, 2, 4, 6, 7, 9, 11, 13, 14, 16, 18, 20, 21, 23, 25, 27}, steppedFlat);

            Tensor expanded = Tensor.of(new float[] {1, 2}).unsqueeze(0).expand(3, 2);
            assertValues(new double[] {1, 2, 1, 2, 1, 2}, expanded.reshape(6));
            assertNotSame(expanded.storage(), expanded.reshape(6).storage());
        }

        @Test
        void impossibleViewThrowsAClearError() {
            Tensor mt = iota(2, 3).mT();
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> mt.view(6));
            assertMessage(e, "[3, 2]", "[1, 3]", "[6]", "impossible without a copy", "reshape()");
            assertThrows(IllegalArgumentException.class, () -> iota(4, 6).narrow(1, 0, 3).view(12));
            assertThrows(IllegalArgumentException.class, () -> Tensor.zeros(1, 3).expand(2, 3).view(6));
        }

        @Test
        void minusOneInference() {
            Tensor t = iota(2, 3, 4);
            assertArrayEquals(s(4, 6), t.view(4, -1).shape());
            assertArrayEquals(s(3, 2, 4), t.reshape(3, -1, 4).shape());
            assertArrayEquals(s(24), t.reshape(-1).shape());
            assertArrayEquals(s(1, 24, 1), t.view(1, -1, 1).shape());
            assertMessage(assertThrows(IllegalArgumentException.class, () -> t.view(-1, -1)), "only one dimension can be -1");
            assertMessage(assertThrows(IllegalArgumentException.class, () -> t.view(5, -1)), "cannot reshape 24 elements into [5, -1]");
            assertMessage(assertThrows(IllegalArgumentException.class, () -> t.reshape(5, 5)), "cannot reshape 24 elements");
            assertMessage(assertThrows(IllegalArgumentException.class, () -> t.reshape(-2, 12)), "invalid dimension -2");
        }

        @Test
        void negativeDimensions() {
            Tensor t = iota(2, 3, 4);
            assertEquals(4, t.size(-1));
            assertEquals(2, t.size(-3));
            assertEquals(1, t.stride(-1));
            assertEquals(12, t.stride(-3));
            assertArrayEquals(t.transpose(0, 2).strides(), t.transpose(-1, -3).strides());
            assertArrayEquals(t.permute(2, 0, 1).strides(), t.permute(-1, -3, -2).strides());
            assertArrayEquals(s(2, 3, 1, 4), t.unsqueeze(-2).shape());
            assertArrayEquals(s(2, 12), t.flatten(-2, -1).shape());
            assertEquals(t.get(1, 2, 3), t.get(-1, -1, -1));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> t.size(3));
            assertMessage(e, "dimension 3 is out of range for a tensor of rank 3");
            assertThrows(IllegalArgumentException.class, () -> t.transpose(0, -4));
            assertThrows(IllegalArgumentException.class, () -> t.unsqueeze(4));
            assertThrows(IllegalArgumentException.class, () -> t.narrow(-4, 0, 1));
        }

        @Test
        void narrow() {
            Tensor t = iota(3, 5);
            assertValues(new double[] {1, 2, 6, 7, 11, 12}, t.narrow(1, 1, 2));
            assertValues(new double[] {3, 4, 8, 9, 13, 14}, t.narrow(1, -2, 2));
            assertArrayEquals(s(3, 0), t.narrow(1, 5, 0).shape());
            assertArrayEquals(s(0, 5), t.narrow(0, 0, 0).shape());
            IndexOutOfBoundsException e = assertThrows(IndexOutOfBoundsException.class, () -> t.narrow(1, 4, 2));
            assertMessage(e, "narrow(1, 4, 2)", "size 5", "[3, 5]");
            assertThrows(IndexOutOfBoundsException.class, () -> t.narrow(1, -6, 1));
            assertThrows(IndexOutOfBoundsException.class, () -> t.narrow(1, 0, -1));
        }

        @Test
        void narrowRejectsHugeLengths() {
            assertThrows(IndexOutOfBoundsException.class, () -> Tensor.zeros(5).narrow(0, 3, Long.MAX_VALUE));
        }

        @Test
        void sliceWithStepsAndNegativeBounds() {
            Tensor v = Tensor.arange(10);
            assertValues(new double[] {0, 3, 6, 9}, v.slice(0, 0, 10, 3));
            assertValues(new double[] {1, 3, 5, 7, 9}, v.slice(0, 1, Long.MAX_VALUE, 2));
            assertValues(new double[] {7, 8}, v.slice(0, -3, -1, 1));
            assertValues(new double[] {6, 8}, v.slice(0, -4, 10, 2));
            assertValues(new double[] {0, 1, 2}, v.slice(0, -100, 3, 1), "start clamps at 0");
            assertValues(new double[] {8, 9}, v.slice(0, 8, 100, 1), "end clamps at the size");
            assertEquals(0, v.slice(0, 5, 5, 1).numel());
            assertEquals(0, v.slice(0, 7, 3, 1).numel());
            assertEquals(0, v.slice(0, 20, 30, 2).numel());
            assertEquals(1, v.slice(0, 9, 10, 5).numel());
            Tensor m = iota(4, 6);
            Tensor sl = m.slice(1, 1, 6, 2).slice(0, 1, 4, 2);
            assertArrayEquals(s(2, 3), sl.shape());
            assertArrayEquals(s(12, 2), sl.strides());
            assertValues(new double[] {7, 9, 11, 19, 21, 23}, sl);
            assertMessage(assertThrows(IllegalArgumentException.class, () -> v.slice(0, 0, 5, 0)), "step must be positive");
            assertThrows(IllegalArgumentException.class, () -> v.slice(0, 5, 0, -1));
        }

        @Test
        void select() {
            Tensor t = iota(2, 3, 4);
            assertValues(new double[] {12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23}, t.select(0, 1));
            assertValues(new double[] {2, 6, 10, 14, 18, 22}, t.select(2, -2));
            Tensor scalar = t.select(0, 1).select(0, 2).select(0, 3);
            assertEquals(0, scalar.dim());
            assertEquals(23, scalar.item());
            IndexOutOfBoundsException e = assertThrows(IndexOutOfBoundsException.class, () -> t.select(1, 3));
            assertMessage(e, "index 3", "dimension 1", "size 3");
            assertThrows(IndexOutOfBoundsException.class, () -> t.select(1, -4));
            assertThrows(IllegalArgumentException.class, () -> scalar.select(0, 0));
        }

        @Test
        void expand() {
            Tensor row = Tensor.of(new float[] {1, 2, 3}, 1, 3);
            Tensor e = row.expand(4, 3);
            assertArrayEquals(s(0, 1), e.strides());
            assertSame(row.storage(), e.storage());
            assertValues(new double[] {1, 2, 3, 1, 2, 3, 1, 2, 3, 1, 2, 3}, e);
            assertFalse(e.isContiguous());
            assertArrayEquals(s(2, 4, 3), row.expand(2, 4, -1).shape());
            assertArrayEquals(s(0, 0, 1), row.expand(2, 4, -1).strides());
            assertArrayEquals(s(0, 3), row.expand(0, 3).shape(), "a size-1 dimension may expand to 0");
            Tensor seven = Tensor.scalar(7);
            assertSame(seven.storage(), seven.expand(2, 2).storage());
            assertArrayEquals(s(0, 0), seven.expand(2, 2).strides());
            assertValues(new double[] {7, 7, 7, 7}, seven.expand(2, 2));

            assertMessage(assertThrows(IllegalArgumentException.class, () -> row.expand(4, 6)), "cannot expand", "[1, 3]", "[4, 6]");
            assertMessage(assertThrows(IllegalArgumentException.class, () -> row.expand(3)), "fewer dimensions");
            assertMessage(assertThrows(IllegalArgumentException.class, () -> row.expand(-1, 1, 3)), "-1 is not allowed");
        }

        @Test
        void expandRejectsNegativeSizes() {
            assertThrows(IllegalArgumentException.class, () -> Tensor.zeros(1).expand(-2));
        }

        @Test
        void squeezeAndUnsqueeze() {
            Tensor t = iota(1, 3, 1, 2);
            assertArrayEquals(s(3, 2), t.squeeze().shape());
            assertArrayEquals(s(3, 1, 2), t.squeeze(0).shape());
            assertArrayEquals(s(1, 3, 2), t.squeeze(-2).shape());
            assertSame(t, t.squeeze(1), "squeezing a dimension that is not 1 returns the tensor unchanged");
            assertEquals(0, Tensor.zeros(1, 1).squeeze().dim());
            assertValues(t.toDoubleArray(), t.squeeze());
            Tensor v = Tensor.arange(3);
            assertArrayEquals(s(1, 3), v.unsqueeze(0).shape());
            assertArrayEquals(s(3, 1), v.unsqueeze(1).shape());
            assertArrayEquals(s(3, 1), v.unsqueeze(-1).shape());
            assertTrue(v.unsqueeze(0).isContiguous());
            assertTrue(v.unsqueeze(1).isContiguous());
            Tensor sc = Tensor.scalar(5);
            assertArrayEquals(s(1), sc.unsqueeze(0).shape());
            assertEquals(5, sc.unsqueeze(0).unsqueeze(0).get(0, 0));
            assertArrayEquals(s(1, 3), v.unsqueeze(0).squeeze(1).shape());
        }

        @Test
        void permuteAndTransposeErrors() {
            Tensor t = iota(2, 3, 4);
            assertValues(t.transpose(0, 1).contiguous().toDoubleArray(), t.permute(1, 0, 2));
            assertMessage(assertThrows(IllegalArgumentException.class, () -> t.permute(0, 1)), "does not match rank 3");
            assertMessage(assertThrows(IllegalArgumentException.class, () -> t.permute(0, 1, 1)), "repeats dimension 1");
            assertMessage(assertThrows(IllegalArgumentException.class, () -> t.permute(0, 1, -2)), "repeats dimension 1");
            assertThrows(IllegalArgumentException.class, () -> t.permute(0, 1, 3));
            assertMessage(assertThrows(IllegalArgumentException.class, () -> Tensor.arange(3).mT()), "at least 2 dimensions");
            assertSame(t.storage(), t.transpose(1, 1).storage());
            assertArrayEquals(t.strides(), t.transpose(1, 1).strides());
        }

        @Test
        void asStridedBoundsCheck() {
            Tensor v = Tensor.arange(6);
            Tensor windows = v.asStrided(s(4, 3), s(1, 1), 0); // overlapping sliding windows
            assertValues(new double[] {0, 1, 2, 1, 2, 3, 2, 3, 4, 3, 4, 5}, windows);
            assertValues(new double[] {5, 4, 3}, v.asStrided(s(3), s(-1), 5), "negative strides stay inside");
            assertValues(new double[] {5}, v.asStrided(s(), s(), 5));
            assertEquals(0, v.asStrided(s(0, 100), s(1000, 1000), 0).numel(), "an empty view touches nothing");
            IndexOutOfBoundsException e = assertThrows(IndexOutOfBoundsException.class, () -> v.asStrided(s(4, 3), s(1, 2), 0));
            assertMessage(e, "leaves the storage of 6 elements");
            assertThrows(IndexOutOfBoundsException.class, () -> v.asStrided(s(1), s(1), 6));
            assertThrows(IndexOutOfBoundsException.class, () -> v.asStrided(s(2), s(-1), 0));
            assertThrows(IndexOutOfBoundsException.class, () -> v.asStrided(s(1), s(1), -1));
            assertThrows(IllegalArgumentException.class, () -> v.asStrided(s(2, 2), s(1), 0));
            // the bound is the storage, not the view: a narrowed view may reach past itself
            Tensor n = v.narrow(0, 1, 2);
            assertValues(new double[] {1, 2, 3, 4, 5}, n.asStrided(s(5), s(1), 1));
        }

        @Test
        void asStridedRejectsNegativeSizes() {
            assertThrows(IllegalArgumentException.class, () -> Tensor.arange(6).asStrided(s(-1), s(1), 0));
        }

        @Test
        void flatten() {
            Tensor t = iota(2, 3, 4);
            assertArrayEquals(s(24), t.flatten(0, -1).shape());
            assertArrayEquals(s(6, 4), t.flatten(0, 1).shape());
            assertArrayEquals(s(2, 3, 4), t.flatten(1, 1).shape());
            assertSame(t.storage(), t.flatten(0, -1).storage());
            Tensor p = t.permute(2, 1, 0);
            assertValues(p.contiguous().toDoubleArray(), p.flatten(0, 2));
            assertArrayEquals(s(1), Tensor.scalar(3).flatten(0, 0).shape());
            assertArrayEquals(s(1), Tensor.scalar(3).flatten(0, -1).shape());
        }

        @Test
        void flattenRejectsStartAfterEnd() {
            assertThrows(IllegalArgumentException.class, () -> iota(2, 3).flatten(1, 0));
        }
    }

    // ---------------------------------------------------------------- copies

    @Nested
    class Copies {
        @Test
        void contiguousIsIdentityWhenAlreadyContiguous() {
            Tensor t = iota(2, 3, 4);
            assertSame(t, t.contiguous());
            Tensor narrowedRows = t.narrow(0, 1, 1);
            assertSame(narrowedRows, narrowedRows.contiguous(), "an offset does not break contiguity");
            Tensor oddOnes = new Tensor(DType.F32, s(1, 3, 1), s(99, 1, 42), 0, t.storage());
            assertTrue(oddOnes.isContiguous(), "strides of size-1 dimensions are ignored");
            assertSame(oddOnes, oddOnes.contiguous());
            Tensor e = Tensor.zeros(0, 3);
            assertSame(e, e.contiguous());

            Tensor mt = t.mT();
            Tensor c = mt.contiguous();
            assertNotSame(t.storage(), c.storage());
            assertArrayEquals(s(2, 4, 3), c.shape());
            assertArrayEquals(s(12, 3, 1), c.strides());
            assertEquals(0, c.offset());
            assertValues(mt.toDoubleArray(), c);
        }

        @Test
        void cloneIsAnIndependentContiguousCopy() {
            Tensor base = iota(3, 4);
            Tensor v = base.slice(1, 1, 4, 2);
            Tensor c = v.clone();
            assertNotSame(base.storage(), c.storage());
            assertTrue(c.isContiguous());
            assertEquals(0, c.offset());
            assertEquals(c.numel() * 4, c.storage().byteSize(), "clone allocates just the view's elements");
            assertValues(new double[] {1, 3, 5, 7, 9, 11}, c);
            c.set(-1, 0, 0);
            assertEquals(1, base.get(0, 1));
            assertNotSame(base, base.clone());
            assertEquals(DType.I64, Tensor.ofLongs(new long[] {5}).clone().dtype());
        }

        @Test
        void copyBetweenStridedViewsAndBroadcast() {
            Tensor dst = Tensor.zeros(3, 4);
            dst.mT().copy_(iota(4, 3));
            assertValues(new double[] {0, 3, 6, 9, 1, 4, 7, 10, 2, 5, 8, 11}, dst);
            Tensor d2 = Tensor.zeros(2, 3);
            d2.copy_(Tensor.of(new float[] {1, 2, 3}));
            assertValues(new double[] {1, 2, 3, 1, 2, 3}, d2);
            assertThrows(IllegalArgumentException.class, () -> Tensor.zeros(2, 3).copy_(Tensor.zeros(2)));
            Tensor ints = Tensor.zeros(DType.I32, 3);
            ints.copy_(Tensor.of(new float[] {1.9f, -1.9f, 7}));
            assertArrayEquals(new long[] {1, -1, 7}, ints.toLongArray());
        }

        @Test
        void fillThroughAStridedView() {
            Tensor t = Tensor.zeros(4, 4);
            t.slice(0, 0, 4, 2).slice(1, 1, 4, 2).fill_(3);
            assertValues(new double[] {0, 3, 0, 3, 0, 0, 0, 0, 0, 3, 0, 3, 0, 0, 0, 0}, t);
            Tensor l = Tensor.zeros(DType.I64, 3).fill_(-2);
            assertArrayEquals(new long[] {-2, -2, -2}, l.toLongArray());
        }
    }

    // ---------------------------------------------------------------- dtype conversion

    @Nested
    class Conversions {
        @Test
        void toSameDtypeIsIdentity() {
            Tensor t = Tensor.zeros(2);
            assertSame(t, t.to(DType.F32));
            Tensor l = Tensor.ofLongs(new long[] {1});
            assertSame(l, l.to(DType.I64));
        }

        @Test
        void f16RoundTrip() {
            Rng rng = new Rng(11);
            float[] data = new float[257];
            for (int i = 0; i < data.length; i++) {
                data[i] = (float) (rng.nextGaussian() * Math.pow(10, rng.nextInt(9) - 4));
            }
            data[0] = 65504f;
            data[1] = 70000f;
            data[2] = 1e-8f;
            data[3] = 0.1f;
            data[4] = -0f;
            data[5] = Float.NaN;
            data[6] = Float.NEGATIVE_INFINITY;
            data[7] = 6e-8f; // subnormal in half precision
            Tensor h = Tensor.of(data).to(DType.F16);
            assertEquals(DType.F16, h.dtype());
            assertEquals(2L * data.length, h.storage().byteSize());
            float[] back = h.to(DType.F32).toFloatArray();
            for (int i = 0; i < data.length; i++) {
                float expected = Float.float16ToFloat(Float.floatToFloat16(data[i]));
                assertEquals(expected, back[i], 0.0f, "element " + i + " = " + data[i]);
            }
            assertEquals(65504f, back[0]);
            assertEquals(Float.POSITIVE_INFINITY, back[1]);
            assertEquals(0f, back[2]);
            assertEquals(0.0999755859375f, back[3]);
            assertEquals(Float.floatToRawIntBits(-0f), Float.floatToRawIntBits(back[4]));
            assertTrue(Float.isNaN(back[5]));
            assertArrayEquals(back, h.toFloatArray(), "toFloatArray converts half precision itself");
        }

        @Test
        void bf16RoundsToNearestEven() {
            float halfwayDown = 1f + 0x1p-8f;            // 0x3F808000: exactly between 1 and 1+2^-7, even is 1
            float halfwayUp = 1f + 0x1p-7f + 0x1p-8f;    // 0x3F818000: between 1+2^-7 (odd) and 1+2^-6 (even)
            float aboveHalf = 1f + 0x1p-8f + 0x1p-20f;   // just above halfway: rounds up
            float belowHalf = 1f + 0x1p-8f - 0x1p-20f;   // just below: rounds down
            float[] in = {halfwayDown, halfwayUp, aboveHalf, belowHalf, -halfwayUp, Float.MAX_VALUE, -0f, Float.NaN, 3.140625f, 1e-40f};
            float[] out = Tensor.of(in).to(DType.BF16).toFloatArray();
            assertEquals(1f, out[0]);
            assertEquals(1.015625f, out[1]);
            assertEquals(1.0078125f, out[2]);
            assertEquals(1f, out[3]);
            assertEquals(-1.015625f, out[4]);
            assertEquals(Float.POSITIVE_INFINITY, out[5], "rounding past the largest bfloat16 gives infinity");
            assertEquals(Float.floatToRawIntBits(-0f), Float.floatToRawIntBits(out[6]));
            assertTrue(Float.isNaN(out[7]));
            assertEquals(3.140625f, out[8], "representable values are exact");
            for (float f : out) {
                assertEquals(0, Float.floatToRawIntBits(f) & 0xFFFF, "bfloat16 has 16 low zero bits: " + f);
            }
            // A second conversion of a bfloat16 value is exact.
            assertArrayEquals(out, Tensor.of(out).to(DType.BF16).to(DType.F32).toFloatArray());
        }

        @Test
        void integerConversionsTruncateTowardZero() {
            Tensor f = Tensor.of(new float[] {-2.7f, 2.7f, -0.5f, 0f, 123456f});
            assertArrayEquals(new int[] {-2, 2, 0, 0, 123456}, f.to(DType.I32).toIntArray());
            assertArrayEquals(new long[] {-2, 2, 0, 0, 123456}, f.to(DType.I64).toLongArray());
            assertArrayEquals(new double[] {-2, 2, 0, 0, 123456}, f.to(DType.I32).to(DType.F32).toDoubleArray());
            long big = (1L << 53) + 1;
            Tensor l = Tensor.ofLongs(new long[] {big, -3, Long.MAX_VALUE});
            assertArrayEquals(new long[] {big, -3, Long.MAX_VALUE}, l.toLongArray(), "I64 stays exact");
            assertEquals(big, l.getLong(0));
            assertArrayEquals(new long[] {big, -3, Long.MAX_VALUE}, l.clone().toLongArray(), "integer copies do not go through double");
            assertArrayEquals(new int[] {-3}, l.narrow(0, 1, 1).to(DType.I32).toIntArray());
            assertArrayEquals(new long[] {7, -8}, Tensor.ofInts(new int[] {7, -8}).to(DType.I64).toLongArray());
            assertThrows(ArithmeticException.class, l::toIntArray);
        }

        @Test
        void f64RoundTrip() {
            Tensor d = Tensor.of(new double[] {0.1, 1 + 1e-12, -3.5});
            assertEquals(DType.F64, d.dtype());
            Tensor f = d.to(DType.F32);
            assertArrayEquals(new float[] {0.1f, 1f, -3.5f}, f.toFloatArray());
            assertArrayEquals(new double[] {(double) 0.1f, 1.0, -3.5}, f.to(DType.F64).toDoubleArray());
            assertArrayEquals(new double[] {0.1, 1 + 1e-12, -3.5}, d.toDoubleArray());
        }

        @ParameterizedTest
        @EnumSource(DType.class)
        void conversionOfANonContiguousViewIsContiguousInEveryDtype(DType dtype) {
            Tensor view = iota(3, 4).mT();
            Tensor t = view.to(dtype);
            assertEquals(dtype, t.dtype());
            assertArrayEquals(s(4, 3), t.shape());
            assertArrayEquals(new double[] {0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11}, t.toDoubleArray());
            if (dtype == DType.F32) {
                assertSame(view, t, "to() of the same dtype returns the view itself");
            } else {
                assertTrue(t.isContiguous());
                assertEquals(12L * dtype.byteSize(), t.storage().byteSize());
            }
        }
    }

    // ---------------------------------------------------------------- creation and access

    @Nested
    class CreationAndAccess {
        @Test
        void fromAndToArrays() {
            Tensor t = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
            assertArrayEquals(s(2, 3), t.shape());
            assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6}, t.toFloatArray());
            assertArrayEquals(new float[] {1, 4, 2, 5, 3, 6}, t.mT().toFloatArray());
            assertArrayEquals(new int[] {1, 4, 2, 5, 3, 6}, t.mT().toIntArray());
            assertArrayEquals(s(4), Tensor.of(new float[4]).shape(), "no shape: a vector");
            assertArrayEquals(s(2, 2), Tensor.of(new double[] {1, 2, 3, 4}, 2, 2).shape());
            assertArrayEquals(new int[] {3, 1, 2}, Tensor.ofInts(new int[] {3, 1, 2}).toIntArray());
            assertEquals(DType.I32, Tensor.ofInts(new int[] {1}).dtype());
            assertEquals(DType.I64, Tensor.ofLongs(new long[] {1}).dtype());
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Tensor.of(new float[5], 2, 3));
            assertMessage(e, "5 values do not fill shape [2, 3]");
            assertThrows(IllegalArgumentException.class, () -> Tensor.ofInts(new int[2], 3));
            assertThrows(IllegalArgumentException.class, () -> Tensor.ofLongs(new long[2], 1));
            assertMessage(assertThrows(IllegalArgumentException.class, () -> Tensor.zeros(2, -1)), "negative dimension");
        }

        @Test
        void getSetItem() {
            Tensor t = iota(2, 3);
            assertEquals(5, t.get(1, 2));
            assertEquals(5, t.get(-1, -1));
            assertEquals(3, t.get(1, -3));
            t.set(42, -2, 1);
            assertEquals(42, t.get(0, 1));
            assertMessage(assertThrows(IllegalArgumentException.class, () -> t.get(1)), "has rank 1 but the tensor has rank 2");
            assertMessage(assertThrows(IndexOutOfBoundsException.class, () -> t.get(2, 0)), "out of range for shape [2, 3]");
            assertThrows(IndexOutOfBoundsException.class, () -> t.get(0, -4));
            assertThrows(IndexOutOfBoundsException.class, () -> t.set(1, 0, 3));
            assertEquals(7, Tensor.scalar(7).item());
            assertEquals(7, Tensor.scalar(7).get());
            assertEquals(5, t.narrow(1, 2, 1).narrow(0, 1, 1).item(), "item of a [1, 1] view");
            assertMessage(assertThrows(IllegalStateException.class, t::item), "exactly one element", "[2, 3]");
            assertThrows(IllegalStateException.class, () -> Tensor.zeros(0).item());
            Tensor i = Tensor.ofInts(new int[] {-4});
            i.set(2.9, 0);
            assertEquals(2, i.getLong(0), "integers truncate");
            Tensor h = Tensor.zeros(DType.BF16, 1);
            h.set(1f + 0x1p-7f + 0x1p-8f, 0);
            assertEquals(1.015625, h.item());
        }

        @Test
        void arangeVariants() {
            assertValues(new double[] {0, 1, 2, 3, 4}, Tensor.arange(5));
            assertEquals(DType.F32, Tensor.arange(5).dtype());
            assertValues(new double[] {1, 1.25, 1.5, 1.75}, Tensor.arange(1, 2, 0.25));
            assertValues(new double[] {5, 3.5, 2, 0.5}, Tensor.arange(5, 0, -1.5));
            assertValues(new double[] {0, 3, 6, 9}, Tensor.arange(0, 10, 3));
            assertEquals(3, Tensor.arange(0, 0.3, 0.1).numel(), "ceil((end - start) / step)");
            assertEquals(0, Tensor.arange(0).numel());
            assertEquals(0, Tensor.arange(0, 0, 1).numel());
            assertEquals(0, Tensor.arange(3, 0, 1).numel(), "wrong direction: empty");
            assertMessage(assertThrows(IllegalArgumentException.class, () -> Tensor.arange(0, 1, 0)), "step must be nonzero");
            Tensor l = Tensor.arange(DType.I64, 2, 8, 2);
            assertEquals(DType.I64, l.dtype());
            assertArrayEquals(new long[] {2, 4, 6}, l.toLongArray());
            assertEquals(DType.F64, Tensor.arange(DType.F64, 0, 1, 0.5).dtype());
            assertArrayEquals(new double[] {0, 0.1, 0.2}, Tensor.arange(DType.F64, 0, 0.25, 0.1).toDoubleArray(), 1e-15);
        }

        @Test
        void fullOnesZeros() {
            assertValues(new double[] {1, 1, 1}, Tensor.ones(3));
            assertValues(new double[] {2.5, 2.5}, Tensor.full(2.5, 2));
            assertValues(new double[] {0, 0}, Tensor.zeros(2));
            assertEquals(DType.I32, Tensor.zeros(DType.I32, 2).dtype());
            assertArrayEquals(new long[] {-3, -3}, Tensor.full(DType.I64, -3, 2).toLongArray());
            assertEquals(0, Tensor.scalar(1).dim());
            assertEquals(-1.5, Tensor.scalar(-1.5).item());
        }

        @Test
        void randIsDeterministicBySeed() {
            assertArrayEquals(Tensor.rand(new Rng(3), 5, 7).toFloatArray(), Tensor.rand(new Rng(3), 5, 7).toFloatArray());
            assertArrayEquals(Tensor.randn(new Rng(3), 35).toFloatArray(), Tensor.randn(new Rng(3), 5, 7).toFloatArray());
            assertFalse(java.util.Arrays.equals(Tensor.rand(new Rng(3), 8).toFloatArray(), Tensor.rand(new Rng(4), 8).toFloatArray()));
            assertFalse(java.util.Arrays.equals(Tensor.randn(new Rng(3), 8).toFloatArray(), Tensor.randn(new Rng(4), 8).toFloatArray()));
            Rng r = new Rng(5);
            float[] first = Tensor.rand(r, 8).toFloatArray();
            float[] second = Tensor.rand(r, 8).toFloatArray();
            assertFalse(java.util.Arrays.equals(first, second), "the generator advances");
            assertEquals(0, Tensor.rand(new Rng(1), 0, 4).numel());
            assertEquals(0, Tensor.randn(new Rng(1)).dim());
        }

        @Test
        void randAndRandnStatistics() {
            int n = 200_000;
            double[] u = Tensor.rand(new Rng(123), n).toDoubleArray();
            double mean = 0;
            double min = 1;
            double max = 0;
            for (double v : u) {
                mean += v;
                min = Math.min(min, v);
                max = Math.max(max, v);
            }
            mean /= n;
            double var = 0;
            for (double v : u) {
                var += (v - mean) * (v - mean);
            }
            var /= n - 1;
            assertEquals(0.5, mean, 0.004);
            assertEquals(1.0 / 12, var, 0.001);
            assertTrue(min >= 0 && max < 1, "uniform samples lie in [0, 1)");

            double[] g = Tensor.randn(new Rng(321), n).toDoubleArray();
            double gm = 0;
            for (double v : g) {
                gm += v;
            }
            gm /= n;
            double gv = 0;
            double fourth = 0;
            int within1 = 0;
            for (double v : g) {
                gv += (v - gm) * (v - gm);
                fourth += Math.pow(v - gm, 4);
                if (Math.abs(v) < 1) {
                    within1++;
                }
            }
            gv /= n - 1;
            fourth /= n;
            assertEquals(0, gm, 0.01);
            assertEquals(1, Math.sqrt(gv), 0.01);
            assertEquals(3, fourth / (gv * gv), 0.1, "kurtosis of a normal distribution");
            assertEquals(0.6827, within1 / (double) n, 0.005, "68% within one standard deviation");
        }
    }

    // ---------------------------------------------------------------- printing

    @Nested
    class Printing {
        @Test
        void smallTensors() {
            String v = Tensor.of(new float[] {1.5f, -2f, 3f}).toString();
            assertEquals("tensor([1.5000, -2.0000, 3.0000], shape=[3], dtype=float32)", v);
            String m = iota(2, 2).toString();
            assertTrue(m.contains("[[0.0000, 1.0000],"), m);
            assertTrue(m.contains("[2.0000, 3.0000]]"), m);
            assertTrue(m.contains("shape=[2, 2]") && m.contains("dtype=float32"), m);
            String sc = Tensor.scalar(0.25).toString();
            assertTrue(sc.contains("0.2500") && sc.contains("shape=[]"), sc);
            String ints = Tensor.ofLongs(new long[] {1, -2}).toString();
            assertEquals("tensor([1, -2], shape=[2], dtype=int64)", ints);
            assertTrue(Tensor.ofInts(new int[] {3}).toString().contains("dtype=int32"));
            String special = Tensor.of(new float[] {Float.NaN, Float.NEGATIVE_INFINITY, 1e-7f, 2e7f}).toString();
            assertTrue(special.contains("nan") && special.contains("-inf"), special);
            assertTrue(special.contains("1.0000e-07") && special.contains("2.0000e+07"), special);
            String view = iota(2, 3).mT().toString();
            assertTrue(view.contains("[[0.0000, 3.0000],"), "views print in their own order: " + view);
            assertTrue(Tensor.of(new double[] {0.5}).toString().contains("dtype=float64"));
            assertTrue(Tensor.zeros(DType.BF16, 1).toString().contains("dtype=bfloat16"));
            assertTrue(Tensor.zeros(DType.F16, 1).toString().contains("dtype=float16"));
        }

        @Test
        void bigTensorsAreSummarised() {
            Tensor big = iota(40, 50);
            String s = big.toString();
            assertTrue(s.contains("..."), s);
            assertTrue(s.contains("0.0000") && s.contains("1999.0000") && s.contains("shape=[40, 50]"), s);
            assertFalse(s.contains("1000.0000"), "middle rows are elided");
            assertTrue(s.length() < 1000, () -> "summary too long: " + s.length());
            String v = Tensor.arange(5000).toString();
            assertTrue(v.contains("[0.0000, 1.0000, 2.0000, ..., 4997.0000, 4998.0000, 4999.0000]"), v);
            // 1000 elements or fewer are printed in full
            String full = Tensor.arange(1000).toString();
            assertFalse(full.contains("..."));
            assertTrue(full.contains("500.0000"));
        }

        @Test
        void int64PrintsExactly() {
            String s = Tensor.ofLongs(new long[] {(1L << 53) + 1}).toString();
            assertTrue(s.contains("9007199254740993"), s);
        }
    }

    // ---------------------------------------------------------------- empty tensors

    @Nested
    class EmptyTensors {
        @Test
        void metadataAndViews() {
            Tensor e = Tensor.zeros(0, 3);
            assertEquals(0, e.numel());
            assertEquals(0, e.storage().byteSize());
            assertTrue(e.isContiguous());
            assertArrayEquals(s(3, 1), e.strides());
            assertArrayEquals(s(0, 3), e.view(-1, 3).shape());
            assertArrayEquals(s(3, 0), e.view(3, 0).shape());
            assertArrayEquals(s(0), e.reshape(-1).shape());
            assertArrayEquals(s(3, 0), e.mT().shape());
            assertArrayEquals(s(0, 1, 3), e.unsqueeze(1).shape());
            assertArrayEquals(s(0), e.select(1, 2).shape());
            assertArrayEquals(s(0, 2), e.narrow(1, 1, 2).shape());
            assertArrayEquals(s(0, 2), e.slice(1, 0, 3, 2).shape());
            assertArrayEquals(s(5, 0, 3), e.expand(5, 0, 3).shape());
            assertArrayEquals(s(0, 3), e.flatten(0, 0).shape());
            assertArrayEquals(s(3, 0), e.permute(1, 0).reshape(3, 0).shape());
            assertThrows(IndexOutOfBoundsException.class, () -> e.select(0, 0));
            assertThrows(IllegalArgumentException.class, () -> e.view(-1, 0), "-1 is ambiguous with 0 elements");
            assertThrows(IllegalArgumentException.class, () -> e.view(1));
        }

        @Test
        void copiesConversionsAndAccess() {
            Tensor e = Tensor.zeros(2, 0);
            assertEquals(0, e.clone().numel());
            assertArrayEquals(s(2, 0), e.mT().contiguous().mT().shape());
            for (DType d : DType.values()) {
                Tensor c = e.to(d);
                assertEquals(d, c.dtype());
                assertArrayEquals(s(2, 0), c.shape());
            }
            assertEquals(0, e.toFloatArray().length);
            assertEquals(0, e.toDoubleArray().length);
            assertEquals(0, e.toLongArray().length);
            assertEquals(0, e.toIntArray().length);
            e.fill_(3);
            e.copy_(Tensor.scalar(1));
            assertEquals("tensor([], shape=[2, 0], dtype=float32)", e.toString());
            assertThrows(IndexOutOfBoundsException.class, () -> e.get(0, 0));
            assertEquals(0, Tensor.of(new float[0]).numel());
            assertEquals(0, Tensor.ofLongs(new long[0], 0, 5).numel());
            assertEquals(0, Tensor.arange(DType.I64, 0, 0, 1).toLongArray().length);
        }

        @Test
        void opsOnEmptyTensors() {
            Tensor e = Tensor.zeros(0, 3);
            assertArrayEquals(s(0, 3), e.add(Tensor.ones(3)).shape());
            assertArrayEquals(s(0, 3), e.exp().shape());
            assertEquals(0, e.sum().item());
            assertArrayEquals(new double[] {0, 0, 0}, e.sum(0).toDoubleArray());
            assertArrayEquals(s(0), e.sum(1).shape());
            assertTrue(Double.isNaN(e.mean().item()), "mean of nothing is NaN");
            assertThrows(IllegalArgumentException.class, e::max);
            assertArrayEquals(s(0), e.max(new int[] {1}, false).shape());
            assertArrayEquals(s(0, 2), e.matmul(Tensor.ones(3, 2)).shape());
            assertArrayEquals(new double[] {0, 0, 0, 0}, Tensor.zeros(2, 0).matmul(Tensor.zeros(0, 2)).toDoubleArray());
            assertArrayEquals(s(0, 3), e.softmax(1).shape());
            assertArrayEquals(s(2, 3), Join.cat(0, e, Tensor.ones(2, 3)).shape());
            assertEquals(1, Join.split(e, 2, 0).size());
            assertArrayEquals(s(0, 3), NN.layerNorm(e, null, null, 1e-5).shape());
            assertArrayEquals(s(3, 4), LinearAlgebra.linear(Tensor.zeros(3, 0), Tensor.zeros(4, 0), null).shape());
        }

        @Test
        void zeroFeatureDimensions() {
            Tensor y = LinearAlgebra.linear(Tensor.zeros(2, 3, 0), Tensor.zeros(4, 0), Tensor.ones(4));
            assertArrayEquals(s(2, 3, 4), y.shape());
            assertArrayEquals(new double[] {1, 1, 1, 1}, y.select(0, 1).select(0, 2).toDoubleArray());
            assertArrayEquals(s(3, 0), NN.layerNorm(Tensor.zeros(3, 0), null, null, 1e-5).shape());
        }
    }
}
