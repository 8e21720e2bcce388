package radapter.cli;

/**
 * Range checks for numeric options, each failing with one line that names the option, the value
 * and the accepted range. Commands run them before loading anything, so a typo costs nothing and
 * an absurd value (NaN, 1e30, a negative count) never reaches the computation.
 */
final class OptionChecks {
    private OptionChecks() {
    }

    /** {@code lo <= v <= hi}, finite. */
    static double between(String option, double v, double lo, double hi) {
        if (!(v >= lo && v <= hi)) {
            throw new IllegalArgumentException(option + " must be a number from " + num(lo) + " to " + num(hi) + ", got " + num(v));
        }
        return v;
    }

    /** {@code lo <= v < hi}, finite. */
    static double belowOpen(String option, double v, double lo, double hi) {
        if (!(v >= lo && v < hi)) {
            throw new IllegalArgumentException(option + " must be a number from " + num(lo) + " up to (not including) " + num(hi) + ", got " + num(v));
        }
        return v;
    }

    /** {@code lo < v <= hi}, finite. */
    static double aboveOpen(String option, double v, double lo, double hi) {
        if (!(v > lo && v <= hi)) {
            throw new IllegalArgumentException(option + " must be a number above " + num(lo) + " and at most " + num(hi) + ", got " + num(v));
        }
        return v;
    }

    /** A whole number from {@code lo} to {@code hi}. */
    static long count(String option, long v, long lo, long hi) {
        if (v < lo || v > hi) {
            throw new IllegalArgumentException(option + " must be a whole number from " + lo + " to " + hi + ", got " + v);
        }
        return v;
    }

    private static String num(double v) {
        if (Double.isNaN(v) || Double.isInfinite(v)) {
            return Double.toString(v);
        }
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
    }
}
