package radapter.autograd.optim;

/**
 * Linear warm-up then cosine decay: the reference's {@code cosine_lr} (spec §7.3). With base lr
 * η, warm-up W, total T and η_min:
 *
 * <pre>
 * step &lt; W :  lr = η · (step + 1) / W
 * step ≥ W :  lr = ½ · (1 + cos(π · (step − W) / (T − W))) · η + η_min      ({@link Form#SPEC}, the default)
 *             lr = η_min + ½ · (η − η_min) · (1 + cos(π · (step − W) / (T − W)))   ({@link Form#STANDARD})
 * </pre>
 *
 * <p><b>Quirk of the reference (kept by {@link Form#SPEC}):</b> η_min is <em>added</em> to the
 * cosine term instead of being its floor, so the first post-warm-up lr is η + η_min (above η) and
 * the lr only approaches η_min at the end. {@link Form#STANDARD} is the usual
 * (SGDR / {@code CosineAnnealingLR}) form, which runs from exactly η down to η_min. The two differ by
 * at most η_min, which is negligible for the recipe's η = 5e-4, η_min = 1e-6.
 *
 * <p>As in the reference, steps past T are not clamped (the cosine swings back up); W = 0 means no
 * warm-up.
 *
 * @param baseLr      η
 * @param warmupSteps W (≥ 0)
 * @param totalSteps  T (&gt; W)
 * @param minLr       η_min (≥ 0)
 * @param form        which post-warm-up formula
 */
public record WarmupCosineLr(double baseLr, long warmupSteps, long totalSteps, double minLr, Form form) implements LrSchedule {

    /** The post-warm-up formula. */
    public enum Form {
        /** The reference's {@code ½(1 + cos)·η + η_min} (η_min added). */
        SPEC,
        /** The standard {@code η_min + ½(η − η_min)(1 + cos)}. */
        STANDARD
    }

    public WarmupCosineLr {
        if (!(baseLr >= 0) || Double.isInfinite(baseLr)) {
            throw new IllegalArgumentException("invalid learning rate: " + baseLr);
        }
        if (!(minLr >= 0) || Double.isInfinite(minLr)) {
            throw new IllegalArgumentException("invalid min lr: " + minLr);
        }
        if (warmupSteps < 0) {
            throw new IllegalArgumentException("warm-up steps must be >= 0, got " + warmupSteps);
        }
        if (totalSteps <= warmupSteps) {
            throw new IllegalArgumentException("total steps (" + totalSteps + ") must exceed the warm-up steps (" + warmupSteps
                    + "); the cosine phase would divide by zero");
        }
        java.util.Objects.requireNonNull(form, "form");
    }

    /** The reference's schedule ({@link Form#SPEC}, η_min added). */
    public WarmupCosineLr(double baseLr, long warmupSteps, long totalSteps, double minLr) {
        this(baseLr, warmupSteps, totalSteps, minLr, Form.SPEC);
    }

    @Override
    public double lr(double base, long step) {
        LrSchedule.checkStep(step);
        if (step < warmupSteps) {
            return base * (step + 1) / warmupSteps;
        }
        double e = step - warmupSteps;
        double es = totalSteps - warmupSteps;
        double cosine = 1 + Math.cos(Math.PI * e / es);
        return switch (form) {
            case SPEC -> 0.5 * cosine * base + minLr;
            case STANDARD -> minLr + 0.5 * (base - minLr) * cosine;
        };
    }
}
