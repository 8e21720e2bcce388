package radapter.tensor;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;

/**
 * Finds backends with {@link ServiceLoader} and says which one runs the ops. The default is the
 * one named by {@code -Dradapter.backend=NAME}, else the available backend with the highest
 * priority. {@link #use(String)} switches the current thread temporarily (the parity suite and the
 * CLI's {@code --backend} use it).
 */
public final class Backends {
    private static final Map<String, Backend> ALL = discover();
    private static final ThreadLocal<Backend> OVERRIDE = new ThreadLocal<>();
    private static volatile Backend defaultBackend;

    private Backends() {
    }

    private static Map<String, Backend> discover() {
        List<Backend> found = new ArrayList<>();
        for (ServiceLoader.Provider<Backend> p : ServiceLoader.load(Backend.class).stream().toList()) {
            try {
                found.add(p.get());
            } catch (Throwable t) {
                // A broken provider must not take the others down; it simply is not offered.
                System.getLogger(Backends.class.getName()).log(System.Logger.Level.WARNING,
                        "radapter: backend " + p.type().getName() + " failed to load: " + t);
            }
        }
        found.sort(Comparator.comparingInt(Backend::priority).reversed());
        Map<String, Backend> byName = new LinkedHashMap<>();
        for (Backend b : found) {
            byName.putIfAbsent(b.name(), b);
        }
        return byName;
    }

    /** Every discovered backend, available or not, highest priority first. */
    public static List<Backend> all() {
        return List.copyOf(ALL.values());
    }

    /** The discovered backends that can run here. */
    public static List<Backend> available() {
        return ALL.values().stream().filter(Backend::isAvailable).toList();
    }

    /** The backend called {@code name}, with a clear error when it is unknown or cannot run here. */
    public static Backend get(String name) {
        Backend b = ALL.get(name);
        if (b == null) {
            throw new IllegalArgumentException("unknown backend '" + name + "'; known: " + ALL.keySet());
        }
        if (!b.isAvailable()) {
            throw new IllegalStateException("backend '" + name + "' is not available here: " + b.unavailableReason());
        }
        return b;
    }

    /** The always-present scalar backend every other one is checked against. */
    public static Backend reference() {
        return get("reference");
    }

    /** The backend ops run on in this thread right now. */
    public static Backend current() {
        Backend b = OVERRIDE.get();
        return b != null ? b : defaultBackend();
    }

    /** {@link #current()}, unless it does not compute in {@code dtype}; then {@code reference}. */
    public static Backend forDtype(DType dtype) {
        Backend b = current();
        return b.supports(dtype) ? b : reference();
    }

    /**
     * The backend an op over {@code inputs} runs on: the backend owning the inputs' device when
     * any input lives on an accelerator (host inputs are then transferred by that backend, like
     * PyTorch's CPU scalars next to CUDA tensors), else {@link #forDtype}. Inputs on two different
     * devices are an error.
     */
    public static Backend forOp(DType dtype, Tensor... inputs) {
        Device device = null;
        for (Tensor t : inputs) {
            if (t == null || t.device().equals(Device.CPU)) {
                continue;
            }
            if (device != null && !device.equals(t.device())) {
                throw new IllegalArgumentException("expected all tensors on one device, found "
                        + device + " and " + t.device());
            }
            device = t.device();
        }
        if (device == null) {
            return forDtype(dtype);
        }
        Backend b = forDevice(device);
        if (!b.supports(dtype)) {
            throw new IllegalArgumentException(dtype + " is not supported on " + device
                    + " (backend '" + b.name() + "'); convert with .to(DType.F32) first");
        }
        return b;
    }

    /** The available backend that computes on {@code device}. */
    public static Backend forDevice(Device device) {
        if (device.equals(Device.CPU)) {
            Backend b = current();
            return b.device().equals(Device.CPU) ? b : reference();
        }
        for (Backend b : ALL.values()) {
            if (b.device().equals(device) && b.isAvailable()) {
                return b;
            }
        }
        throw new IllegalArgumentException("no available backend runs on device " + device
                + "; available: " + available().stream().map(x -> x.name() + "=" + x.device()).toList());
    }

    private static Backend defaultBackend() {
        Backend b = defaultBackend;
        if (b == null) {
            synchronized (Backends.class) {
                if (defaultBackend == null) {
                    String requested = System.getProperty("radapter.backend");
                    defaultBackend = requested != null && !requested.isBlank()
                            ? get(requested.trim())
                            : hostDefault();
                }
                b = defaultBackend;
            }
        }
        return b;
    }

    /**
     * The default when none is named: the first available backend by priority that computes on
     * the host. A GPU backend is never chosen implicitly: with {@code cpu} unavailable (the JVM
     * started without the Vector API) an OpenCL platform found by chance is often an emulation
     * (PoCL) that is slower than the scalar code and gives no sign of it. When {@code cpu} cannot
     * run, the JVM flags that are missing are logged once, through {@link System.Logger}.
     */
    private static Backend hostDefault() {
        Backend chosen = ALL.values().stream().filter(b -> b.computesOnHost() && b.isAvailable()).findFirst()
                .orElseGet(Backends::reference);
        Backend best = ALL.get("cpu");
        if (best != null && chosen != best && !best.isAvailable()) {
            JvmFlags.reportOnce("running on the '" + chosen.name() + "' backend (scalar, much slower) because the 'cpu' backend cannot: "
                    + best.unavailableReason());
        }
        return chosen;
    }

    /** Makes {@code name} the process-wide default. */
    public static void setDefault(String name) {
        defaultBackend = get(name);
    }

    /**
     * Runs this thread's ops on {@code name} until the returned handle is closed.
     * <pre>{@code try (var ignored = Backends.use("reference")) { ... } }</pre>
     */
    public static Selection use(String name) {
        return use(get(name));
    }

    /** As {@link #use(String)}, with the backend itself. */
    public static Selection use(Backend backend) {
        Backend previous = OVERRIDE.get();
        OVERRIDE.set(backend);
        return () -> OVERRIDE.set(previous);
    }

    /** Restores the previous selection when closed. */
    public interface Selection extends AutoCloseable {
        @Override
        void close();
    }
}
