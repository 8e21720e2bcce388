package radapter.tensor.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Register-tiled SGEMM micro-kernels on packed operands.
 *
 * <p>A micro-kernel computes one {@code MR x NR} tile of {@code A_panel * B_panel} where the A
 * panel is {@code MR} rows stored k-major ({@code a[ai + k*MR + r]}) and the B panel is
 * {@code NR} columns stored k-major ({@code b[bi + k*NR + j]}), both packed by
 * {@link GemmPacking}. The {@code MR * NR / L} accumulators live in vector registers for the whole
 * k loop; each step loads {@code NR / L} vectors of B, broadcasts {@code MR} scalars of A and
 * issues {@code MR * NR / L} fused multiply-adds. The finished tile is written row-major to
 * {@code tile[r*NR + j]}; the caller adds it into C.
 *
 * <p>Each kernel is a plain static method with a fixed shape and local accumulators so that C2
 * keeps them in registers. The shape is chosen once from the preferred vector species:
 * <ul>
 *   <li>512-bit (16 lanes, 32 vector registers): 12 x 2 vectors (12 x 32), 24 accumulators +
 *       2 B vectors + 1 broadcast;
 *   <li>256-bit and narrower (16 registers on AVX2): 6 x 2 vectors (6 x 16 on AVX2), 12
 *       accumulators + 2 + 1.
 * </ul>
 * The system property {@code radapter.sgemm.kernel} ({@code 12x2}, {@code 14x2}, {@code 8x3},
 * {@code 6x4}, {@code 6x2}) overrides the choice, for tuning.
 */
final class GemmMicroKernel {

    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    /** Floats per vector. */
    static final int L = S.length();

    static final int K12X2 = 0, K14X2 = 1, K8X3 = 2, K6X4 = 3, K6X2 = 4;

    /** The kernel in use (one of the K* constants); static final so that dispatch folds away. */
    static final int KIND = chooseKind();
    /** Rows of a micro-tile. */
    static final int MR = switch (KIND) {
        case K12X2 -> 12;
        case K14X2 -> 14;
        case K8X3 -> 8;
        default -> 6;
    };
    /** Vectors per micro-tile row. */
    static final int NV = switch (KIND) {
        case K8X3 -> 3;
        case K6X4 -> 4;
        default -> 2;
    };
    /** Columns of a micro-tile. */
    static final int NR = NV * L;

    private GemmMicroKernel() {}

    private static int chooseKind() {
        String prop = System.getProperty("radapter.sgemm.kernel");
        if (prop != null && !prop.isBlank()) {
            return switch (prop.trim()) {
                case "12x2" -> K12X2;
                case "14x2" -> K14X2;
                case "8x3" -> K8X3;
                case "6x4" -> K6X4;
                case "6x2" -> K6X2;
                default -> throw new IllegalArgumentException(
                        "radapter.sgemm.kernel must be one of 12x2, 14x2, 8x3, 6x4, 6x2: " + prop);
            };
        }
        // 16 lanes means AVX-512 (or SVE-512), which has 32 vector registers.
        return L >= 16 ? K12X2 : K6X2;
    }

    /** Short name of the kernel in use, e.g. {@code "12x2 (12x32)"}. */
    static String describe() {
        return MR + "x" + NV + " (" + MR + "x" + NR + ", " + S.vectorBitSize() + "-bit)";
    }

    /**
     * Computes the {@code MR x NR} tile for {@code kc} steps into {@code tile} (row-major, row
     * length {@code NR}), overwriting it.
     */
    static void kernel(int kc, float[] a, int ai, float[] b, int bi, float[] tile) {
        switch (KIND) {
            case K12X2 -> k12x2(kc, a, ai, b, bi, tile);
            case K14X2 -> k14x2(kc, a, ai, b, bi, tile);
            case K8X3 -> k8x3(kc, a, ai, b, bi, tile);
            case K6X4 -> k6x4(kc, a, ai, b, bi, tile);
            default -> k6x2(kc, a, ai, b, bi, tile);
        }
    }

    /** 12 rows x 2 vectors: 24 accumulators. */
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
            int ao = ai + k * 12, bo = bi + k * nr;
            FloatVector b0 = FloatVector.fromArray(S, b, bo);
            FloatVector b1 = FloatVector.fromArray(S, b, bo + L);
            FloatVector a0 = FloatVector.broadcast(S, a[ao]);
            c0_0 = b0.fma(a0, c0_0); c0_1 = b1.fma(a0, c0_1);
            FloatVector a1 = FloatVector.broadcast(S, a[ao + 1]);
            c1_0 = b0.fma(a1, c1_0); c1_1 = b1.fma(a1, c1_1);
            FloatVector a2 = FloatVector.broadcast(S, a[ao + 2]);
            c2_0 = b0.fma(a2, c2_0); c2_1 = b1.fma(a2, c2_1);
            FloatVector a3 = FloatVector.broadcast(S, a[ao + 3]);
            c3_0 = b0.fma(a3, c3_0); c3_1 = b1.fma(a3, c3_1);
            FloatVector a4 = FloatVector.broadcast(S, a[ao + 4]);
            c4_0 = b0.fma(a4, c4_0); c4_1 = b1.fma(a4, c4_1);
            FloatVector a5 = FloatVector.broadcast(S, a[ao + 5]);
            c5_0 = b0.fma(a5, c5_0); c5_1 = b1.fma(a5, c5_1);
            FloatVector a6 = FloatVector.broadcast(S, a[ao + 6]);
            c6_0 = b0.fma(a6, c6_0); c6_1 = b1.fma(a6, c6_1);
            FloatVector a7 = FloatVector.broadcast(S, a[ao + 7]);
            c7_0 = b0.fma(a7, c7_0); c7_1 = b1.fma(a7, c7_1);
            FloatVector a8 = FloatVector.broadcast(S, a[ao + 8]);
            c8_0 = b0.fma(a8, c8_0); c8_1 = b1.fma(a8, c8_1);
            FloatVector a9 = FloatVector.broadcast(S, a[ao + 9]);
            c9_0 = b0.fma(a9, c9_0); c9_1 = b1.fma(a9, c9_1);
            FloatVector a10 = FloatVector.broadcast(S, a[ao + 10]);
            c10_0 = b0.fma(a10, c10_0); c10_1 = b1.fma(a10, c10_1);
            FloatVector a11 = FloatVector.broadcast(S, a[ao + 11]);
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

    /** 14 rows x 2 vectors: 28 accumulators. */
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
            int ao = ai + k * 14, bo = bi + k * nr;
            FloatVector b0 = FloatVector.fromArray(S, b, bo);
            FloatVector b1 = FloatVector.fromArray(S, b, bo + L);
            FloatVector a0 = FloatVector.broadcast(S, a[ao]);
            c0_0 = b0.fma(a0, c0_0); c0_1 = b1.fma(a0, c0_1);
            FloatVector a1 = FloatVector.broadcast(S, a[ao + 1]);
            c1_0 = b0.fma(a1, c1_0); c1_1 = b1.fma(a1, c1_1);
            FloatVector a2 = FloatVector.broadcast(S, a[ao + 2]);
            c2_0 = b0.fma(a2, c2_0); c2_1 = b1.fma(a2, c2_1);
            FloatVector a3 = FloatVector.broadcast(S, a[ao + 3]);
            c3_0 = b0.fma(a3, c3_0); c3_1 = b1.fma(a3, c3_1);
            FloatVector a4 = FloatVector.broadcast(S, a[ao + 4]);
            c4_0 = b0.fma(a4, c4_0); c4_1 = b1.fma(a4, c4_1);
            FloatVector a5 = FloatVector.broadcast(S, a[ao + 5]);
            c5_0 = b0.fma(a5, c5_0); c5_1 = b1.fma(a5, c5_1);
            FloatVector a6 = FloatVector.broadcast(S, a[ao + 6]);
            c6_0 = b0.fma(a6, c6_0); c6_1 = b1.fma(a6, c6_1);
            FloatVector a7 = FloatVector.broadcast(S, a[ao + 7]);
            c7_0 = b0.fma(a7, c7_0); c7_1 = b1.fma(a7, c7_1);
            FloatVector a8 = FloatVector.broadcast(S, a[ao + 8]);
            c8_0 = b0.fma(a8, c8_0); c8_1 = b1.fma(a8, c8_1);
            FloatVector a9 = FloatVector.broadcast(S, a[ao + 9]);
            c9_0 = b0.fma(a9, c9_0); c9_1 = b1.fma(a9, c9_1);
            FloatVector a10 = FloatVector.broadcast(S, a[ao + 10]);
            c10_0 = b0.fma(a10, c10_0); c10_1 = b1.fma(a10, c10_1);
            FloatVector a11 = FloatVector.broadcast(S, a[ao + 11]);
            c11_0 = b0.fma(a11, c11_0); c11_1 = b1.fma(a11, c11_1);
            FloatVector a12 = FloatVector.broadcast(S, a[ao + 12]);
            c12_0 = b0.fma(a12, c12_0); c12_1 = b1.fma(a12, c12_1);
            FloatVector a13 = FloatVector.broadcast(S, a[ao + 13]);
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

    /** 8 rows x 3 vectors: 24 accumulators. */
    static void k8x3(int kc, float[] a, int ai, float[] b, int bi, float[] tile) {
        final int nr = 3 * L;
        FloatVector c0_0 = FloatVector.zero(S), c0_1 = FloatVector.zero(S), c0_2 = FloatVector.zero(S);
        FloatVector c1_0 = FloatVector.zero(S), c1_1 = FloatVector.zero(S), c1_2 = FloatVector.zero(S);
        FloatVector c2_0 = FloatVector.zero(S), c2_1 = FloatVector.zero(S), c2_2 = FloatVector.zero(S);
        FloatVector c3_0 = FloatVector.zero(S), c3_1 = FloatVector.zero(S), c3_2 = FloatVector.zero(S);
        FloatVector c4_0 = FloatVector.zero(S), c4_1 = FloatVector.zero(S), c4_2 = FloatVector.zero(S);
        FloatVector c5_0 = FloatVector.zero(S), c5_1 = FloatVector.zero(S), c5_2 = FloatVector.zero(S);
        FloatVector c6_0 = FloatVector.zero(S), c6_1 = FloatVector.zero(S), c6_2 = FloatVector.zero(S);
        FloatVector c7_0 = FloatVector.zero(S), c7_1 = FloatVector.zero(S), c7_2 = FloatVector.zero(S);
        for (int k = 0; k < kc; k++) {
            int ao = ai + k * 8, bo = bi + k * nr;
            FloatVector b0 = FloatVector.fromArray(S, b, bo);
            FloatVector b1 = FloatVector.fromArray(S, b, bo + L);
            FloatVector b2 = FloatVector.fromArray(S, b, bo + 2 * L);
            FloatVector a0 = FloatVector.broadcast(S, a[ao]);
            c0_0 = b0.fma(a0, c0_0); c0_1 = b1.fma(a0, c0_1); c0_2 = b2.fma(a0, c0_2);
            FloatVector a1 = FloatVector.broadcast(S, a[ao + 1]);
            c1_0 = b0.fma(a1, c1_0); c1_1 = b1.fma(a1, c1_1); c1_2 = b2.fma(a1, c1_2);
            FloatVector a2 = FloatVector.broadcast(S, a[ao + 2]);
            c2_0 = b0.fma(a2, c2_0); c2_1 = b1.fma(a2, c2_1); c2_2 = b2.fma(a2, c2_2);
            FloatVector a3 = FloatVector.broadcast(S, a[ao + 3]);
            c3_0 = b0.fma(a3, c3_0); c3_1 = b1.fma(a3, c3_1); c3_2 = b2.fma(a3, c3_2);
            FloatVector a4 = FloatVector.broadcast(S, a[ao + 4]);
            c4_0 = b0.fma(a4, c4_0); c4_1 = b1.fma(a4, c4_1); c4_2 = b2.fma(a4, c4_2);
            FloatVector a5 = FloatVector.broadcast(S, a[ao + 5]);
            c5_0 = b0.fma(a5, c5_0); c5_1 = b1.fma(a5, c5_1); c5_2 = b2.fma(a5, c5_2);
            FloatVector a6 = FloatVector.broadcast(S, a[ao + 6]);
            c6_0 = b0.fma(a6, c6_0); c6_1 = b1.fma(a6, c6_1); c6_2 = b2.fma(a6, c6_2);
            FloatVector a7 = FloatVector.broadcast(S, a[ao + 7]);
            c7_0 = b0.fma(a7, c7_0); c7_1 = b1.fma(a7, c7_1); c7_2 = b2.fma(a7, c7_2);
        }
        c0_0.intoArray(tile, 0 * L); c0_1.intoArray(tile, 1 * L); c0_2.intoArray(tile, 2 * L);
        c1_0.intoArray(tile, 3 * L); c1_1.intoArray(tile, 4 * L); c1_2.intoArray(tile, 5 * L);
        c2_0.intoArray(tile, 6 * L); c2_1.intoArray(tile, 7 * L); c2_2.intoArray(tile, 8 * L);
        c3_0.intoArray(tile, 9 * L); c3_1.intoArray(tile, 10 * L); c3_2.intoArray(tile, 11 * L);
        c4_0.intoArray(tile, 12 * L); c4_1.intoArray(tile, 13 * L); c4_2.intoArray(tile, 14 * L);
        c5_0.intoArray(tile, 15 * L); c5_1.intoArray(tile, 16 * L); c5_2.intoArray(tile, 17 * L);
        c6_0.intoArray(tile, 18 * L); c6_1.intoArray(tile, 19 * L); c6_2.intoArray(tile, 20 * L);
        c7_0.intoArray(tile, 21 * L); c7_1.intoArray(tile, 22 * L); c7_2.intoArray(tile, 23 * L);
    }

    /** 6 rows x 4 vectors: 24 accumulators. */
    static void k6x4(int kc, float[] a, int ai, float[] b, int bi, float[] tile) {
        final int nr = 4 * L;
        FloatVector c0_0 = FloatVector.zero(S), c0_1 = FloatVector.zero(S), c0_2 = FloatVector.zero(S), c0_3 = FloatVector.zero(S);
        FloatVector c1_0 = FloatVector.zero(S), c1_1 = FloatVector.zero(S), c1_2 = FloatVector.zero(S), c1_3 = FloatVector.zero(S);
        FloatVector c2_0 = FloatVector.zero(S), c2_1 = FloatVector.zero(S), c2_2 = FloatVector.zero(S), c2_3 = FloatVector.zero(S);
        FloatVector c3_0 = FloatVector.zero(S), c3_1 = FloatVector.zero(S), c3_2 = FloatVector.zero(S), c3_3 = FloatVector.zero(S);
        FloatVector c4_0 = FloatVector.zero(S), c4_1 = FloatVector.zero(S), c4_2 = FloatVector.zero(S), c4_3 = FloatVector.zero(S);
        FloatVector c5_0 = FloatVector.zero(S), c5_1 = FloatVector.zero(S), c5_2 = FloatVector.zero(S), c5_3 = FloatVector.zero(S);
        for (int k = 0; k < kc; k++) {
            int ao = ai + k * 6, bo = bi + k * nr;
            FloatVector b0 = FloatVector.fromArray(S, b, bo);
            FloatVector b1 = FloatVector.fromArray(S, b, bo + L);
            FloatVector b2 = FloatVector.fromArray(S, b, bo + 2 * L);
            FloatVector b3 = FloatVector.fromArray(S, b, bo + 3 * L);
            FloatVector a0 = FloatVector.broadcast(S, a[ao]);
            c0_0 = b0.fma(a0, c0_0); c0_1 = b1.fma(a0, c0_1); c0_2 = b2.fma(a0, c0_2); c0_3 = b3.fma(a0, c0_3);
            FloatVector a1 = FloatVector.broadcast(S, a[ao + 1]);
            c1_0 = b0.fma(a1, c1_0); c1_1 = b1.fma(a1, c1_1); c1_2 = b2.fma(a1, c1_2); c1_3 = b3.fma(a1, c1_3);
            FloatVector a2 = FloatVector.broadcast(S, a[ao + 2]);
            c2_0 = b0.fma(a2, c2_0); c2_1 = b1.fma(a2, c2_1); c2_2 = b2.fma(a2, c2_2); c2_3 = b3.fma(a2, c2_3);
            FloatVector a3 = FloatVector.broadcast(S, a[ao + 3]);
            c3_0 = b0.fma(a3, c3_0); c3_1 = b1.fma(a3, c3_1); c3_2 = b2.fma(a3, c3_2); c3_3 = b3.fma(a3, c3_3);
            FloatVector a4 = FloatVector.broadcast(S, a[ao + 4]);
            c4_0 = b0.fma(a4, c4_0); c4_1 = b1.fma(a4, c4_1); c4_2 = b2.fma(a4, c4_2); c4_3 = b3.fma(a4, c4_3);
            FloatVector a5 = FloatVector.broadcast(S, a[ao + 5]);
            c5_0 = b0.fma(a5, c5_0); c5_1 = b1.fma(a5, c5_1); c5_2 = b2.fma(a5, c5_2); c5_3 = b3.fma(a5, c5_3);
        }
        c0_0.intoArray(tile, 0 * L); c0_1.intoArray(tile, 1 * L); c0_2.intoArray(tile, 2 * L); c0_3.intoArray(tile, 3 * L);
        c1_0.intoArray(tile, 4 * L); c1_1.intoArray(tile, 5 * L); c1_2.intoArray(tile, 6 * L); c1_3.intoArray(tile, 7 * L);
        c2_0.intoArray(tile, 8 * L); c2_1.intoArray(tile, 9 * L); c2_2.intoArray(tile, 10 * L); c2_3.intoArray(tile, 11 * L);
        c3_0.intoArray(tile, 12 * L); c3_1.intoArray(tile, 13 * L); c3_2.intoArray(tile, 14 * L); c3_3.intoArray(tile, 15 * L);
        c4_0.intoArray(tile, 16 * L); c4_1.intoArray(tile, 17 * L); c4_2.intoArray(tile, 18 * L); c4_3.intoArray(tile, 19 * L);
        c5_0.intoArray(tile, 20 * L); c5_1.intoArray(tile, 21 * L); c5_2.intoArray(tile, 22 * L); c5_3.intoArray(tile, 23 * L);
    }

    /** 6 rows x 2 vectors: 12 accumulators. */
    static void k6x2(int kc, float[] a, int ai, float[] b, int bi, float[] tile) {
        final int nr = 2 * L;
        FloatVector c0_0 = FloatVector.zero(S), c0_1 = FloatVector.zero(S);
        FloatVector c1_0 = FloatVector.zero(S), c1_1 = FloatVector.zero(S);
        FloatVector c2_0 = FloatVector.zero(S), c2_1 = FloatVector.zero(S);
        FloatVector c3_0 = FloatVector.zero(S), c3_1 = FloatVector.zero(S);
        FloatVector c4_0 = FloatVector.zero(S), c4_1 = FloatVector.zero(S);
        FloatVector c5_0 = FloatVector.zero(S), c5_1 = FloatVector.zero(S);
        for (int k = 0; k < kc; k++) {
            int ao = ai + k * 6, bo = bi + k * nr;
            FloatVector b0 = FloatVector.fromArray(S, b, bo);
            FloatVector b1 = FloatVector.fromArray(S, b, bo + L);
            FloatVector a0 = FloatVector.broadcast(S, a[ao]);
            c0_0 = b0.fma(a0, c0_0); c0_1 = b1.fma(a0, c0_1);
            FloatVector a1 = FloatVector.broadcast(S, a[ao + 1]);
            c1_0 = b0.fma(a1, c1_0); c1_1 = b1.fma(a1, c1_1);
            FloatVector a2 = FloatVector.broadcast(S, a[ao + 2]);
            c2_0 = b0.fma(a2, c2_0); c2_1 = b1.fma(a2, c2_1);
            FloatVector a3 = FloatVector.broadcast(S, a[ao + 3]);
            c3_0 = b0.fma(a3, c3_0); c3_1 = b1.fma(a3, c3_1);
            FloatVector a4 = FloatVector.broadcast(S, a[ao + 4]);
            c4_0 = b0.fma(a4, c4_0); c4_1 = b1.fma(a4, c4_1);
            FloatVector a5 = FloatVector.broadcast(S, a[ao + 5]);
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
