package radapter.tensor.cpu;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vectorised float32 elementary functions and the small load/store/sum helpers the {@code cpu}
 * kernels share. Everything works for any {@link FloatVector#SPECIES_PREFERRED} width.
 *
 * <p>The functions are written out as polynomials (rather than {@code lanewise(EXP)}, which is a
 * slow per-lane call where no SVML stub exists) and keep a relative error of a few ulp over their
 * whole range, including the tails that matter for activations: {@link #gelu} evaluates
 * {@code erfc} with a relative error below 3e-7 down to where it underflows, so {@code x·Φ(x)} stays
 * accurate for very negative {@code x}. NaN propagates through all of them.
 */
final class VectorMath {

    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    static final VectorSpecies<Integer> SI = VectorSpecies.of(int.class, S.vectorShape());
    static final int L = S.length();
    static final ByteOrder NO = ByteOrder.nativeOrder();
    static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT_UNALIGNED;

    /** Elements summed in float vector lanes before the partial sum moves to a double. */
    static final int SUM_CHUNK = 4096;

    private VectorMath() {}

    // ------------------------------------------------------------------ memory helpers


    static FloatVector load(MemorySegment s, long element) {
        return FloatVector.fromMemorySegment(S, s, element << 2, NO);
    }

    static void store(FloatVector v, MemorySegment s, long element) {
        v.intoMemorySegment(s, element << 2, NO);
    }

    static float get(MemorySegment s, long element) {
        return s.getAtIndex(F, element);
    }

    static void set(MemorySegment s, long element, float v) {
        s.setAtIndex(F, element, v);
    }

    /** {@code s[off .. off+n) ← v}. */
    static void fill(MemorySegment s, long off, long n, float v) {
        FloatVector vv = FloatVector.broadcast(S, v);
        long i = 0;
        for (; i <= n - L; i += L) {
            store(vv, s, off + i);
        }
        for (; i < n; i++) {
            set(s, off + i, v);
        }
    }

    /** {@code s[off .. off+n) *= f}. */
    static void scale(MemorySegment s, long off, long n, float f) {
        FloatVector vf = FloatVector.broadcast(S, f);
        long i = 0;
        for (; i <= n - L; i += L) {
            store(load(s, off + i).mul(vf), s, off + i);
        }
        for (; i < n; i++) {
            set(s, off + i, get(s, off + i) * f);
        }
    }

    /**
     * Sum of {@code n} contiguous floats: four vector accumulators per chunk of
     * {@link #SUM_CHUNK} elements, chunk sums added in double, so the error stays near 1e-7
     * relative for any length.
     */
    static double sum(MemorySegment s, long off, long n) {
        return sumShifted(s, off, n, 0f);
    }

    /**
     * Σ (x − shift) over {@code n} contiguous floats, accumulated like {@link #sum}. Subtracting a
     * typical value first (layer norm uses the row's first element) keeps the mean of data with a
     * large common offset as precise as its spread.
     */
    static double sumShifted(MemorySegment s, long off, long n, float shift) {
        FloatVector vs = FloatVector.broadcast(S, shift);
        double total = 0;
        long i = 0;
        while (i < n) {
            int len = (int) Math.min(SUM_CHUNK, n - i);
            long o = off + i;
            FloatVector a0 = FloatVector.zero(S);
            FloatVector a1 = a0;
            FloatVector a2 = a0;
            FloatVector a3 = a0;
            int j = 0;
            for (; j <= len - 4 * L; j += 4 * L) {
                a0 = a0.add(load(s, o + j).sub(vs));
                a1 = a1.add(load(s, o + j + L).sub(vs));
                a2 = a2.add(load(s, o + j + 2 * L).sub(vs));
                a3 = a3.add(load(s, o + j + 3 * L).sub(vs));
            }
            for (; j <= len - L; j += L) {
                a0 = a0.add(load(s, o + j).sub(vs));
            }
            double t = sumLanes(a0.add(a1).add(a2.add(a3)));
            for (; j < len; j++) {
                t += get(s, o + j) - shift;
            }
            total += t;
            i += len;
        }
        return total;
    }

    /** Σ ((x − hi) − lo)² over {@code n} contiguous floats (centred sum of squares, chunked like {@link #sum}). */
    static double sumSquaredDeviations(MemorySegment s, long off, long n, float hi, float lo) {
        FloatVector vh = FloatVector.broadcast(S, hi);
        FloatVector vl = FloatVector.broadcast(S, lo);
        double total = 0;
        long i = 0;
        while (i < n) {
            int len = (int) Math.min(SUM_CHUNK, n - i);
            FloatVector a0 = FloatVector.zero(S);
            FloatVector a1 = a0;
            int j = 0;
            for (; j <= len - 2 * L; j += 2 * L) {
                FloatVector d0 = load(s, off + i + j).sub(vh).sub(vl);
                FloatVector d1 = load(s, off + i + j + L).sub(vh).sub(vl);
                a0 = d0.fma(d0, a0);
                a1 = d1.fma(d1, a1);
            }
            for (; j <= len - L; j += L) {
                FloatVector d0 = load(s, off + i + j).sub(vh).sub(vl);
                a0 = d0.fma(d0, a0);
            }
            double t = sumLanes(a0.add(a1));
            for (; j < len; j++) {
                float d = (get(s, off + i + j) - hi) - lo;
                t += d * d;
            }
            total += t;
            i += len;
        }
        return total;
    }

    /** Largest of {@code n ≥ 1} contiguous floats; NaN if any is NaN. */
    static float max(MemorySegment s, long off, long n) {
        float m = Float.NEGATIVE_INFINITY;
        long i = 0;
        if (n >= 2 * L) {
            FloatVector a0 = FloatVector.broadcast(S, Float.NEGATIVE_INFINITY);
            FloatVector a1 = a0;
            for (; i <= n - 2 * L; i += 2 * L) {
                a0 = a0.max(load(s, off + i));
                a1 = a1.max(load(s, off + i + L));
            }
            for (; i <= n - L; i += L) {
                a0 = a0.max(load(s, off + i));
            }
            m = a0.max(a1).reduceLanes(VectorOperators.MAX);
        }
        for (; i < n; i++) {
            m = Math.max(m, get(s, off + i));
        }
        return m;
    }

    /** Smallest of {@code n ≥ 1} contiguous floats; NaN if any is NaN. */
    static float min(MemorySegment s, long off, long n) {
        float m = Float.POSITIVE_INFINITY;
        long i = 0;
        if (n >= 2 * L) {
            FloatVector a0 = FloatVector.broadcast(S, Float.POSITIVE_INFINITY);
            FloatVector a1 = a0;
            for (; i <= n - 2 * L; i += 2 * L) {
                a0 = a0.min(load(s, off + i));
                a1 = a1.min(load(s, off + i + L));
            }
            for (; i <= n - L; i += L) {
                a0 = a0.min(load(s, off + i));
            }
            m = a0.min(a1).reduceLanes(VectorOperators.MIN);
        }
        for (; i < n; i++) {
            m = Math.min(m, get(s, off + i));
        }
        return m;
    }

    // ------------------------------------------------------------------ functions
    //
    // C2 stops inlining once a method's graph passes NodeCountInliningCutoff, and a vector that
    // crosses a call that was not inlined gets boxed, which costs an order of magnitude. Every
    // Vector API call expands to many nodes before it is reduced to an instruction, so the heavier
    // functions come in two halves: an exponential ({@code ...Exp}) and a cheap finish that takes
    // the exponential as input. Kernels run the halves as two loops in separate methods.

    /** A vector with {@code c} in every lane (broadcasts of constants are hoisted out of loops). */
    static FloatVector bc(float c) {
        return FloatVector.broadcast(S, c);
    }

    // ------------------------------------------------------------------ exp

    private static final float LOG2E = 1.44269504088896341f;
    private static final float LN2_HI = 0.693145751953125f;
    private static final float LN2_LO = 1.42860682030941723212e-6f;
    /** 1.5·2^23: adding it rounds a float below 2^22 in magnitude to an integer in the low mantissa bits. */
    private static final float ROUNDER = 12582912f;
    private static final int ROUNDER_BITS = 0x4B400000;

    /**
     * e^x to about 2 ulp, subnormal results included. Range reduction x = n·ln2 + r with
     * |r| ≤ ln2/2 (ln 2 split in two parts, fused multiply-adds), a degree-7 Taylor polynomial for
     * e^r (truncation error 6e-9), then the scaling by 2^n as two multiplications by 2^⌊n/2⌋ and
     * 2^⌈n/2⌉ so that results down to 2^-149 round correctly. Arguments are clamped to
     * [−104, 88.8], beyond which the result is 0 or +∞ anyway; NaN stays NaN.
     */
    static FloatVector exp(FloatVector x) {
        FloatVector xc = x.max(-104f).min(88.8f);
        FloatVector k = xc.fma(LOG2E, ROUNDER);
        FloatVector n = k.sub(ROUNDER);
        FloatVector r = n.fma(bc(-LN2_HI), xc);
        r = n.fma(bc(-LN2_LO), r);
        FloatVector p = r.fma(1f / 5040, 1f / 720);
        p = p.fma(r, bc(1f / 120));
        p = p.fma(r, bc(1f / 24));
        p = p.fma(r, bc(1f / 6));
        p = p.fma(r, bc(0.5f));
        p = p.fma(r, bc(1f));
        p = p.fma(r, bc(1f));
        IntVector ni = k.reinterpretAsInts().sub(ROUNDER_BITS);
        IntVector n1 = ni.lanewise(VectorOperators.ASHR, 1);
        IntVector n2 = ni.sub(n1);
        FloatVector s1 = n1.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
        FloatVector s2 = n2.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
        return p.mul(s1).mul(s2);
    }

    // ------------------------------------------------------------------ log

    /**
     * Natural logarithm: x = m·2^e with m in [√½, √2), log m = 2·atanh((m−1)/(m+1)) by its series;
     * subnormal inputs are rescaled first. log 0 = −∞, log of a negative number = NaN.
     */
    static FloatVector log(FloatVector x) {
        VectorMask<Float> tiny = x.compare(VectorOperators.LT, Float.MIN_NORMAL);
        FloatVector xs = x.blend(x.mul(8388608f), tiny);
        IntVector bits = xs.reinterpretAsInts();
        IntVector e = bits.lanewise(VectorOperators.LSHR, 23).and(0xFF).sub(127);
        e = e.blend(e.sub(23), tiny.cast(SI));
        FloatVector m = bits.and(0x007FFFFF).or(0x3F800000).reinterpretAsFloats();
        VectorMask<Float> big = m.compare(VectorOperators.GT, 1.41421356237309505f);
        m = m.blend(m.mul(0.5f), big);
        e = e.blend(e.add(1), big.cast(SI));
        FloatVector f = m.sub(1f);
        FloatVector s = f.div(f.add(2f));
        FloatVector s2 = s.mul(s);
        FloatVector p = s2.fma(2f / 11, 2f / 9);
        p = p.fma(s2, bc(2f / 7));
        p = p.fma(s2, bc(2f / 5));
        p = p.fma(s2, bc(2f / 3));
        p = p.fma(s2, bc(2f));
        FloatVector lm = p.mul(s);
        FloatVector ef = (FloatVector) e.convert(VectorOperators.I2F, 0);
        FloatVector result = ef.fma(bc(LN2_HI), ef.fma(bc(LN2_LO), lm));
        result = result.blend(Float.NEGATIVE_INFINITY, x.compare(VectorOperators.EQ, 0f));
        result = result.blend(Float.NaN, x.compare(VectorOperators.LT, 0f));
        result = result.blend(Float.POSITIVE_INFINITY, x.compare(VectorOperators.EQ, Float.POSITIVE_INFINITY));
        return result.blend(x, x.test(VectorOperators.IS_NAN));
    }

    // ------------------------------------------------------------------ tanh

    /** First half of tanh: e^{2|x|}. */
    static FloatVector tanhExp(FloatVector x) {
        FloatVector ax = x.abs();
        return exp(ax.add(ax));
    }

    /**
     * tanh from x and e = e^{2|x|}: for |x| < 0.55 the Taylor series of tanh(x)/x in x² (nine
     * terms, truncation below 5e-8), else 1 − 2/(e+1) with the sign of x.
     */
    static FloatVector tanhFinish(FloatVector x, FloatVector e) {
        FloatVector x2 = x.mul(x);
        FloatVector p = x2.fma((float) (6404582.0 / 10854718875.0), (float) (-929569.0 / 638512875));
        p = p.fma(x2, bc((float) (21844.0 / 6081075)));
        p = p.fma(x2, bc((float) (-1382.0 / 155925)));
        p = p.fma(x2, bc((float) (62.0 / 2835)));
        p = p.fma(x2, bc((float) (-17.0 / 315)));
        p = p.fma(x2, bc((float) (2.0 / 15)));
        p = p.fma(x2, bc((float) (-1.0 / 3)));
        FloatVector small = x.mul(x2).fma(p, x);
        FloatVector big = bc(1f).sub(bc(2f).div(e.add(1f)));
        FloatVector signed = big.reinterpretAsInts().or(x.reinterpretAsInts().and(0x80000000)).reinterpretAsFloats();
        return signed.blend(small, x.abs().compare(VectorOperators.LT, 0.55f));
    }

    // ------------------------------------------------------------------ sigmoid and friends

    /** First half of σ(z): e^{−|z|}. */
    static FloatVector sigmoidExp(FloatVector z) {
        return exp(z.abs().neg());
    }

    /**
     * σ(z) from z and e = e^{−|z|}: 1/(1+e) for z ≥ 0 and e/(1+e) below, so both tails stay
     * relative-accurate.
     */
    static FloatVector sigmoidFinish(FloatVector z, FloatVector e) {
        FloatVector s = bc(1f).div(e.add(1f));
        return e.mul(s).blend(s, z.compare(VectorOperators.GE, 0f));
    }

    /** The argument of σ in OpenAI CLIP's QuickGELU {@code x·σ(1.702x)}. */
    static FloatVector quickGeluArg(FloatVector x) {
        return x.mul(1.702f);
    }

    private static final float GELU_TANH_K0 = (float) (2 * Math.sqrt(2 / Math.PI));
    private static final float GELU_TANH_K1 = (float) (2 * Math.sqrt(2 / Math.PI) * 0.044715);

    /**
     * The argument 2u of σ in the tanh GELU {@code ½x(1 + tanh u) = x·σ(2u)},
     * u = √(2/π)(x + 0.044715x³); the σ form does not cancel for negative x.
     */
    static FloatVector geluTanhArg(FloatVector x) {
        return x.mul(x.mul(x).fma(GELU_TANH_K1, GELU_TANH_K0));
    }

    // ------------------------------------------------------------------ exact GELU

    /**
     * |x| beyond which erfc(|x|/√2) underflows to 0 in float; the erfc part works on x clamped to
     * ±GELU_CLAMP so that x² cannot overflow (−1e20 must give −0, not NaN).
     */
    private static final float GELU_CLAMP = 20f;

    /** First half of the exact GELU: e^{−h/2} with h = fl(xc·xc), xc = x clamped to ±20. */
    static FloatVector geluExp(FloatVector x) {
        FloatVector xc = x.max(-GELU_CLAMP).min(GELU_CLAMP);
        return exp(xc.mul(xc).mul(-0.5f));
    }

    /**
     * Exact GELU {@code x·Φ(x) = ½x·erfc(−x/√2)} from x and g = e^{−fl(x²)/2}. erfc(|x|/√2) is
     * e^{−x²/2}·t·P(t) with t = 1/(1 + 0.4|x|/√2) and P a degree-10 weighted least-squares fit of
     * erfc(z)e^{z²}/t (relative error 2.4e-8); the exponential is corrected by (1 − l/2) for the
     * rounding error l = x·x − h (exact by fma), so the far negative tail keeps a relative error
     * near 3e-7.
     */
    static FloatVector geluFinish(FloatVector x, FloatVector g) {
        FloatVector xc = x.max(-GELU_CLAMP).min(GELU_CLAMP);
        FloatVector t = bc(1f).div(xc.abs().mul(0.70710678118654752f).fma(0.4f, 1f));
        FloatVector p = t.fma(-0.03062849649475844f, 0.14721857678567024f);
        p = p.fma(t, bc(-0.24929462652605622f));
        p = p.fma(t, bc(0.15303941411935432f));
        p = p.fma(t, bc(-0.057408643142779284f));
        p = p.fma(t, bc(0.08834411080926581f));
        p = p.fma(t, bc(0.11786640264531155f));
        p = p.fma(t, bc(0.17191092778842681f));
        p = p.fma(t, bc(0.20760016424920313f));
        p = p.fma(t, bc(0.22567631533116778f));
        p = p.fma(t, bc(0.22567583113421197f));
        FloatVector h = xc.mul(xc);
        FloatVector l = xc.fma(xc, h.neg());
        FloatVector erfc = g.mul(l.fma(-0.5f, 1f)).mul(t).mul(p);
        FloatVector halfXE = x.mul(0.5f).mul(erfc);
        FloatVector r = halfXE.blend(x.sub(halfXE), x.compare(VectorOperators.GE, 0f));
        // Far right tail (and +∞): erfc(−x/√2) = 2 to float precision.
        return r.blend(x, x.compare(VectorOperators.GT, 10f));
    }

    private static final float INV_SQRT_2PI = (float) (1 / Math.sqrt(2 * Math.PI));

    /**
     * GELU'(x) = Φ(x) + x·φ(x). Φ comes from the exact GELU value divided by x (½ at x = 0), φ from
     * the same e^{−x²/2} the GELU uses, so forward and backward agree to a few ulps.
     */
    static FloatVector geluDerivative(FloatVector x) {
        FloatVector g = geluExp(x);
        FloatVector cdf = geluFinish(x, g).div(x).blend(bc(0.5f), x.compare(VectorOperators.EQ, 0f));
        return cdf.add(x.mul(g.mul(INV_SQRT_2PI)));
    }

    /**
     * Sum of a vector's lanes in lane order, in double. {@code reduceLanes(ADD)} may associate
     * differently when intrinsified than in its Java fallback, so results would depend on whether
     * C2 has compiled the caller yet; a fixed order keeps runs bit-reproducible (resume relies on it).
     */
    static double sumLanes(FloatVector v) {
        double t = 0;
        for (int i = 0; i < v.length(); i++) {
            t += v.lane(i);
        }
        return t;
    }
}
