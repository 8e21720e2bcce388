package radapter.data.transforms;

import radapter.data.image.ImageOps;
import radapter.data.image.RgbImage;
import radapter.tensor.Rng;

/**
 * torchvision's {@code RandomHorizontalFlip(p)}: one float draw {@code u}; mirror when {@code u < p}.
 *
 * @param p flip probability in [0, 1]
 */
public record RandomHorizontalFlip(double p) implements ImageTransform {
    public RandomHorizontalFlip {
        if (!(p >= 0 && p <= 1)) {
            throw new IllegalArgumentException("flip probability must be in [0, 1], got " + p);
        }
    }

    @Override
    public RgbImage apply(RgbImage image, Rng rng) {
        boolean flip = ImageTransform.requireRng(rng, this).nextFloat() < p;
        return flip ? ImageOps.flipHorizontal(image) : image;
    }

    @Override
    public boolean isRandom() {
        return true;
    }
}
