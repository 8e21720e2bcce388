package radapter.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code radapter bench}: runs the end-to-end benchmarks (bench module) in a fresh JVM and prints
 * their table of ratios against whatever peers are installed (PyTorch through python3). The CLI
 * does not link the benchmark code (nothing depends on bench); it launches its jar.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Run the end-to-end ViT-B/16 benchmarks and print ratios against installed peers (PyTorch).")
final class BenchCommand implements Callable<Integer> {
    @Mixin
    Console console;

    @Option(names = "--what", defaultValue = "image,text,train", description = "Any of image, text, train.")
    String what;

    @Option(names = "--reps", defaultValue = "2", description = "Timed repetitions; the best is reported.")
    int reps;

    @Option(names = "--peer-python", paramLabel = "PYTHON",
            description = "The Python (with torch) that runs the PyTorch peer; default: $RADAPTER_PEER_PYTHON, the venv of ../shared/tools/torch-venv.sh, python3.")
    String peerPython;

    @Option(names = "--no-peer", description = "Measure radapter only.")
    boolean noPeer;

    @Option(names = "--jmh", description = "Also run the JMH micro-benchmarks (sgemm, softmax, layer norm, autograd); takes long.")
    boolean jmh;

    @Override
    public Integer call() throws Exception {
        Path root = repoRoot();
        Path jar = root.resolve("bench/target/benchmarks.jar");
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("the benchmarks are not built; run: ./mvnw -q -pl bench -am package -DskipTests");
        }
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> cmd = new ArrayList<>(List.of(java, "@" + root.resolve("jvm.options"), "-Xmx8g", "-cp", jar.toString(),
                "radapter.bench.e2e.ClipBench", "--what", what, "--reps", Integer.toString(reps)));
        if (peerPython != null) {
            cmd.addAll(List.of("--peer-python", peerPython));
        }
        if (noPeer) {
            cmd.add("--no-peer");
        }
        int code = new ProcessBuilder(cmd).directory(root.toFile()).inheritIO().start().waitFor();
        if (code == 0 && jmh) {
            code = new ProcessBuilder(List.of(java, "@" + root.resolve("jvm.options"), "-jar", jar.toString()))
                    .directory(root.toFile()).inheritIO().start().waitFor();
        }
        return code;
    }

    /** The checkout this CLI runs from: the first folder upwards holding {@code jvm.options} and {@code bench/}. */
    static Path repoRoot() {
        String home = System.getProperty("radapter.home");
        if (home != null && Files.isRegularFile(Path.of(home, "jvm.options"))) {
            return Path.of(home);
        }
        Path p = Path.of("").toAbsolutePath();
        while (p != null) {
            if (Files.isRegularFile(p.resolve("jvm.options")) && Files.isDirectory(p.resolve("bench"))) {
                return p;
            }
            p = p.getParent();
        }
        throw new IllegalStateException("run radapter bench from inside the radapter checkout (jvm.options and bench/ not found)");
    }
}
