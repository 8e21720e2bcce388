package radapter.models.nn;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;
import radapter.autograd.Variable;

/**
 * Optional capture of named intermediate activations ({@code vision.block0.ln_1}, ...), used by
 * parity tests against the golden fixtures and for debugging. When no capture is running,
 * {@link #record} is a thread-local read and nothing else.
 */
public final class Trace {
    private static final ThreadLocal<Trace> ACTIVE = new ThreadLocal<>();

    private final Map<String, radapter.tensor.Tensor> values = new LinkedHashMap<>();
    private final Deque<String> prefixes = new ArrayDeque<>();

    private Trace() {
    }

    /** Runs {@code body} and returns what it recorded (references to the values, not copies). */
    public static <T> Map<String, radapter.tensor.Tensor> capture(Supplier<T> body) {
        Trace t = new Trace();
        Trace saved = ACTIVE.get();
        ACTIVE.set(t);
        try {
            body.get();
        } finally {
            ACTIVE.set(saved);
        }
        return t.values;
    }

    /** True while a capture is running on this thread (recorded values must then stay alive). */
    public static boolean active() {
        return ACTIVE.get() != null;
    }

    /** Records {@code v} under the current prefix, when a capture is running. */
    public static void record(String name, Variable v) {
        Trace t = ACTIVE.get();
        if (t != null) {
            t.values.put(t.prefixes.isEmpty() ? name : t.prefixes.peek() + "." + name, v.data());
        }
    }

    /** Runs {@code body} with {@code name} appended to the recording prefix. */
    public static <T> T within(String name, Supplier<T> body) {
        Trace t = ACTIVE.get();
        if (t == null) {
            return body.get();
        }
        t.prefixes.push(t.prefixes.isEmpty() ? name : t.prefixes.peek() + "." + name);
        try {
            return body.get();
        } finally {
            t.prefixes.pop();
        }
    }
}
