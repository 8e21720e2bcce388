package radapter.tensor;

/** Reductions over one or more dimensions. Mean and variance are built on {@link #SUM} by the front-end. */
public enum ReduceOp {
    SUM, MAX, MIN;

    /** The value a reduction over zero elements starts from (PyTorch errors for max/min of empty). */
    public double identity() {
        return switch (this) {
            case SUM -> 0.0;
            case MAX -> Double.NEGATIVE_INFINITY;
            case MIN -> Double.POSITIVE_INFINITY;
        };
    }

    /** Folds one element into an accumulator; NaN wins for max and min. */
    public double combine(double acc, double x) {
        return switch (this) {
            case SUM -> acc + x;
            case MAX -> (x != x || acc != acc) ? Double.NaN : Math.max(acc, x);
            case MIN -> (x != x || acc != acc) ? Double.NaN : Math.min(acc, x);
        };
    }
}
