package radapter.tensor;

/** The error function in double precision (the JDK has none). Used by exact GELU. */
public final class SpecialFunctions {
    private SpecialFunctions() {
    }

    /** erf(x) to about 1e-15 absolute. */
    public static double erf(double x) {
        if (Double.isNaN(x)) {
            return x;
        }
        double a = Math.abs(x);
        if (a < 2.5) {
            return maclaurinErf(x);
        }
        return Math.copySign(1.0 - erfcContinuedFraction(a), x);
    }

    /** erfc(x) = 1 − erf(x), accurate in relative terms for large positive x too. */
    public static double erfc(double x) {
        if (Double.isNaN(x)) {
            return x;
        }
        if (x < 2.5) {
            return 1.0 - erf(x);
        }
        return erfcContinuedFraction(x);
    }

    // Series 2/sqrt(pi) * sum (-1)^n x^(2n+1) / (n! (2n+1)): fast and precise for |x| < 2.5.
    private static double maclaurinErf(double x) {
        double x2 = x * x;
        double term = x;
        double sum = x;
        for (int n = 1; n < 200; n++) {
            term *= -x2 / n;
            double contribution = term / (2 * n + 1);
            sum += contribution;
            if (Math.abs(contribution) < 1e-17 * Math.abs(sum)) {
                break;
            }
        }
        return sum * 2.0 / Math.sqrt(Math.PI);
    }

    // Laplace's continued fraction erfc(x) = exp(-x^2)/sqrt(pi) * 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + ...)))),
    // evaluated bottom-up; 80 levels converge to double precision for x >= 2.5.
    private static double erfcContinuedFraction(double x) {
        if (x > 27) {
            return 0.0;
        }
        double f = x;
        for (int k = 80; k >= 1; k--) {
            f = x + (k / 2.0) / f;
        }
        return Math.exp(-x * x) / Math.sqrt(Math.PI) / f;
    }
}
