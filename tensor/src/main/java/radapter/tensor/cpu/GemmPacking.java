package radapter.tensor.cpu;

import static radapter.tensor.cpu.GemmMicroKernel.KC;
import static radapter.tensor.cpu.GemmMicroKernel.L;
import static radapter.tensor.cpu.GemmMicroKernel.LDA;
import static radapter.tensor.cpu.GemmMicroKernel.MR;
import static radapter.tensor.cpu.GemmMicroKernel.NR;
import static radapter.tensor.cpu.GemmMicroKernel.S;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Arrays;
import jdk.incubator.vector.FloatVector;

/**
 * Packs blocks of strided float32 matrices held in {@link MemorySegment}s into the contiguous,
 * zero-padded panel layouts the micro-kernels read.
 *
 * <ul>
 *   <li>A block ({@code mc x kc}): strips of {@link GemmMicroKernel#MR} rows; strip {@code s}
 *       starts at {@code s*MR*LDA} and holds element {@code (s*MR + r, k)} at
 *       {@code r*LDA + k} (row by row, fixed stride {@link GemmMicroKernel#LDA} >= kc). Rows
 *       past {@code mc} are zero.
 *   <li>B block ({@code kc x nc}): strips of {@link GemmMicroKernel#NR} columns; strip {@code t}
 *       starts at {@code t*NR*kc} and holds element {@code (k, t*NR + j)} at {@code k*NR + j}.
 *       Columns past {@code nc} are zero.
 * </ul>
 *
 * <p>Any strides work (zero for broadcast, negative for flipped views), through a scalar path.
 * Unit strides get fast paths: row-major A is one bulk copy per row and row-major B is copied
 * with vector loads (5+ floats/ns); the transposing cases (A with unit row stride, B with unit
 * column stride) go through a scratch copy and vector gathers (2.5-3.5 floats/ns, against ~1 for
 * the scalar path).
 */
final class GemmPacking {

    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT_UNALIGNED;
    private static final ByteOrder NATIVE = ByteOrder.nativeOrder();

    private GemmPacking() {}

    /** Floats of packed A needed for an {@code mc}-row block (any depth up to {@code KC}). */
    static int packedASize(int mc) {
        return ceilDiv(mc, MR) * MR * LDA;
    }

    /** Floats of packed B needed for a {@code kc x nc} block. */
    static int packedBSize(int kc, int nc) {
        return ceilDiv(nc, NR) * NR * kc;
    }

    /** Floats of scratch the packing routines need (for any depth up to {@code KC}). */
    static int scratchSize() {
        return Math.max(MR, NR) * KC + 4 * L;
    }

    static int ceilDiv(int x, int y) {
        return (x + y - 1) / y;
    }

    /**
     * Packs the {@code mc x kc} block of A whose element (0,0) is at float index {@code base} of
     * {@code a}, with the given row/column strides (in floats), into {@code dst}: strip {@code s}
     * holds rows {@code s*MR ..} at {@code s*MR*LDA + r*LDA + k}; rows past {@code mc} are zero.
     */
    static void packA(MemorySegment a, long base, long rs, long cs, int mc, int kc,
            float[] dst, float[] scratch) {
        int strips = ceilDiv(mc, MR);
        for (int s = 0; s < strips; s++) {
            int rows = Math.min(MR, mc - s * MR);
            int out = s * MR * LDA;
            long sb = base + (long) s * MR * rs;
            if (cs == 1) {
                // Row-major A: each row is one bulk copy.
                for (int r = 0; r < rows; r++) {
                    MemorySegment.copy(a, F, (sb + r * rs) * 4, dst, out + r * LDA, kc);
                }
            } else if (rows == MR && rs == 1) {
                packAColMajor(a, sb, cs, kc, dst, out, scratch);
            } else {
                for (int r = 0; r < rows; r++) {
                    long rowBase = sb + r * rs;
                    int o = out + r * LDA;
                    for (int k = 0; k < kc; k++) {
                        dst[o + k] = a.getAtIndex(F, rowBase + k * cs);
                    }
                }
            }
            for (int r = rows; r < MR; r++) {
                Arrays.fill(dst, out + r * LDA, out + r * LDA + kc, 0f);
            }
        }
    }

    /** {@code COL_GATHER[e] = e * MR}: gathers L consecutive steps of one row from a k-major copy. */
    private static final int[] COL_GATHER = colGather();

    private static int[] colGather() {
        int[] map = new int[L];
        for (int e = 0; e < L; e++) {
            map[e] = e * MR;
        }
        return map;
    }

    /**
     * Columns of A contiguous along i (A transposed), the transposing case. First a k-major copy
     * ({@code scratch[k*MR + r]}): the MR floats of each step are adjacent in the source and are
     * copied with full vectors that may spill past the MR slots (the spill is overwritten by the
     * next step, the last one lands in the scratch slack). Then every row is gathered out of it,
     * L steps per gather.
     */
    private static void packAColMajor(MemorySegment a, long sb, long cs, int kc, float[] dst, int out,
            float[] scratch) {
        long limit = a.byteSize();
        int vecs = ceilDiv(MR, L);
        for (int k = 0; k < kc; k++) {
            long src = (sb + k * cs) * 4;
            int o = k * MR;
            if (src >= 0 && src + (long) vecs * L * 4 <= limit) {
                for (int v = 0; v < vecs; v++) {
                    FloatVector.fromMemorySegment(S, a, src + (long) v * L * 4, NATIVE)
                            .intoArray(scratch, o + v * L);
                }
            } else {
                for (int r = 0; r < MR; r++) {
                    scratch[o + r] = a.get(F, src + r * 4L);
                }
            }
        }
        int kVec = kc - kc % L;
        for (int r = 0; r < MR; r++) {
            int o = out + r * LDA;
            for (int k = 0; k < kVec; k += L) {
                FloatVector.fromArray(S, scratch, k * MR + r, COL_GATHER, 0).intoArray(dst, o + k);
            }
            for (int k = kVec; k < kc; k++) {
                dst[o + k] = scratch[k * MR + r];
            }
        }
    }

    /**
     * Packs strips {@code [stripFrom, stripTo)} of the {@code kc x nc} block of B whose element
     * (0,0) is at float index {@code base} of {@code b} into {@code dst} from {@code dstOff} on
     * (laid out for the whole block, so strips may be packed by different threads).
     */
    static void packB(MemorySegment b, long base, long rs, long cs, int kc, int nc,
            int stripFrom, int stripTo, float[] dst, int dstOff, float[] scratch) {
        for (int t = stripFrom; t < stripTo; t++) {
            int cols = Math.min(NR, nc - t * NR);
            int out = dstOff + t * NR * kc;
            long sb = base + (long) t * NR * cs;
            if (cols == NR && cs == 1) {
                packBRowMajor(b, sb, rs, kc, dst, out);
            } else if (cols == NR && rs == 1) {
                packBColMajor(b, sb, cs, kc, dst, out, scratch);
            } else {
                packBGeneric(b, sb, rs, cs, cols, kc, dst, out);
            }
        }
    }

    /** Rows of B contiguous along n: NR floats per k, copied with vector loads. */
    private static void packBRowMajor(MemorySegment b, long sb, long rs, int kc, float[] dst, int out) {
        for (int k = 0; k < kc; k++) {
            long src = (sb + k * rs) * 4;
            int o = out + k * NR;
            for (int j = 0; j < NR; j += L) {
                FloatVector.fromMemorySegment(S, b, src + j * 4L, NATIVE).intoArray(dst, o + j);
            }
        }
    }

    /** {@code ROW_GATHER[j] = j * KC}: gathers one step of NR columns copied KC floats apart. */
    private static final int[] ROW_GATHER = rowGather();

    private static int[] rowGather() {
        int[] map = new int[NR];
        for (int j = 0; j < NR; j++) {
            map[j] = j * KC;
        }
        return map;
    }

    /**
     * Columns of B contiguous along k (B transposed), the transposing case: bulk-copy the NR
     * columns into {@code scratch} (KC floats apart), then gather each step's NR floats with
     * {@code NR / L} vector gathers.
     */
    private static void packBColMajor(MemorySegment b, long sb, long cs, int kc, float[] dst, int out,
            float[] scratch) {
        for (int j = 0; j < NR; j++) {
            MemorySegment.copy(b, F, (sb + j * cs) * 4, scratch, j * KC, kc);
        }
        for (int k = 0; k < kc; k++) {
            int o = out + k * NR;
            for (int j = 0; j < NR; j += L) {
                FloatVector.fromArray(S, scratch, k, ROW_GATHER, j).intoArray(dst, o + j);
            }
        }
    }

    private static void packBGeneric(MemorySegment b, long sb, long rs, long cs, int cols, int kc,
            float[] dst, int out) {
        for (int k = 0; k < kc; k++) {
            long rowBase = sb + k * rs;
            int o = out + k * NR;
            for (int j = 0; j < cols; j++) {
                dst[o + j] = b.getAtIndex(F, rowBase + j * cs);
            }
            for (int j = cols; j < NR; j++) {
                dst[o + j] = 0f;
            }
        }
    }
}
