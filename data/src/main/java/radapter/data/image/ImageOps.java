package radapter.data.image;

import java.util.Objects;

/** Geometric operations on {@link RgbImage} that move whole pixels (no resampling). Thread safe. */
public final class ImageOps {
    private ImageOps() {
    }

    /**
     * The {@code width × height} region whose top-left corner is at ({@code left}, {@code top}),
     * like PIL's {@code Image.crop((left, top, left + width, top + height))}: the region may extend
     * past any edge (or start at negative coordinates); pixels outside the source are black.
     */
    public static RgbImage crop(RgbImage src, int left, int top, int width, int height) {
        Objects.requireNonNull(src, "src");
        if (width <= 0 || height <= 0) {
            throw new IllegalArgumentException("crop size must be positive, got " + width + "x" + height);
        }
        if (left == 0 && top == 0 && width == src.width() && height == src.height()) {
            return new RgbImage(width, height, src.pixels().clone());
        }
        byte[] out = new byte[width * height * 3];
        byte[] in = src.pixels();
        // Overlap of the requested region with the source, in source coordinates.
        int x0 = Math.max(left, 0);
        int x1 = Math.min(left + width, src.width());
        int y0 = Math.max(top, 0);
        int y1 = Math.min(top + height, src.height());
        if (x1 > x0) {
            int rowBytes = (x1 - x0) * 3;
            for (int y = y0; y < y1; y++) {
                System.arraycopy(in, (y * src.width() + x0) * 3, out, ((y - top) * width + (x0 - left)) * 3, rowBytes);
            }
        }
        return new RgbImage(width, height, out);
    }

    /** Mirror image about the vertical axis (PIL's {@code FLIP_LEFT_RIGHT}). */
    public static RgbImage flipHorizontal(RgbImage src) {
        int w = src.width();
        byte[] in = src.pixels();
        byte[] out = new byte[in.length];
        for (int y = 0; y < src.height(); y++) {
            int row = y * w * 3;
            for (int x = 0; x < w; x++) {
                int s = row + x * 3;
                int d = row + (w - 1 - x) * 3;
                out[d] = in[s];
                out[d + 1] = in[s + 1];
                out[d + 2] = in[s + 2];
            }
        }
        return new RgbImage(w, src.height(), out);
    }
}
