package radapter.bench.e2e;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import radapter.adapters.AdaptedClip;
import radapter.adapters.AdapterConfig;
import radapter.adapters.train.FineTuner;
import radapter.adapters.train.TrainBatch;
import radapter.models.clip.Clip;
import radapter.models.clip.ClipConfig;
import radapter.models.clip.ClipInit;
import radapter.models.clip.ClipLoader;
import radapter.models.clip.LoadedClip;
import radapter.models.nn.Activation;
import radapter.tensor.Backend;
import radapter.tensor.Backends;
import radapter.tensor.Device;
import radapter.tensor.LinearAlgebra;
import radapter.tensor.MemoryScope;
import radapter.tensor.NN;
import radapter.tensor.Rng;
import radapter.tensor.Tensor;
import radapter.tensor.gpu.GpuBackend;
import radapter.tensor.io.Json;
import radapter.tensor.io.SafeTensors;

/**
 * End-to-end benchmark of a full-size CLIP ViT-B/16 (random weights, fp32): checkpoint load time
 * (memory-mapped), image encoding at batch 16 and 1, text encoding at batch 16, and one R-Adapter
 * training step at batch 8 (adapters in both towers, full rank, drop-path 0.2), each against the
 * same workload in PyTorch ({@code bench/peers/torch_clip.py}) run in the same session when
 * {@code python3} with torch is installed. Prints a table of ratios and one JSON line.
 *
 * <p>On an accelerator ({@code --device cuda} or {@code opencl}) the model's parameters and the
 * batches are moved there before timing, every timer stops only after the backend has finished
 * its queue ({@link GpuBackend#synchronize()}), and three kernel families are timed on their own
 * (a square matmul, the attention softmax and the residual-stream layer norm at the image batch's
 * shapes). Progress lines go to standard error as each figure is measured, so a run cut short by
 * a time limit still shows what it got; standard output keeps the JSON line and the table.
 *
 * <pre>java @jvm.options -cp bench/target/benchmarks.jar radapter.bench.e2e.ClipBench [--what image,text,train] [--reps 3]
 *     [--no-activation-checkpointing] [--no-peer] [--device cpu|cuda|opencl] [--image-batch 16] [--train-batch 8]
 *     [--config vit-b16|tiny] [--kernels|--no-kernels] [--peer-device DEV] [--time-budget SECONDS] [--peer-python PYTHON]
 * java ... radapter.bench.e2e.ClipBench --devices      # lists the backends and devices found, for scripts</pre>
 *
 * {@code --config tiny} is a two-layer CLIP of width 128 on 64-pixel images (seconds on PoCL) for
 * smoke-testing the device path; its figures say nothing about performance. {@code --time-budget}
 * lowers the repetitions and skips the workloads that would not fit (the peer gets the same budget).
 */
public final class ClipBench {
    private ClipBench() {
    }

    /** Parsed command line. */
    record Options(String what, int reps, boolean checkpointing, boolean peer, Device device, int imageBatch, int trainBatch,
            String config, boolean kernels, String peerDevice, double timeBudget, String peerPython) {
    }

    public static void main(String[] args) throws Exception {
        String what = "image,text,train";
        int reps = 3;
        boolean checkpointing = true;
        boolean peer = true;
        Device device = Device.CPU;
        int imageBatch = 16;
        int trainBatch = 8;
        String config = "vit-b16";
        Boolean kernels = null;
        String peerDevice = null;
        double budget = 0;
        String peerPython = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--what" -> what = args[++i];
                case "--reps" -> reps = Integer.parseInt(args[++i]);
                case "--no-activation-checkpointing" -> checkpointing = false;
                case "--no-peer" -> peer = false;
                case "--device" -> device = Device.parse(args[++i]);
                case "--image-batch" -> imageBatch = positive(args[i], args[++i]);
                case "--train-batch" -> trainBatch = positive(args[i], args[++i]);
                case "--config" -> config = args[++i];
                case "--kernels" -> kernels = true;
                case "--no-kernels" -> kernels = false;
                case "--peer-device" -> peerDevice = args[++i];
                case "--time-budget" -> budget = Double.parseDouble(args[++i]);
                case "--peer-python" -> peerPython = args[++i];
                case "--devices" -> {
                    listDevices();
                    return;
                }
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        config(config); // fail early on a bad name
        boolean onDevice = !device.equals(Device.CPU);
        if (peerDevice == null) {
            // PyTorch has no OpenCL: an OpenCL run is compared with PyTorch on the host unless told otherwise.
            peerDevice = device.kind().equals("cuda") ? device.toString().replace(":0", "") : "cpu";
        }
        Options o = new Options(what, reps, checkpointing, peer, device, imageBatch, trainBatch, config,
                kernels != null ? kernels : onDevice, peerDevice, budget, peerPython);
        if (onDevice) {
            Backend b = Backends.forDevice(device); // a clear error when the device has no backend here
            progress("device " + device + ": " + (b instanceof GpuBackend g ? g.description() : b.name()));
        }
        long start = System.nanoTime();
        Map<String, Object> ours = run(o);
        System.out.println("radapter " + Json.write(ours));
        double left = budget > 0 ? budget - (System.nanoTime() - start) / 1e9 : 0;
        Map<String, Object> theirs = null;
        String why = "(skipped: --no-peer)";
        if (peer && budget > 0 && left < 5) {
            why = "(skipped: time budget spent)";
        } else if (peer) {
            theirs = torchPeer(o, budget > 0 ? left : 0);
            why = "(not available: no Python with torch found (--peer-python, $RADAPTER_PEER_PYTHON, ../shared/tools/torch-venv.sh's venv, python3), or it failed; see standard error)";
        }
        System.out.println("pytorch  " + (theirs == null ? why : Json.write(theirs)));
        System.out.printf("%nCPU %s, %d cores, JDK %s%n", cpuModel(), Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"));
        if (onDevice) {
            System.out.printf("device %s (%s), PyTorch on %s, config %s%n", device, ours.get("device_description"), peerDevice, config);
        }
        // 28 wide as always; wider only for the (long) kernel keys of a device run.
        int w = Math.max(28, ours.keySet().stream().filter(k -> k.startsWith("kernel_")).mapToInt(k -> k.length() + 1).max().orElse(0));
        String row = "%-" + w + "s %14s %14s %8s%n";
        System.out.printf(row, "workload", "radapter", "pytorch", "ratio");
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
            System.out.printf(row, k, String.format("%.3f", a.doubleValue()), p instanceof Number b ? String.format("%.3f", b.doubleValue()) : "-", ratio);
        }
        System.out.println("(ratio > 1 means radapter is better: faster or smaller)");
    }

    /** One line per discovered backend: "available NAME DEVICE DESCRIPTION" or "unavailable NAME REASON" (for scripts). */
    static void listDevices() {
        for (Backend b : Backends.all()) {
            if (b.isAvailable()) {
                System.out.println("available " + b.name() + " " + b.device() + " " + (b instanceof GpuBackend g ? g.description() : "host"));
            } else {
                System.out.println("unavailable " + b.name() + " " + b.unavailableReason());
            }
        }
    }

    private static int positive(String option, String value) {
        int n = Integer.parseInt(value);
        if (n < 1) {
            throw new IllegalArgumentException(option + " must be at least 1, got " + n);
        }
        return n;
    }

    /** The model shape named by {@code --config}. */
    static ClipConfig config(String name) {
        return switch (name) {
            case "vit-b16" -> ClipConfig.vitB16();
            // Head width 64 and QuickGELU, so the loader infers exactly this shape from the tensors.
            case "tiny" -> new ClipConfig(64, new ClipConfig.Vision(128, 2, 2, 16, 64), new ClipConfig.Text(128, 2, 2, 16, 1000),
                    Activation.QUICK_GELU, 1e-5, "benchmark tiny config");
            default -> throw new IllegalArgumentException("unknown --config '" + name + "' (expected vit-b16 or tiny)");
        };
    }

    static void progress(String line) {
        System.err.println("[clipbench] " + line);
        System.err.flush();
    }

    /** Stops the timers' clocks honestly: waits for an accelerator's queue to drain. */
    static final class Clock {
        final Device device;
        final GpuBackend gpu;
        final long deadline;
        int pending;

        Clock(Device device, double budget, int pending) {
            this.device = device;
            Backend b = device.equals(Device.CPU) ? null : Backends.forDevice(device);
            this.gpu = b instanceof GpuBackend g ? g : null;
            this.deadline = budget > 0 ? System.nanoTime() + (long) (budget * 1e9) : Long.MAX_VALUE;
            this.pending = pending;
        }

        void sync() {
            if (gpu != null) {
                gpu.synchronize();
            }
        }

        double left() {
            return deadline == Long.MAX_VALUE ? Double.MAX_VALUE : (deadline - System.nanoTime()) / 1e9;
        }

        /** Whether the next workload should start at all (one is skipped once the budget is spent). */
        boolean admit(String name, Map<String, Object> out) {
            pending = Math.max(0, pending - 1);
            if (left() > 0) {
                return true;
            }
            progress(name + ": skipped (time budget spent)");
            out.merge("skipped", name, (a, b) -> a + "," + b);
            return false;
        }

        /** Timed repetitions that fit this workload's share of what is left, after a warm-up of {@code warm} seconds. */
        int reps(int wanted, double warm) {
            if (deadline == Long.MAX_VALUE) {
                return wanted;
            }
            double share = left() / (pending + 1);
            return (int) Math.max(1, Math.min(wanted, Math.floor(share / Math.max(warm, 1e-6))));
        }

        long liveDeviceBytes() {
            return gpu == null ? 0 : gpu.liveDeviceBytes();
        }
    }

    static Map<String, Object> run(Options o) throws IOException {
        Map<String, Object> out = new LinkedHashMap<>();
        ClipConfig cfg = config(o.config);
        boolean onDevice = !o.device.equals(Device.CPU);
        int workloads = (o.what.contains("image") ? (o.imageBatch == 1 ? 1 : 2) : 0) + (o.what.contains("text") ? 1 : 0)
                + (o.what.contains("train") ? 1 : 0) + (o.kernels ? 3 : 0);
        Clock clock = new Clock(o.device, o.timeBudget, workloads);
        if (onDevice) {
            out.put("device", o.device.toString());
            out.put("device_description", clock.gpu != null ? clock.gpu.description() : Backends.forDevice(o.device).name());
        }
        if (!o.config.equals("vit-b16")) {
            out.put("config", o.config);
        }
        Path dir = Files.createTempDirectory("radapter-bench");
        Path file = dir.resolve(o.config + "-random.safetensors");
        try {
            try (MemoryScope s = MemoryScope.open()) {
                Clip fresh = ClipInit.initialize(new Clip(cfg), new Rng(0));
                SafeTensors.write(file, fresh.stateDict(), Map.of("format", "pt"));
            }
            out.put("checkpoint_mb", Files.size(file) / 1e6);
            long t0 = System.nanoTime();
            try (MemoryScope model = MemoryScope.open(); LoadedClip m = ClipLoader.load(file, null)) {
                out.put("load_ms", (System.nanoTime() - t0) / 1e6);
                Clip clip = m.clip();
                if (onDevice) {
                    long t1 = System.nanoTime();
                    clip.to(o.device);
                    clock.sync();
                    out.put("to_device_ms", (System.nanoTime() - t1) / 1e6);
                    out.put("device_model_mb", clock.liveDeviceBytes() / 1e6);
                }
                progress("model ready (" + o.config + ", " + o.device + ")");
                Rng rng = new Rng(1);
                int size = cfg.vision().imageSize();
                int ctx = cfg.text().contextLength();
                int vocab = cfg.text().vocabSize();
                if (o.what.contains("image")) {
                    for (int bs : o.imageBatch == 1 ? new int[] {1} : new int[] {o.imageBatch, 1}) {
                        String key = "image_b" + bs + "_images_per_s";
                        if (!clock.admit(key, out)) {
                            continue;
                        }
                        Tensor px = Tensor.randn(rng, bs, 3, size, size).to(o.device);
                        double t = bestOf(clock, key, o.reps, () -> clip.encodeImage(px));
                        out.put(key, bs / t);
                    }
                }
                if (o.what.contains("text")) {
                    int bs = o.imageBatch;
                    String key = "text_b" + bs + "_texts_per_s";
                    if (clock.admit(key, out)) {
                        long[] ids = new long[bs * ctx];
                        int eotAt = Math.min(20, ctx - 1);
                        for (int i = 0; i < bs; i++) {
                            for (int j = 0; j < ctx; j++) {
                                ids[i * ctx + j] = j < eotAt ? 1 + rng.nextInt(Math.min(49000, vocab - 3)) : 0;
                            }
                            ids[i * ctx + eotAt] = vocab - 1;
                        }
                        // Token ids stay on the host, as FineTuner hands them over: the embedding gathers them on the device.
                        Tensor t16 = Tensor.ofLongs(ids, bs, ctx);
                        double t = bestOf(clock, key, o.reps, () -> clip.encodeText(t16));
                        out.put(key, bs / t);
                    }
                }
                if (o.what.contains("train") && clock.admit("train", out)) {
                    train(o, clip, cfg, rng, clock, out);
                }
                if (o.kernels) {
                    kernels(o, cfg, clock, out);
                }
            }
            out.put("peak_rss_mb", peakRssMb());
        } finally {
            Files.deleteIfExists(file);
            Files.deleteIfExists(dir);
        }
        return out;
    }

    /** Thrown by the step listener to end training early when the time budget is spent. */
    private static final class OutOfTime extends RuntimeException {
        OutOfTime() {
            super(null, null, false, false);
        }
    }

    private static void train(Options o, Clip clip, ClipConfig cfg, Rng rng, Clock clock, Map<String, Object> out) throws IOException {
        int bs = o.trainBatch;
        int size = cfg.vision().imageSize();
        int ctx = cfg.text().contextLength();
        int vocab = cfg.text().vocabSize();
        try (MemoryScope s = MemoryScope.open()) {
            // Full-rank adapters, as the paper's recipe (ViT-B/16: 768 and 512).
            AdaptedClip ac = AdaptedClip.install(clip, AdapterConfig.builder().ranks((int) cfg.vision().width(), (int) cfg.text().width()).dropPath(0.2).build(), new Rng(2));
            Tensor px = Tensor.randn(rng, bs, 3, size, size).to(o.device);
            long[] ids = new long[bs * ctx];
            int eotAt = Math.min(12, ctx - 1);
            long[] labels = new long[bs];
            for (int i = 0; i < bs; i++) {
                ids[i * ctx] = vocab - 2;
                for (int j = 1; j < eotAt; j++) {
                    ids[i * ctx + j] = 1 + rng.nextInt(Math.min(49000, vocab - 3));
                }
                ids[i * ctx + eotAt] = vocab - 1;
                labels[i] = i % 4;
            }
            TrainBatch b = new TrainBatch(px, Tensor.ofLongs(ids, bs, ctx), labels);
            List<Double> times = new ArrayList<>();
            long before = MemoryScope.liveBytes();
            MemoryScope.resetPeak();
            // Device memory has no peak counter: a sampler thread reads the live figure every millisecond.
            AtomicLong devicePeak = new AtomicLong(clock.liveDeviceBytes());
            AtomicBoolean sampling = new AtomicBoolean(clock.gpu != null);
            Thread sampler = Thread.ofPlatform().daemon().start(() -> {
                while (sampling.get()) {
                    devicePeak.accumulateAndGet(clock.liveDeviceBytes(), Math::max);
                    try {
                        Thread.sleep(1);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
            int steps = Math.max(2, o.reps);
            long[] last = {System.nanoTime()};
            FineTuner ft = FineTuner.builder().adapters(ac).steps(steps).warmup(0).gradClip(1.0)
                    .activationCheckpointing(o.checkpointing).device(o.device)
                    .listener((step, total, loss, lr) -> {
                        clock.sync();
                        long now = System.nanoTime();
                        double t = (now - last[0]) / 1e9;
                        times.add(t);
                        progress(String.format(Locale.ROOT, "train step %d/%d: %.3f s, loss %.4f", step + 1, total, t, loss));
                        last[0] = now;
                        // Stop once two steps are done when the next would not fit the time budget.
                        if (times.size() >= 2 && step + 1 < total && clock.left() < t * (clock.pending + 1)) {
                            throw new OutOfTime();
                        }
                    }).build();
            last[0] = System.nanoTime();
            try {
                ft.run(step -> b);
            } catch (OutOfTime e) {
                progress("train: stopped after " + times.size() + " steps (time budget)");
            } finally {
                sampling.set(false);
                sampler.interrupt();
            }
            clip.train(false);
            String key = "train_step_b" + bs + "_seconds";
            double best = times.size() > 1 ? times.subList(1, times.size()).stream().mapToDouble(Double::doubleValue).min().orElseThrow()
                    : times.getFirst();
            out.put(key, best);
            progress(String.format(Locale.ROOT, "%s = %.4f (best of steps 2..%d; %.2f samples/s)", key, best, times.size(), bs / best));
            // Off-heap tensor bytes a step needs beyond the model (activations, gradients, optimizer state).
            out.put("train_tensor_peak_mb", (MemoryScope.peakBytes() - before) / 1e6);
            if (clock.gpu != null) {
                out.put("train_device_peak_mb", devicePeak.get() / 1e6);
            }
            out.put("train_activation_checkpointing", o.checkpointing ? 1 : 0);
        }
    }

    /** Kernel families on their own: matmul (GFLOP/s), softmax and layer norm (GB/s, bytes read + written). */
    private static void kernels(Options o, ClipConfig cfg, Clock clock, Map<String, Object> out) {
        boolean full = o.config.equals("vit-b16");
        int n = full ? 4096 : 512;
        long rows = (long) o.imageBatch * cfg.vision().heads() * cfg.vision().tokens();
        long cols = cfg.vision().tokens();
        long tokens = (long) o.imageBatch * cfg.vision().tokens();
        long width = cfg.vision().width();
        Rng rng = new Rng(3);
        try (MemoryScope s = MemoryScope.open()) {
            String key = "kernel_matmul_" + n + "_gflop_per_s";
            if (clock.admit(key, out)) {
                Tensor a = Tensor.randn(rng, n, n).to(o.device);
                Tensor b = Tensor.randn(rng, n, n).to(o.device);
                double t = bestOf(clock, key, Math.max(o.reps, 5), () -> LinearAlgebra.matmul(a, b));
                out.put(key, 2.0 * n * n * n / t / 1e9);
            }
            key = "kernel_softmax_" + rows + "x" + cols + "_gb_per_s";
            if (clock.admit(key, out)) {
                Tensor x = Tensor.randn(rng, rows, cols).to(o.device);
                double t = bestOf(clock, key, Math.max(o.reps, 5), () -> NN.softmax(x, -1));
                out.put(key, 2.0 * rows * cols * 4 / t / 1e9);
            }
            key = "kernel_layernorm_" + tokens + "x" + width + "_gb_per_s";
            if (clock.admit(key, out)) {
                Tensor x = Tensor.randn(rng, tokens, width).to(o.device);
                Tensor w = Tensor.randn(rng, width).to(o.device);
                Tensor bias = Tensor.randn(rng, width).to(o.device);
                double t = bestOf(clock, key, Math.max(o.reps, 5), () -> NN.layerNorm(x, w, bias, 1e-5));
                out.put(key, 2.0 * tokens * width * 4 / t / 1e9);
            }
        }
    }

    /** Best wall time of the timed runs after one warm-up; each stops the clock after the device finished. */
    static double bestOf(Clock clock, String name, int reps, Supplier<Tensor> r) {
        long w0 = System.nanoTime();
        try (MemoryScope s = MemoryScope.open()) {
            r.get();
            clock.sync();
        }
        double warm = (System.nanoTime() - w0) / 1e9;
        int n = clock.reps(reps, warm);
        double best = Double.MAX_VALUE;
        for (int i = 0; i < n; i++) {
            long t0 = System.nanoTime();
            try (MemoryScope s = MemoryScope.open()) {
                r.get();
                clock.sync();
            }
            best = Math.min(best, (System.nanoTime() - t0) / 1e9);
        }
        progress(String.format(Locale.ROOT, "%s: best %.4f s of %d (warm-up %.3f s)", name, best, n, warm));
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
    static Map<String, Object> torchPeer(Options o, double budget) {
        Path script = locate("bench/peers/torch_clip.py");
        if (script == null) {
            return null;
        }
        String python = pythonWithTorch(o.peerPython());
        if (python == null) {
            return null;
        }
        progress("peer: " + python);
        try {
            List<String> cmd = new ArrayList<>(List.of(python, script.toString(), "--what", o.what, "--reps", Integer.toString(o.reps),
                    "--threads", Integer.toString(Runtime.getRuntime().availableProcessors()), "--device", o.peerDevice,
                    "--image-batch", Integer.toString(o.imageBatch), "--train-batch", Integer.toString(o.trainBatch), "--config", o.config));
            if (o.kernels) {
                cmd.add("--kernels");
            }
            if (budget > 0) {
                cmd.addAll(List.of("--time-budget", String.format(Locale.ROOT, "%.0f", budget)));
            }
            ProcessBuilder pb = new ProcessBuilder(cmd);
            pb.environment().put("OMP_NUM_THREADS", Integer.toString(Runtime.getRuntime().availableProcessors()));
            pb.environment().put("PYTHONUNBUFFERED", "1");
            // The peer's progress lines go straight to our standard error.
            pb.redirectError(ProcessBuilder.Redirect.INHERIT);
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

    /**
     * The Python that runs the PyTorch peer: {@code --peer-python} when given (and nothing else),
     * otherwise the first that can import torch of {@code $RADAPTER_PEER_PYTHON}, the venv that
     * {@code ../shared/tools/torch-venv.sh} makes ({@code $TORCH_VENV}, default
     * {@code <tmp>/torch-venv}: the newest PyTorch wheel), python3 on the PATH and Debian's
     * {@code /usr/bin/python3} (which may hold an old torch).
     */
    static String pythonWithTorch(String explicit) {
        List<String> candidates = new ArrayList<>();
        if (explicit != null) {
            candidates.add(explicit);
        } else {
            String env = System.getenv("RADAPTER_PEER_PYTHON");
            if (env != null && !env.isBlank()) {
                candidates.add(env);
            }
            String venv = System.getenv("TORCH_VENV");
            candidates.add(Path.of(venv != null && !venv.isBlank() ? venv : System.getProperty("java.io.tmpdir") + "/torch-venv", "bin", "python")
                    .toString());
            candidates.addAll(List.of("python3", "/usr/bin/python3"));
        }
        for (String py : candidates) {
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
