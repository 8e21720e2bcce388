package radapter.data.image;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vector API versions of {@link Resampler}'s two 8-bit passes, bit-identical to the scalar ones:
 * the same 22-bit fixed-point weights, the same integer sums (taps past a window's count have
 * weight 0 and add nothing; int addition is exact in any order), the same rounding and clamping.
 *
 * <p>Horizontal pass: lanes are consecutive output pixels. Each source row is first packed as one
 * {@code R | G << 8 | B << 16} int per pixel, so that one gather per filter tap fetches all three
 * channels of 16 (or 8) windows, whose starts differ. Vertical pass: the filter is the same for a
 * whole output row, so lanes are simply consecutive bytes of the interleaved rows, channel-blind.
 *
 * <p>In its own class so that a JVM without {@code jdk.incubator.vector} fails only in
 * {@link #probe()}; {@link Resampler} then stays scalar.
 */
final class ResampleSimd {
    private static final VectorSpecies<Integer> INTS = IntVector.SPECIES_PREFERRED;
    private static final int LANES = INTS.length();
    private static final VectorSpecies<Byte> BYTES = VectorSpecies.of(byte.class, VectorShape.forBitSize(LANES * 8));
    private static final VarHandle INT_LE = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final int BITS = Resampler.PRECISION_BITS;

    private ResampleSimd() {
    }

    /** Runs both passes on a small image and compares them with the scalar code; throws on mismatch. */
    static void probe() {
        int w = 2 * LANES + 3;
        int h = 5;
        byte[] px = new byte[w * h * 3];
        for (int i = 0; i < px.length; i++) {
            px[i] = (byte) (i * 73 + (i >> 3));
        }
        Resampler.Coefficients hc = Resampler.Coefficients.of(w, 0, w, LANES + 1, Interpolation.BICUBIC);
        Resampler.Coefficients vc = Resampler.Coefficients.of(h, 0, h, 3, Interpolation.BICUBIC);
        byte[] a = new byte[(LANES + 1) * h * 3];
        byte[] b = new byte[a.length];
        horizontal(px, w, 0, h, a, LANES + 1, hc);
        Resampler.horizontalScalar(px, w, 0, h, b, LANES + 1, hc);
        byte[] c = new byte[(LANES + 1) * 3 * 3];
        byte[] d = new byte[c.length];
        vertical(a, LANES + 1, 0, c, 3, vc);
        Resampler.verticalScalar(a, LANES + 1, 0, d, 3, vc);
        if (!java.util.Arrays.equals(a, b) || !java.util.Arrays.equals(c, d)) {
            throw new IllegalStateException("Vector API self-test failed (resampling)");
        }
    }

    /**
     * Horizontal pass over source rows {@code [firstRow, lastRow)} of the {@code inWidth}-wide
     * interleaved RGB {@code in}, writing {@code outWidth} pixels per row to {@code out}.
     */
    static void horizontal(byte[] in, int inWidth, int firstRow, int lastRow, byte[] out, int outWidth,
                           Resampler.Coefficients c) {
        int ks = c.ksize;
        int padded = (outWidth + LANES - 1) / LANES * LANES;
        // Weights tap-major (tap j of outputs xx.. is contiguous), zero past each window's count
        // and for the padding outputs; window starts padded with 0.
        int[] weights = new int[ks * padded];
        int[] start = new int[padded];
        for (int xx = 0; xx < outWidth; xx++) {
            start[xx] = c.start[xx];
            for (int j = 0; j < c.count[xx]; j++) {
                weights[j * padded + xx] = c.k[xx * ks + j];
            }
        }
        // Packed source row, long enough for every tap of every (padded) window.
        int[] row = new int[inWidth + ks];
        int[] packed = new int[padded];
        int half = 1 << (BITS - 1);
        int o = 0;
        for (int y = firstRow; y < lastRow; y++) {
            int p = y * inWidth * 3;
            for (int x = 0; x < inWidth - 1; x++, p += 3) {
                row[x] = (int) INT_LE.get(in, p) & 0xFFFFFF;
            }
            row[inWidth - 1] = (in[p] & 0xFF) | (in[p + 1] & 0xFF) << 8 | (in[p + 2] & 0xFF) << 16;
            for (int xx = 0; xx < padded; xx += LANES) {
                IntVector r = IntVector.broadcast(INTS, half);
                IntVector g = r;
                IntVector b = r;
                for (int j = 0; j < ks; j++) {
                    IntVector v = IntVector.fromArray(INTS, row, j, start, xx);
                    IntVector k = IntVector.fromArray(INTS, weights, j * padded + xx);
                    r = r.add(v.and(0xFF).mul(k));
                    g = g.add(v.lanewise(VectorOperators.LSHR, 8).and(0xFF).mul(k));
                    b = b.add(v.lanewise(VectorOperators.LSHR, 16).mul(k));
                }
                r = r.lanewise(VectorOperators.ASHR, BITS).max(0).min(255);
                g = g.lanewise(VectorOperators.ASHR, BITS).max(0).min(255);
                b = b.lanewise(VectorOperators.ASHR, BITS).max(0).min(255);
                r.or(g.lanewise(VectorOperators.LSHL, 8)).or(b.lanewise(VectorOperators.LSHL, 16)).intoArray(packed, xx);
            }
            BaselineJpeg.spread(packed, outWidth, out, o);
            o += outWidth * 3;
        }
    }

    /**
     * Vertical pass: output row {@code yy} of {@code out} is the weighted sum of {@code in}'s rows
     * {@code c.start[yy] - rowShift ...}, each row {@code width} RGB pixels.
     */
    static void vertical(byte[] in, int width, int rowShift, byte[] out, int outHeight, Resampler.Coefficients c) {
        int ks = c.ksize;
        int stride = width * 3;
        int half = 1 << (BITS - 1);
        int vectorEnd = stride - stride % LANES;
        for (int yy = 0; yy < outHeight; yy++) {
            int base = (c.start[yy] - rowShift) * stride;
            int n = c.count[yy];
            int kb = yy * ks;
            int o = yy * stride;
            for (int i = 0; i < vectorEnd; i += LANES) {
                IntVector acc = IntVector.broadcast(INTS, half);
                for (int j = 0; j < n; j++) {
                    IntVector v = (IntVector) ByteVector.fromArray(BYTES, in, base + j * stride + i)
                            .convertShape(VectorOperators.B2I, INTS, 0);
                    acc = acc.add(v.and(0xFF).mul(c.k[kb + j]));
                }
                ((ByteVector) acc.lanewise(VectorOperators.ASHR, BITS).max(0).min(255)
                        .convertShape(VectorOperators.I2B, BYTES, 0)).intoArray(out, o + i);
            }
            for (int i = vectorEnd; i < stride; i++) {
                int acc = half;
                for (int j = 0; j < n; j++) {
                    acc += (in[base + j * stride + i] & 0xFF) * c.k[kb + j];
                }
                int v = acc >> BITS;
                out[o + i] = (byte) (v < 0 ? 0 : Math.min(v, 255));
            }
        }
    }
}
