package radapter.tensor.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.fail;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Checks {@link Sgemm#sgemm} and {@link Sgemm#sgemmBatched} against a double-precision triple
 * loop, over odd shapes, every transpose combination (via strides), broadcast and negative
 * strides, unaligned native and heap segments, accumulate on and off, and empty dimensions.
 * Errors are measured relative to {@code sum_k |a_ik| |b_kj|} (plus {@code |c_ij|} when
 * accumulating), the natural scale of float32 rounding in a dot product.
 */
class SgemmTest {

    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT_UNALIGNED;
    private static final double TOL = 1e-5;
    /** Written around every C view; must survive untouched. */
    private static final float SENTINEL = -12345.5f;

    /** How a matrix is laid out in its segment. */
    enum Storage {
        /** Native, 64-byte aligned. */
        NATIVE,
        /** Native, shifted by 3 bytes (every float unaligned). */
        NATIVE_ODD_BYTES,
        /** Heap byte[], shifted by 1 byte. */
        HEAP_BYTES_ODD,
        /** Heap float[], view starting 1 float in. */
        HEAP_FLOATS_PLUS_ONE
    }

    /** A logical rows x cols matrix at {@code off + i*rs + j*cs} (floats) of {@code seg}. */
    record Mat(MemorySegment seg, long off, long rs, long cs, int rows, int cols) {
        float get(int i, int j) {
            return seg.getAtIndex(F, off + i * rs + j * cs);
        }

        void set(int i, int j, float v) {
            seg.setAtIndex(F, off + i * rs + j * cs, v);
        }
    }

    private final Arena arena = Arena.ofAuto();

    private MemorySegment allocate(long floats, Storage storage) {
        long bytes = floats * 4;
        return switch (storage) {
            case NATIVE -> arena.allocate(Math.max(bytes, 4), 64);
            case NATIVE_ODD_BYTES -> arena.allocate(bytes + 3, 64).asSlice(3);
            case HEAP_BYTES_ODD -> MemorySegment.ofArray(new byte[(int) bytes + 1]).asSlice(1);
            case HEAP_FLOATS_PLUS_ONE -> MemorySegment.ofArray(new float[(int) floats + 1]).asSlice(4);
        };
    }

    /**
     * A matrix stored transposed or not, padded so that its rows (or columns) have a gap, filled
     * with random values in [-1, 1) (everything in the segment, padding included).
     */
    private Mat matrix(int rows, int cols, boolean transposed, Storage storage, SplittableRandom rnd) {
        int pad = 3;
        long rs;
        long cs;
        long floats;
        if (!transposed) {
            rs = cols + pad;
            cs = 1;
            floats = rows * rs + pad;
        } else {
            rs = 1;
            cs = rows + pad;
            floats = cols * cs + pad;
        }
        MemorySegment seg = allocate(floats + 1, storage);
        for (long i = 0; i < floats + 1; i++) {
            seg.setAtIndex(F, i, (float) (rnd.nextDouble() * 2 - 1));
        }
        return new Mat(seg, 1, rs, cs, rows, cols);
    }

    /** Output matrix with a sentinel-filled segment and random values inside the view. */
    private Mat output(int rows, int cols, boolean transposed, Storage storage, SplittableRandom rnd) {
        Mat c = matrix(rows, cols, transposed, storage, rnd);
        long floats = c.seg.byteSize() / 4;
        for (long i = 0; i < floats; i++) {
            c.seg.setAtIndex(F, i, SENTINEL);
        }
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                c.set(i, j, (float) (rnd.nextDouble() * 2 - 1));
            }
        }
        return c;
    }

    private static float[][] snapshot(Mat c) {
        float[][] s = new float[c.rows][c.cols];
        for (int i = 0; i < c.rows; i++) {
            for (int j = 0; j < c.cols; j++) {
                s[i][j] = c.get(i, j);
            }
        }
        return s;
    }

    /** Checks C against the double-precision product and that nothing outside the view changed. */
    private static void check(String what, Mat a, Mat b, Mat c, float[][] c0, boolean accumulate) {
        int m = c.rows;
        int n = c.cols;
        int k = a.cols;
        double worst = 0;
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double exact = 0;
                double scale = 0;
                for (int p = 0; p < k; p++) {
                    double x = a.get(i, p);
                    double y = b.get(p, j);
                    exact += x * y;
                    scale += Math.abs(x * y);
                }
                if (accumulate) {
                    exact += c0[i][j];
                    scale += Math.abs(c0[i][j]);
                }
                double err = Math.abs(c.get(i, j) - exact) / Math.max(scale, 1e-30);
                if (!(err <= TOL)) {
                    fail(what + ": C[" + i + "," + j + "] = " + c.get(i, j) + ", expected " + exact
                            + " (relative error " + err + ")");
                }
                worst = Math.max(worst, err);
            }
        }
        checkOutsideUntouched(what, c);
    }

    private static void checkOutsideUntouched(String what, Mat c) {
        boolean[] inside = new boolean[(int) (c.seg.byteSize() / 4)];
        for (int i = 0; i < c.rows; i++) {
            for (int j = 0; j < c.cols; j++) {
                inside[(int) (c.off + i * c.rs + j * c.cs)] = true;
            }
        }
        for (int idx = 0; idx < inside.length; idx++) {
            if (!inside[idx] && c.seg.getAtIndex(F, idx) != SENTINEL) {
                fail(what + ": float " + idx + " outside C was overwritten");
            }
        }
    }

    private static void sgemm(Mat a, Mat b, Mat c, boolean accumulate) {
        Sgemm.sgemm(c.rows, c.cols, a.cols,
                a.seg, a.off, a.rs, a.cs,
                b.seg, b.off, b.rs, b.cs,
                c.seg, c.off, c.rs, c.cs, accumulate);
    }

    private void runCase(int m, int n, int k, boolean ta, boolean tb, boolean tc, boolean accumulate,
            Storage storage, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        Mat a = matrix(m, k, ta, storage, rnd);
        Mat b = matrix(k, n, tb, storage, rnd);
        Mat c = output(m, n, tc, storage, rnd);
        float[][] c0 = snapshot(c);
        // A and B are read-only views: the kernel must never write them.
        Mat ar = new Mat(a.seg.asReadOnly(), a.off, a.rs, a.cs, a.rows, a.cols);
        Mat br = new Mat(b.seg.asReadOnly(), b.off, b.rs, b.cs, b.rows, b.cols);
        sgemm(ar, br, c, accumulate);
        String what = m + "x" + n + "x" + k + (ta ? " A^T" : "") + (tb ? " B^T" : "") + (tc ? " C^T" : "")
                + (accumulate ? " +=" : " =") + " " + storage;
        check(what, a, b, c, c0, accumulate);
    }

    @ParameterizedTest(name = "{0}x{1}x{2}")
    @CsvSource({
        "1, 1, 1", "1, 5, 3", "4, 1, 9", "2, 3, 1",
        "7, 13, 5", "11, 31, 17", "12, 32, 16", "13, 33, 257", "25, 65, 300",
        "67, 129, 33", "97, 61, 257", "130, 70, 130", "300, 257, 513", "64, 1100, 64"
    })
    void shapesAllTransposes(int m, int n, int k) {
        long seed = 31L * m + 17L * n + k;
        for (int t = 0; t < 4; t++) {
            boolean ta = (t & 1) != 0;
            boolean tb = (t & 2) != 0;
            runCase(m, n, k, ta, tb, false, t % 2 == 0, Storage.NATIVE, seed + t);
        }
        // C transposed (column stride != 1): the scalar store path.
        runCase(m, n, k, false, false, true, true, Storage.NATIVE, seed + 7);
    }

    @ParameterizedTest
    @CsvSource({"NATIVE_ODD_BYTES", "HEAP_BYTES_ODD", "HEAP_FLOATS_PLUS_ONE"})
    void unalignedAndHeapSegments(Storage storage) {
        long seed = storage.ordinal();
        runCase(37, 70, 41, false, false, false, false, storage, seed);
        runCase(37, 70, 41, true, true, false, true, storage, seed + 1);
        runCase(150, 150, 150, false, true, false, false, storage, seed + 2);
        runCase(150, 150, 150, true, false, true, true, storage, seed + 3);
    }

    @Test
    void accumulateAddsIntoExistingValues() {
        for (int[] s : new int[][] {{5, 9, 4}, {100, 90, 80}, {260, 300, 270}}) {
            runCase(s[0], s[1], s[2], false, false, false, true, Storage.NATIVE, 5);
            runCase(s[0], s[1], s[2], false, false, false, false, Storage.NATIVE, 6);
        }
    }

    @Test
    void broadcastStrides() {
        SplittableRandom rnd = new SplittableRandom(3);
        int m = 29;
        int n = 45;
        int k = 300;
        // A: every row the same (row stride 0). B: every column the same (column stride 0).
        Mat aRow = matrix(1, k, false, Storage.NATIVE, rnd);
        Mat a = new Mat(aRow.seg, aRow.off, 0, aRow.cs, m, k);
        Mat bCol = matrix(k, 1, false, Storage.NATIVE, rnd);
        Mat b = new Mat(bCol.seg, bCol.off, bCol.rs, 0, k, n);
        for (boolean acc : new boolean[] {false, true}) {
            Mat c = output(m, n, false, Storage.NATIVE, rnd);
            float[][] c0 = snapshot(c);
            sgemm(a, b, c, acc);
            check("broadcast A and B rows/cols", a, b, c, c0, acc);
        }
        // A fully broadcast (both strides 0): a constant matrix; B normal and transposed.
        Mat aConst = new Mat(aRow.seg, aRow.off, 0, 0, m, k);
        for (boolean tb : new boolean[] {false, true}) {
            Mat bn = matrix(k, n, tb, Storage.NATIVE, rnd);
            Mat c = output(m, n, false, Storage.NATIVE, rnd);
            sgemm(aConst, bn, c, false);
            check("constant A", aConst, bn, c, null, false);
        }
    }

    @Test
    void negativeStrides() {
        SplittableRandom rnd = new SplittableRandom(4);
        int m = 40;
        int n = 70;
        int k = 33;
        Mat a = matrix(m, k, false, Storage.NATIVE, rnd);
        // Flip A upside down and B left to right.
        Mat aFlip = new Mat(a.seg, a.off + (m - 1) * a.rs, -a.rs, a.cs, m, k);
        Mat b = matrix(k, n, false, Storage.NATIVE, rnd);
        Mat bFlip = new Mat(b.seg, b.off + (n - 1) * b.cs, b.rs, -b.cs, k, n);
        Mat c = output(m, n, false, Storage.NATIVE, rnd);
        sgemm(aFlip, bFlip, c, false);
        check("flipped A and B", aFlip, bFlip, c, null, false);
    }

    @Test
    void emptyDimensions() {
        SplittableRandom rnd = new SplittableRandom(5);
        // K == 0: overwrite zeroes C, accumulate leaves it alone.
        Mat a = matrix(6, 0, false, Storage.NATIVE, rnd);
        Mat b = matrix(0, 9, false, Storage.NATIVE, rnd);
        Mat c = output(6, 9, false, Storage.NATIVE, rnd);
        float[][] c0 = snapshot(c);
        sgemm(a, b, c, true);
        for (int i = 0; i < 6; i++) {
            for (int j = 0; j < 9; j++) {
                assertEquals(c0[i][j], c.get(i, j));
            }
        }
        sgemm(a, b, c, false);
        for (int i = 0; i < 6; i++) {
            for (int j = 0; j < 9; j++) {
                assertEquals(0f, c.get(i, j));
            }
        }
        checkOutsideUntouched("K=0", c);
        // M == 0 or N == 0: nothing happens, even with empty segments.
        MemorySegment empty = MemorySegment.ofArray(new float[0]);
        Sgemm.sgemm(0, 5, 3, empty, 0, 3, 1, arena.allocate(60), 0, 5, 1, empty, 0, 5, 1, false);
        Sgemm.sgemm(4, 0, 3, arena.allocate(48), 0, 3, 1, empty, 0, 0, 1, empty, 0, 0, 1, false);
        Sgemm.sgemmBatched(0, 4, 4, 4, empty, 0, 16, 4, 1, empty, 0, 16, 4, 1, empty, 0, 16, 4, 1, false);
    }

    @Test
    void badArgumentsAreRejected() {
        MemorySegment small = arena.allocate(4 * 10);
        MemorySegment big = arena.allocate(4 * 1000);
        assertThrows(IllegalArgumentException.class,
                () -> Sgemm.sgemm(-1, 2, 2, big, 0, 2, 1, big, 0, 2, 1, big, 0, 2, 1, false));
        assertThrows(IndexOutOfBoundsException.class,
                () -> Sgemm.sgemm(4, 4, 4, small, 0, 4, 1, big, 0, 4, 1, big, 0, 4, 1, false));
        assertThrows(IndexOutOfBoundsException.class,
                () -> Sgemm.sgemm(4, 4, 4, big, 0, 4, 1, big, 0, 4, 1, small, 0, 4, 1, false));
        assertThrows(IndexOutOfBoundsException.class,
                () -> Sgemm.sgemm(4, 4, 4, big, 2, -4, 1, big, 0, 4, 1, big, 0, 4, 1, false));
    }

    @Test
    void referenceMatchesPlainJava() {
        SplittableRandom rnd = new SplittableRandom(6);
        int m = 9;
        int n = 14;
        int k = 11;
        Mat a = matrix(m, k, true, Storage.NATIVE, rnd);
        Mat b = matrix(k, n, false, Storage.NATIVE, rnd);
        Mat c = output(m, n, false, Storage.NATIVE, rnd);
        float[][] c0 = snapshot(c);
        Sgemm.sgemmReference(m, n, k, a.seg, a.off, a.rs, a.cs, b.seg, b.off, b.rs, b.cs,
                c.seg, c.off, c.rs, c.cs, true);
        check("reference", a, b, c, c0, true);
    }

    /** Batched products, sgemm-style operands laid out back to back with a batch stride. */
    private void runBatched(int batch, int m, int n, int k, boolean tb, boolean shareB, boolean accumulate,
            long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        long aBs = (long) m * k + 5;
        long bBs = shareB ? 0 : (long) k * n + 3;
        long cBs = (long) m * n + 7;
        MemorySegment aSeg = allocate(aBs * batch + 1, Storage.NATIVE_ODD_BYTES);
        MemorySegment bSeg = allocate((shareB ? (long) k * n : bBs * batch) + 1, Storage.NATIVE);
        MemorySegment cSeg = allocate(cBs * batch + 1, Storage.NATIVE);
        for (long i = 0; i < aSeg.byteSize() / 4; i++) {
            aSeg.setAtIndex(F, i, (float) (rnd.nextDouble() * 2 - 1));
        }
        for (long i = 0; i < bSeg.byteSize() / 4; i++) {
            bSeg.setAtIndex(F, i, (float) (rnd.nextDouble() * 2 - 1));
        }
        for (long i = 0; i < cSeg.byteSize() / 4; i++) {
            cSeg.setAtIndex(F, i, SENTINEL);
        }
        long bRs = tb ? 1 : n;
        long bCs = tb ? k : 1;
        Mat[] as = new Mat[batch];
        Mat[] bs = new Mat[batch];
        Mat[] cs = new Mat[batch];
        float[][][] c0 = new float[batch][][];
        for (int p = 0; p < batch; p++) {
            as[p] = new Mat(aSeg, 1 + p * aBs, k, 1, m, k);
            bs[p] = new Mat(bSeg, 1 + p * bBs, bRs, bCs, k, n);
            cs[p] = new Mat(cSeg, 1 + p * cBs, n, 1, m, n);
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    cs[p].set(i, j, (float) (rnd.nextDouble() * 2 - 1));
                }
            }
            c0[p] = snapshot(cs[p]);
        }
        Sgemm.sgemmBatched(batch, m, n, k,
                aSeg.asReadOnly(), 1, aBs, k, 1,
                bSeg.asReadOnly(), 1, bBs, bRs, bCs,
                cSeg, 1, cBs, n, 1, accumulate);
        for (int p = 0; p < batch; p++) {
            String what = "batch " + p + "/" + batch + " " + m + "x" + n + "x" + k + (tb ? " B^T" : "")
                    + (shareB ? " shared B" : "");
            // Check this problem's view; the sentinel check covers the whole C segment below.
            Mat cView = new Mat(cSeg, cs[p].off, n, 1, m, n);
            checkValues(what, as[p], bs[p], cView, c0[p], accumulate);
        }
        boolean[] inside = new boolean[(int) (cSeg.byteSize() / 4)];
        for (int p = 0; p < batch; p++) {
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    inside[(int) (cs[p].off + (long) i * n + j)] = true;
                }
            }
        }
        for (int idx = 0; idx < inside.length; idx++) {
            if (!inside[idx] && cSeg.getAtIndex(F, idx) != SENTINEL) {
                fail("batched: float " + idx + " outside every C was overwritten");
            }
        }
    }

    private static void checkValues(String what, Mat a, Mat b, Mat c, float[][] c0, boolean accumulate) {
        for (int i = 0; i < c.rows; i++) {
            for (int j = 0; j < c.cols; j++) {
                double exact = accumulate ? c0[i][j] : 0;
                double scale = accumulate ? Math.abs(c0[i][j]) : 0;
                for (int p = 0; p < a.cols; p++) {
                    double x = a.get(i, p);
                    double y = b.get(p, j);
                    exact += x * y;
                    scale += Math.abs(x * y);
                }
                double err = Math.abs(c.get(i, j) - exact) / Math.max(scale, 1e-30);
                if (!(err <= TOL)) {
                    fail(what + ": C[" + i + "," + j + "] = " + c.get(i, j) + ", expected " + exact
                            + " (relative error " + err + ")");
                }
            }
        }
    }

    @Test
    void batchedSmallAndLarge() {
        runBatched(1, 33, 21, 17, false, false, false, 10);
        runBatched(3, 50, 40, 30, true, false, true, 11);
        runBatched(3, 130, 140, 150, false, false, false, 12);
        runBatched(200, 5, 7, 3, false, false, false, 13);
        runBatched(37, 19, 23, 29, true, true, true, 14);
        // Attention-like: scores Q K^T and context P V.
        runBatched(12, 197, 197, 64, true, false, false, 15);
        runBatched(12, 197, 64, 197, false, false, false, 16);
    }

    @Test
    void batchedKZero() {
        MemorySegment c = arena.allocate(4 * 3 * 8);
        c.fill((byte) 1);
        MemorySegment empty = MemorySegment.ofArray(new float[0]);
        Sgemm.sgemmBatched(3, 2, 4, 0, empty, 0, 0, 0, 1, empty, 0, 0, 4, 1, c, 0, 8, 4, 1, false);
        for (int p = 0; p < 3; p++) {
            for (int idx = 0; idx < 8; idx++) {
                assertEquals(0f, c.getAtIndex(F, p * 8L + idx));
            }
        }
    }
}
