package radapter.data.image;

import java.awt.image.BufferedImage;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.FileImageOutputStream;
import radapter.data.transforms.ClipPreprocess;
import radapter.testing.Shared;

/**
 * Benchmark (not a unit test): single-threaded images/s of decode + CLIP eval preprocessing at 224
 * (file → normalised {@code [3, 224, 224]} floats), for the fixture JPEG (64×74) and a generated
 * 500×375 JPEG, next to the same pipeline in Pillow run in the same session by
 * {@code /usr/bin/python3} ({@code src/test/resources/peers/pil_preprocess.py}).
 *
 * <pre>{@code
 * mvn -q -o -pl data test-compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt
 * java --add-modules=jdk.incubator.vector -cp data/target/test-classes:data/target/classes:$(cat data/target/cp.txt) \
 *     radapter.data.image.DecodeBench [seconds-per-case]
 * }</pre>
 */
public final class DecodeBench {
    private static final int SIZE = 224;
    /** Consumes results so the JIT cannot drop the work. */
    private static volatile float sink;

    private DecodeBench() {
    }

    public static void main(String[] args) throws Exception {
        double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 3.0;
        Path dir = Files.createTempDirectory("radapter-decode-bench");
        Map<String, Path> images = new LinkedHashMap<>();
        Path shared = Shared.rootOrNull();
        Path fixture = shared == null ? null : shared.resolve("fixtures/preprocess/pattern_64x74.jpg");
        if (fixture != null && Files.exists(fixture)) {
            images.put("pattern 64x74 (fixture)", fixture);
        } else {
            System.out.println("(fixture JPEG not found; set -Dradapter.shared=PATH to include it)");
        }
        Path generated = dir.resolve("generated_500x375.jpg");
        writeJpeg(generated, 500, 375);
        images.put("generated 500x375", generated);

        ClipPreprocess pre = ClipPreprocess.eval(SIZE);
        float[] out = new float[3 * SIZE * SIZE];
        Map<String, Double> java = new LinkedHashMap<>();
        for (Map.Entry<String, Path> e : images.entrySet()) {
            java.put(e.getKey(), rate(e.getValue(), pre, out, seconds));
        }
        Map<String, Double> pil = runPillow(dir, images, seconds);
        try (var files = Files.list(dir)) {
            for (Path f : files.toList()) {
                Files.deleteIfExists(f);
            }
        }
        Files.deleteIfExists(dir);

        System.out.printf("%nCLIP eval preprocessing at %d, decode from file, 1 thread (%s, %s)%n", SIZE,
                System.getProperty("java.vm.name"), System.getProperty("java.version"));
        System.out.printf("%-26s %14s %14s %8s%n", "image", "radapter img/s", "Pillow img/s", "ratio");
        for (String k : images.keySet()) {
            Double p = pil.get(k);
            System.out.printf("%-26s %14.1f %14s %8s%n", k, java.get(k), p == null ? "n/a" : String.format("%.1f", p),
                    p == null ? "n/a" : String.format("%.2fx", java.get(k) / p));
        }
    }

    /** A smooth colour field plus noise and edges (photo-like entropy), JPEG quality 0.9 (4:2:0). */
    private static void writeJpeg(Path file, int w, int h) throws IOException {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_3BYTE_BGR);
        SplittableRandom rnd = new SplittableRandom(2024);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                double n = rnd.nextDouble() * 24 - 12;
                int r = clamp(128 + 90 * Math.sin(x / 37.0) * Math.cos(y / 53.0) + n);
                int g = clamp(120 + 100 * Math.sin((x + y) / 71.0) + n);
                int b = clamp(((x / 25 + y / 25) % 2) * 160 + 40 + n);
                img.getRaster().setPixel(x, y, new int[] {r, g, b});
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
    }

    private static int clamp(double v) {
        return (int) Math.max(0, Math.min(255, Math.round(v)));
    }

    private static double rate(Path file, ClipPreprocess pre, float[] out, double seconds) {
        // Warm-up: let the JIT compile decode, resample and normalise paths.
        long warmEnd = System.nanoTime() + (long) (Math.max(1.0, seconds / 2) * 1e9);
        while (System.nanoTime() < warmEnd) {
            pre.applyInto(ImageDecoder.decode(file), null, out, 0);
        }
        long start = System.nanoTime();
        long end = start + (long) (seconds * 1e9);
        int count = 0;
        float acc = 0;
        while (true) {
            for (int i = 0; i < 10; i++) {
                pre.applyInto(ImageDecoder.decode(file), null, out, 0);
                acc += out[i];
            }
            count += 10;
            long now = System.nanoTime();
            if (now >= end) {
                sink = acc;
                return count / ((now - start) / 1e9);
            }
        }
    }

    private static Map<String, Double> runPillow(Path dir, Map<String, Path> images, double seconds)
            throws IOException, InterruptedException {
        Map<String, Double> result = new LinkedHashMap<>();
        Path python = Path.of("/usr/bin/python3");
        if (!Files.isExecutable(python)) {
            System.out.println("(no /usr/bin/python3: Pillow numbers skipped)");
            return result;
        }
        Path script = dir.resolve("pil_preprocess.py");
        try (InputStream in = DecodeBench.class.getResourceAsStream("/peers/pil_preprocess.py")) {
            if (in == null) {
                System.out.println("(peers/pil_preprocess.py not on the test classpath: Pillow numbers skipped)");
                return result;
            }
            Files.copy(in, script);
        }
        List<String> cmd = new ArrayList<>(List.of(python.toString(), script.toString(), Integer.toString(SIZE),
                Double.toString(seconds)));
        List<String> keys = new ArrayList<>(images.keySet());
        for (Path p : images.values()) {
            cmd.add(p.toString());
        }
        Process proc = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        List<String> lines = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(proc.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
                lines.add(line);
            }
        }
        if (!proc.waitFor(10, TimeUnit.MINUTES) || proc.exitValue() != 0) {
            System.out.println("(Pillow run failed:)");
            lines.forEach(l -> System.out.println("  " + l));
            return result;
        }
        int i = 0;
        for (String line : lines) {
            String[] parts = line.trim().split("\\s+");
            if (parts.length == 2 && i < keys.size()) {
                result.put(keys.get(i++), Double.parseDouble(parts[1]));
            }
        }
        return result;
    }
}
