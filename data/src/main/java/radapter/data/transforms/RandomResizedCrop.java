package radapter.data.transforms;

import java.util.Objects;
import radapter.data.image.ImageOps;
import radapter.data.image.Interpolation;
import radapter.data.image.Resampler;
import radapter.data.image.RgbImage;
import radapter.tensor.Rng;

/**
 * torchvision's {@code RandomResizedCrop(size, scale, ratio, interpolation)}: pick a region by
 * torchvision's sampling rule, crop it, resize it to {@code size × size} (Pillow-exact).
 *
 * <p>Sampling ({@link #sample}): with {@code area = W·H}, up to 10 attempts draw
 * {@code target = area · U(scaleMin, scaleMax)} and {@code aspect = exp(U(ln ratioMin, ln ratioMax))},
 * set {@code w = round(sqrt(target · aspect))}, {@code h = round(sqrt(target / aspect))} (Python
 * round, half to even) and accept when {@code 0 < w ≤ W} and {@code 0 < h ≤ H}, placing the region at
 * {@code top = randint[0, H - h]}, {@code left = randint[0, W - w]} (drawn in that order). If no
 * attempt fits, the fallback is a centred crop of the whole image with its aspect clamped to
 * {@code [ratioMin, ratioMax]}. Random numbers come from the given {@link Rng} (not torch's
 * generator), so the distribution matches torchvision but the individual draws do not.
 *
 * @param size          side of the square output
 * @param scaleMin      lower bound of the area fraction
 * @param scaleMax      upper bound of the area fraction
 * @param ratioMin      lower bound of the aspect ratio w/h
 * @param ratioMax      upper bound of the aspect ratio w/h
 * @param interpolation resampling filter of the final resize
 */
public record RandomResizedCrop(int size, double scaleMin, double scaleMax, double ratioMin, double ratioMax,
                                Interpolation interpolation) implements ImageTransform {
    /** torchvision's default aspect range. */
    public static final double DEFAULT_RATIO_MIN = 3.0 / 4.0;
    public static final double DEFAULT_RATIO_MAX = 4.0 / 3.0;
    /** Attempts before the fallback, as in torchvision. */
    public static final int ATTEMPTS = 10;

    public RandomResizedCrop {
        if (size <= 0) {
            throw new IllegalArgumentException("crop size must be positive, got " + size);
        }
        if (!(scaleMin > 0 && scaleMin <= scaleMax)) {
            throw new IllegalArgumentException("scale range must satisfy 0 < min <= max, got (" + scaleMin + ", " + scaleMax + ")");
        }
        if (!(ratioMin > 0 && ratioMin <= ratioMax)) {
            throw new IllegalArgumentException("ratio range must satisfy 0 < min <= max, got (" + ratioMin + ", " + ratioMax + ")");
        }
        Objects.requireNonNull(interpolation, "interpolation");
    }

    /** Scale {@code (scaleMin, 1)}, default ratio, the given filter. */
    public static RandomResizedCrop of(int size, double scaleMin, Interpolation interpolation) {
        return new RandomResizedCrop(size, scaleMin, 1.0, DEFAULT_RATIO_MIN, DEFAULT_RATIO_MAX, interpolation);
    }

    /** A crop region in source pixels. */
    public record Region(int left, int top, int width, int height) {
    }

    /** Draws a region of a {@code width × height} image (torchvision's {@code get_params}). */
    public Region sample(int width, int height, Rng rng) {
        double area = (double) width * height;
        double logMin = Math.log(ratioMin);
        double logMax = Math.log(ratioMax);
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            double target = area * uniform(rng, scaleMin, scaleMax);
            double aspect = Math.exp(uniform(rng, logMin, logMax));
            int w = (int) Math.rint(Math.sqrt(target * aspect));
            int h = (int) Math.rint(Math.sqrt(target / aspect));
            if (w > 0 && w <= width && h > 0 && h <= height) {
                int top = rng.nextInt(height - h + 1);
                int left = rng.nextInt(width - w + 1);
                return new Region(left, top, w, h);
            }
        }
        double inRatio = (double) width / height;
        int w;
        int h;
        if (inRatio < ratioMin) {
            w = width;
            h = (int) Math.rint(w / ratioMin);
        } else if (inRatio > ratioMax) {
            h = height;
            w = (int) Math.rint(h * ratioMax);
        } else {
            w = width;
            h = height;
        }
        return new Region(Math.floorDiv(width - w, 2), Math.floorDiv(height - h, 2), w, h);
    }

    private static double uniform(Rng rng, double lo, double hi) {
        return lo + (hi - lo) * rng.nextDouble();
    }

    @Override
    public RgbImage apply(RgbImage image, Rng rng) {
        Region r = sample(image.width(), image.height(), ImageTransform.requireRng(rng, this));
        RgbImage crop = ImageOps.crop(image, r.left(), r.top(), r.width(), r.height());
        return Resampler.resize(crop, size, size, interpolation);
    }

    @Override
    public boolean isRandom() {
        return true;
    }
}
