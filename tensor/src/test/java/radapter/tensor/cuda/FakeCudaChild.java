package radapter.tensor.cuda;

import java.lang.reflect.Array;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The main class of {@link CudaFakeDriverParityTest}'s child JVM: runs the given test classes
 * with the JUnit Platform launcher and prints one line per test, the failures with their stack
 * traces, and closing counts for the tests whose name mentions {@code cuda} and for all tests.
 * Exits 1 when a test failed.
 *
 * <p>The launcher is reached by reflection: it is on the class path whenever tests run (Surefire
 * puts it there) but not a compile-time dependency of the tensor module's tests.
 */
public final class FakeCudaChild {
    private FakeCudaChild() {
    }

    /**
     * Entry point.
     *
     * @param args fully qualified test class names
     * @throws Exception when the launcher cannot be driven
     */
    public static void main(String[] args) throws Exception {
        ClassLoader loader = FakeCudaChild.class.getClassLoader();
        Class<?> selectors = Class.forName("org.junit.platform.engine.discovery.DiscoverySelectors", true, loader);
        Class<?> selectorType = Class.forName("org.junit.platform.engine.DiscoverySelector", true, loader);
        Object selected = Array.newInstance(selectorType, args.length);
        for (int i = 0; i < args.length; i++) {
            Array.set(selected, i, selectors.getMethod("selectClass", String.class).invoke(null, args[i]));
        }
        Class<?> builderType = Class.forName("org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder", true, loader);
        Object builder = builderType.getMethod("request").invoke(null);
        builderType.getMethod("selectors", selected.getClass()).invoke(builder, selected);
        Object request = builderType.getMethod("build").invoke(builder);
        Object launcher = Class.forName("org.junit.platform.launcher.core.LauncherFactory", true, loader).getMethod("create").invoke(null);
        Class<?> listenerType = Class.forName("org.junit.platform.launcher.TestExecutionListener", true, loader);

        AtomicInteger[] all = {new AtomicInteger(), new AtomicInteger(), new AtomicInteger()};
        AtomicInteger[] cuda = {new AtomicInteger(), new AtomicInteger(), new AtomicInteger()};
        InvocationHandler handler = (proxy, method, a) -> {
            switch (method.getName()) {
                case "executionSkipped" -> {
                    String name = name(a[0]);
                    count(name, 2, all, cuda);
                    System.out.println("SKIP " + name + ": " + a[1]);
                }
                case "executionFinished" -> {
                    if (!(boolean) a[0].getClass().getMethod("isTest").invoke(a[0])) {
                        return null;
                    }
                    String name = name(a[0]);
                    String status = a[1].getClass().getMethod("getStatus").invoke(a[1]).toString();
                    Optional<?> thrown = (Optional<?>) a[1].getClass().getMethod("getThrowable").invoke(a[1]);
                    switch (status) {
                        case "SUCCESSFUL" -> {
                            count(name, 0, all, cuda);
                            System.out.println("PASS " + name);
                        }
                        case "ABORTED" -> {
                            count(name, 2, all, cuda);
                            System.out.println("SKIP " + name + ": " + thrown.map(t -> ((Throwable) t).getMessage()).orElse(""));
                        }
                        default -> {
                            count(name, 1, all, cuda);
                            System.out.println("FAIL " + name);
                            thrown.ifPresent(t -> ((Throwable) t).printStackTrace(System.out));
                        }
                    }
                }
                case "hashCode" -> {
                    return System.identityHashCode(proxy);
                }
                case "equals" -> {
                    return proxy == a[0];
                }
                case "toString" -> {
                    return "FakeCudaChild listener";
                }
                default -> {
                    // the other notifications are not needed
                }
            }
            return null;
        };
        Object listener = Proxy.newProxyInstance(loader, new Class<?>[] {listenerType}, handler);
        Object listeners = Array.newInstance(listenerType, 1);
        Array.set(listeners, 0, listener);
        Class<?> requestType = Class.forName("org.junit.platform.launcher.LauncherDiscoveryRequest", true, loader);
        Method execute = Class.forName("org.junit.platform.launcher.Launcher", true, loader).getMethod("execute", requestType,
                listeners.getClass());
        execute.invoke(launcher, request, listeners);
        System.out.println("cuda: " + cuda[0] + " passed, " + cuda[1] + " failed, " + cuda[2] + " skipped");
        System.out.println("all: " + all[0] + " passed, " + all[1] + " failed, " + all[2] + " skipped");
        System.out.flush();
        System.exit(all[1].get() == 0 ? 0 : 1);
    }

    /** "Class method {display name}" of a TestIdentifier (the display name carries the backend of parity cases). */
    private static String name(Object id) throws ReflectiveOperationException {
        String legacy = (String) id.getClass().getMethod("getLegacyReportingName").invoke(id);
        String unique = id.getClass().getMethod("getUniqueId").invoke(id).toString();
        String cls = unique.replaceAll(".*\\[class:([^\\]]*)\\].*", "$1").replaceFirst(".*\\.", "");
        String display = (String) id.getClass().getMethod("getDisplayName").invoke(id);
        return cls + " " + legacy + (legacy.contains(display) ? "" : " {" + display + "}");
    }

    private static void count(String name, int outcome, AtomicInteger[] all, AtomicInteger[] cuda) {
        all[outcome].incrementAndGet();
        if (name.contains("cuda")) {
            cuda[outcome].incrementAndGet();
        }
    }
}
