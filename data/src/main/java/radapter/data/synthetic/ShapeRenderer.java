package radapter.data.synthetic;

import java.awt.AlphaComposite;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.Shape;
import java.awt.TexturePaint;
import java.awt.geom.AffineTransform;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Path2D;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferInt;
import radapter.data.image.RgbImage;
import radapter.tensor.Rng;

/** Draws one {@link Plan} with Java2D (anti-aliased). Stateless and thread safe. */
final class ShapeRenderer {
    private ShapeRenderer() {
    }

    enum Style { SOLID, OUTLINE, PATTERN }

    enum Pattern { STRIPES, CHECKS, SPECKLES }

    enum Background { PLAIN, GRADIENT, BLOTCHES, STRIPES }

    /** Everything random about one image, drawn before any pixel is touched. */
    static final class Plan {
        int label;
        int colour;
        int shape;
        /** Object colour (fill, or stroke for outlines), 0xRRGGBB. */
        int rgb;
        double cx;
        double cy;
        double radius;
        double rotation;
        double sx = 1;
        double sy = 1;
        Style style = Style.SOLID;
        float stroke;
        boolean sketchy;
        Pattern pattern = Pattern.STRIPES;
        double period;
        double patternAngle;
        double patternPhase;
        int patternRgb;
        Background background = Background.PLAIN;
        int bg1;
        int bg2;
        double bgAngle;
        double bgPeriod;
        int noise;
        String caption;
        /** Stamp cell (index into {@link #STAMP_CELLS}), or -1 for no stamp. */
        int stamp = -1;
        /** Stamp colour, 0xRRGGBB. */
        int stampRgb;
        long pixelSeed;
    }

    /**
     * Where a stamp can sit: the 12 border cells of a 4×4 grid, clockwise from the top-left corner.
     * With the demo's ViT (patch size n/4) a stamp fills one border patch exactly, so it is one
     * token the model can read off on its own.
     */
    static final int[][] STAMP_CELLS = {
            {0, 0}, {1, 0}, {2, 0}, {3, 0}, {3, 1}, {3, 2}, {3, 3}, {2, 3}, {1, 3}, {0, 3}, {0, 2}, {0, 1},
    };

    // Unit shapes, radius about 1 around the origin; index = shape id (alphabetical: circle, square, star, triangle).
    private static final Shape[] UNIT = {
            new Ellipse2D.Double(-1, -1, 2, 2),
            new Rectangle2D.Double(-0.82, -0.82, 1.64, 1.64),
            star(),
            triangle(),
    };

    private static Shape star() {
        Path2D.Double p = new Path2D.Double();
        for (int k = 0; k < 10; k++) {
            double r = k % 2 == 0 ? 1.0 : 0.42;
            double a = -Math.PI / 2 + k * Math.PI / 5;
            if (k == 0) {
                p.moveTo(r * Math.cos(a), r * Math.sin(a));
            } else {
                p.lineTo(r * Math.cos(a), r * Math.sin(a));
            }
        }
        p.closePath();
        return p;
    }

    private static Shape triangle() {
        Path2D.Double p = new Path2D.Double();
        for (int k = 0; k < 3; k++) {
            double a = -Math.PI / 2 + k * 2 * Math.PI / 3;
            if (k == 0) {
                p.moveTo(1.05 * Math.cos(a), 1.05 * Math.sin(a));
            } else {
                p.lineTo(1.05 * Math.cos(a), 1.05 * Math.sin(a));
            }
        }
        p.closePath();
        return p;
    }

    /** 0xRRGGBB of hue (degrees), saturation and value in [0, 1]. */
    static int hsv(double hueDeg, double s, double v) {
        double h = hueDeg / 360.0;
        h -= Math.floor(h);
        return Color.HSBtoRGB((float) h, (float) clamp01(s), (float) clamp01(v)) & 0xFFFFFF;
    }

    static double clamp01(double x) {
        return x < 0 ? 0 : Math.min(1, x);
    }

    /** The image of {@code p}, {@code n}×{@code n} pixels. */
    static RgbImage render(Plan p, int n) {
        BufferedImage img = new BufferedImage(n, n, BufferedImage.TYPE_INT_RGB);
        int[] px = ((DataBufferInt) img.getRaster().getDataBuffer()).getData();
        Rng rng = new Rng(p.pixelSeed);
        background(p, px, n, rng);
        Graphics2D g = img.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_STROKE_CONTROL, RenderingHints.VALUE_STROKE_PURE);
            g.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
            AffineTransform t = new AffineTransform();
            t.translate(p.cx, p.cy);
            t.rotate(p.rotation);
            t.scale(p.radius * p.sx, p.radius * p.sy);
            Shape s = t.createTransformedShape(UNIT[p.shape]);
            switch (p.style) {
                case SOLID -> {
                    g.setColor(new Color(p.rgb));
                    g.fill(s);
                }
                case PATTERN -> {
                    BufferedImage tile = pattern(p, n, rng);
                    g.setPaint(new TexturePaint(tile, new Rectangle2D.Double(0, 0, n, n)));
                    g.fill(s);
                }
                case OUTLINE -> {
                    g.setColor(new Color(p.rgb));
                    g.setStroke(new BasicStroke(p.stroke, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
                    g.draw(s);
                    if (p.sketchy) {
                        // A second, fainter pencil pass slightly off the first.
                        double dx = (rng.nextDouble() - 0.5) * 0.08 * p.radius;
                        double dy = (rng.nextDouble() - 0.5) * 0.08 * p.radius;
                        double rot = (rng.nextDouble() - 0.5) * 0.06;
                        AffineTransform j = AffineTransform.getTranslateInstance(dx, dy);
                        j.rotate(rot, p.cx, p.cy);
                        g.setComposite(AlphaComposite.getInstance(AlphaComposite.SRC_OVER, 0.45f));
                        g.setStroke(new BasicStroke(p.stroke * 0.7f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
                        g.draw(j.createTransformedShape(s));
                    }
                }
            }
            if (p.stamp >= 0) {
                // Drawn last and without anti-aliasing: a crisp square on top of everything.
                int cell = Math.max(1, n / 4);
                g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_OFF);
                g.setComposite(AlphaComposite.SrcOver);
                g.setColor(new Color(p.stampRgb));
                g.fillRect(STAMP_CELLS[p.stamp][0] * cell, STAMP_CELLS[p.stamp][1] * cell, cell, cell);
            }
        } finally {
            g.dispose();
        }
        byte[] out = new byte[n * n * 3];
        int a = p.noise;
        for (int i = 0, o = 0; i < px.length; i++, o += 3) {
            int v = px[i];
            int r = (v >> 16) & 0xFF;
            int gr = (v >> 8) & 0xFF;
            int b = v & 0xFF;
            if (a > 0) {
                r += rng.nextInt(2 * a + 1) - a;
                gr += rng.nextInt(2 * a + 1) - a;
                b += rng.nextInt(2 * a + 1) - a;
            }
            out[o] = (byte) clamp255(r);
            out[o + 1] = (byte) clamp255(gr);
            out[o + 2] = (byte) clamp255(b);
        }
        return new RgbImage(n, n, out);
    }

    private static int clamp255(int v) {
        return v < 0 ? 0 : Math.min(255, v);
    }

    private static int lerp(int c1, int c2, double t) {
        int r = (int) Math.round(((c1 >> 16) & 0xFF) * (1 - t) + ((c2 >> 16) & 0xFF) * t);
        int g = (int) Math.round(((c1 >> 8) & 0xFF) * (1 - t) + ((c2 >> 8) & 0xFF) * t);
        int b = (int) Math.round((c1 & 0xFF) * (1 - t) + (c2 & 0xFF) * t);
        return (r << 16) | (g << 8) | b;
    }

    private static void background(Plan p, int[] px, int n, Rng rng) {
        switch (p.background) {
            case PLAIN -> java.util.Arrays.fill(px, p.bg1);
            case GRADIENT -> {
                double c = Math.cos(p.bgAngle);
                double s = Math.sin(p.bgAngle);
                double span = (Math.abs(c) + Math.abs(s)) * n;
                double min = Math.min(0, c * n) + Math.min(0, s * n);
                for (int y = 0; y < n; y++) {
                    for (int x = 0; x < n; x++) {
                        px[y * n + x] = lerp(p.bg1, p.bg2, ((x + 0.5) * c + (y + 0.5) * s - min) / span);
                    }
                }
            }
            case STRIPES -> {
                double c = Math.cos(p.bgAngle);
                double s = Math.sin(p.bgAngle);
                for (int y = 0; y < n; y++) {
                    for (int x = 0; x < n; x++) {
                        double t = 0.5 + 0.5 * Math.sin(2 * Math.PI * (x * c + y * s) / p.bgPeriod);
                        px[y * n + x] = lerp(p.bg1, p.bg2, t);
                    }
                }
            }
            case BLOTCHES -> {
                int grid = 4;
                double[] node = new double[(grid + 1) * (grid + 1)];
                for (int k = 0; k < node.length; k++) {
                    node[k] = rng.nextDouble();
                }
                for (int y = 0; y < n; y++) {
                    double gy = (y + 0.5) * grid / n;
                    int iy = Math.min((int) gy, grid - 1);
                    double fy = smooth(gy - iy);
                    for (int x = 0; x < n; x++) {
                        double gx = (x + 0.5) * grid / n;
                        int ix = Math.min((int) gx, grid - 1);
                        double fx = smooth(gx - ix);
                        double top = node[iy * (grid + 1) + ix] * (1 - fx) + node[iy * (grid + 1) + ix + 1] * fx;
                        double bot = node[(iy + 1) * (grid + 1) + ix] * (1 - fx) + node[(iy + 1) * (grid + 1) + ix + 1] * fx;
                        px[y * n + x] = lerp(p.bg1, p.bg2, top * (1 - fy) + bot * fy);
                    }
                }
            }
        }
    }

    private static double smooth(double t) {
        return t * t * (3 - 2 * t);
    }

    private static BufferedImage pattern(Plan p, int n, Rng rng) {
        BufferedImage tile = new BufferedImage(n, n, BufferedImage.TYPE_INT_RGB);
        int[] px = ((DataBufferInt) tile.getRaster().getDataBuffer()).getData();
        double c = Math.cos(p.patternAngle);
        double s = Math.sin(p.patternAngle);
        for (int y = 0; y < n; y++) {
            for (int x = 0; x < n; x++) {
                double u = x * c + y * s + p.patternPhase;
                double v = -x * s + y * c + p.patternPhase;
                boolean second = switch (p.pattern) {
                    case STRIPES -> (Math.floorMod((long) Math.floor(u / (p.period / 2)), 2L)) == 1;
                    case CHECKS -> (Math.floorMod((long) Math.floor(u / p.period) + (long) Math.floor(v / p.period), 2L)) == 1;
                    case SPECKLES -> rng.nextDouble() < 0.3;
                };
                px[y * n + x] = second ? p.patternRgb : p.rgb;
            }
        }
        return tile;
    }
}
