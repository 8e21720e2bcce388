package radapter.autograd.optim;

/**
 * A learning rate as a function of the global step (0-based), set before each optimizer step as
 * the reference training loop does:
 * <pre>{@code
 * for (long step = 0; step < total; step++) {
 *     schedule.apply(optimizer, step);
 *     ... backward, clip ...
 *     optimizer.step();
 * }
 * }</pre>
 *
 * <p>A schedule is defined for a base lr η ({@link #baseLr()}), which is what {@link #lr(long)}
 * reports. {@link #apply} keeps the ratios between parameter groups: a group whose initial lr is
 * ρ times the optimizer's {@link Optimizer#defaultLr() default lr} gets the schedule evaluated
 * with base lr ρ·η (so groups that kept the default lr get exactly {@link #lr(long)}). For
 * schedules proportional to η that is the same as scaling {@code lr(step)} by ρ; for
 * {@link WarmupCosineLr} it is the reference's per-group {@code base_lrs} (η_min stays absolute).
 */
public interface LrSchedule {

    /** The base lr η that {@link #lr(long)} uses. */
    double baseLr();

    /** The lr at {@code step} (≥ 0) with base lr {@code baseLr} in place of {@link #baseLr()}. */
    double lr(double baseLr, long step);

    /** The lr at {@code step} (≥ 0). */
    default double lr(long step) {
        return lr(baseLr(), step);
    }

    /**
     * Sets every group's lr for {@code step}, keeping the groups' ratios (see the class comment),
     * and returns {@link #lr(long)} for logging.
     */
    default double apply(Optimizer optimizer, long step) {
        double reference = optimizer.defaultLr();
        for (ParamGroup g : optimizer.paramGroups()) {
            double ratio = reference != 0 ? g.initialLr() / reference : 1.0;
            g.lr(lr(baseLr() * ratio, step));
        }
        return lr(step);
    }

    /** Throws for a negative step (shared by the implementations). */
    static void checkStep(long step) {
        if (step < 0) {
            throw new IllegalArgumentException("schedule step must be >= 0, got " + step);
        }
    }
}
