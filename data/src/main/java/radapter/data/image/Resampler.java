package radapter.data.image;

import java.util.Arrays;
import java.util.Objects;

/**
 * Pillow-exact 8-bit convolution resampling ({@code Image.resize(size, BICUBIC | BILINEAR, box)},
 * Pillow 9.4, no {@code reducing_gap}), so that CLIP preprocessing matches the official Python
 * pipeline bit for bit.
 *
 * <p>The algorithm, as Pillow runs it on 8-bit images: separable, a horizontal pass first (over
 * only the source rows that the vertical pass reads) rounded to 8 bits, then a vertical pass over
 * that 8-bit intermediate. A pass is skipped when its axis keeps its size and the box spans the
 * whole axis. Per output index the filter is centred at {@code in0 + (o + 0.5)·scale}, widened by
 * {@code max(scale, 1)} (antialiasing when shrinking), evaluated in double, normalised to sum 1,
 * then quantised to 22-bit fixed point; each output is
 * {@code clamp((2^21 + Σ src·k) >> 22, 0, 255)}.
 *
 * <p>With the Vector API module present both passes run as {@link ResampleSimd}'s vector code,
 * which gives the same bytes; without it, as the scalar loops here.
 *
 * <p>Stateless and thread safe.
 */
public final class Resampler {
    /** Fixed-point fraction bits of the 8-bit path: {@code 32 - 8 - 2}. */
    static final int PRECISION_BITS = 22;

    /** Whether {@link ResampleSimd} loaded and matched the scalar passes on its self-test. */
    static final boolean SIMD_AVAILABLE = probeSimd();

    private static boolean probeSimd() {
        try {
            ResampleSimd.probe();
            return true;
        } catch (Throwable e) {
            // No jdk.incubator.vector module (NoClassDefFoundError) or a broken one: scalar only.
            return false;
        }
    }

    private Resampler() {
    }

    /** Resizes the whole image to {@code width × height}. Same size: a copy. */
    public static RgbImage resize(RgbImage src, int width, int height, Interpolation interpolation) {
        return resize(src, width, height, interpolation, 0, 0, src.width(), src.height());
    }

    /**
     * Resizes the source region {@code [x0, x1) × [y0, y1)} (fractional, like Pillow's {@code box})
     * to {@code width × height}. Pixels outside the box but inside the image still feed the filter
     * tails, exactly as in Pillow. Like Pillow, the box is rounded to float32 first.
     */
    public static RgbImage resize(RgbImage src, int width, int height, Interpolation interpolation,
                                  double x0, double y0, double x1, double y1) {
        return resizeWindow(src, width, height, interpolation, (float) x0, (float) y0, (float) x1, (float) y1,
                0, 0, width, height, SIMD_AVAILABLE);
    }

    /**
     * The {@code windowWidth × windowHeight} window at ({@code left}, {@code top}) of the full-image
     * resize to {@code width × height}: bit-identical to {@code crop(resize(src, width, height), ...)}
     * because every output pixel depends only on its own filter window, but only the window's pixels
     * (and the source rows they read) are computed. The window must lie inside the resized image.
     */
    public static RgbImage resizeCropped(RgbImage src, int width, int height, Interpolation interpolation,
                                         int left, int top, int windowWidth, int windowHeight) {
        return resizeWindow(src, width, height, interpolation, 0, 0, src.width(), src.height(),
                left, top, windowWidth, windowHeight, SIMD_AVAILABLE);
    }

    /** {@link #resize(RgbImage, int, int, Interpolation, double, double, double, double)} on the scalar passes only. */
    static RgbImage resizeScalar(RgbImage src, int width, int height, Interpolation interpolation,
                                 double x0, double y0, double x1, double y1) {
        return resizeWindow(src, width, height, interpolation, (float) x0, (float) y0, (float) x1, (float) y1,
                0, 0, width, height, false);
    }

    /** {@link #resizeCropped} on the scalar passes only: the reference the vector passes are tested against. */
    static RgbImage resizeCroppedScalar(RgbImage src, int width, int height, Interpolation interpolation,
                                        int left, int top, int windowWidth, int windowHeight) {
        return resizeWindow(src, width, height, interpolation, 0, 0, src.width(), src.height(),
                left, top, windowWidth, windowHeight, false);
    }

    private static RgbImage resizeWindow(RgbImage src, int width, int height, Interpolation interpolation,
                                         double x0, double y0, double x1, double y1,
                                         int left, int top, int winW, int winH, boolean simd) {
        Objects.requireNonNull(src, "src");
        Objects.requireNonNull(interpolation, "interpolation");
        if (width <= 0 || height <= 0) {
            throw new IllegalArgumentException("output size must be positive, got " + width + "x" + height);
        }
        if (!(x0 >= 0 && y0 >= 0 && x1 <= src.width() && y1 <= src.height() && x1 >= x0 && y1 >= y0)) {
            throw new IllegalArgumentException("box (" + x0 + ", " + y0 + ", " + x1 + ", " + y1
                    + ") is not inside the " + src.width() + "x" + src.height() + " image");
        }
        if (winW <= 0 || winH <= 0 || left < 0 || top < 0 || left + winW > width || top + winH > height) {
            throw new IllegalArgumentException("window " + winW + "x" + winH + " at (" + left + ", " + top
                    + ") is not inside the " + width + "x" + height + " output");
        }
        // Pillow skips a pass when its axis keeps its size over the whole extent.
        boolean needH = width != src.width() || x0 != 0 || x1 != width;
        boolean needV = height != src.height() || y0 != 0 || y1 != height;
        if (!needH && !needV) {
            return ImageOps.crop(src, left, top, winW, winH);
        }
        Coefficients vert = needV ? Coefficients.of(src.height(), y0, y1, height, interpolation).slice(top, winH) : null;
        int firstRow = needV ? vert.start[0] : top;
        int lastRow = needV ? vert.start[winH - 1] + vert.count[winH - 1] : top + winH;
        byte[] rows;
        if (needH) {
            Coefficients horiz = Coefficients.of(src.width(), x0, x1, width, interpolation).slice(left, winW);
            rows = new byte[winW * (lastRow - firstRow) * 3];
            if (simd) {
                ResampleSimd.horizontal(src.pixels(), src.width(), firstRow, lastRow, rows, winW, horiz);
            } else {
                horizontalScalar(src.pixels(), src.width(), firstRow, lastRow, rows, winW, horiz);
            }
        } else {
            rows = ImageOps.crop(src, left, firstRow, winW, lastRow - firstRow).pixels();
        }
        if (!needV) {
            return new RgbImage(winW, winH, rows);
        }
        byte[] out = new byte[winW * winH * 3];
        if (simd) {
            ResampleSimd.vertical(rows, winW, firstRow, out, winH, vert);
        } else {
            verticalScalar(rows, winW, firstRow, out, winH, vert);
        }
        return new RgbImage(winW, winH, out);
    }

    static void horizontalScalar(byte[] in, int inWidth, int firstRow, int lastRow, byte[] out, int outWidth,
                                   Coefficients c) {
        final int half = 1 << (PRECISION_BITS - 1);
        final int ks = c.ksize;
        final int[] kk = c.k;
        int o = 0;
        for (int y = firstRow; y < lastRow; y++) {
            int rowBase = y * inWidth * 3;
            for (int xx = 0; xx < outWidth; xx++) {
                int p = rowBase + c.start[xx] * 3;
                int n = c.count[xx];
                int kb = xx * ks;
                int s0 = half;
                int s1 = half;
                int s2 = half;
                for (int j = 0; j < n; j++, p += 3) {
                    int k = kk[kb + j];
                    s0 += (in[p] & 0xFF) * k;
                    s1 += (in[p + 1] & 0xFF) * k;
                    s2 += (in[p + 2] & 0xFF) * k;
                }
                out[o++] = clip8(s0);
                out[o++] = clip8(s1);
                out[o++] = clip8(s2);
            }
        }
    }

    /** Vertical pass; {@code rowShift} is the source row that {@code in}'s row 0 stands for. */
    static void verticalScalar(byte[] in, int width, int rowShift, byte[] out, int outHeight, Coefficients c) {
        final int half = 1 << (PRECISION_BITS - 1);
        final int ks = c.ksize;
        final int[] kk = c.k;
        final int stride = width * 3;
        int[] acc = new int[stride];
        for (int yy = 0; yy < outHeight; yy++) {
            Arrays.fill(acc, half);
            int base = (c.start[yy] - rowShift) * stride;
            int n = c.count[yy];
            int kb = yy * ks;
            for (int j = 0; j < n; j++) {
                int k = kk[kb + j];
                int p = base + j * stride;
                for (int i = 0; i < stride; i++) {
                    acc[i] += (in[p + i] & 0xFF) * k;
                }
            }
            int o = yy * stride;
            for (int i = 0; i < stride; i++) {
                out[o + i] = clip8(acc[i]);
            }
        }
    }

    private static byte clip8(int acc) {
        int v = acc >> PRECISION_BITS;
        return (byte) (v < 0 ? 0 : Math.min(v, 255));
    }

    /** Per-output filter windows and their 22-bit fixed-point weights along one axis. */
    static final class Coefficients {
        final int ksize;
        final int[] start;
        final int[] count;
        final int[] k;

        private Coefficients(int ksize, int[] start, int[] count, int[] k) {
            this.ksize = ksize;
            this.start = start;
            this.count = count;
            this.k = k;
        }

        static Coefficients of(int inSize, double in0, double in1, int outSize, Interpolation f) {
            // Pillow keeps the box in C floats: the extent is a float subtraction, then widened.
            double scale = (double) ((float) in1 - (float) in0) / outSize;
            double filterScale = Math.max(scale, 1.0);
            double support = f.support() * filterScale;
            int ksize = (int) Math.ceil(support) * 2 + 1;
            int[] start = new int[outSize];
            int[] count = new int[outSize];
            int[] k = new int[outSize * ksize];
            double[] w = new double[ksize];
            double ss = 1.0 / filterScale;
            for (int o = 0; o < outSize; o++) {
                double center = in0 + (o + 0.5) * scale;
                int xmin = (int) (center - support + 0.5);
                if (xmin < 0) {
                    xmin = 0;
                }
                int xmax = (int) (center + support + 0.5);
                if (xmax > inSize) {
                    xmax = inSize;
                }
                xmax -= xmin;
                double sum = 0.0;
                for (int j = 0; j < xmax; j++) {
                    double v = f.kernel((j + xmin - center + 0.5) * ss);
                    w[j] = v;
                    sum += v;
                }
                for (int j = 0; j < xmax; j++) {
                    double v = sum != 0.0 ? w[j] / sum : w[j];
                    double scaled = v * (1 << PRECISION_BITS);
                    k[o * ksize + j] = v < 0 ? (int) (scaled - 0.5) : (int) (scaled + 0.5);
                }
                start[o] = xmin;
                count[o] = Math.max(xmax, 0);
            }
            return new Coefficients(ksize, start, count, k);
        }

        /** The coefficients of outputs {@code [from, from + n)}. */
        Coefficients slice(int from, int n) {
            if (from == 0 && n == start.length) {
                return this;
            }
            int[] k2 = new int[n * ksize];
            System.arraycopy(k, from * ksize, k2, 0, n * ksize);
            return new Coefficients(ksize, Arrays.copyOfRange(start, from, from + n),
                    Arrays.copyOfRange(count, from, from + n), k2);
        }
    }
}
