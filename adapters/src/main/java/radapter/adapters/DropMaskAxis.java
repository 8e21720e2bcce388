package radapter.adapters;

/**
 * Which axis adapter dropping draws its Bernoulli mask over (spec §4.3, quirk 2). Activations are
 * batch-first [N, L, D] here.
 */
public enum DropMaskAxis {
    /** One draw per sample, shared over its tokens: stochastic depth of the adapter, the paper's reading. Default. */
    PER_SAMPLE,
    /** One draw per token position, shared across the batch: what the official code does (timm DropPath on LND). */
    PER_TOKEN;

    long[] maskShape(long[] activationShape) {
        long[] m = new long[activationShape.length];
        java.util.Arrays.fill(m, 1);
        m[this == PER_SAMPLE ? 0 : 1] = activationShape[this == PER_SAMPLE ? 0 : 1];
        return m;
    }
}
