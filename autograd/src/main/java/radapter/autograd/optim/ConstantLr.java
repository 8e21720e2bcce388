package radapter.autograd.optim;

/** The same lr at every step. */
public record ConstantLr(double baseLr) implements LrSchedule {

    public ConstantLr {
        if (!(baseLr >= 0) || Double.isInfinite(baseLr)) {
            throw new IllegalArgumentException("invalid learning rate: " + baseLr);
        }
    }

    @Override
    public double lr(double base, long step) {
        LrSchedule.checkStep(step);
        return base;
    }
}
