package radapter.autograd.optim;

/**
 * {@code torch.optim.lr_scheduler.StepLR}'s closed form: {@code η · γ^⌊step / stepSize⌋}, i.e. the
 * lr is multiplied by {@code gamma} every {@code stepSize} steps.
 *
 * @param baseLr   η
 * @param stepSize steps between decays (&gt; 0)
 * @param gamma    decay factor
 */
public record StepLr(double baseLr, long stepSize, double gamma) implements LrSchedule {

    public StepLr {
        if (!(baseLr >= 0) || Double.isInfinite(baseLr)) {
            throw new IllegalArgumentException("invalid learning rate: " + baseLr);
        }
        if (stepSize <= 0) {
            throw new IllegalArgumentException("step_size must be > 0, got " + stepSize);
        }
        if (!(gamma >= 0) || Double.isInfinite(gamma)) {
            throw new IllegalArgumentException("invalid gamma: " + gamma);
        }
    }

    @Override
    public double lr(double base, long step) {
        LrSchedule.checkStep(step);
        return base * Math.pow(gamma, step / stepSize);
    }
}
