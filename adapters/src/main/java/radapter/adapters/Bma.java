package radapter.adapters;

/**
 * The weights of R-Adapter's BMA variant of self-ensembling (spec §5.2). The official code only
 * describes it in a method that is never called, so this follows the formula written there: after
 * optimizer step {@code t} ({@code 0 … T−1}) of a run of {@code T} steps,
 * <pre>
 *   w_t = BetaPDF((t + 0.5) / (T + 1); β, β)
 *   S  ← S + w_t
 *   ρ  = w_t / S
 *   θ_avg ← (θ_avg + ρ·θ) / (1 + ρ)
 * </pre>
 * A symmetric Beta density puts most weight on the middle of the run for β > 1, is uniform for
 * β = 1 and favours both ends for β < 1. Like EMA, the averaged copy starts as a copy of the
 * initial (identity) adapters; since the first step has ρ = 1, the formula keeps that initial copy
 * in the average as one more sample (with β = 1 the result is exactly the mean of the initial
 * adapters and of every step's).
 */
public final class Bma {
    private Bma() {
    }

    /** {@code w_t = BetaPDF((t + 0.5)/(T + 1); β, β)} for step {@code t} of {@code totalSteps}. */
    public static double weight(long step, long totalSteps, double beta) {
        if (step < 0 || step >= totalSteps) {
            throw new IllegalArgumentException("BMA step " + step + " outside 0.." + (totalSteps - 1));
        }
        return betaPdf((step + 0.5) / (totalSteps + 1.0), beta, beta);
    }

    /** The density of Beta(a, b) at {@code x} in (0, 1), computed in log space to stay finite for large a, b. */
    public static double betaPdf(double x, double a, double b) {
        if (!(x > 0 && x < 1)) {
            throw new IllegalArgumentException("Beta density argument must be in (0, 1), got " + x);
        }
        if (!(a > 0 && b > 0)) {
            throw new IllegalArgumentException("Beta parameters must be positive, got " + a + ", " + b);
        }
        double logB = logGamma(a) + logGamma(b) - logGamma(a + b);
        return Math.exp((a - 1) * Math.log(x) + (b - 1) * Math.log1p(-x) - logB);
    }

    private static final double[] LANCZOS = {0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313,
        -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7};

    /** ln Γ(x) for x > 0 (Lanczos, g = 7; relative error about 1e-15), with reflection below 0.5. */
    static double logGamma(double x) {
        if (x < 0.5) {
            // Γ(x)Γ(1−x) = π / sin(πx); x > 0 here, so sin(πx) > 0.
            return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
        }
        double z = x - 1;
        double sum = LANCZOS[0];
        double t = z + 7.5;
        for (int i = 1; i < LANCZOS.length; i++) {
            sum += LANCZOS[i] / (z + i);
        }
        return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(sum);
    }
}
