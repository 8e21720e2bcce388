package radapter.autograd;

/**
 * Whether ops record a graph on this thread. Inside {@link #noGrad()} nothing is recorded and no
 * tensor is saved for backward, so evaluation and frozen-weight math cost the same as plain
 * tensor code.
 */
public final class GradMode {
    private static final ThreadLocal<Boolean> ENABLED = ThreadLocal.withInitial(() -> Boolean.TRUE);

    private GradMode() {
    }

    /** True when ops record the graph. */
    public static boolean isEnabled() {
        return ENABLED.get();
    }

    /** Disables recording until the handle is closed (like {@code torch.no_grad()}). */
    public static Guard noGrad() {
        return set(false);
    }

    /** Re-enables recording inside a no-grad region until the handle is closed. */
    public static Guard enableGrad() {
        return set(true);
    }

    private static Guard set(boolean on) {
        boolean previous = ENABLED.get();
        ENABLED.set(on);
        return () -> ENABLED.set(previous);
    }

    /** Restores the previous mode when closed. */
    public interface Guard extends AutoCloseable {
        @Override
        void close();
    }
}
