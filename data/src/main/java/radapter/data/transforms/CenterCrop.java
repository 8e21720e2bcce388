package radapter.data.transforms;

import radapter.data.image.ImageOps;
import radapter.data.image.RgbImage;
import radapter.tensor.Rng;

/**
 * torchvision's {@code CenterCrop(size)}: offsets {@code int(round((W - size) / 2.0))} and
 * {@code int(round((H - size) / 2.0))} with Python's round-half-to-even (a 37-row image cropped to
 * 32 starts at row 2, not 3). A side shorter than {@code size} is first padded with black,
 * {@code (size - W) // 2} on the left/top and the rest on the right/bottom, as torchvision does.
 *
 * @param size side of the square output
 */
public record CenterCrop(int size) implements ImageTransform {
    public CenterCrop {
        if (size <= 0) {
            throw new IllegalArgumentException("crop size must be positive, got " + size);
        }
    }

    /** Offset of a centred {@code crop}-long window in an {@code extent}-long axis (negative: padding). */
    public static int offset(int extent, int crop) {
        if (crop > extent) {
            return -((crop - extent) / 2);
        }
        return (int) Math.rint((extent - crop) / 2.0);
    }

    @Override
    public RgbImage apply(RgbImage image, Rng rng) {
        if (image.width() == size && image.height() == size) {
            return image;
        }
        return ImageOps.crop(image, offset(image.width(), size), offset(image.height(), size), size, size);
    }
}
