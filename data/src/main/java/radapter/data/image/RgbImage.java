package radapter.data.image;

import java.util.Objects;

/**
 * An 8-bit RGB image in row-major, pixel-interleaved order (HWC: {@code pixels[(y·width + x)·3 + c]}).
 * Every decoded format ends up here; transforms read and produce it until {@code ToTensor}.
 *
 * @param width  columns
 * @param height rows
 * @param pixels {@code width·height·3} bytes, unsigned
 */
public record RgbImage(int width, int height, byte[] pixels) {
    public RgbImage {
        Objects.requireNonNull(pixels);
        if (width <= 0 || height <= 0) {
            throw new IllegalArgumentException("image size must be positive, got " + width + "x" + height);
        }
        if (pixels.length != width * height * 3) {
            throw new IllegalArgumentException(pixels.length + " bytes do not hold a " + width + "x" + height + " RGB image");
        }
    }

    /** A black image. */
    public static RgbImage blank(int width, int height) {
        return new RgbImage(width, height, new byte[width * height * 3]);
    }

    /** Channel {@code c} of pixel (x, y), 0..255. */
    public int get(int x, int y, int c) {
        return pixels[(y * width + x) * 3 + c] & 0xFF;
    }

    /** Sets channel {@code c} of pixel (x, y) to {@code v} (0..255). */
    public void set(int x, int y, int c, int v) {
        pixels[(y * width + x) * 3 + c] = (byte) v;
    }
}
