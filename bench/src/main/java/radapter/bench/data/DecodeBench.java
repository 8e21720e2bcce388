package radapter.bench.data;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import radapter.data.image.ImageDecoder;
import radapter.data.image.RgbImage;
import radapter.data.transforms.ClipPreprocess;

/**
 * Single-thread images/s of decode + CLIP eval preprocessing at 224 (file → normalised
 * {@code [3, 224, 224]} floats) for the fixture JPEG (64×74, 4:4:4) and a 500×375 photo-like JPEG
 * (4:2:0), next to the same pipeline in Pillow ({@code bench/peers/pil_preprocess.py}, run by
 * {@code /usr/bin/python3}) in the same session. Each run measures radapter then Pillow; with
 * {@code --runs 2} (the default) that happens twice, so drift on a shared machine shows.
 *
 * <p>Besides wall-clock rates it prints rates from the measuring thread's (process's, for Python)
 * CPU time, which other load on the machine disturbs much less, and the split of radapter's time
 * between decoding and preprocessing.
 *
 * <pre>{@code
 * ./mvnw -q -pl bench -am package -DskipTests
 * java @jvm.options -cp bench/target/benchmarks.jar radapter.bench.data.DecodeBench [--seconds 3] [--runs 2]
 * }</pre>
 */
public final class DecodeBench {
    private static final int SIZE = 224;
    /** Consumes results so the JIT cannot drop the work. */
    private static volatile float sink;
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private DecodeBench() {
    }

    /** One measurement: images per second by wall clock and by CPU time. */
    record Rate(double wall, double cpu) {
    }

    public static void main(String[] args) throws Exception {
        double seconds = 3;
        int runs = 2;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--seconds" -> seconds = Double.parseDouble(args[++i]);
                case "--runs" -> runs = Integer.parseInt(args[++i]);
                default -> throw new IllegalArgumentException("usage: DecodeBench [--seconds S] [--runs N]");
            }
        }
        Path dir = Files.createTempDirectory("radapter-decode-bench");
        try {
            Map<String, Path> images = new LinkedHashMap<>();
            Path fixture = BenchFiles.sharedFile("fixtures/preprocess/pattern_64x74.jpg");
            if (fixture != null) {
                images.put("fixture 64x74 (4:4:4)", fixture);
            } else {
                System.out.println("(fixture JPEG not found; set -Dradapter.shared=PATH to include it)");
            }
            images.put("photo 500x375 (4:2:0)", BenchFiles.writePhotoJpeg(dir.resolve("photo_500x375.jpg"), 500, 375));
            System.out.println("machine: " + BenchFiles.machine());
            ClipPreprocess pre = ClipPreprocess.eval(SIZE);
            // Vector API code runs boxed, ~50x slower, until C2 has compiled it: warm every path
            // on every image before anything is timed.
            for (Path p : images.values()) {
                pipeline(p, pre, 2);
                stages(p, pre, 1);
            }
            for (int run = 1; run <= runs; run++) {
                Map<String, Rate> ours = new LinkedHashMap<>();
                Map<String, double[]> split = new LinkedHashMap<>();
                for (Map.Entry<String, Path> e : images.entrySet()) {
                    ours.put(e.getKey(), pipeline(e.getValue(), pre, seconds));
                    split.put(e.getKey(), stages(e.getValue(), pre, seconds / 2));
                }
                Map<String, Rate[]> pil = pillow(images, seconds);
                print(run, images, ours, split, pil);
            }
        } finally {
            try (var files = Files.list(dir)) {
                for (Path f : files.toList()) {
                    Files.deleteIfExists(f);
                }
            }
            Files.deleteIfExists(dir);
        }
    }

    private static void print(int run, Map<String, Path> images, Map<String, Rate> ours, Map<String, double[]> split,
                              Map<String, Rate[]> pil) {
        System.out.printf(Locale.ROOT, "%nrun %d: decode + CLIP eval preprocessing at %d, from file, 1 thread, images/s"
                + " (wall | from CPU time)%n", run, SIZE);
        System.out.printf(Locale.ROOT, "%-24s %21s %21s %14s %32s %18s%n", "image", "radapter", "Pillow", "ratio (wall)",
                "radapter ms: decode + preprocess", "Pillow decode ms");
        for (String k : images.keySet()) {
            Rate r = ours.get(k);
            Rate[] p = pil.get(k);
            double[] s = split.get(k);
            System.out.printf(Locale.ROOT, "%-24s %9.1f | %9.1f %21s %14s %15.3f + %-15.3f %18s%n", k, r.wall(), r.cpu(),
                    p == null ? "n/a" : String.format(Locale.ROOT, "%9.1f | %9.1f", p[0].wall(), p[0].cpu()),
                    p == null ? "n/a" : String.format(Locale.ROOT, "%.2fx", r.wall() / p[0].wall()), s[0], s[1],
                    p == null ? "n/a" : String.format(Locale.ROOT, "%.3f", 1000 / p[1].wall()));
        }
    }

    /** File → normalised tensor, the whole pipeline. */
    private static Rate pipeline(Path file, ClipPreprocess pre, double seconds) {
        float[] out = new float[3 * SIZE * SIZE];
        return measure(() -> {
            pre.applyInto(ImageDecoder.decode(file), null, out, 0);
            return out[0];
        }, seconds);
    }

    /** Milliseconds per image of decoding alone and of preprocessing a decoded image alone. */
    private static double[] stages(Path file, ClipPreprocess pre, double seconds) {
        RgbImage decoded = ImageDecoder.decode(file);
        float[] out = new float[3 * SIZE * SIZE];
        Rate decode = measure(() -> ImageDecoder.decode(file).pixels()[0], seconds);
        Rate prep = measure(() -> {
            pre.applyInto(decoded, null, out, 0);
            return out[0];
        }, seconds);
        return new double[] {1000 / decode.wall(), 1000 / prep.wall()};
    }

    @FunctionalInterface
    private interface Work {
        float run();
    }

    private static Rate measure(Work work, double seconds) {
        // Warm-up of this exact loop (its own OSR compilation).
        long warmEnd = System.nanoTime() + (long) (Math.max(1.0, seconds / 2) * 1e9);
        float acc = 0;
        while (System.nanoTime() < warmEnd) {
            acc += work.run();
        }
        long cpu0 = THREADS.getCurrentThreadCpuTime();
        long start = System.nanoTime();
        long end = start + (long) (seconds * 1e9);
        int count = 0;
        while (true) {
            for (int i = 0; i < 10; i++) {
                acc += work.run();
            }
            count += 10;
            long now = System.nanoTime();
            if (now >= end) {
                sink = acc;
                double cpu = (THREADS.getCurrentThreadCpuTime() - cpu0) / 1e9;
                return new Rate(count / ((now - start) / 1e9), count / cpu);
            }
        }
    }

    /** Per image: {pipeline rate, decode-only rate} from the Pillow peer, or an empty map. */
    private static Map<String, Rate[]> pillow(Map<String, Path> images, double seconds)
            throws IOException, InterruptedException {
        Map<String, Rate[]> result = new LinkedHashMap<>();
        Path python = Path.of("/usr/bin/python3");
        Path script = BenchFiles.locate("bench/peers/pil_preprocess.py");
        if (!Files.isExecutable(python) || script == null) {
            System.out.println("(no /usr/bin/python3 or bench/peers/pil_preprocess.py: Pillow skipped)");
            return result;
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
            if (parts.length == 5 && i < keys.size()) {
                result.put(keys.get(i++), new Rate[] {
                    new Rate(Double.parseDouble(parts[1]), Double.parseDouble(parts[2])),
                    new Rate(Double.parseDouble(parts[3]), Double.parseDouble(parts[4]))});
            } else if (line.startsWith("pillow")) {
                System.out.println("peer: " + line);
            }
        }
        return result;
    }
}
