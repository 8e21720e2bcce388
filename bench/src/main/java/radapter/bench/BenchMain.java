package radapter.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.CommandLineOptionException;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import radapter.tensor.cpu.Sgemm;

/**
 * Runs the JMH benchmarks with radapter's JVM flags and prints a GFLOP/s summary.
 *
 * <p>Arguments are JMH's own ({@code [regexp...] -f -wi -i -w -r -p shape=... -bm ...}); with no
 * benchmark regexp it runs {@code SgemmBench} and {@code SgemmNaiveBench}. Forked JVMs get
 * {@code @jvm.options} appended to their command line: the file is {@code -Dradapter.jvmOptions}
 * if set, else the first {@code jvm.options} found walking up from the working directory or from
 * the benchmarks jar. After the run, every result whose benchmark has an {@code MxNxK} {@code
 * shape} parameter is converted to GFLOP/s (2 M N K per op) and tabulated per shape.
 */
public final class BenchMain {

    private static final Set<String> DELEGATE_FLAGS = Set.of("-h", "-l", "-lp", "-lrf", "-lprof");

    private BenchMain() {}

    public static void main(String[] args) throws RunnerException, CommandLineOptionException, IOException {
        for (String arg : args) {
            if (DELEGATE_FLAGS.contains(arg)) {
                org.openjdk.jmh.Main.main(args);
                return;
            }
        }
        CommandLineOptions cli = new CommandLineOptions(args);
        OptionsBuilder builder = new OptionsBuilder();
        builder.parent(cli);
        if (cli.getIncludes().isEmpty()) {
            builder.include("radapter\\.bench\\.Sgemm.*");
        }
        Path jvmOptions = findJvmOptions();
        List<String> append = new ArrayList<>(cli.getJvmArgsAppend().orElse(List.of()));
        if (jvmOptions != null) {
            append.add("@" + jvmOptions);
        } else {
            System.err.println("warning: jvm.options not found (set -Dradapter.jvmOptions=PATH); "
                    + "forks inherit this JVM's flags only");
        }
        builder.jvmArgsAppend(append.toArray(String[]::new));
        Options options = builder.build();

        System.out.println("# radapter SGEMM: " + Sgemm.describe());
        System.out.println("# JVM flags file: " + (jvmOptions == null ? "(none)" : jvmOptions));
        System.out.println("# " + environment());
        Collection<RunResult> results = new Runner(options).run();
        printSummary(results);
    }

    /** Locates jvm.options: the system property, then upwards from the cwd, then from the jar. */
    static Path findJvmOptions() {
        String prop = System.getProperty("radapter.jvmOptions");
        if (prop != null && !prop.isBlank()) {
            Path p = Path.of(prop).toAbsolutePath().normalize();
            if (!Files.isRegularFile(p)) {
                throw new IllegalArgumentException("radapter.jvmOptions points to a missing file: " + p);
            }
            return p;
        }
        List<Path> starts = new ArrayList<>();
        starts.add(Path.of("").toAbsolutePath());
        try {
            var source = BenchMain.class.getProtectionDomain().getCodeSource();
            if (source != null) {
                starts.add(Path.of(source.getLocation().toURI()).toAbsolutePath());
            }
        } catch (Exception ignored) {
            // no jar location: the cwd walk is enough
        }
        for (Path start : starts) {
            for (Path dir = start; dir != null; dir = dir.getParent()) {
                Path candidate = dir.resolve("jvm.options");
                if (Files.isRegularFile(candidate)) {
                    return candidate.normalize();
                }
            }
        }
        return null;
    }

    static String environment() {
        String cpu = "unknown CPU";
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) {
                    cpu = line.substring(line.indexOf(':') + 1).trim();
                    break;
                }
            }
        } catch (IOException | RuntimeException ignored) {
            // not Linux
        }
        return cpu + ", " + Runtime.getRuntime().availableProcessors() + " CPUs, Java "
                + System.getProperty("java.vm.version") + " (" + System.getProperty("java.vm.vendor") + ")";
    }

    /** Seconds per operation from a JMH score in any time-per-op or ops-per-time unit. */
    static double secondsPerOp(double score, String unit) {
        String[] parts = unit.split("/");
        if (parts.length != 2) {
            return Double.NaN;
        }
        if (parts[1].equals("op")) {
            return score * seconds(parts[0]);
        }
        if (parts[0].equals("ops")) {
            return seconds(parts[1]) / score;
        }
        return Double.NaN;
    }

    private static double seconds(String unit) {
        return switch (unit) {
            case "ns" -> 1e-9;
            case "us" -> 1e-6;
            case "ms" -> 1e-3;
            case "s" -> 1;
            case "min" -> 60;
            default -> Double.NaN;
        };
    }

    /** Columns of the main table, in order (SgemmBench and SgemmNaiveBench methods). */
    private static final List<String> COLUMNS = List.of("radapter", "ojalgoR032", "ojalgoR064", "naive");

    /**
     * FLOPs of one op for a {@code shape} parameter: {@code MxNxK} (2 M N K) or {@code BxMxNxK}
     * (2 B M N K), optionally followed by {@code :suffix}; NaN if it is neither.
     */
    static double flops(String shape) {
        if (shape == null) {
            return Double.NaN;
        }
        String dims = shape.split(":")[0];
        if (!dims.matches("\\d+(x\\d+){2,3}")) {
            return Double.NaN;
        }
        double f = 2;
        for (String d : dims.split("x")) {
            f *= Long.parseLong(d);
        }
        return f;
    }

    static void printSummary(Collection<RunResult> results) {
        Map<String, Map<String, Double>> table = new LinkedHashMap<>();
        List<String> extra = new ArrayList<>();
        for (RunResult r : results) {
            String shape = r.getParams().getParam("shape");
            double flops = flops(shape);
            if (Double.isNaN(flops)) {
                continue;
            }
            String bench = r.getParams().getBenchmark();
            String method = bench.substring(bench.lastIndexOf('.') + 1);
            String cls = bench.substring(0, bench.lastIndexOf('.'));
            cls = cls.substring(cls.lastIndexOf('.') + 1);
            double spo = secondsPerOp(r.getPrimaryResult().getScore(), r.getPrimaryResult().getScoreUnit());
            double gflops = flops / spo / 1e9;
            if (cls.equals("SgemmBench") || cls.equals("SgemmNaiveBench")) {
                table.computeIfAbsent(shape, s -> new LinkedHashMap<>()).put(method, gflops);
            } else {
                StringBuilder params = new StringBuilder();
                for (String key : r.getParams().getParamsKeys()) {
                    params.append(params.isEmpty() ? "" : ", ").append(key).append('=')
                            .append(r.getParams().getParam(key));
                }
                extra.add(String.format(Locale.ROOT, "%-36s %-40s %8.1f GFLOP/s  (%.3f ms/op)",
                        cls + "." + method, params, gflops, spo * 1e3));
            }
        }
        StringBuilder out = new StringBuilder();
        if (!table.isEmpty()) {
            out.append(String.format(Locale.ROOT, "%n== SGEMM summary (GFLOP/s, higher is better; shape = MxNxK) ==%n"));
            out.append(String.format(Locale.ROOT, "%-16s", "shape"));
            for (String col : COLUMNS) {
                out.append(String.format(Locale.ROOT, " %12s", col));
            }
            out.append(String.format(Locale.ROOT, " %16s%n", "radapter/ojAlgo"));
            for (var row : table.entrySet()) {
                out.append(String.format(Locale.ROOT, "%-16s", row.getKey()));
                for (String col : COLUMNS) {
                    Double v = row.getValue().get(col);
                    out.append(v == null ? String.format(Locale.ROOT, " %12s", "skipped")
                            : String.format(Locale.ROOT, " %12.1f", v));
                }
                Double ours = row.getValue().get("radapter");
                double best = Double.NaN;
                for (String oj : List.of("ojalgoR032", "ojalgoR064")) {
                    Double v = row.getValue().get(oj);
                    if (v != null && !(v <= best)) {
                        best = v;
                    }
                }
                out.append(ours == null || Double.isNaN(best) ? String.format(Locale.ROOT, " %16s%n", "-")
                        : String.format(Locale.ROOT, " %15.2fx%n", ours / best));
            }
            out.append("(radapter/ojAlgo: against the faster of ojAlgo's float32 and float64 stores; "
                    + "skipped = not run)\n");
        }
        if (!extra.isEmpty()) {
            out.append(String.format(Locale.ROOT, "%n== Other SGEMM benchmarks ==%n"));
            for (String line : extra) {
                out.append(line).append('\n');
            }
        }
        System.out.print(out);
    }
}
