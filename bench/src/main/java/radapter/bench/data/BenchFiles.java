package radapter.bench.data;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.FileImageOutputStream;

/** Inputs and machine description shared by the data benchmarks. */
final class BenchFiles {
    private BenchFiles() {
    }

    /**
     * Writes the benchmark's photo-sized JPEG: a smooth colour field plus noise and a checkerboard
     * of hard edges (photo-like entropy), through the JDK's writer at quality 0.9 (4:2:0, JFIF,
     * baseline). Deterministic: the same bytes on every run.
     */
    static Path writePhotoJpeg(Path file, int w, int h) throws IOException {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_3BYTE_BGR);
        SplittableRandom rnd = new SplittableRandom(2024);
        int[] px = new int[3];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                double n = rnd.nextDouble() * 24 - 12;
                px[0] = clamp(128 + 90 * Math.sin(x / 37.0) * Math.cos(y / 53.0) + n);
                px[1] = clamp(120 + 100 * Math.sin((x + y) / 71.0) + n);
                px[2] = clamp(((x / 25 + y / 25) % 2) * 160 + 40 + n);
                img.getRaster().setPixel(x, y, px);
            }
        }
        ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
        Files.deleteIfExists(file);
        try (FileImageOutputStream out = new FileImageOutputStream(file.toFile())) {
            writer.setOutput(out);
            ImageWriteParam p = writer.getDefaultWriteParam();
            p.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
            p.setCompressionQuality(0.9f);
            writer.write(null, new IIOImage(img, null, null), p);
        } finally {
            writer.dispose();
        }
        return file;
    }

    private static int clamp(double v) {
        return (int) Math.max(0, Math.min(255, Math.round(v)));
    }

    /**
     * A file of the shared layout ({@code fixtures/...}): under {@code -Dradapter.shared} when it
     * is set, else in a {@code shared} folder next to a parent of the working directory, else in
     * the repository's vendored copy ({@code testdata/}); {@code null} when none has it.
     */
    static Path sharedFile(String relative) {
        String prop = System.getProperty("radapter.shared");
        if (prop != null) {
            Path p = Path.of(prop, relative);
            return Files.isRegularFile(p) ? p : null;
        }
        Path shared = locate("shared/" + relative);
        return shared != null ? shared : locate("testdata/" + relative);
    }

    /** {@code relative} found walking up from the working directory, or {@code null}. */
    static Path locate(String relative) {
        for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
            if (Files.isRegularFile(d.resolve(relative))) {
                return d.resolve(relative);
            }
        }
        return null;
    }

    /** CPU model, cores, JDK and JVM flags, for the report header. */
    static String machine() {
        String cpu = "unknown CPU";
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) {
                    cpu = line.substring(line.indexOf(':') + 1).strip();
                    break;
                }
            }
        } catch (IOException e) {
            // not Linux
        }
        List<String> flags = ManagementFactory.getRuntimeMXBean().getInputArguments();
        return cpu + ", " + Runtime.getRuntime().availableProcessors() + " cores; " + System.getProperty("java.vm.name")
                + " " + System.getProperty("java.runtime.version") + "; flags " + String.join(" ", flags);
    }
}
