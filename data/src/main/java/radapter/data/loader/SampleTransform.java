package radapter.data.loader;

import radapter.data.image.RgbImage;
import radapter.tensor.Rng;
import radapter.tensor.Tensor;

/**
 * Turns a decoded image into a {@code [C, H, W]} F32 tensor, with a random generator for
 * augmentation. The generator is determined by the loader's seed, the epoch and the sample's
 * index, so augmented batches are reproducible whatever the number of worker threads.
 */
@FunctionalInterface
public interface SampleTransform {
    /** The tensor for {@code image}; random choices must come from {@code rng} only. */
    Tensor apply(RgbImage image, Rng rng) throws Exception;
}
