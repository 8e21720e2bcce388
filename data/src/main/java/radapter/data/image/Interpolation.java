package radapter.data.image;

/**
 * Resampling filters of {@link Resampler}, with Pillow's kernels and supports (Pillow 9.4
 * {@code libImaging/Resample.c}). {@code BICUBIC} is the CLIP default ({@code PIL.Image.BICUBIC});
 * {@code BILINEAR} is torchvision's default and is used by the few-shot training transform.
 */
public enum Interpolation {
    /** Triangle filter, support 1 (widened by the downscaling factor). */
    BILINEAR(1.0) {
        @Override
        double kernel(double x) {
            double t = Math.abs(x);
            return t < 1.0 ? 1.0 - t : 0.0;
        }
    },
    /** Keys cubic with a = -0.5, support 2 (widened by the downscaling factor). */
    BICUBIC(2.0) {
        @Override
        double kernel(double x) {
            final double a = -0.5;
            double t = Math.abs(x);
            if (t < 1.0) {
                return ((a + 2.0) * t - (a + 3.0)) * t * t + 1;
            }
            if (t < 2.0) {
                return (((t - 5) * t + 8) * t - 4) * a;
            }
            return 0.0;
        }
    };

    private final double support;

    Interpolation(double support) {
        this.support = support;
    }

    /** Half-width of the kernel at scale 1. */
    public double support() {
        return support;
    }

    /** The kernel value at offset {@code x} (in source pixels at scale 1). */
    abstract double kernel(double x);
}
