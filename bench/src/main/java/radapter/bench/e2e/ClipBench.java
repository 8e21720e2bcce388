package radapter.bench.e2e;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import radapter.adapters.AdaptedClip;
import radapter.adapters.AdapterConfig;
import radapter.adapters.train.FineTuner;
import radapter.adapters.train.TrainBatch;
import radapter.models.clip.Clip;
import radapter.models.clip.ClipConfig;
import radapter.models.clip.ClipInit;
import radapter.models.clip.ClipLoader;
import radapter.models.clip.LoadedClip;
import radapter.tensor.MemoryScope;
import radapter.tensor.Rng;
import radapter.tensor.Tensor;
import radapter.tensor.io.Json;
import radapter.tensor.io.SafeTensors;

/**
 * End-to-end benchmark of a full-size CLIP ViT-B/16 (random weights, fp32): checkpoint load time
 * (memory-mapped), image encoding at batch 16 and 1, text encoding at batch 16, and one R-Adapter
 * training step at batch 8 (adapters in both towers, full rank, drop-path 0.2), each against the
 * same workload in PyTorch CPU ({@code bench/peers/torch_clip.py}) run in the same session when
 * {@code python3} with torch is installed. Prints a table of ratios and one JSON line.
 *
 * <pre>java @jvm.options -cp bench/target/benchmarks.jar radapter.bench.e2e.ClipBench [--what image,text,train] [--reps 3]
 *     [--no-activation-checkpointing] [--no-peer]</pre>
 */
public final class ClipBench {
    private ClipBench() {
    }

    public static void main(String[] args) throws Exception {
        String what = "image,text,train";
        int reps = 3;
        boolean checkpointing = true;
        boolean peer = true;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--what" -> what = args[++i];
                case "--reps" -> reps = Integer.parseInt(args[++i]);
                case "--no-activation-checkpointing" -> checkpointing = false;
                case "--no-peer" -> peer = false;
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        Map<String, Object> ours = run(what, reps, checkpointing);
        System.out.println("radapter " + Json.write(ours));
        Map<String, Object> theirs = peer ? torchPeer(what, reps) : null;
        System.out.println("pytorch  " + (theirs == null ? (peer ? "(not available: python3 with torch not found)" : "(skipped: --no-peer)") : Json.write(theirs)));
        System.out.printf("%nCPU %s, %d cores, JDK %s%n", cpuModel(), Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"));
        System.out.printf("%-28s %14s %14s %8s%n", "workload", "radapter", "pytorch", "ratio");
        for (String k : ours.keySet()) {
            Object p = theirs == null ? null : theirs.get(k);
            if (!(ours.get(k) instanceof Number a)) {
                continue;
            }
            String ratio = "";
            if (p instanceof Number b && b.doubleValue() > 0) {
                // Throughputs: higher is better (ours/theirs). Times and memory: lower is better (theirs/ours).
                boolean higherBetter = k.contains("per_s");
                ratio = String.format("%.2f", higherBetter ? a.doubleValue() / b.doubleValue() : b.doubleValue() / a.doubleValue());
            }
            System.out.printf("%-28s %14.3f %14s %8s%n", k, a.doubleValue(), p instanceof Number b ? String.format("%.3f", b.doubleValue()) : "-", ratio);
        }
        System.out.println("(ratio > 1 means radapter is better: faster or smaller)");
    }

    static Map<String, Object> run(String what, int reps, boolean checkpointing) throws IOException {
        Map<String, Object> out = new LinkedHashMap<>();
        ClipConfig cfg = ClipConfig.vitB16();
        Path dir = Files.createTempDirectory("radapter-bench");
        Path file = dir.resolve("vit-b16-random.safetensors");
        try {
            try (MemoryScope s = MemoryScope.open()) {
                Clip fresh = ClipInit.initialize(new Clip(cfg), new Rng(0));
                SafeTensors.write(file, fresh.stateDict(), Map.of("format", "pt"));
            }
            out.put("checkpoint_mb", Files.size(file) / 1e6);
            long t0 = System.nanoTime();
            try (LoadedClip m = ClipLoader.load(file, null)) {
                out.put("load_ms", (System.nanoTime() - t0) / 1e6);
                Clip clip = m.clip();
                Rng rng = new Rng(1);
                if (what.contains("image")) {
                    for (int bs : new int[] {16, 1}) {
                        Tensor px = Tensor.randn(rng, bs, 3, 224, 224);
                        double t = bestOf(reps, () -> clip.encodeImage(px));
                        out.put("image_b" + bs + "_images_per_s", bs / t);
                    }
                }
                if (what.contains("text")) {
                    long[] ids = new long[16 * 77];
                    for (int i = 0; i < 16; i++) {
                        for (int j = 0; j < 77; j++) {
                            ids[i * 77 + j] = j < 20 ? 1 + rng.nextInt(49000) : 0;
                        }
                        ids[i * 77 + 20] = 49407;
                    }
                    Tensor t16 = Tensor.ofLongs(ids, 16, 77);
                    double t = bestOf(reps, () -> clip.encodeText(t16));
                    out.put("text_b16_texts_per_s", 16 / t);
                }
                if (what.contains("train")) {
                    try (MemoryScope s = MemoryScope.open()) {
                        AdaptedClip ac = AdaptedClip.install(clip, AdapterConfig.builder().ranks(768, 512).dropPath(0.2).build(), new Rng(2));
                        Tensor px = Tensor.randn(rng, 8, 3, 224, 224);
                        long[] ids = new long[8 * 77];
                        for (int i = 0; i < 8; i++) {
                            ids[i * 77] = 49406;
                            for (int j = 1; j < 12; j++) {
                                ids[i * 77 + j] = 1 + rng.nextInt(49000);
                            }
                            ids[i * 77 + 12] = 49407;
                        }
                        TrainBatch b = new TrainBatch(px, Tensor.ofLongs(ids, 8, 77), new long[] {0, 1, 2, 3, 0, 1, 2, 3});
                        List<Double> times = new ArrayList<>();
                        long before = MemoryScope.liveBytes();
                        MemoryScope.resetPeak();
                        FineTuner ft = FineTuner.builder().adapters(ac).steps(Math.max(2, reps)).warmup(0).gradClip(1.0)
                                .activationCheckpointing(checkpointing)
                                .listener(new FineTuner.Listener() {
                                    long last = System.nanoTime();

                                    @Override
                                    public void step(long step, long total, double loss, double lr) {
                                        long now = System.nanoTime();
                                        times.add((now - last) / 1e9);
                                        last = now;
                                    }
                                }).build();
                        ft.run(step -> b);
                        out.put("train_step_b8_seconds", times.subList(1, times.size()).stream().mapToDouble(Double::doubleValue).min().orElse(times.getFirst()));
                        // Off-heap tensor bytes a step needs beyond the model (activations, gradients, optimizer state).
                        out.put("train_tensor_peak_mb", (MemoryScope.peakBytes() - before) / 1e6);
                        out.put("train_activation_checkpointing", checkpointing ? 1 : 0);
                    }
                }
            }
            out.put("peak_rss_mb", peakRssMb());
        } finally {
            Files.deleteIfExists(file);
            Files.deleteIfExists(dir);
        }
        return out;
    }

    static double bestOf(int reps, Runnable r) {
        try (MemoryScope s = MemoryScope.open()) {
            r.run();
        }
        double best = Double.MAX_VALUE;
        for (int i = 0; i < reps; i++) {
            long t0 = System.nanoTime();
            try (MemoryScope s = MemoryScope.open()) {
                r.run();
            }
            best = Math.min(best, (System.nanoTime() - t0) / 1e9);
        }
        return best;
    }

    static double peakRssMb() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmHWM:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
                }
            }
        } catch (IOException ignored) {
            // not Linux
        }
        return -1;
    }

    static String cpuModel() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) {
                    return line.substring(line.indexOf(':') + 1).trim();
                }
            }
        } catch (IOException ignored) {
            // not Linux
        }
        return System.getProperty("os.arch");
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> torchPeer(String what, int reps) {
        Path script = locate("bench/peers/torch_clip.py");
        if (script == null) {
            return null;
        }
        String python = pythonWithTorch();
        if (python == null) {
            return null;
        }
        try {
            ProcessBuilder pb = new ProcessBuilder(python, script.toString(), "--what", what, "--reps", Integer.toString(reps),
                    "--threads", Integer.toString(Runtime.getRuntime().availableProcessors()));
            pb.environment().put("OMP_NUM_THREADS", Integer.toString(Runtime.getRuntime().availableProcessors()));
            pb.redirectErrorStream(false);
            Process p = pb.start();
            String outText = new String(p.getInputStream().readAllBytes());
            if (p.waitFor() != 0) {
                return null;
            }
            String last = outText.strip().lines().reduce((a, b) -> b).orElse("{}");
            Map<String, Object> peer = new LinkedHashMap<>((Map<String, Object>) Json.parse(last));
            // Linux carries the parent's peak RSS into a forked child, so the peer's own figure is
            // meaningless when launched from this (large) JVM; run the script alone for it.
            peer.remove("peak_rss_mb");
            return peer;
        } catch (IOException | InterruptedException e) {
            return null;
        }
    }

    /** The first of python3 on the PATH and Debian's /usr/bin/python3 that can import torch. */
    static String pythonWithTorch() {
        for (String py : new String[] {"python3", "/usr/bin/python3"}) {
            try {
                Process p = new ProcessBuilder(py, "-c", "import torch").redirectErrorStream(true).start();
                p.getInputStream().readAllBytes();
                if (p.waitFor() == 0) {
                    return py;
                }
            } catch (IOException | InterruptedException e) {
                // try the next one
            }
        }
        return null;
    }

    static Path locate(String rel) {
        Path p = Path.of("").toAbsolutePath();
        while (p != null) {
            if (Files.isRegularFile(p.resolve(rel))) {
                return p.resolve(rel);
            }
            p = p.getParent();
        }
        return null;
    }
}
