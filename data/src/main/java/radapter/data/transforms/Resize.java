package radapter.data.transforms;

import java.util.Objects;
import radapter.data.image.Interpolation;
import radapter.data.image.Resampler;
import radapter.data.image.RgbImage;
import radapter.tensor.Rng;

/**
 * torchvision's {@code Resize(size)} with an int size: the shorter side becomes {@code size}, the
 * longer side {@code int(size · long / short)} (truncated); nothing happens when the shorter side
 * already equals {@code size}. Resampling is Pillow-exact ({@link Resampler}).
 *
 * @param size          target length of the shorter side
 * @param interpolation resampling filter
 */
public record Resize(int size, Interpolation interpolation) implements ImageTransform {
    public Resize {
        if (size <= 0) {
            throw new IllegalArgumentException("resize size must be positive, got " + size);
        }
        Objects.requireNonNull(interpolation, "interpolation");
    }

    /** Bicubic, CLIP's choice. */
    public static Resize bicubic(int size) {
        return new Resize(size, Interpolation.BICUBIC);
    }

    /** The output {@code {width, height}} for a {@code width × height} input. */
    public static int[] outputSize(int width, int height, int size) {
        boolean wide = width > height;
        int shortSide = wide ? height : width;
        int longSide = wide ? width : height;
        if (shortSide == size) {
            return new int[] {width, height};
        }
        // Python: int(size * long / short) — an exact integer product, one correctly rounded division.
        int newLong = (int) ((double) size * longSide / shortSide);
        return wide ? new int[] {newLong, size} : new int[] {size, newLong};
    }

    @Override
    public RgbImage apply(RgbImage image, Rng rng) {
        int[] wh = outputSize(image.width(), image.height(), size);
        if (wh[0] == image.width() && wh[1] == image.height()) {
            return image;
        }
        return Resampler.resize(image, wh[0], wh[1], interpolation);
    }
}
