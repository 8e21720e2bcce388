package radapter.tensor;

/**
 * The one seedable random generator: xoshiro256** seeded through SplitMix64. Every stochastic op
 * takes an {@code Rng} explicitly so that a run is reproducible from its seed alone. Not thread
 * safe; use {@link #fork(long)} to derive independent streams for workers.
 */
public final class Rng {
    private long s0, s1, s2, s3;
    private double spareGaussian;
    private boolean hasSpare;

    /** A generator whose whole sequence is determined by {@code seed}. */
    public Rng(long seed) {
        long x = seed;
        s0 = splitMix(x += 0x9E3779B97F4A7C15L);
        s1 = splitMix(x += 0x9E3779B97F4A7C15L);
        s2 = splitMix(x += 0x9E3779B97F4A7C15L);
        s3 = splitMix(x + 0x9E3779B97F4A7C15L);
    }

    private static long splitMix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** 64 uniformly random bits. */
    public long nextLong() {
        long result = Long.rotateLeft(s1 * 5, 7) * 9;
        long t = s1 << 17;
        s2 ^= s0;
        s3 ^= s1;
        s1 ^= s2;
        s0 ^= s3;
        s2 ^= t;
        s3 = Long.rotateLeft(s3, 45);
        return result;
    }

    /** Uniform in [0, 1) with 24 random bits, like a float32 draw. */
    public float nextFloat() {
        return (nextLong() >>> 40) * 0x1.0p-24f;
    }

    /** Uniform in [0, 1) with 53 random bits. */
    public double nextDouble() {
        return (nextLong() >>> 11) * 0x1.0p-53;
    }

    /** Uniform integer in [0, bound). */
    public int nextInt(int bound) {
        if (bound <= 0) {
            throw new IllegalArgumentException("bound must be positive, got " + bound);
        }
        // Lemire's multiply-shift with rejection: unbiased for every bound.
        long m = (nextLong() >>> 32) * bound;
        long low = m & 0xFFFFFFFFL;
        if (low < bound) {
            long threshold = (0x1_0000_0000L - bound) % bound;
            while (low < threshold) {
                m = (nextLong() >>> 32) * bound;
                low = m & 0xFFFFFFFFL;
            }
        }
        return (int) (m >>> 32);
    }

    /** Standard normal, by the Box–Muller transform (pairs are used, not wasted). */
    public double nextGaussian() {
        if (hasSpare) {
            hasSpare = false;
            return spareGaussian;
        }
        double u1;
        do {
            u1 = nextDouble();
        } while (u1 == 0.0);
        double u2 = nextDouble();
        double r = Math.sqrt(-2.0 * Math.log(u1));
        spareGaussian = r * Math.sin(2 * Math.PI * u2);
        hasSpare = true;
        return r * Math.cos(2 * Math.PI * u2);
    }

    /** The full generator state (for checkpoints): four state words, the spare normal's bits, and whether it is set. */
    public long[] state() {
        return new long[] {s0, s1, s2, s3, Double.doubleToRawLongBits(spareGaussian), hasSpare ? 1 : 0};
    }

    /** A generator continuing exactly where the one that produced {@code state} stood. */
    public static Rng fromState(long[] state) {
        if (state.length != 6) {
            throw new IllegalArgumentException("an Rng state has 6 words, got " + state.length);
        }
        Rng r = new Rng(0);
        r.s0 = state[0];
        r.s1 = state[1];
        r.s2 = state[2];
        r.s3 = state[3];
        r.spareGaussian = Double.longBitsToDouble(state[4]);
        r.hasSpare = state[5] != 0;
        return r;
    }

    /** An independent copy with the same state (the two then produce the same sequence). */
    public Rng copy() {
        return fromState(state());
    }

    /** Makes this generator continue from {@code other}'s current state. */
    public void restore(Rng other) {
        long[] st = other.state();
        s0 = st[0];
        s1 = st[1];
        s2 = st[2];
        s3 = st[3];
        spareGaussian = Double.longBitsToDouble(st[4]);
        hasSpare = st[5] != 0;
    }

    /** A generator for an independent stream, determined by this generator's state and {@code stream}. */
    public Rng fork(long stream) {
        return new Rng(nextLong() ^ splitMix(stream));
    }

    /** Fisher–Yates shuffle of {@code 0..n-1}. */
    public int[] permutation(int n) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) {
            p[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }
}
