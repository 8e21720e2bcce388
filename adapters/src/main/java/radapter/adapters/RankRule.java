package radapter.adapters;

/**
 * How an adapter rank {@code r} for width {@code D} becomes an adapter shape. The paper and the
 * official README mean "r &lt; D is low rank"; the official code inverts the test (spec §4.2), so
 * every released recipe (r = 4, 128, 256 &lt; D) actually trained full-rank D×D adapters.
 */
public enum RankRule {
    /** The paper's intent and radapter's default: r &lt; D gives {@code u·d} (D→r→D), r ≥ D gives full rank. */
    PAPER,
    /** The official code: r ≤ D gives full rank D×D (r ignored), r &gt; D gives an over-complete D→r→D pair. */
    OFFICIAL;

    /** True when an adapter of rank {@code r} on width {@code d} is a factored pair rather than one D×D matrix. */
    public boolean factored(long r, long d) {
        return this == PAPER ? r < d : r > d;
    }
}
