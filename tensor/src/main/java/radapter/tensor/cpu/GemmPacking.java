package radapter.tensor.cpu;

import static radapter.tensor.cpu.GemmMicroKernel.L;
import static radapter.tensor.cpu.GemmMicroKernel.MR;
import static radapter.tensor.cpu.GemmMicroKernel.NR;
import static radapter.tensor.cpu.GemmMicroKernel.S;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;

/**
 * Packs blocks of strided float32 matrices held in {@link MemorySegment}s into the contiguous,
 * zero-padded panel layouts the micro-kernels read.
 *
 * <ul>
 *   <li>A block ({@code mc x kc}): strips of {@link GemmMicroKernel#MR} rows; strip {@code s}
 *       starts at {@code s*MR*kc} and holds element {@code (s*MR + r, k)} at {@code k*MR + r}.
 *       Rows past {@code mc} are zero.
 *   <li>B block ({@code kc x nc}): strips of {@link GemmMicroKernel#NR} columns; strip {@code t}
 *       starts at {@code t*NR*kc} and holds element {@code (k, t*NR + j)} at {@code k*NR + j}.
 *       Columns past {@code nc} are zero.
 * </ul>
 *
 * <p>Any strides work (zero for broadcast, negative for flipped views). Unit strides get fast
 * paths: a unit stride along the packed panel's fast axis is copied with vector loads; a unit
 * stride along the other axis (the transposing case) is bulk-copied into a scratch array first,
 * then interleaved with plain array accesses.
 */
final class GemmPacking {

    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT_UNALIGNED;
    private static final ByteOrder NATIVE = ByteOrder.nativeOrder();

    private GemmPacking() {}

    /** Floats of packed A needed for an {@code mc x kc} block, including vector-store slack. */
    static int packedASize(int mc, int kc) {
        return ceilDiv(mc, MR) * MR * kc + 2 * L;
    }

    /** Floats of packed B needed for a {@code kc x nc} block. */
    static int packedBSize(int kc, int nc) {
        return ceilDiv(nc, NR) * NR * kc;
    }

    /** Floats of scratch the packing routines need for blocks of depth {@code kc}. */
    static int scratchSize(int kc) {
        return Math.max(MR, NR) * kc;
    }

    static int ceilDiv(int x, int y) {
        return (x + y - 1) / y;
    }

    /**
     * Packs the {@code mc x kc} block of A whose element (0,0) is at float index {@code base} of
     * {@code a}, with the given row/column strides (in floats), into {@code dst}.
     */
    static void packA(MemorySegment a, long base, long rs, long cs, int mc, int kc,
            float[] dst, float[] scratch) {
        int strips = ceilDiv(mc, MR);
        for (int s = 0; s < strips; s++) {
            int rows = Math.min(MR, mc - s * MR);
            int out = s * MR * kc;
            long sb = base + (long) s * MR * rs;
            if (rows == MR && cs == 1) {
                packARowMajor(a, sb, rs, kc, dst, out, scratch);
            } else if (rows == MR && rs == 1) {
                packAColMajor(a, sb, cs, kc, dst, out);
            } else {
                packAGeneric(a, sb, rs, cs, rows, kc, dst, out);
            }
        }
    }

    /** Rows contiguous along k: bulk-copy the MR rows, then interleave them k-major. */
    private static void packARowMajor(MemorySegment a, long sb, long rs, int kc, float[] dst, int out,
            float[] scratch) {
        for (int r = 0; r < MR; r++) {
            MemorySegment.copy(a, F, (sb + r * rs) * 4, scratch, r * kc, kc);
        }
        for (int k = 0; k < kc; k++) {
            int o = out + k * MR;
            for (int r = 0; r < MR; r++) {
                dst[o + r] = scratch[r * kc + k];
            }
        }
    }

    /**
     * Columns contiguous along i: the MR floats of each k are adjacent in the source. Copied with
     * full vectors that may spill past the MR slots; the spill is overwritten by the next k (and
     * the last one lands in the next strip or the array's slack), so every slot ends correct.
     */
    private static void packAColMajor(MemorySegment a, long sb, long cs, int kc, float[] dst, int out) {
        long limit = a.byteSize();
        int vecs = ceilDiv(MR, L);
        for (int k = 0; k < kc; k++) {
            long src = (sb + k * cs) * 4;
            int o = out + k * MR;
            if (src >= 0 && src + (long) vecs * L * 4 <= limit) {
                for (int v = 0; v < vecs; v++) {
                    FloatVector.fromMemorySegment(S, a, src + (long) v * L * 4, NATIVE)
                            .intoArray(dst, o + v * L);
                }
            } else {
                for (int r = 0; r < MR; r++) {
                    dst[o + r] = a.get(F, src + r * 4L);
                }
            }
        }
    }

    private static void packAGeneric(MemorySegment a, long sb, long rs, long cs, int rows, int kc,
            float[] dst, int out) {
        for (int r = 0; r < rows; r++) {
            long rowBase = sb + r * rs;
            for (int k = 0; k < kc; k++) {
                dst[out + k * MR + r] = a.getAtIndex(F, rowBase + k * cs);
            }
        }
        for (int r = rows; r < MR; r++) {
            for (int k = 0; k < kc; k++) {
                dst[out + k * MR + r] = 0f;
            }
        }
    }

    /**
     * Packs strips {@code [stripFrom, stripTo)} of the {@code kc x nc} block of B whose element
     * (0,0) is at float index {@code base} of {@code b} into {@code dst} (laid out for the whole
     * block, so strips may be packed by different threads).
     */
    static void packB(MemorySegment b, long base, long rs, long cs, int kc, int nc,
            int stripFrom, int stripTo, float[] dst, float[] scratch) {
        for (int t = stripFrom; t < stripTo; t++) {
            int cols = Math.min(NR, nc - t * NR);
            int out = t * NR * kc;
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

    /** Columns of B contiguous along k (B transposed): bulk-copy NR columns, then interleave. */
    private static void packBColMajor(MemorySegment b, long sb, long cs, int kc, float[] dst, int out,
            float[] scratch) {
        for (int j = 0; j < NR; j++) {
            MemorySegment.copy(b, F, (sb + j * cs) * 4, scratch, j * kc, kc);
        }
        for (int k = 0; k < kc; k++) {
            int o = out + k * NR;
            for (int j = 0; j < NR; j++) {
                dst[o + j] = scratch[j * kc + k];
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
