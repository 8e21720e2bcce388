package radapter.data.dataset;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import radapter.data.image.RgbImage;
import radapter.tensor.Tensor;

/** Test helpers: a plain ImageIO decoder, image writing and a to-tensor transform. */
public final class TestImages {
    private TestImages() {
    }

    /** Decodes with the JDK's ImageIO; throws on a missing or unreadable file. */
    public static RgbImage decode(Path path) throws IOException {
        if (!Files.exists(path)) {
            throw new NoSuchFileException(path.toString());
        }
        BufferedImage bi = ImageIO.read(path.toFile());
        if (bi == null) {
            throw new IOException("not a recognised image format");
        }
        int w = bi.getWidth();
        int h = bi.getHeight();
        byte[] px = new byte[w * h * 3];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int v = bi.getRGB(x, y);
                int o = (y * w + x) * 3;
                px[o] = (byte) (v >> 16);
                px[o + 1] = (byte) (v >> 8);
                px[o + 2] = (byte) v;
            }
        }
        return new RgbImage(w, h, px);
    }

    /** A w×h PNG whose every pixel is (value, value/2, 255-value). */
    public static Path writePng(Path file, int w, int h, int value) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        BufferedImage bi = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        int rgb = (value << 16) | ((value / 2) << 8) | (255 - value);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                bi.setRGB(x, y, rgb);
            }
        }
        ImageIO.write(bi, "png", file.toFile());
        return file;
    }

    /** A file with an image extension and garbage inside. */
    public static Path writeCorrupt(Path file) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        Files.write(file, new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9});
        return file;
    }

    /** [3, H, W] floats in [0, 1]. */
    public static Tensor toTensor(RgbImage img) {
        int w = img.width();
        int h = img.height();
        float[] out = new float[3 * w * h];
        byte[] px = img.pixels();
        for (int c = 0; c < 3; c++) {
            for (int i = 0; i < w * h; i++) {
                out[c * w * h + i] = (px[i * 3 + c] & 0xFF) / 255f;
            }
        }
        return Tensor.of(out, 3, h, w);
    }
}
