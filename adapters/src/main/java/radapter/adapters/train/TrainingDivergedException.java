package radapter.adapters.train;

/** The loss became NaN or infinite; the parameters and checkpoints are those of the last good step. */
public final class TrainingDivergedException extends IllegalStateException {
    public TrainingDivergedException(String message) {
        super(message);
    }
}
