package radapter.data.image;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vector API kernels for {@link BaselineJpeg}'s chroma upsampling and colour conversion. Each one
 * computes exactly what the scalar code in {@link BaselineJpeg} computes (the same integer
 * formulas, lane by lane); only whole vectors are processed here, callers finish the tails.
 *
 * <p>Kept in its own class so that a JVM started without {@code --add-modules
 * jdk.incubator.vector} fails only in {@link #probe()}, and {@link BaselineJpeg} stays on its
 * scalar code. Only lane-wise int arithmetic, byte-to-int widening and two-vector int permutes are
 * used: they compile to plain AVX2 / AVX-512F instructions, with no byte shuffles.
 */
final class JpegSimd {
    private static final VectorSpecies<Integer> INTS = IntVector.SPECIES_PREFERRED;
    /** Lanes per int vector. */
    static final int LANES = INTS.length();
    private static final VectorSpecies<Byte> BYTES = VectorSpecies.of(byte.class, VectorShape.forBitSize(LANES * 8));
    /** Index vectors that interleave two vectors (even lanes from the first, odd from the second). */
    private static final IntVector ZIP_LO;
    private static final IntVector ZIP_HI;

    static {
        int[] lo = new int[LANES];
        int[] hi = new int[LANES];
        for (int i = 0; i < LANES; i++) {
            lo[i] = (i & 1) == 0 ? i >> 1 : LANES + (i >> 1);
            hi[i] = lo[i] + LANES / 2;
        }
        ZIP_LO = IntVector.fromArray(INTS, lo, 0);
        ZIP_HI = IntVector.fromArray(INTS, hi, 0);
    }

    private JpegSimd() {
    }

    /** Runs each kernel once on a small input; throws if the Vector API is missing or misbehaves. */
    static void probe() {
        int n = LANES;
        byte[] row = new byte[n];
        for (int i = 0; i < n; i++) {
            row[i] = (byte) (i * 37);
        }
        int[] cs = new int[n + 2 + LANES];
        int[] up = new int[2 * n + 2 * LANES];
        int[] packed = new int[n];
        widen(row, 0, 0, n, 1, 0, cs, 1);
        fancy(cs, n, 1, 2, 2, up);
        ycc(row, 0, cs, cs, packed, n);
        if (cs[1 + 3] != (row[3] & 0xFF) || up[2] != (((row[1] & 0xFF) * 3 + (row[0] & 0xFF) + 1) >> 2)) {
            throw new IllegalStateException("Vector API self-test failed");
        }
        int[] block = new int[64];
        int[] ws = new int[64];
        block[0] = 80;
        block[1] = -33;
        block[9] = 17;
        byte[] out = new byte[64];
        if (!idctColumns(block, ws)) {
            throw new IllegalStateException("Vector API self-test failed (IDCT range)");
        }
        idctRows(ws, out, 0, 8);
        byte[] expected = new byte[64];
        BaselineJpeg.idctIslowScalar(block, ws, expected, 0, 8);
        if (!java.util.Arrays.equals(out, expected)) {
            throw new IllegalStateException("Vector API self-test failed (IDCT)");
        }
    }

    /**
     * {@code dst[dstOffset + i] = in[near + i] * nearWeight + in[far + i] * farWeight} (bytes read
     * unsigned) for the whole vectors of {@code i < n}; returns how many were done. With weights
     * (1, 0) this widens one row; (3, 1) gives h2v2's column sums.
     */
    static int widen(byte[] in, int near, int far, int n, int nearWeight, int farWeight, int[] dst, int dstOffset) {
        int i = 0;
        for (; i <= n - LANES; i += LANES) {
            IntVector v = load(in, near + i);
            if (nearWeight != 1) {
                v = v.mul(nearWeight);
            }
            if (farWeight != 0) {
                v = v.add(load(in, far + i).mul(farWeight));
            }
            v.intoArray(dst, dstOffset + i);
        }
        return i;
    }

    /**
     * libjpeg's fancy upsampling along a row for the whole vectors of {@code i < n}, on
     * {@code cs[1 .. n]} padded with {@code cs[0] = cs[1]}, {@code cs[n + 1] = cs[n]}:
     * {@code dst[2i] = (3·cs[1+i] + cs[i] + evenBias) >> shift},
     * {@code dst[2i+1] = (3·cs[1+i] + cs[2+i] + oddBias) >> shift}. Lanes past {@code n} compute
     * garbage; {@code cs} and {@code dst} must have room for one more vector.
     */
    static void fancy(int[] cs, int n, int evenBias, int oddBias, int shift, int[] dst) {
        for (int i = 0; i < n; i += LANES) {
            IntVector c3 = IntVector.fromArray(INTS, cs, 1 + i).mul(3);
            IntVector even = c3.add(IntVector.fromArray(INTS, cs, i)).add(evenBias).lanewise(VectorOperators.ASHR, shift);
            IntVector odd = c3.add(IntVector.fromArray(INTS, cs, 2 + i)).add(oddBias).lanewise(VectorOperators.ASHR, shift);
            ZIP_LO.selectFrom(even, odd).intoArray(dst, 2 * i);
            ZIP_HI.selectFrom(even, odd).intoArray(dst, 2 * i + LANES);
        }
    }

    /**
     * jdcolor.c's YCbCr→RGB for the whole vectors of {@code x < n}, written as packed
     * {@code R | G << 8 | B << 16}: Y bytes from {@code y[yo + x]}, chroma from {@code cb[x]},
     * {@code cr[x]}. Returns how many pixels were done.
     */
    static int ycc(byte[] y, int yo, int[] cb, int[] cr, int[] packed, int n) {
        int x = 0;
        for (; x <= n - LANES; x += LANES) {
            IntVector yy = load(y, yo + x);
            IntVector b = IntVector.fromArray(INTS, cb, x).sub(128);
            IntVector r = IntVector.fromArray(INTS, cr, x).sub(128);
            IntVector red = yy.add(r.mul(91881).add(32768).lanewise(VectorOperators.ASHR, 16));
            IntVector green = yy.add(b.mul(-22554).add(r.mul(-46802)).add(32768).lanewise(VectorOperators.ASHR, 16));
            IntVector blue = yy.add(b.mul(116130).add(32768).lanewise(VectorOperators.ASHR, 16));
            // Clamped inline: a helper taking vectors would be a call the JIT may decline to
            // inline in this big loop, and then every vector gets boxed.
            IntVector rgb = red.max(0).min(255)
                    .or(green.max(0).min(255).lanewise(VectorOperators.LSHL, 8))
                    .or(blue.max(0).min(255).lanewise(VectorOperators.LSHL, 16));
            rgb.intoArray(packed, x);
        }
        return x;
    }

    // ------------------------------------------------------------------ IDCT (8 lanes)

    private static final VectorSpecies<Integer> I8 = IntVector.SPECIES_256;
    private static final VectorSpecies<Byte> B8 = ByteVector.SPECIES_64;
    /** The three stages of an 8×8 transpose, each as (low, high) two-vector select indexes. */
    private static final IntVector T1_LO = IntVector.fromArray(I8, new int[] {0, 8, 1, 9, 2, 10, 3, 11}, 0);
    private static final IntVector T1_HI = IntVector.fromArray(I8, new int[] {4, 12, 5, 13, 6, 14, 7, 15}, 0);
    private static final IntVector T2_LO = IntVector.fromArray(I8, new int[] {0, 1, 8, 9, 2, 3, 10, 11}, 0);
    private static final IntVector T2_HI = IntVector.fromArray(I8, new int[] {4, 5, 12, 13, 6, 7, 14, 15}, 0);
    private static final IntVector T3_LO = IntVector.fromArray(I8, new int[] {0, 1, 2, 3, 8, 9, 10, 11}, 0);
    private static final IntVector T3_HI = IntVector.fromArray(I8, new int[] {4, 5, 6, 7, 12, 13, 14, 15}, 0);

    /**
     * Largest input magnitude for which one 1-D pass of the islow IDCT stays inside 32 bits. Worst
     * case over the formulas below, an output's sum is at most 178219·M + 2^17 for inputs of
     * magnitude M (|tmp11| ≤ 40387·M plus |o2| ≤ 137832·M), which is below 2^31 for M ≤ 12048.
     * Valid 8-bit JPEGs stay far below: libjpeg sizes the first pass's outputs at 13 bits.
     */
    static final int SAFE_MAGNITUDE = 12048;

    /**
     * The column pass of libjpeg's {@code jpeg_idct_islow} on all 8 columns at once (one vector per
     * coefficient row, lanes = columns), then a transpose: {@code ws[c * 8 + r]} receives the pass's
     * output for row r, column c. The zero-column shortcut of the C code is not needed: it yields
     * exactly what the full formula gives for a column whose AC terms are zero.
     *
     * <p>The inputs must be at most {@link #SAFE_MAGNITUDE} in magnitude. Returns false, and the
     * caller must use the scalar IDCT, when an output exceeds it (the row pass could overflow).
     */
    static boolean idctColumns(int[] in, int[] ws) {
        IntVector d0 = IntVector.fromArray(I8, in, 0);
        IntVector d1 = IntVector.fromArray(I8, in, 8);
        IntVector d2 = IntVector.fromArray(I8, in, 16);
        IntVector d3 = IntVector.fromArray(I8, in, 24);
        IntVector d4 = IntVector.fromArray(I8, in, 32);
        IntVector d5 = IntVector.fromArray(I8, in, 40);
        IntVector d6 = IntVector.fromArray(I8, in, 48);
        IntVector d7 = IntVector.fromArray(I8, in, 56);

        IntVector z1 = d2.add(d6).mul(4433);
        IntVector tmp2 = z1.add(d6.mul(-15137));
        IntVector tmp3 = z1.add(d2.mul(6270));
        IntVector tmp0 = d0.add(d4).lanewise(VectorOperators.LSHL, 13);
        IntVector tmp1 = d0.sub(d4).lanewise(VectorOperators.LSHL, 13);
        IntVector tmp10 = tmp0.add(tmp3);
        IntVector tmp13 = tmp0.sub(tmp3);
        IntVector tmp11 = tmp1.add(tmp2);
        IntVector tmp12 = tmp1.sub(tmp2);

        IntVector y1 = d7.add(d1);
        IntVector y2 = d5.add(d3);
        IntVector y3 = d7.add(d3);
        IntVector y4 = d5.add(d1);
        IntVector z5 = y3.add(y4).mul(9633);
        y1 = y1.mul(-7373);
        y2 = y2.mul(-20995);
        y3 = y3.mul(-16069).add(z5);
        y4 = y4.mul(-3196).add(z5);
        IntVector o0 = d7.mul(2446).add(y1).add(y3);
        IntVector o1 = d5.mul(16819).add(y2).add(y4);
        IntVector o2 = d3.mul(25172).add(y2).add(y3);
        IntVector o3 = d1.mul(12299).add(y1).add(y4);

        IntVector r0 = tmp10.add(o3).add(1024).lanewise(VectorOperators.ASHR, 11);
        IntVector r7 = tmp10.sub(o3).add(1024).lanewise(VectorOperators.ASHR, 11);
        IntVector r1 = tmp11.add(o2).add(1024).lanewise(VectorOperators.ASHR, 11);
        IntVector r6 = tmp11.sub(o2).add(1024).lanewise(VectorOperators.ASHR, 11);
        IntVector r2 = tmp12.add(o1).add(1024).lanewise(VectorOperators.ASHR, 11);
        IntVector r5 = tmp12.sub(o1).add(1024).lanewise(VectorOperators.ASHR, 11);
        IntVector r3 = tmp13.add(o0).add(1024).lanewise(VectorOperators.ASHR, 11);
        IntVector r4 = tmp13.sub(o0).add(1024).lanewise(VectorOperators.ASHR, 11);
        IntVector peak = r0.abs().max(r1.abs()).max(r2.abs()).max(r3.abs())
                .max(r4.abs()).max(r5.abs()).max(r6.abs()).max(r7.abs());
        if (peak.compare(VectorOperators.GT, SAFE_MAGNITUDE).anyTrue()) {
            return false;
        }

        // Transpose: rows r0..r7 (lanes = columns) become columns (lanes = rows).
        IntVector a0 = T1_LO.selectFrom(r0, r1);
        IntVector a1 = T1_HI.selectFrom(r0, r1);
        IntVector a2 = T1_LO.selectFrom(r2, r3);
        IntVector a3 = T1_HI.selectFrom(r2, r3);
        IntVector a4 = T1_LO.selectFrom(r4, r5);
        IntVector a5 = T1_HI.selectFrom(r4, r5);
        IntVector a6 = T1_LO.selectFrom(r6, r7);
        IntVector a7 = T1_HI.selectFrom(r6, r7);
        IntVector b0 = T2_LO.selectFrom(a0, a2);
        IntVector b2 = T2_HI.selectFrom(a0, a2);
        IntVector b1 = T2_LO.selectFrom(a1, a3);
        IntVector b3 = T2_HI.selectFrom(a1, a3);
        IntVector b4 = T2_LO.selectFrom(a4, a6);
        IntVector b6 = T2_HI.selectFrom(a4, a6);
        IntVector b5 = T2_LO.selectFrom(a5, a7);
        IntVector b7 = T2_HI.selectFrom(a5, a7);
        T3_LO.selectFrom(b0, b4).intoArray(ws, 0);
        T3_HI.selectFrom(b0, b4).intoArray(ws, 8);
        T3_LO.selectFrom(b2, b6).intoArray(ws, 16);
        T3_HI.selectFrom(b2, b6).intoArray(ws, 24);
        T3_LO.selectFrom(b1, b5).intoArray(ws, 32);
        T3_HI.selectFrom(b1, b5).intoArray(ws, 40);
        T3_LO.selectFrom(b3, b7).intoArray(ws, 48);
        T3_HI.selectFrom(b3, b7).intoArray(ws, 56);
        return true;
    }

    /**
     * The row pass of {@code jpeg_idct_islow} on {@link #idctColumns}' transposed output (one vector
     * per column, lanes = rows), its range limit (10-bit wrap, +128, clamp), a transpose back, and
     * the 8 output rows stored at {@code out[at + r * stride]}. Overwrites {@code ws}.
     */
    static void idctRows(int[] ws, byte[] out, int at, int stride) {
        IntVector d0 = IntVector.fromArray(I8, ws, 0);
        IntVector d1 = IntVector.fromArray(I8, ws, 8);
        IntVector d2 = IntVector.fromArray(I8, ws, 16);
        IntVector d3 = IntVector.fromArray(I8, ws, 24);
        IntVector d4 = IntVector.fromArray(I8, ws, 32);
        IntVector d5 = IntVector.fromArray(I8, ws, 40);
        IntVector d6 = IntVector.fromArray(I8, ws, 48);
        IntVector d7 = IntVector.fromArray(I8, ws, 56);

        IntVector z1 = d2.add(d6).mul(4433);
        IntVector tmp2 = z1.add(d6.mul(-15137));
        IntVector tmp3 = z1.add(d2.mul(6270));
        IntVector tmp0 = d0.add(d4).lanewise(VectorOperators.LSHL, 13);
        IntVector tmp1 = d0.sub(d4).lanewise(VectorOperators.LSHL, 13);
        IntVector tmp10 = tmp0.add(tmp3);
        IntVector tmp13 = tmp0.sub(tmp3);
        IntVector tmp11 = tmp1.add(tmp2);
        IntVector tmp12 = tmp1.sub(tmp2);

        IntVector y1 = d7.add(d1);
        IntVector y2 = d5.add(d3);
        IntVector y3 = d7.add(d3);
        IntVector y4 = d5.add(d1);
        IntVector z5 = y3.add(y4).mul(9633);
        y1 = y1.mul(-7373);
        y2 = y2.mul(-20995);
        y3 = y3.mul(-16069).add(z5);
        y4 = y4.mul(-3196).add(z5);
        IntVector o0 = d7.mul(2446).add(y1).add(y3);
        IntVector o1 = d5.mul(16819).add(y2).add(y4);
        IntVector o2 = d3.mul(25172).add(y2).add(y3);
        IntVector o3 = d1.mul(12299).add(y1).add(y4);

        // DESCALE by 18 bits, then the range-limit table as arithmetic: the low 10 bits read as a
        // signed number ((v << 4) >> 22 keeps bits 18..27 with their sign), re-centred on 128 and
        // clamped to a byte. Written out per output: a helper taking vectors might not be inlined
        // in a method this big, and would then box them.
        tmp10.add(o3).add(1 << 17).lanewise(VectorOperators.LSHL, 4).lanewise(VectorOperators.ASHR, 22)
                .add(128).max(0).min(255).intoArray(ws, 0);
        tmp10.sub(o3).add(1 << 17).lanewise(VectorOperators.LSHL, 4).lanewise(VectorOperators.ASHR, 22)
                .add(128).max(0).min(255).intoArray(ws, 56);
        tmp11.add(o2).add(1 << 17).lanewise(VectorOperators.LSHL, 4).lanewise(VectorOperators.ASHR, 22)
                .add(128).max(0).min(255).intoArray(ws, 8);
        tmp11.sub(o2).add(1 << 17).lanewise(VectorOperators.LSHL, 4).lanewise(VectorOperators.ASHR, 22)
                .add(128).max(0).min(255).intoArray(ws, 48);
        tmp12.add(o1).add(1 << 17).lanewise(VectorOperators.LSHL, 4).lanewise(VectorOperators.ASHR, 22)
                .add(128).max(0).min(255).intoArray(ws, 16);
        tmp12.sub(o1).add(1 << 17).lanewise(VectorOperators.LSHL, 4).lanewise(VectorOperators.ASHR, 22)
                .add(128).max(0).min(255).intoArray(ws, 40);
        tmp13.add(o0).add(1 << 17).lanewise(VectorOperators.LSHL, 4).lanewise(VectorOperators.ASHR, 22)
                .add(128).max(0).min(255).intoArray(ws, 24);
        tmp13.sub(o0).add(1 << 17).lanewise(VectorOperators.LSHL, 4).lanewise(VectorOperators.ASHR, 22)
                .add(128).max(0).min(255).intoArray(ws, 32);
        storeTransposed(ws, out, at, stride);
    }

    /**
     * {@code ws} holds 8 vectors of pixels, vector k = output column k (lanes = rows): transposes
     * them and stores row r's 8 bytes at {@code out[at + r * stride]}.
     */
    private static void storeTransposed(int[] ws, byte[] out, int at, int stride) {
        IntVector c0 = IntVector.fromArray(I8, ws, 0);
        IntVector c1 = IntVector.fromArray(I8, ws, 8);
        IntVector c2 = IntVector.fromArray(I8, ws, 16);
        IntVector c3 = IntVector.fromArray(I8, ws, 24);
        IntVector c4 = IntVector.fromArray(I8, ws, 32);
        IntVector c5 = IntVector.fromArray(I8, ws, 40);
        IntVector c6 = IntVector.fromArray(I8, ws, 48);
        IntVector c7 = IntVector.fromArray(I8, ws, 56);
        IntVector a0 = T1_LO.selectFrom(c0, c1);
        IntVector a1 = T1_HI.selectFrom(c0, c1);
        IntVector a2 = T1_LO.selectFrom(c2, c3);
        IntVector a3 = T1_HI.selectFrom(c2, c3);
        IntVector a4 = T1_LO.selectFrom(c4, c5);
        IntVector a5 = T1_HI.selectFrom(c4, c5);
        IntVector a6 = T1_LO.selectFrom(c6, c7);
        IntVector a7 = T1_HI.selectFrom(c6, c7);
        IntVector b0 = T2_LO.selectFrom(a0, a2);
        IntVector b2 = T2_HI.selectFrom(a0, a2);
        IntVector b1 = T2_LO.selectFrom(a1, a3);
        IntVector b3 = T2_HI.selectFrom(a1, a3);
        IntVector b4 = T2_LO.selectFrom(a4, a6);
        IntVector b6 = T2_HI.selectFrom(a4, a6);
        IntVector b5 = T2_LO.selectFrom(a5, a7);
        IntVector b7 = T2_HI.selectFrom(a5, a7);
        ((ByteVector) T3_LO.selectFrom(b0, b4).convertShape(VectorOperators.I2B, B8, 0)).intoArray(out, at);
        ((ByteVector) T3_HI.selectFrom(b0, b4).convertShape(VectorOperators.I2B, B8, 0)).intoArray(out, at + stride);
        ((ByteVector) T3_LO.selectFrom(b2, b6).convertShape(VectorOperators.I2B, B8, 0)).intoArray(out, at + 2 * stride);
        ((ByteVector) T3_HI.selectFrom(b2, b6).convertShape(VectorOperators.I2B, B8, 0)).intoArray(out, at + 3 * stride);
        ((ByteVector) T3_LO.selectFrom(b1, b5).convertShape(VectorOperators.I2B, B8, 0)).intoArray(out, at + 4 * stride);
        ((ByteVector) T3_HI.selectFrom(b1, b5).convertShape(VectorOperators.I2B, B8, 0)).intoArray(out, at + 5 * stride);
        ((ByteVector) T3_LO.selectFrom(b3, b7).convertShape(VectorOperators.I2B, B8, 0)).intoArray(out, at + 6 * stride);
        ((ByteVector) T3_HI.selectFrom(b3, b7).convertShape(VectorOperators.I2B, B8, 0)).intoArray(out, at + 7 * stride);
    }

    private static IntVector load(byte[] a, int offset) {
        return (IntVector) ByteVector.fromArray(BYTES, a, offset).convertShape(VectorOperators.B2I, INTS, 0)
                .lanewise(VectorOperators.AND, 0xFF);
    }
}
