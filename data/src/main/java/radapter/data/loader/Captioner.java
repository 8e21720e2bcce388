package radapter.data.loader;

import radapter.data.dataset.Sample;
import radapter.tensor.Rng;

/**
 * Chooses the text of a sample, e.g. a random template filled with the class name (the spec's
 * "random image, random template" batches). The default keeps {@link Sample#caption()}.
 */
@FunctionalInterface
public interface Captioner {
    /** The caption for {@code sample}; random choices must come from {@code rng} only. */
    String caption(Sample sample, Rng rng);
}
