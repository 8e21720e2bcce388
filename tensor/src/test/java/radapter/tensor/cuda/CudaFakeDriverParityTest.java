package radapter.tensor.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import radapter.tensor.opencl.OpenClDriver;

/**
 * The tensor parity suite ({@code radapter.tensor.BackendParityTest}, unchanged) on the
 * {@code cuda} backend over the fake driver: every op through {@link CudaBackend},
 * {@link CudaDriver} and the {@link CudaApi} downcalls, executed by the fake on OpenCL (PoCL).
 *
 * <p>It runs in a child JVM because a device backend has to be the registered one (tensors on
 * {@code cuda:0} find their backend by device, and {@code BackendParityTest} finds backends by
 * name): the child sets {@code -Dradapter.cuda.symbols=} and {@code -Dradapter.cuda.images=} to
 * {@link FakeCudaSymbols}, so the service-loaded backend opens the fake, while this JVM's
 * {@code cuda} stays the real, unavailable one and no other test sees a fake GPU. The child hides
 * the {@code opencl} backend ({@code -Dradapter.opencl.device=-1}; the fake opens its OpenCL
 * device by index), whose parity the normal run already covers, so it compares only {@code cpu}
 * and {@code cuda} with {@code reference}. It also runs {@link FakeDeviceChecks}.
 */
class CudaFakeDriverParityTest {
    private static final Pattern COUNTS = Pattern.compile("(?m)^(cuda|all): (\\d+) passed, (\\d+) failed, (\\d+) skipped$");

    @Test
    @Timeout(value = 10, unit = TimeUnit.MINUTES)
    void paritySuiteOnCudaOverTheFakeDriver() throws IOException, InterruptedException {
        String problem = OpenClDriver.problem();
        Assumptions.assumeTrue(problem == null, () -> "skipped: the fake CUDA driver executes kernels on OpenCL, which is not usable here: " + problem);
        int openclDevice = OpenClDriver.defaultIndex();

        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        // The same JVM flags as this one (native access, the vector module, heap), then the fake.
        for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (!arg.startsWith("-agentlib") && !arg.startsWith("-javaagent")) {
                cmd.add(arg);
            }
        }
        for (String prop : new String[] {"radapter.shared", "radapter.testdata", "radapter.parity.seeds"}) {
            if (System.getProperty(prop) != null) {
                cmd.add("-D" + prop + "=" + System.getProperty(prop));
            }
        }
        cmd.add("-D" + CudaApi.SYMBOLS_PROPERTY + "=" + FakeCudaSymbols.class.getName());
        cmd.add("-D" + CudaModuleImages.PROPERTY + "=" + FakeCudaSymbols.Images.class.getName());
        cmd.add("-D" + FakeCudaSymbols.OPENCL_PROPERTY + "=" + openclDevice);
        cmd.add("-D" + OpenClDriver.DEVICE_PROPERTY + "=-1");
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(FakeCudaChild.class.getName());
        cmd.add("radapter.tensor.BackendParityTest");
        cmd.add(FakeDeviceChecks.class.getName());

        Path log = Files.createTempFile("radapter-fake-cuda-parity", ".log");
        Process child = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!child.waitFor(9, TimeUnit.MINUTES)) {
            child.destroyForcibly();
            fail("the child JVM did not finish in 9 minutes; its output is in " + log);
        }
        String out = Files.readString(log, StandardCharsets.UTF_8);
        Files.deleteIfExists(log);
        // Shown in the test report: the counts, the fake-only checks and any failure.
        System.out.println(out.lines().filter(l -> l.startsWith("cuda:") || l.startsWith("all:") || l.startsWith("FAIL")
                || l.contains("FakeDeviceChecks")).reduce((a, b) -> a + "\n" + b).orElse(out));

        Matcher m = COUNTS.matcher(out);
        int[] cuda = null;
        int[] all = null;
        while (m.find()) {
            int[] c = {Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3)), Integer.parseInt(m.group(4))};
            if (m.group(1).equals("cuda")) {
                cuda = c;
            } else {
                all = c;
            }
        }
        if (cuda == null || all == null) {
            fail("the child JVM ended (exit " + child.exitValue() + ") without its summary:\n" + tail(out));
        }
        assertEquals(0, all[1], () -> "failures in the child JVM:\n" + tail(out));
        assertEquals(0, child.exitValue(), () -> tail(out));
        assertTrue(cuda[0] >= 20, () -> "expected the parity cases to run on cuda, but only " + cuda(out));
        assertEquals(3, out.lines().filter(l -> l.startsWith("PASS FakeDeviceChecks")).count(), () -> "FakeDeviceChecks did not all pass:\n"
                + out.lines().filter(l -> l.contains("FakeDeviceChecks")).reduce((a, b) -> a + "\n" + b).orElse("(not run)"));
    }

    private static String cuda(String out) {
        return out.lines().filter(l -> l.startsWith("cuda:")).findFirst().orElse("(no count)");
    }

    private static String tail(String out) {
        List<String> lines = out.lines().toList();
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 200), lines.size()));
    }
}
