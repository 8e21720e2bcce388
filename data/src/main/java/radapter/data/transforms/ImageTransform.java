package radapter.data.transforms;

import radapter.data.image.RgbImage;
import radapter.tensor.Rng;

/**
 * One step of an image pipeline, {@link RgbImage} to {@link RgbImage}. Random steps draw from the
 * {@link Rng} passed in (so a pipeline run is reproducible from its seed); deterministic steps
 * ignore it and accept {@code null}. Implementations are immutable and thread safe; the Rng is not,
 * so give each worker its own ({@link Rng#fork(long)}).
 */
@FunctionalInterface
public interface ImageTransform {
    /** Applies the step; {@code rng} may be {@code null} when {@link #isRandom()} is false. */
    RgbImage apply(RgbImage image, Rng rng);

    /** Applies a deterministic step (random steps throw). */
    default RgbImage apply(RgbImage image) {
        return apply(image, null);
    }

    /** Whether the step draws from the Rng. */
    default boolean isRandom() {
        return false;
    }

    /** This step, then {@code next}. */
    default ImageTransform andThen(ImageTransform next) {
        return Compose.of(this, next);
    }

    /** Fails with a clear message when a random step gets no Rng. */
    static Rng requireRng(Rng rng, Object step) {
        if (rng == null) {
            throw new IllegalArgumentException(step + " is random and needs an explicit Rng");
        }
        return rng;
    }
}
