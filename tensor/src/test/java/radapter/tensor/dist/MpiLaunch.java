package radapter.tensor.dist;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Starts a Java main class under {@code mpirun -np N} with this JVM, the project's JVM flags and
 * the test class path, for tests of MPI-launched code. Absent {@code mpirun}, {@link #available()}
 * is false and the tests skip.
 */
public final class MpiLaunch {
    private MpiLaunch() {
    }

    /** Why MPI tests cannot run here, or null when they can. */
    public static String unavailableReason() {
        if (findMpirun() == null) {
            return "mpirun not found (install openmpi-bin libopenmpi-dev to run the MPI tests)";
        }
        return null;
    }

    /** What the processes printed (stdout and stderr, interleaved), and the launcher's exit code. */
    public record Outcome(int exitCode, String output) {
    }

    /** Runs {@code main} with {@code args} on {@code n} processes; fails after {@code timeoutSeconds}. */
    public static Outcome run(int n, long timeoutSeconds, Class<?> main, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(findMpirun().toString(), "-np", Integer.toString(n), "--oversubscribe",
                "--mca", "btl", "self,vader", Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "@" + jvmOptions(), "-cp", System.getProperty("java.class.path")));
        // The project's own settings (where the fixtures are, which backend) travel to the children.
        System.getProperties().stringPropertyNames().stream().filter(k -> k.startsWith("radapter.")).sorted()
                .forEach(k -> cmd.add("-D" + k + "=" + System.getProperty(k)));
        cmd.add(main.getName());
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        // Containers and CI often run as root; Open MPI refuses that unless told it is intended.
        pb.environment().put("OMPI_ALLOW_RUN_AS_ROOT", "1");
        pb.environment().put("OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1");
        pb.environment().remove("OMPI_COMM_WORLD_SIZE");
        Process p = pb.start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException("mpirun did not finish in " + timeoutSeconds + " s");
        }
        return new Outcome(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }

    private static Path findMpirun() {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            Path p = Path.of(dir.isEmpty() ? "." : dir, "mpirun");
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        return null;
    }

    /** The project's jvm.options, found upwards from the working folder (a module folder under surefire). */
    private static Path jvmOptions() {
        for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
            if (Files.isRegularFile(d.resolve("jvm.options"))) {
                return d.resolve("jvm.options");
            }
        }
        throw new IllegalStateException("jvm.options not found above " + Path.of("").toAbsolutePath());
    }
}
