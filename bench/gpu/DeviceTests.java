import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectPackage;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.platform.engine.DiscoverySelector;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.launcher.listeners.TestExecutionSummary;

/**
 * Runs JUnit test classes on a machine without Maven (the GPU machine of bench/gpu/run-device.sh):
 * prints every test with its outcome (skip reasons included, so a parity run that silently found
 * no cuda backend shows), the failures with stack traces, and a closing "N passed, N failed, N
 * skipped" line. Arguments: class names, or package:NAME for every test class of a package.
 */
public final class DeviceTests {
    private DeviceTests() {
    }

    public static void main(String[] args) {
        List<DiscoverySelector> selectors = new ArrayList<>();
        for (String a : args) {
            selectors.add(a.startsWith("package:") ? selectPackage(a.substring("package:".length())) : selectClass(a));
        }
        LauncherDiscoveryRequest request = LauncherDiscoveryRequestBuilder.request().selectors(selectors).build();
        Launcher launcher = LauncherFactory.create();
        SummaryGeneratingListener summary = new SummaryGeneratingListener();
        AtomicLong passed = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        AtomicLong skipped = new AtomicLong();
        TestExecutionListener printer = new TestExecutionListener() {
            @Override
            public void executionSkipped(TestIdentifier id, String reason) {
                skipped.incrementAndGet();
                System.out.println("SKIP " + id.getLegacyReportingName() + " " + id.getDisplayName() + ": " + reason);
            }

            @Override
            public void executionFinished(TestIdentifier id, TestExecutionResult result) {
                if (!id.isTest()) {
                    return;
                }
                String name = id.getUniqueIdObject().getSegments().stream()
                        .filter(s -> s.getType().equals("class")).map(s -> s.getValue().replaceFirst(".*\\.", ""))
                        .findFirst().orElse("") + " " + id.getDisplayName();
                switch (result.getStatus()) {
                    case SUCCESSFUL -> {
                        passed.incrementAndGet();
                        System.out.println("PASS " + name);
                    }
                    case ABORTED -> {
                        skipped.incrementAndGet();
                        System.out.println("SKIP " + name + ": " + result.getThrowable().map(Throwable::getMessage).orElse(""));
                    }
                    case FAILED -> {
                        failed.incrementAndGet();
                        System.out.println("FAIL " + name + ": " + result.getThrowable().map(Throwable::toString).orElse(""));
                    }
                }
            }
        };
        long t0 = System.nanoTime();
        launcher.execute(request, summary, printer);
        TestExecutionSummary s = summary.getSummary();
        PrintWriter out = new PrintWriter(System.out, true);
        s.printFailuresTo(out, 40);
        s.printTo(out);
        System.out.printf("device tests took %.1f s%n", (System.nanoTime() - t0) / 1e9);
        System.out.println(passed.get() + " passed, " + failed.get() + " failed, " + skipped.get() + " skipped");
        System.exit(failed.get() == 0 && s.getTotalFailureCount() == 0 ? 0 : 1);
    }
}
