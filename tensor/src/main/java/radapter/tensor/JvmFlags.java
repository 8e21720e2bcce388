package radapter.tensor;

import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The JVM flags radapter wants ({@code --add-modules=jdk.incubator.vector} for the {@code cpu}
 * backend, {@code --enable-native-access=ALL-UNNAMED} for the GPU drivers bound through FFM), and
 * one warning, logged once per JVM through {@link System.Logger}, when some are missing. A program
 * embedding radapter still runs without them, on the scalar {@code reference} backend.
 */
public final class JvmFlags {
    private static final System.Logger LOG = System.getLogger("radapter");
    private static final AtomicBoolean REPORTED = new AtomicBoolean();

    private JvmFlags() {
    }

    /** Whether the Vector API module was added to this JVM. */
    public static boolean vectorApi() {
        return ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();
    }

    /**
     * Whether this JVM was started with native access enabled for radapter's code
     * ({@code --enable-native-access=ALL-UNNAMED} on the class path, or the module's name), so
     * the GPU drivers bind without the JDK's warnings. Read from the JVM's arguments because
     * {@link Module#isNativeAccessEnabled()} also says true while the JDK merely warns.
     */
    public static boolean nativeAccess() {
        Module m = JvmFlags.class.getModule();
        String who = m.isNamed() ? m.getName() : "ALL-UNNAMED";
        for (String a : java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (a.startsWith("--enable-native-access=") && List.of(a.substring("--enable-native-access=".length()).split(",")).contains(who)
                    || a.equals("--illegal-native-access=allow")) {
                return true;
            }
        }
        return false;
    }

    /** The flags this JVM lacks, as they would be written on the command line. */
    public static List<String> missing() {
        List<String> m = new ArrayList<>();
        if (!vectorApi()) {
            m.add("--add-modules=jdk.incubator.vector");
        }
        if (!nativeAccess()) {
            m.add("--enable-native-access=" + (JvmFlags.class.getModule().isNamed() ? JvmFlags.class.getModule().getName() : "ALL-UNNAMED"));
        }
        return m;
    }

    /** Logs {@code consequence} and the missing flags, the first time only. */
    static void reportOnce(String consequence) {
        if (REPORTED.compareAndSet(false, true)) {
            LOG.log(Level.WARNING, "radapter: " + consequence + ". Start java with " + String.join(" ", missing())
                    + " (radapter's jvm.options lists them; Maven: surefire argLine, exec:java via .mvn/jvm.config).");
        }
    }
}
