package radapter.cli;

import java.util.concurrent.Callable;
import jdk.incubator.vector.FloatVector;
import picocli.CommandLine.Command;
import radapter.tensor.Backend;
import radapter.tensor.Backends;

/** {@code radapter info}: the runtime, the vector width and every backend with its availability. */
@Command(name = "info", mixinStandardHelpOptions = true, description = "Show the JVM, CPU vector width and compute backends.")
final class InfoCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        System.out.printf("java      %s (%s)%n", System.getProperty("java.version"), System.getProperty("java.vm.name"));
        System.out.printf("cpu       %d cores, preferred float vector %d lanes (%d bits)%n",
                Runtime.getRuntime().availableProcessors(), FloatVector.SPECIES_PREFERRED.length(),
                FloatVector.SPECIES_PREFERRED.vectorBitSize());
        System.out.println("backends  (current: " + Backends.current().name() + ")");
        for (Backend b : Backends.all()) {
            System.out.printf("  %-10s priority %-3d %s%n", b.name(), b.priority(),
                    b.isAvailable() ? "available" : "unavailable: " + b.unavailableReason());
        }
        return 0;
    }
}
