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
import java.util.concurrent.ConcurrentLinkedQueue;
import jdk.incubator.vector.FloatVector;

/**
 * Single-precision general matrix multiply on {@link MemorySegment}s: packed, cache-blocked,
 * register-tiled with the Vector API, and parallel on the {@link CpuThreads} team.
 *
 * <p>Operands are described by an offset and a row and a column stride, all counted in floats, so
 * transposed (or broadcast, stride 0) operands need no copies: element {@code (i,k)} of A is the
 * float at index {@code aOffset + i*aRowStride + k*aColStride} of {@code a}, and likewise for B
 * {@code (k,j)} and C {@code (i,j)}. Segments may be unaligned (for example mapped files, or byte
 * segments at odd offsets). C must not overlap A or B.
 *
 * <p>Algorithm (Goto/BLIS family): for each {@code nc}-wide column block and {@code kc}-deep
 * slice of K, B's {@code kc x nc} block is packed into {@code NR}-wide, k-major strips (one copy
 * shared by all threads, L2 resident: 512 KiB at 256 x 512); the rows of C are split into
 * {@code mc}-tall blocks, each of which packs its {@code mc x kc} slice of A into {@code MR}-row
 * strips and runs the {@link GemmMicroKernel micro-kernel} over every {@code MR x NR} tile. The
 * A strip ({@code MR x kc}, 12 KiB) stays in L1 while the B strips stream past it, so consecutive
 * tiles walk along rows of C, which the hardware prefetchers follow (walking down columns of C
 * instead cost ~15% at 2048 from cache and TLB misses on C). Edges are handled by zero-padded
 * packing: the kernel always computes a full tile and only its valid part is added into C.
 *
 * <p>Parallel products split the row blocks (and, when there are too few, the B strips) across
 * the caller and the pool with {@link CpuThreads#parallelFor}; small products run on the calling
 * thread; batches of small products run one product per task. Block sizes can be overridden for
 * tuning with the system properties {@code radapter.sgemm.kc}, {@code radapter.sgemm.mc} and
 * {@code radapter.sgemm.nc}, the micro-kernel with {@code radapter.sgemm.kernel}.
 */
public final class Sgemm {

    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT_UNALIGNED;
    private static final ByteOrder NATIVE = ByteOrder.nativeOrder();

    /** Rows of a packed A block (at most): {@code MC x KC} floats, 288 KiB. */
    static final int MC = roundUp(Math.max(1, Integer.getInteger("radapter.sgemm.mc", 288)), MR);
    /**
     * Columns of a packed B block: {@code KC x NC} floats (512 KiB) stay in a core's 2 MiB L2
     * (the kernel streaming its B strips from a 1 MiB block ran ~15% slower than from 256 KiB).
     */
    static final int NC = roundUp(Math.max(1, Integer.getInteger("radapter.sgemm.nc", 512)), NR);
    /**
     * Parallel products pack a whole {@code K x nc} panel of B up front; {@code nc} shrinks when K
     * is so deep that the panel would exceed this many floats (32 MiB).
     */
    private static final long PANEL_MAX_FLOATS = 8L << 20;

    /**
     * Below this many multiply-adds ({@code M*N*K}) a product runs on the calling thread. Handing
     * work to an awake {@link CpuThreads} helper costs about a microsecond, so products from 64^3
     * multiply-adds (some 15 µs on one core) up already gain from a second core.
     */
    static final long PARALLEL_MIN_MACS = Long.getLong("radapter.sgemm.parallelMin", 64L * 64 * 64);

    private Sgemm() {}

    /** Human-readable description of the kernel and blocking in use (for benchmarks and logs). */
    public static String describe() {
        return "micro-kernel " + GemmMicroKernel.describe() + ", kc=" + KC + ", mc=" + MC + ", nc=" + NC
                + ", threads=" + CpuThreads.parallelism();
    }

    // ------------------------------------------------------------------------------------------
    // Public entry points

    /**
     * C[m,n] (+)= sum_k A[m,k] * B[k,n], float32, row/col strides in ELEMENTS, arbitrary (so
     * transposed operands are just swapped strides; no copies by caller).
     *
     * @param accumulate false overwrites C, true adds the product into C
     */
    public static void sgemm(int M, int N, int K,
            MemorySegment a, long aOffset, long aRowStride, long aColStride,
            MemorySegment b, long bOffset, long bRowStride, long bColStride,
            MemorySegment c, long cOffset, long cRowStride, long cColStride,
            boolean accumulate) {
        checkArgs(1, M, N, K, a, aOffset, 0, aRowStride, aColStride, b, bOffset, 0, bRowStride,
                bColStride, c, cOffset, 0, cRowStride, cColStride);
        if (M == 0 || N == 0) {
            return;
        }
        if (K == 0) {
            if (!accumulate) {
                zero(c, cOffset, M, N, cRowStride, cColStride);
            }
            return;
        }
        long macs = (long) M * N * K;
        if (CpuThreads.parallelism() == 1 || macs < PARALLEL_MIN_MACS) {
            gemmSerial(M, N, K, a, aOffset, aRowStride, aColStride, b, bOffset, bRowStride, bColStride,
                    c, cOffset, cRowStride, cColStride, accumulate, Buffers.get());
        } else {
            gemmParallel(M, N, K, a, aOffset, aRowStride, aColStride, b, bOffset, bRowStride, bColStride,
                    c, cOffset, cRowStride, cColStride, accumulate);
        }
    }

    /**
     * {@code batch} independent products: problem {@code p} uses the operands at {@code aOffset +
     * p*aBatchStride} (and likewise for B and C; a batch stride of 0 shares that operand). Small
     * problems are spread across the pool one (or a few) per task; large ones each use the whole
     * pool in turn.
     */
    public static void sgemmBatched(int batch, int M, int N, int K,
            MemorySegment a, long aOffset, long aBatchStride, long aRowStride, long aColStride,
            MemorySegment b, long bOffset, long bBatchStride, long bRowStride, long bColStride,
            MemorySegment c, long cOffset, long cBatchStride, long cRowStride, long cColStride,
            boolean accumulate) {
        if (batch < 0) {
            throw new IllegalArgumentException("negative batch: " + batch);
        }
        checkArgs(batch, M, N, K, a, aOffset, aBatchStride, aRowStride, aColStride, b, bOffset,
                bBatchStride, bRowStride, bColStride, c, cOffset, cBatchStride, cRowStride, cColStride);
        if (batch == 0 || M == 0 || N == 0) {
            return;
        }
        if (K == 0) {
            if (!accumulate) {
                for (int p = 0; p < batch; p++) {
                    zero(c, cOffset + p * cBatchStride, M, N, cRowStride, cColStride);
                }
            }
            return;
        }
        int threads = CpuThreads.parallelism();
        long macs = (long) M * N * K;
        if (threads == 1 || macs * batch < PARALLEL_MIN_MACS) {
            Buffers buf = Buffers.get();
            for (int p = 0; p < batch; p++) {
                gemmSerial(M, N, K, a, aOffset + p * aBatchStride, aRowStride, aColStride,
                        b, bOffset + p * bBatchStride, bRowStride, bColStride,
                        c, cOffset + p * cBatchStride, cRowStride, cColStride, accumulate, buf);
            }
            return;
        }
        if (batch < 2 * threads && macs >= 4 * PARALLEL_MIN_MACS) {
            // Few large problems: each one is parallel on its own.
            for (int p = 0; p < batch; p++) {
                gemmParallel(M, N, K, a, aOffset + p * aBatchStride, aRowStride, aColStride,
                        b, bOffset + p * bBatchStride, bRowStride, bColStride,
                        c, cOffset + p * cBatchStride, cRowStride, cColStride, accumulate);
            }
            return;
        }
        // Many problems: one task per (problem, row chunk), each a serial GEMM. Problems are split
        // into row chunks only when there are too few of them to balance the pool.
        int chunks = 1;
        if (batch < 4 * threads) {
            chunks = Math.min(ceilDiv(4 * threads, batch), ceilDiv(M, MR));
        }
        int rowsPerChunk = roundUp(ceilDiv(M, chunks), MR);
        int chunksPerProblem = ceilDiv(M, rowsPerChunk);
        int items = batch * chunksPerProblem;
        CpuThreads.parallelFor(items, item -> {
            int p = item / chunksPerProblem;
            int i0 = (item % chunksPerProblem) * rowsPerChunk;
            int rows = Math.min(rowsPerChunk, M - i0);
            gemmSerial(rows, N, K, a, aOffset + p * aBatchStride + i0 * aRowStride, aRowStride, aColStride,
                    b, bOffset + p * bBatchStride, bRowStride, bColStride,
                    c, cOffset + p * cBatchStride + i0 * cRowStride, cRowStride, cColStride,
                    accumulate, Buffers.get());
        });
    }

    /**
     * Reference implementation with the same contract as {@link #sgemm}: a plain triple loop that
     * accumulates each dot product in double. Slow; for tests and as a baseline.
     */
    public static void sgemmReference(int M, int N, int K,
            MemorySegment a, long aOffset, long aRowStride, long aColStride,
            MemorySegment b, long bOffset, long bRowStride, long bColStride,
            MemorySegment c, long cOffset, long cRowStride, long cColStride,
            boolean accumulate) {
        checkArgs(1, M, N, K, a, aOffset, 0, aRowStride, aColStride, b, bOffset, 0, bRowStride,
                bColStride, c, cOffset, 0, cRowStride, cColStride);
        for (int i = 0; i < M; i++) {
            for (int j = 0; j < N; j++) {
                double sum = 0;
                for (int k = 0; k < K; k++) {
                    sum += (double) a.getAtIndex(F, aOffset + i * aRowStride + k * aColStride)
                            * b.getAtIndex(F, bOffset + k * bRowStride + j * bColStride);
                }
                long ci = cOffset + i * cRowStride + j * cColStride;
                if (accumulate) {
                    sum += c.getAtIndex(F, ci);
                }
                c.setAtIndex(F, ci, (float) sum);
            }
        }
    }

    // ------------------------------------------------------------------------------------------
    // Drivers

    /** The whole blocked algorithm on the calling thread, with its own packing buffers. */
    static void gemmSerial(int M, int N, int K,
            MemorySegment a, long aOff, long ars, long acs,
            MemorySegment b, long bOff, long brs, long bcs,
            MemorySegment c, long cOff, long crs, long ccs,
            boolean accumulate, Buffers buf) {
        int kcMax = ceilDiv(K, ceilDiv(K, KC));
        int ncMax = Math.min(N, NC);
        int mcMax = Math.min(M, MC);
        float[] bp = buf.b(GemmPacking.packedBSize(kcMax, ncMax));
        float[] ap = buf.a(GemmPacking.packedASize(mcMax));
        float[] scratch = buf.scratch(GemmPacking.scratchSize());
        float[] tile = buf.tile;
        for (int jc = 0; jc < N; jc += NC) {
            int nc = Math.min(NC, N - jc);
            int strips = ceilDiv(nc, NR);
            for (int pc = 0; pc < K; pc += kcMax) {
                int kc = Math.min(kcMax, K - pc);
                boolean beta = accumulate || pc > 0;
                GemmPacking.packB(b, bOff + pc * brs + jc * bcs, brs, bcs, kc, nc, 0, strips, bp, 0, scratch);
                for (int ic = 0; ic < M; ic += MC) {
                    int mc = Math.min(MC, M - ic);
                    GemmPacking.packA(a, aOff + ic * ars + pc * acs, ars, acs, mc, kc, ap, scratch);
                    macroKernel(mc, nc, kc, ap, bp, 0, 0, strips, c, cOff + ic * crs + jc * ccs, crs, ccs,
                            beta, tile);
                }
            }
        }
    }

    /**
     * The blocked algorithm on the pool. For each {@code nc}-wide column block, the whole
     * {@code K x nc} panel of B is packed once (its {@code kc}-deep blocks one after another, the
     * strips split across the pool); then the rows of C are split into blocks (and, when there are
     * too few of those, the B strips into groups) and each (row block, strip group) item runs the
     * k loop on its own: pack its A block for each {@code kc} slice, then the macro-kernel. Two
     * fork/join rounds per column block, whatever K is.
     */
    static void gemmParallel(int M, int N, int K,
            MemorySegment a, long aOff, long ars, long acs,
            MemorySegment b, long bOff, long brs, long bcs,
            MemorySegment c, long cOff, long crs, long ccs,
            boolean accumulate) {
        final int threads = CpuThreads.parallelism();
        final int kBlocks = ceilDiv(K, KC);
        final int kcMax = ceilDiv(K, kBlocks);
        final int ncPanel = (int) Math.max(NR, Math.min(NC, PANEL_MAX_FLOATS / K / NR * NR));
        final int ncMax = Math.min(N, ncPanel);
        final int stripsMax = ceilDiv(ncMax, NR);
        // Row blocks: a multiple of the thread count, of (nearly) equal height, each <= MC.
        final int mBlocks = roundUp(ceilDiv(M, MC), threads);
        final int mc0 = roundUp(ceilDiv(M, mBlocks), MR);
        final int rowBlocks = ceilDiv(M, mc0);
        final float[] bp = SharedB.acquire(kBlocks * GemmPacking.packedBSize(kcMax, ncMax));
        try {
            for (int jc = 0; jc < N; jc += ncPanel) {
                final int nc = Math.min(ncPanel, N - jc);
                final int strips = ceilDiv(nc, NR);
                final long bCol = bOff + jc * bcs;
                final long cCol = cOff + jc * ccs;
                // Pack every kc block of this column panel: items are (k block, strip chunk).
                final int chunks = Math.min(strips, ceilDiv(2 * threads, kBlocks));
                final int stripsPerChunk = ceilDiv(strips, chunks);
                final int chunkCount = ceilDiv(strips, stripsPerChunk);
                CpuThreads.parallelFor(kBlocks * chunkCount, item -> {
                    int kb = item / chunkCount;
                    int from = (item % chunkCount) * stripsPerChunk;
                    int to = Math.min(strips, from + stripsPerChunk);
                    int pc = kb * kcMax;
                    int kc = Math.min(kcMax, K - pc);
                    GemmPacking.packB(b, bCol + pc * brs, brs, bcs, kc, nc, from, to, bp,
                            kb * kcMax * stripsMax * NR, Buffers.get().scratch(GemmPacking.scratchSize()));
                });
                // Compute: items are (row block, strip group); groups only when row blocks are few.
                int groups = rowBlocks >= 2 * threads ? 1 : Math.min(strips, ceilDiv(2 * threads, rowBlocks));
                final int stripsPerGroup = ceilDiv(strips, groups);
                final int groupCount = ceilDiv(strips, stripsPerGroup);
                CpuThreads.parallelFor(rowBlocks * groupCount, item -> {
                    int ic = (item / groupCount) * mc0;
                    int from = (item % groupCount) * stripsPerGroup;
                    int to = Math.min(strips, from + stripsPerGroup);
                    int mc = Math.min(mc0, M - ic);
                    Buffers buf = Buffers.get();
                    float[] ap = buf.a(GemmPacking.packedASize(mc));
                    float[] scratch = buf.scratch(GemmPacking.scratchSize());
                    for (int kb = 0; kb < kBlocks; kb++) {
                        int pc = kb * kcMax;
                        int kc = Math.min(kcMax, K - pc);
                        GemmPacking.packA(a, aOff + ic * ars + pc * acs, ars, acs, mc, kc, ap, scratch);
                        macroKernel(mc, nc, kc, ap, bp, kb * kcMax * stripsMax * NR, from, to, c,
                                cCol + ic * crs, crs, ccs, accumulate || kb > 0, buf.tile);
                    }
                });
            }
        } finally {
            SharedB.release(bp);
        }
    }

    /**
     * Runs the micro-kernel over every A strip of the packed {@code mc x kc} block and B strips
     * {@code [stripFrom, stripTo)} of the packed {@code kc x nc} block at {@code bp[bOff..]}, adding
     * each tile into C. A strip (MR x kc) stays in L1 while the B strips stream from L2, so
     * consecutive tiles walk along the rows of C, which the hardware prefetchers follow.
     */
    private static void macroKernel(int mc, int nc, int kc, float[] ap, float[] bp, int bOff,
            int stripFrom, int stripTo, MemorySegment c, long cBase, long crs, long ccs, boolean beta,
            float[] tile) {
        int aStrips = ceilDiv(mc, MR);
        for (int s = 0; s < aStrips; s++) {
            int rows = Math.min(MR, mc - s * MR);
            long cRow = cBase + (long) s * MR * crs;
            for (int t = stripFrom; t < stripTo; t++) {
                int cols = Math.min(NR, nc - t * NR);
                GemmMicroKernel.kernel(kc, ap, s * MR * LDA, bp, bOff + t * NR * kc, tile);
                storeTile(tile, rows, cols, c, cRow + (long) t * NR * ccs, crs, ccs, beta);
            }
        }
    }

    /** C[r, j] = (beta ? C[r, j] : 0) + tile[r*NR + j] for the valid {@code rows x cols} corner. */
    private static void storeTile(float[] tile, int rows, int cols, MemorySegment c, long ci, long crs,
            long ccs, boolean beta) {
        if (ccs == 1 && cols == NR) {
            for (int r = 0; r < rows; r++) {
                long off = (ci + r * crs) * 4;
                for (int j = 0; j < NR; j += L) {
                    FloatVector v = FloatVector.fromArray(S, tile, r * NR + j);
                    long o = off + j * 4L;
                    if (beta) {
                        v = v.add(FloatVector.fromMemorySegment(S, c, o, NATIVE));
                    }
                    v.intoMemorySegment(c, o, NATIVE);
                }
            }
        } else {
            for (int r = 0; r < rows; r++) {
                long row = ci + r * crs;
                for (int j = 0; j < cols; j++) {
                    long idx = row + j * ccs;
                    float v = tile[r * NR + j];
                    if (beta) {
                        v += c.getAtIndex(F, idx);
                    }
                    c.setAtIndex(F, idx, v);
                }
            }
        }
    }

    private static void zero(MemorySegment c, long off, int M, int N, long crs, long ccs) {
        for (int i = 0; i < M; i++) {
            long row = off + i * crs;
            if (ccs == 1) {
                c.asSlice(row * 4, N * 4L).fill((byte) 0);
            } else {
                for (int j = 0; j < N; j++) {
                    c.setAtIndex(F, row + j * ccs, 0f);
                }
            }
        }
    }

    // ------------------------------------------------------------------------------------------
    // Argument checks

    private static void checkArgs(int batch, int M, int N, int K,
            MemorySegment a, long aOff, long abs, long ars, long acs,
            MemorySegment b, long bOff, long bbs, long brs, long bcs,
            MemorySegment c, long cOff, long cbs, long crs, long ccs) {
        if (M < 0 || N < 0 || K < 0) {
            throw new IllegalArgumentException("negative dimension: M=" + M + " N=" + N + " K=" + K);
        }
        if (batch == 0 || M == 0 || N == 0) {
            return;
        }
        checkBounds("C", c, cOff, cbs, batch, crs, M, ccs, N);
        if (K > 0) {
            checkBounds("A", a, aOff, abs, batch, ars, M, acs, K);
            checkBounds("B", b, bOff, bbs, batch, brs, K, bcs, N);
        }
    }

    /** Checks that every float index {@code off + p*bs + i*rs + j*cs} lies inside {@code seg}. */
    private static void checkBounds(String name, MemorySegment seg, long off, long bs, int batch, long rs,
            int rows, long cs, int cols) {
        long lo = off;
        long hi = off;
        long[] spans = {bs * (batch - 1), rs * (rows - 1), cs * (cols - 1)};
        for (long span : spans) {
            if (span < 0) {
                lo += span;
            } else {
                hi += span;
            }
        }
        if (lo < 0 || (hi + 1) * 4 > seg.byteSize()) {
            throw new IndexOutOfBoundsException(name + " float indices [" + lo + ", " + hi
                    + "] fall outside a segment of " + seg.byteSize() + " bytes");
        }
    }

    static int ceilDiv(int x, int y) {
        return (x + y - 1) / y;
    }

    static int roundUp(int x, int m) {
        return ceilDiv(x, m) * m;
    }

    // ------------------------------------------------------------------------------------------
    // Buffers and fork/join plumbing

    /**
     * Per-thread packing buffers, grown on demand. Held only inside a serial GEMM or one
     * {@link CpuThreads#parallelFor} item, neither of which runs other items meanwhile (a
     * parallelFor inside an item runs serially), so two products never share them.
     */
    static final class Buffers {
        private static final ThreadLocal<Buffers> LOCAL = ThreadLocal.withInitial(Buffers::new);

        final float[] tile = new float[MR * NR];
        private float[] a = new float[0];
        private float[] b = new float[0];
        private float[] scratch = new float[0];

        static Buffers get() {
            return LOCAL.get();
        }

        float[] a(int size) {
            if (a.length < size) {
                a = new float[size];
            }
            return a;
        }

        float[] b(int size) {
            if (b.length < size) {
                b = new float[size];
            }
            return b;
        }

        float[] scratch(int size) {
            if (scratch.length < size) {
                scratch = new float[size];
            }
            return scratch;
        }
    }

    /**
     * Reusable packed-B panels for parallel products (shared by the threads of one product, so not
     * per thread). At most {@link #KEEP} are retained.
     */
    private static final class SharedB {
        private static final ConcurrentLinkedQueue<float[]> FREE = new ConcurrentLinkedQueue<>();
        private static final int KEEP = 2;

        static float[] acquire(int size) {
            for (int tries = 0; tries < KEEP; tries++) {
                float[] buf = FREE.poll();
                if (buf == null) {
                    break;
                }
                if (buf.length >= size) {
                    return buf;
                }
                // too small: drop it and keep looking
            }
            return new float[size];
        }

        static void release(float[] buf) {
            if (FREE.size() < KEEP) {
                FREE.offer(buf);
            }
        }
    }
}
