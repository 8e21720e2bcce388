package radapter.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A JVM started without radapter's flags (as a Maven user's program would be) runs on the scalar
 * {@code reference} backend, never on an OpenCL device found by chance, and says why once.
 */
class JvmFlagsFallbackTest {

    /** Run in the child JVM: two ops, then the backend they ran on. */
    public static void main(String[] args) {
        Tensor a = Tensor.randn(new Rng(1), 4, 4);
        a.matmul(a).sum().item();
        a.add(a).mean().item();
        System.out.println("backend=" + Backends.current().name() + " missing=" + JvmFlags.missing());
    }

    @Test
    void withoutTheFlagsTheReferenceBackendRunsAndTheWarningComesOnce() throws IOException, InterruptedException {
        String java = ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        Process p = new ProcessBuilder(List.of(java, "-cp", System.getProperty("java.class.path"), JvmFlagsFallbackTest.class.getName()))
                .redirectErrorStream(true).start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "child JVM did not finish");
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), out);
        assertTrue(out.contains("backend=reference missing=[--add-modules=jdk.incubator.vector, --enable-native-access=ALL-UNNAMED]"), out);
        long warnings = out.lines().filter(l -> l.contains("radapter: running on the 'reference' backend")).count();
        assertEquals(1, warnings, out);
        assertTrue(out.contains("--add-modules=jdk.incubator.vector --enable-native-access=ALL-UNNAMED"), out);
    }

    @Test
    void withTheFlagsNothingIsMissing() {
        assertEquals(List.of(), JvmFlags.missing(), "surefire passes jvm.options");
    }
}
