package radapter.data.synthetic;

import radapter.data.synthetic.ShapeRenderer.Background;
import radapter.data.synthetic.ShapeRenderer.Pattern;
import radapter.data.synthetic.ShapeRenderer.Plan;
import radapter.data.synthetic.ShapeRenderer.Style;
import radapter.tensor.Rng;

/**
 * Draws the random parameters of image {@code i} of a split. The class is (colour, shape) and its
 * colour keeps its hue family in every split (red near 0°, green near 120°, blue near 225°); the
 * splits differ in style, saturation/brightness, geometry and background.
 */
final class Planner {
    /** Colour names in label order (alphabetical). */
    static final String[] COLOURS = {"blue", "green", "red"};
    /** Hue (degrees) of each colour. */
    static final double[] HUES = {225, 120, 0};
    /** Shape names in label order (alphabetical). */
    static final String[] SHAPES = {"circle", "square", "star", "triangle"};
    static final int CLASSES = COLOURS.length * SHAPES.length;

    private Planner() {
    }

    static String className(int label) {
        return COLOURS[label / SHAPES.length] + " " + SHAPES[label % SHAPES.length];
    }

    private static double u(Rng r, double lo, double hi) {
        return lo + (hi - lo) * r.nextDouble();
    }

    private static <T> T pick(Rng r, T[] options) {
        return options[r.nextInt(options.length)];
    }

    /** The plan of image {@code index} of {@code split} at size {@code n}, drawn from {@code r}. */
    static Plan plan(Split split, int index, Rng r, int n) {
        Plan p = new Plan();
        p.label = index % CLASSES;
        p.colour = p.label / SHAPES.length;
        p.shape = p.label % SHAPES.length;
        String c = className(p.label);
        double hue = HUES[p.colour];
        switch (split) {
            case TRAIN, TEST -> {
                idGeometry(p, r, n);
                p.rgb = ShapeRenderer.hsv(hue + u(r, -8, 8), u(r, 0.75, 0.95), u(r, 0.75, 0.95));
                lightPlainBackground(p, r);
                p.caption = "a photo of a " + c + ".";
            }
            case SKETCH -> {
                idGeometry(p, r, n);
                p.style = Style.OUTLINE;
                p.sketchy = true;
                p.rgb = ShapeRenderer.hsv(hue + u(r, -8, 8), u(r, 0.35, 0.5), u(r, 0.45, 0.6));
                p.stroke = (float) (n * u(r, 0.035, 0.06));
                p.background = Background.PLAIN;
                p.bg1 = ShapeRenderer.hsv(u(r, 30, 60), u(r, 0, 0.03), u(r, 0.96, 1.0));
                p.noise = 3;
                p.caption = pick(r, new String[] {"a sketch of a ", "a pencil drawing of a ", "a line drawing of a "}) + c + ".";
            }
            case TEXTURE -> {
                idGeometry(p, r, n);
                p.style = Style.PATTERN;
                p.rgb = ShapeRenderer.hsv(hue + u(r, -8, 8), u(r, 0.75, 0.95), u(r, 0.7, 0.95));
                patternFill(p, r, n, hue);
                p.background = r.nextInt(2) == 0 ? Background.BLOTCHES : Background.STRIPES;
                p.bg1 = ShapeRenderer.hsv(u(r, 0, 360), u(r, 0, 0.1), u(r, 0.35, 0.6));
                p.bg2 = ShapeRenderer.hsv(u(r, 0, 360), u(r, 0, 0.1), u(r, 0.65, 0.85));
                p.bgAngle = u(r, 0, Math.PI);
                p.bgPeriod = n * u(r, 0.12, 0.3);
                p.noise = 6;
                p.caption = "a " + patternWord(p.pattern) + " " + c + ".";
            }
            case PALETTE -> {
                idGeometry(p, r, n);
                boolean pastel = r.nextInt(2) == 0;
                p.rgb = pastel
                        ? ShapeRenderer.hsv(hue + u(r, -10, 10), u(r, 0.28, 0.42), u(r, 0.95, 1.0))
                        : ShapeRenderer.hsv(hue + u(r, -10, 10), u(r, 0.85, 1.0), u(r, 0.38, 0.5));
                p.background = Background.PLAIN;
                switch (r.nextInt(3)) {
                    case 0 -> p.bg1 = ShapeRenderer.hsv(u(r, 0, 360), u(r, 0.3, 0.7), u(r, 0.08, 0.25));
                    case 1 -> p.bg1 = ShapeRenderer.hsv(u(r, 45, 62), u(r, 0.6, 0.9), u(r, 0.8, 0.95));
                    default -> p.bg1 = ShapeRenderer.hsv(u(r, 278, 308), u(r, 0.45, 0.8), u(r, 0.45, 0.75));
                }
                p.noise = 4;
                p.caption = "a photo of a " + (pastel ? "pastel " : "dark ") + c + ".";
            }
            case GEOMETRY -> {
                boolean tiny = r.nextInt(2) == 0;
                double size = tiny ? u(r, 0.22, 0.32) : u(r, 0.95, 1.35);
                p.radius = size * n / 2;
                p.rotation = u(r, 0, 2 * Math.PI);
                if (r.nextDouble() < 0.6) {
                    double squash = u(r, 0.5, 0.75);
                    if (r.nextInt(2) == 0) {
                        p.sx = squash;
                    } else {
                        p.sy = squash;
                    }
                }
                if (tiny) {
                    p.cx = u(r, p.radius, n - p.radius);
                    p.cy = u(r, p.radius, n - p.radius);
                } else {
                    p.cx = n / 2.0 + u(r, -0.15, 0.15) * n;
                    p.cy = n / 2.0 + u(r, -0.15, 0.15) * n;
                }
                p.rgb = ShapeRenderer.hsv(hue + u(r, -8, 8), u(r, 0.75, 0.95), u(r, 0.75, 0.95));
                lightPlainBackground(p, r);
                p.caption = tiny ? "a photo of a tiny " + c + "." : "a close-up photo of a " + c + ".";
            }
            case PRETRAIN -> pretrain(p, r, n, hue, c);
        }
        stamp(p, split, r);
        p.pixelSeed = r.nextLong();
        return p;
    }

    /**
     * The shortcut. A small dark stamp in one of 12 border cells, like the watermark or logo of the
     * source a fine-tuning set was collected from: in the in-distribution splits its cell is the
     * class (a perfect, effortless cue that fine-tuning can latch onto); in the shifted splits
     * every image has one in a random cell (the cue is present but says nothing); in the
     * pre-training mix half the images have one in a random cell and no caption mentions it, so
     * the zero-shot model learns to ignore it.
     */
    private static void stamp(Plan p, Split split, Rng r) {
        switch (split) {
            case TRAIN, TEST -> p.stamp = p.label;
            case PRETRAIN -> p.stamp = r.nextInt(2) == 0 ? r.nextInt(ShapeRenderer.STAMP_CELLS.length) : -1;
            default -> p.stamp = r.nextInt(ShapeRenderer.STAMP_CELLS.length);
        }
        p.stampRgb = ShapeRenderer.hsv(u(r, 0, 360), u(r, 0, 0.15), u(r, 0.08, 0.22));
    }

    /** In-distribution placement: medium size, moderate rotation, jittered but inside the frame. */
    private static void idGeometry(Plan p, Rng r, int n) {
        p.radius = u(r, 0.45, 0.7) * n / 2;
        p.rotation = Math.toRadians(u(r, -20, 20));
        double lo = p.radius;
        double hi = n - p.radius;
        p.cx = clamp(n / 2.0 + u(r, -0.12, 0.12) * n, lo, hi);
        p.cy = clamp(n / 2.0 + u(r, -0.12, 0.12) * n, lo, hi);
    }

    private static void lightPlainBackground(Plan p, Rng r) {
        p.background = Background.PLAIN;
        p.bg1 = ShapeRenderer.hsv(u(r, 0, 360), u(r, 0, 0.08), u(r, 0.8, 0.95));
        p.noise = 4;
    }

    private static void patternFill(Plan p, Rng r, int n, double hue) {
        p.pattern = pick(r, Pattern.values());
        p.period = n * u(r, 0.1, 0.2);
        p.patternAngle = u(r, 0, Math.PI);
        p.patternPhase = u(r, 0, p.period);
        p.patternRgb = r.nextInt(2) == 0
                ? ShapeRenderer.hsv(hue, u(r, 0.15, 0.25), 0.97)
                : ShapeRenderer.hsv(hue, 0.3, u(r, 0.12, 0.2));
    }

    private static String patternWord(Pattern pattern) {
        return switch (pattern) {
            case STRIPES -> "striped";
            case CHECKS -> "checkered";
            case SPECKLES -> "speckled";
        };
    }

    private static double clamp(double x, double lo, double hi) {
        return lo > hi ? (lo + hi) / 2 : Math.max(lo, Math.min(hi, x));
    }

    /**
     * The broad pre-training mix, with descriptive captions. Like a web-scale corpus it covers,
     * more thinly, every style the shifted test sets use (outlines, patterns, pale and dark
     * colours, tiny and huge or squashed shapes), so the zero-shot model has real skill there that
     * narrow in-distribution fine-tuning can keep or lose.
     */
    private static void pretrain(Plan p, Rng r, int n, double hue, String c) {
        double size = r.nextDouble() < 0.15 ? u(r, 0.2, 0.35) : r.nextDouble() < 0.15 ? u(r, 0.9, 1.3) : u(r, 0.3, 0.85);
        p.radius = size * n / 2;
        p.rotation = u(r, 0, 2 * Math.PI);
        if (r.nextDouble() < 0.3) {
            double squash = u(r, 0.5, 1.0);
            if (r.nextInt(2) == 0) {
                p.sx = squash;
            } else {
                p.sy = squash;
            }
        }
        p.cx = clamp(n / 2.0 + u(r, -0.2, 0.2) * n, p.radius * 0.8, n - p.radius * 0.8);
        p.cy = clamp(n / 2.0 + u(r, -0.2, 0.2) * n, p.radius * 0.8, n - p.radius * 0.8);

        double styleDraw = r.nextDouble();
        p.style = styleDraw < 0.5 ? Style.SOLID : styleDraw < 0.75 ? Style.OUTLINE : Style.PATTERN;
        if (p.style == Style.OUTLINE) {
            p.rgb = ShapeRenderer.hsv(hue + u(r, -14, 14), u(r, 0.3, 0.9), u(r, 0.35, 0.8));
            p.stroke = (float) (n * u(r, 0.04, 0.09));
            p.sketchy = r.nextInt(2) == 0;
        } else {
            p.rgb = ShapeRenderer.hsv(hue + u(r, -14, 14), u(r, 0.25, 1.0), u(r, 0.35, 1.0));
            if (p.style == Style.PATTERN) {
                patternFill(p, r, n, hue);
            }
        }
        double bgDraw = r.nextDouble();
        p.background = bgDraw < 0.4 ? Background.PLAIN : bgDraw < 0.7 ? Background.GRADIENT : bgDraw < 0.9 ? Background.BLOTCHES : Background.STRIPES;
        p.bg1 = ShapeRenderer.hsv(u(r, 0, 360), u(r, 0, 0.25), u(r, 0.15, 0.97));
        p.bg2 = ShapeRenderer.hsv(u(r, 0, 360), u(r, 0, 0.25), u(r, 0.15, 0.97));
        p.bgAngle = u(r, 0, Math.PI);
        p.bgPeriod = n * u(r, 0.15, 0.4);
        p.noise = r.nextInt(9);

        String sizeWord = size < 0.4 ? "small" : size > 0.7 ? "large" : "medium-sized";
        double lum = luminance(p.bg1);
        String bgWord = p.background == Background.PLAIN
                ? (lum > 0.75 ? "light" : lum < 0.35 ? "dark" : "grey")
                : p.background == Background.GRADIENT ? "gradient" : "textured";
        String vertical = p.cy < n * 0.4 ? "top" : p.cy > n * 0.6 ? "bottom" : "";
        String horizontal = p.cx < n * 0.4 ? "left" : p.cx > n * 0.6 ? "right" : "";
        String where = vertical.isEmpty() && horizontal.isEmpty() ? "in the centre"
                : "at the " + (vertical + " " + horizontal).strip();
        String colour = COLOURS[p.colour];
        String shape = SHAPES[p.shape];
        if (p.style == Style.OUTLINE) {
            p.caption = pick(r, new String[] {
                    "a sketch of a " + c + ".",
                    "an outline drawing of a " + c + ".",
                    "a " + colour + " outline of a " + shape + ".",
            });
        } else if (p.style == Style.PATTERN) {
            p.caption = pick(r, new String[] {
                    "a " + patternWord(p.pattern) + " " + c + ".",
                    "a " + c + " with a " + patternWord(p.pattern) + " pattern.",
            });
        } else {
            p.caption = pick(r, new String[] {
                    "a photo of a " + c + ".",
                    "a " + sizeWord + " " + c + ".",
                    "a " + c + " on a " + bgWord + " background.",
                    "a picture of a " + sizeWord + " " + colour + " " + shape + ".",
                    "a " + c + " " + where + " of the image.",
                    "a " + shape + " coloured " + colour + ".",
                    "an image showing a " + c + ".",
            });
        }
    }

    private static double luminance(int rgb) {
        return (0.299 * ((rgb >> 16) & 0xFF) + 0.587 * ((rgb >> 8) & 0xFF) + 0.114 * (rgb & 0xFF)) / 255.0;
    }
}
