package radapter.bench.data;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import radapter.data.dataset.CsvDataset;
import radapter.data.dataset.Dataset;
import radapter.data.image.ImageDecoder;
import radapter.data.loader.Batch;
import radapter.data.loader.DataLoader;
import radapter.data.synthetic.Split;
import radapter.data.synthetic.SyntheticShapes;
import radapter.data.transforms.ClipPreprocess;

/**
 * Throughput of {@link DataLoader} with 1 and 2 worker threads, and how busy it keeps the CPU.
 *
 * <p>Two datasets on disk, both read through {@code ImageDecoder::decode} and CLIP eval
 * preprocessing at 224 into batches of 32: a CSV listing the 500×375 photo-like JPEG of
 * {@link DecodeBench} {@code --images} times, and the synthetic shapes test split rendered at 224
 * px and written as PNGs + CSV ({@code SyntheticShapes.writeTo}). The consumer only counts images.
 *
 * <p>Both ways of giving the loader its transform are measured: {@code transform(pre::apply)} (a
 * tensor per image, copied into the batch) and {@code preprocess(pre)} (each worker writes its
 * sample straight into the batch tensor).
 *
 * <p>Per configuration: one warm-up epoch, then whole epochs until {@code --seconds} have passed.
 * Reported: images/s, the speed-up of 2 workers over 1, process CPU time / wall time ("cores
 * busy", which includes JIT and GC threads), that as a share of all cores, and the loader worker
 * threads' own CPU time / wall time. Each configuration runs {@code --runs} times (default 2).
 *
 * <pre>{@code
 * java @jvm.options -cp bench/target/benchmarks.jar radapter.bench.data.LoaderBench [--seconds 6] [--runs 2]
 * }</pre>
 */
public final class LoaderBench {
    private static final int SIZE = 224;

    private LoaderBench() {
    }

    /** One timed configuration. */
    record Result(double imagesPerSecond, double processCores, double workerCores) {
    }

    public static void main(String[] args) throws Exception {
        double seconds = 6;
        int runs = 2;
        int images = 256;
        int batch = 32;
        int[] workers = {1, 2};
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--seconds" -> seconds = Double.parseDouble(args[++i]);
                case "--runs" -> runs = Integer.parseInt(args[++i]);
                case "--images" -> images = Integer.parseInt(args[++i]);
                case "--batch" -> batch = Integer.parseInt(args[++i]);
                case "--workers" -> workers = Stream.of(args[++i].split(",")).mapToInt(Integer::parseInt).toArray();
                default -> throw new IllegalArgumentException(
                        "usage: LoaderBench [--seconds S] [--runs N] [--images N] [--batch N] [--workers 1,2]");
            }
        }
        int cores = Runtime.getRuntime().availableProcessors();
        Path dir = Files.createTempDirectory("radapter-loader-bench");
        try {
            Map<String, Dataset> datasets = new LinkedHashMap<>();
            BenchFiles.writePhotoJpeg(dir.resolve("photo_500x375.jpg"), 500, 375);
            StringBuilder csv = new StringBuilder("filepath\ttitle\tclass\n");
            for (int i = 0; i < images; i++) {
                csv.append("photo_500x375.jpg\ta photo\t0\n");
            }
            Files.writeString(dir.resolve("photo.csv"), csv, StandardCharsets.UTF_8);
            datasets.put("500x375 JPEG x" + images, CsvDataset.read(dir.resolve("photo.csv")));
            SyntheticShapes shapes = SyntheticShapes.builder().seed(0).imageSize(SIZE).build();
            shapes.writeTo(dir.resolve("synthetic"), Split.TEST);
            Dataset synthetic = CsvDataset.read(dir.resolve("synthetic").resolve(Split.TEST.id() + ".csv"));
            datasets.put("synthetic " + SIZE + "px PNG x" + synthetic.size(), synthetic);

            System.out.println("machine: " + BenchFiles.machine());
            System.out.printf(Locale.ROOT, "DataLoader, ImageDecoder::decode + ClipPreprocess.eval(%d), batch %d, %d cores%n",
                    SIZE, batch, cores);
            System.out.printf(Locale.ROOT, "%-28s %-20s %7s %4s %10s %12s %11s %12s %13s%n", "dataset", "loader transform",
                    "workers", "run", "images/s", "vs 1 worker", "cores busy", "% of cores", "worker cores");
            ClipPreprocess pre = ClipPreprocess.eval(SIZE);
            for (Map.Entry<String, Dataset> d : datasets.entrySet()) {
                for (boolean direct : new boolean[] {false, true}) {
                    Map<Integer, Double> oneWorker = new LinkedHashMap<>();
                    for (int run = 1; run <= runs; run++) {
                        for (int w : workers) {
                            Result r = measure(d.getValue(), pre, direct, w, batch, seconds);
                            if (w == 1) {
                                oneWorker.put(run, r.imagesPerSecond());
                            }
                            Double base = oneWorker.get(run);
                            System.out.printf(Locale.ROOT, "%-28s %-20s %7d %4d %10.1f %12s %11.2f %11.0f%% %13.2f%n", d.getKey(),
                                    direct ? "preprocess(pre)" : "transform(pre::apply)", w, run, r.imagesPerSecond(),
                                    base == null ? "" : String.format(Locale.ROOT, "%.2fx", r.imagesPerSecond() / base),
                                    r.processCores(), 100 * r.processCores() / cores, r.workerCores());
                        }
                    }
                }
            }
        } finally {
            try (Stream<Path> walk = Files.walk(dir)) {
                for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    private static Result measure(Dataset dataset, ClipPreprocess pre, boolean direct, int workers, int batch, double seconds) {
        com.sun.management.OperatingSystemMXBean os =
                (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        DataLoader.Builder builder = DataLoader.builder(dataset).images(ImageDecoder::decode).batchSize(batch)
                .shuffle(false).workers(workers);
        builder = direct ? builder.preprocess(pre) : builder.transform(pre::apply);
        try (DataLoader loader = builder.build()) {
            int epoch = 0;
            count(loader, epoch++); // warm-up: JIT, thread start, file cache
            long cpu0 = os.getProcessCpuTime();
            long worker0 = workerCpu();
            long start = System.nanoTime();
            long images = 0;
            long elapsed;
            do {
                images += count(loader, epoch++);
                elapsed = System.nanoTime() - start;
            } while (elapsed < seconds * 1e9);
            double wall = elapsed / 1e9;
            return new Result(images / wall, (os.getProcessCpuTime() - cpu0) / 1e9 / wall, (workerCpu() - worker0) / 1e9 / wall);
        }
    }

    private static long count(DataLoader loader, int epoch) {
        long n = 0;
        try (DataLoader.Epoch batches = loader.epoch(epoch)) {
            for (Batch b : batches) {
                n += b.size();
            }
        }
        if (loader.skippedCount() != 0) {
            throw new IllegalStateException(loader.skippedCount() + " images failed to load");
        }
        return n;
    }

    /** Total CPU time of the live loader worker threads (named {@code radapter-loader-...}). */
    private static long workerCpu() {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long total = 0;
        List<Long> ids = new ArrayList<>();
        for (long id : threads.getAllThreadIds()) {
            ids.add(id);
        }
        for (ThreadInfo info : threads.getThreadInfo(ids.stream().mapToLong(Long::longValue).toArray())) {
            if (info != null && info.getThreadName().startsWith("radapter-loader-")) {
                long t = threads.getThreadCpuTime(info.getThreadId());
                if (t > 0) {
                    total += t;
                }
            }
        }
        return total;
    }
}
