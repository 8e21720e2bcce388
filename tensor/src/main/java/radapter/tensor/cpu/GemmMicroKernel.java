package radapter.tensor.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Register-tiled SGEMM micro-kernels on packed operands.
 *
 * <p>A micro-kernel computes one {@code MR x NR} tile of {@code A_panel * B_panel} where the A
 * panel is {@code MR} rows stored row by row with the fixed stride {@link #LDA}
 * ({@code a[ai + r*LDA + k]}, so row-major A packs with plain bulk copies) and the B panel is
 * {@code NR} columns stored k-major ({@code b[bi + k*NR + j]}), both packed by
 * {@link GemmPacking}. The {@code MR * NR / L} accumulators live in vector registers for the whole
 * k loop; each step loads {@code NR / L} vectors of B, broadcasts {@code MR} scalars of A and
 * issues {@code MR * NR / L} fused multiply-adds. The finished tile is written row-major to a small
 * {@code tile} array, which the caller adds into C. (A variant that added straight into C
 * grew too large for C1, which gave up on it, "out of virtual registers", and left it running
 * non-intrinsified vector code at ~2 GFLOP/s until C2 got to it, sometimes for minutes.)
 *
 * <p>Each kernel is a plain static method with a fixed shape and local accumulators so that C2
 * keeps them in registers. The shape is chosen once from the preferred vector species:
 * <ul>
 *   <li>512-bit (16 lanes, 32 vector registers): 12 rows x 2 vectors (12 x 32), 24 accumulators
 *       + 2 B vectors + 1 broadcast;
 *   <li>256-bit and narrower (16 registers on AVX2): 6 rows x 2 vectors (6 x 16 on AVX2), 12
 *       accumulators + 2 + 1.
 * </ul>
 * The system property {@code radapter.sgemm.kernel} ({@code 12x2}, {@code 14x2}, {@code 6x2})
 * overrides the choice, for tuning.
 */
final class GemmMicroKernel {

    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    /** Floats per vector. */
    static final int L = S.length();

    static final int K12X2 = 0, K14X2 = 1, K6X2 = 2;

    /** The kernel in use (one of the K* constants); static final so that dispatch folds away. */
    static final int KIND = chooseKind();
    /** Rows of a micro-tile. */
    static final int MR = switch (KIND) {
        case K12X2 -> 12;
        case K14X2 -> 14;
        default -> 6;
    };
    /** Vectors per micro-tile row. */
    static final int NV = 2;
    /** Columns of a micro-tile. */
    static final int NR = NV * L;
    /**
     * Depth of a packed block (the k extent of one micro-kernel call): the {@code MR x KC} A strip
     * (12 KiB) stays in L1 while {@code KC x NR} B strips (32 KiB) stream through it from L2, and
     * C is read and written once per {@code KC} steps.
     */
    static final int KC = Math.max(16, Integer.getInteger("radapter.sgemm.kc", 256));
    /**
     * Row stride of packed A strips: {@code KC} plus a little padding so that the MR rows do not
     * all map to the same L1 sets. A compile-time-like constant, so the kernels address the MR
     * rows with immediate displacements.
     */
    static final int LDA = KC + 8;

    private GemmMicroKernel() {}

    private static int chooseKind() {
        String prop = System.getProperty("radapter.sgemm.kernel");
        if (prop != null && !prop.isBlank()) {
            return switch (prop.trim()) {
                case "12x2" -> K12X2;
                case "14x2" -> K14X2;
                case "6x2" -> K6X2;
                default -> throw new IllegalArgumentException(
                        "radapter.sgemm.kernel must be one of 12x2, 14x2, 6x2: " + prop);
            };
        }
        // 16 lanes means AVX-512 (or SVE-512), which has 32 vector registers.
        return L >= 16 ? K12X2 : K6X2;
    }

    /** Short description of the kernel in use, e.g. {@code "12x32 (12 rows x 2 vectors, 512-bit)"}. */
    static String describe() {
        return MR + "x" + NR + " (" + MR + " rows x " + NV + " vectors, " + S.vectorBitSize() + "-bit)";
    }

    /**
     * Computes the {@code MR x NR} tile for {@code kc} steps into {@code tile} (row-major, row
     * length {@code NR}), overwriting it.
     */
    static void kernel(int kc, float[] a, int ai, float[] b, int bi, float[] tile) {
        switch (KIND) {
            case K12X2 -> k12x2(kc, a, ai, b, bi, tile);
            case K14X2 -> k14x2(kc, a, ai, b, bi, tile);
            default -> k6x2(kc, a, ai, b, bi, tile);
        }
    }

    /** 12 rows x 2 vectors into {@code tile}: 24 accumulators. */
    static void k12x2(int kc, float[] a, int ai, float[] b, int bi, float[] tile) {
        final int nr = 2 * L;
        FloatVector c0_0 = FloatVector.zero(S), c0_1 = FloatVector.zero(S);
        FloatVector c1_0 = FloatVector.zero(S), c1_1 = FloatVector.zero(S);
        FloatVector c2_0 = FloatVector.zero(S), c2_1 = FloatVector.zero(S);
        FloatVector c3_0 = FloatVector.zero(S), c3_1 = FloatVector.zero(S);
        FloatVector c4_0 = FloatVector.zero(S), c4_1 = FloatVector.zero(S);
        FloatVector c5_0 = FloatVector.zero(S), c5_1 = FloatVector.zero(S);
        FloatVector c6_0 = FloatVector.zero(S), c6_1 = FloatVector.zero(S);
        FloatVector c7_0 = FloatVector.zero(S), c7_1 = FloatVector.zero(S);
        FloatVector c8_0 = FloatVector.zero(S), c8_1 = FloatVector.zero(S);
        FloatVector c9_0 = FloatVector.zero(S), c9_1 = FloatVector.zero(S);
        FloatVector c10_0 = FloatVector.zero(S), c10_1 = FloatVector.zero(S);
        FloatVector c11_0 = FloatVector.zero(S), c11_1 = FloatVector.zero(S);
        for (int k = 0; k < kc; k++) {
            int ao = ai + k, bo = bi + k * nr;
            FloatVector b0 = FloatVector.fromArray(S, b, bo);
            FloatVector b1 = FloatVector.fromArray(S, b, bo + L);
            FloatVector a0 = FloatVector.broadcast(S, a[ao]);
            c0_0 = b0.fma(a0, c0_0); c0_1 = b1.fma(a0, c0_1);
            FloatVector a1 = FloatVector.broadcast(S, a[ao + LDA]);
            c1_0 = b0.fma(a1, c1_0); c1_1 = b1.fma(a1, c1_1);
            FloatVector a2 = FloatVector.broadcast(S, a[ao + 2 * LDA]);
            c2_0 = b0.fma(a2, c2_0); c2_1 = b1.fma(a2, c2_1);
            FloatVector a3 = FloatVector.broadcast(S, a[ao + 3 * LDA]);
            c3_0 = b0.fma(a3, c3_0); c3_1 = b1.fma(a3, c3_1);
            FloatVector a4 = FloatVector.broadcast(S, a[ao + 4 * LDA]);
            c4_0 = b0.fma(a4, c4_0); c4_1 = b1.fma(a4, c4_1);
            FloatVector a5 = FloatVector.broadcast(S, a[ao + 5 * LDA]);
            c5_0 = b0.fma(a5, c5_0); c5_1 = b1.fma(a5, c5_1);
            FloatVector a6 = FloatVector.broadcast(S, a[ao + 6 * LDA]);
            c6_0 = b0.fma(a6, c6_0); c6_1 = b1.fma(a6, c6_1);
            FloatVector a7 = FloatVector.broadcast(S, a[ao + 7 * LDA]);
            c7_0 = b0.fma(a7, c7_0); c7_1 = b1.fma(a7, c7_1);
            FloatVector a8 = FloatVector.broadcast(S, a[ao + 8 * LDA]);
            c8_0 = b0.fma(a8, c8_0); c8_1 = b1.fma(a8, c8_1);
            FloatVector a9 = FloatVector.broadcast(S, a[ao + 9 * LDA]);
            c9_0 = b0.fma(a9, c9_0); c9_1 = b1.fma(a9, c9_1);
            FloatVector a10 = FloatVector.broadcast(S, a[ao + 10 * LDA]);
            c10_0 = b0.fma(a10, c10_0); c10_1 = b1.fma(a10, c10_1);
            FloatVector a11 = FloatVector.broadcast(S, a[ao + 11 * LDA]);
            c11_0 = b0.fma(a11, c11_0); c11_1 = b1.fma(a11, c11_1);
        }
        c0_0.intoArray(tile, 0 * L); c0_1.intoArray(tile, 1 * L);
        c1_0.intoArray(tile, 2 * L); c1_1.intoArray(tile, 3 * L);
        c2_0.intoArray(tile, 4 * L); c2_1.intoArray(tile, 5 * L);
        c3_0.intoArray(tile, 6 * L); c3_1.intoArray(tile, 7 * L);
        c4_0.intoArray(tile, 8 * L); c4_1.intoArray(tile, 9 * L);
        c5_0.intoArray(tile, 10 * L); c5_1.intoArray(tile, 11 * L);
        c6_0.intoArray(tile, 12 * L); c6_1.intoArray(tile, 13 * L);
        c7_0.intoArray(tile, 14 * L); c7_1.intoArray(tile, 15 * L);
        c8_0.intoArray(tile, 16 * L); c8_1.intoArray(tile, 17 * L);
        c9_0.intoArray(tile, 18 * L); c9_1.intoArray(tile, 19 * L);
        c10_0.intoArray(tile, 20 * L); c10_1.intoArray(tile, 21 * L);
        c11_0.intoArray(tile, 22 * L); c11_1.intoArray(tile, 23 * L);
    }

    /** 14 rows x 2 vectors into {@code tile}: 28 accumulators. */
    static void k14x2(int kc, float[] a, int ai, float[] b, int bi, float[] tile) {
        final int nr = 2 * L;
        FloatVector c0_0 = FloatVector.zero(S), c0_1 = FloatVector.zero(S);
        FloatVector c1_0 = FloatVector.zero(S), c1_1 = FloatVector.zero(S);
        FloatVector c2_0 = FloatVector.zero(S), c2_1 = FloatVector.zero(S);
        FloatVector c3_0 = FloatVector.zero(S), c3_1 = FloatVector.zero(S);
        FloatVector c4_0 = FloatVector.zero(S), c4_1 = FloatVector.zero(S);
        FloatVector c5_0 = FloatVector.zero(S), c5_1 = FloatVector.zero(S);
        FloatVector c6_0 = FloatVector.zero(S), c6_1 = FloatVector.zero(S);
        FloatVector c7_0 = FloatVector.zero(S), c7_1 = FloatVector.zero(S);
        FloatVector c8_0 = FloatVector.zero(S), c8_1 = FloatVector.zero(S);
        FloatVector c9_0 = FloatVector.zero(S), c9_1 = FloatVector.zero(S);
        FloatVector c10_0 = FloatVector.zero(S), c10_1 = FloatVector.zero(S);
        FloatVector c11_0 = FloatVector.zero(S), c11_1 = FloatVector.zero(S);
        FloatVector c12_0 = FloatVector.zero(S), c12_1 = FloatVector.zero(S);
        FloatVector c13_0 = FloatVector.zero(S), c13_1 = FloatVector.zero(S);
        for (int k = 0; k < kc; k++) {
            int ao = ai + k, bo = bi + k * nr;
            FloatVector b0 = FloatVector.fromArray(S, b, bo);
            FloatVector b1 = FloatVector.fromArray(S, b, bo + L);
            FloatVector a0 = FloatVector.broadcast(S, a[ao]);
            c0_0 = b0.fma(a0, c0_0); c0_1 = b1.fma(a0, c0_1);
            FloatVector a1 = FloatVector.broadcast(S, a[ao + LDA]);
            c1_0 = b0.fma(a1, c1_0); c1_1 = b1.fma(a1, c1_1);
            FloatVector a2 = FloatVector.broadcast(S, a[ao + 2 * LDA]);
            c2_0 = b0.fma(a2, c2_0); c2_1 = b1.fma(a2, c2_1);
            FloatVector a3 = FloatVector.broadcast(S, a[ao + 3 * LDA]);
            c3_0 = b0.fma(a3, c3_0); c3_1 = b1.fma(a3, c3_1);
            FloatVector a4 = FloatVector.broadcast(S, a[ao + 4 * LDA]);
            c4_0 = b0.fma(a4, c4_0); c4_1 = b1.fma(a4, c4_1);
            FloatVector a5 = FloatVector.broadcast(S, a[ao + 5 * LDA]);
            c5_0 = b0.fma(a5, c5_0); c5_1 = b1.fma(a5, c5_1);
            FloatVector a6 = FloatVector.broadcast(S, a[ao + 6 * LDA]);
            c6_0 = b0.fma(a6, c6_0); c6_1 = b1.fma(a6, c6_1);
            FloatVector a7 = FloatVector.broadcast(S, a[ao + 7 * LDA]);
            c7_0 = b0.fma(a7, c7_0); c7_1 = b1.fma(a7, c7_1);
            FloatVector a8 = FloatVector.broadcast(S, a[ao + 8 * LDA]);
            c8_0 = b0.fma(a8, c8_0); c8_1 = b1.fma(a8, c8_1);
            FloatVector a9 = FloatVector.broadcast(S, a[ao + 9 * LDA]);
            c9_0 = b0.fma(a9, c9_0); c9_1 = b1.fma(a9, c9_1);
            FloatVector a10 = FloatVector.broadcast(S, a[ao + 10 * LDA]);
            c10_0 = b0.fma(a10, c10_0); c10_1 = b1.fma(a10, c10_1);
            FloatVector a11 = FloatVector.broadcast(S, a[ao + 11 * LDA]);
            c11_0 = b0.fma(a11, c11_0); c11_1 = b1.fma(a11, c11_1);
            FloatVector a12 = FloatVector.broadcast(S, a[ao + 12 * LDA]);
            c12_0 = b0.fma(a12, c12_0); c12_1 = b1.fma(a12, c12_1);
            FloatVector a13 = FloatVector.broadcast(S, a[ao + 13 * LDA]);
            c13_0 = b0.fma(a13, c13_0); c13_1 = b1.fma(a13, c13_1);
        }
        c0_0.intoArray(tile, 0 * L); c0_1.intoArray(tile, 1 * L);
        c1_0.intoArray(tile, 2 * L); c1_1.intoArray(tile, 3 * L);
        c2_0.intoArray(tile, 4 * L); c2_1.intoArray(tile, 5 * L);
        c3_0.intoArray(tile, 6 * L); c3_1.intoArray(tile, 7 * L);
        c4_0.intoArray(tile, 8 * L); c4_1.intoArray(tile, 9 * L);
        c5_0.intoArray(tile, 10 * L); c5_1.intoArray(tile, 11 * L);
        c6_0.intoArray(tile, 12 * L); c6_1.intoArray(tile, 13 * L);
        c7_0.intoArray(tile, 14 * L); c7_1.intoArray(tile, 15 * L);
        c8_0.intoArray(tile, 16 * L); c8_1.intoArray(tile, 17 * L);
        c9_0.intoArray(tile, 18 * L); c9_1.intoArray(tile, 19 * L);
        c10_0.intoArray(tile, 20 * L); c10_1.intoArray(tile, 21 * L);
        c11_0.intoArray(tile, 22 * L); c11_1.intoArray(tile, 23 * L);
        c12_0.intoArray(tile, 24 * L); c12_1.intoArray(tile, 25 * L);
        c13_0.intoArray(tile, 26 * L); c13_1.intoArray(tile, 27 * L);
    }

    /** 6 rows x 2 vectors into {@code tile}: 12 accumulators. */
    static void k6x2(int kc, float[] a, int ai, float[] b, int bi, float[] tile) {
        final int nr = 2 * L;
        FloatVector c0_0 = FloatVector.zero(S), c0_1 = FloatVector.zero(S);
        FloatVector c1_0 = FloatVector.zero(S), c1_1 = FloatVector.zero(S);
        FloatVector c2_0 = FloatVector.zero(S), c2_1 = FloatVector.zero(S);
        FloatVector c3_0 = FloatVector.zero(S), c3_1 = FloatVector.zero(S);
        FloatVector c4_0 = FloatVector.zero(S), c4_1 = FloatVector.zero(S);
        FloatVector c5_0 = FloatVector.zero(S), c5_1 = FloatVector.zero(S);
        for (int k = 0; k < kc; k++) {
            int ao = ai + k, bo = bi + k * nr;
            FloatVector b0 = FloatVector.fromArray(S, b, bo);
            FloatVector b1 = FloatVector.fromArray(S, b, bo + L);
            FloatVector a0 = FloatVector.broadcast(S, a[ao]);
            c0_0 = b0.fma(a0, c0_0); c0_1 = b1.fma(a0, c0_1);
            FloatVector a1 = FloatVector.broadcast(S, a[ao + LDA]);
            c1_0 = b0.fma(a1, c1_0); c1_1 = b1.fma(a1, c1_1);
            FloatVector a2 = FloatVector.broadcast(S, a[ao + 2 * LDA]);
            c2_0 = b0.fma(a2, c2_0); c2_1 = b1.fma(a2, c2_1);
            FloatVector a3 = FloatVector.broadcast(S, a[ao + 3 * LDA]);
            c3_0 = b0.fma(a3, c3_0); c3_1 = b1.fma(a3, c3_1);
            FloatVector a4 = FloatVector.broadcast(S, a[ao + 4 * LDA]);
            c4_0 = b0.fma(a4, c4_0); c4_1 = b1.fma(a4, c4_1);
            FloatVector a5 = FloatVector.broadcast(S, a[ao + 5 * LDA]);
            c5_0 = b0.fma(a5, c5_0); c5_1 = b1.fma(a5, c5_1);
        }
        c0_0.intoArray(tile, 0 * L); c0_1.intoArray(tile, 1 * L);
        c1_0.intoArray(tile, 2 * L); c1_1.intoArray(tile, 3 * L);
        c2_0.intoArray(tile, 4 * L); c2_1.intoArray(tile, 5 * L);
        c3_0.intoArray(tile, 6 * L); c3_1.intoArray(tile, 7 * L);
        c4_0.intoArray(tile, 8 * L); c4_1.intoArray(tile, 9 * L);
        c5_0.intoArray(tile, 10 * L); c5_1.intoArray(tile, 11 * L);
    }
}
