package radapter.spark;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import radapter.models.clip.ClipLoader;
import radapter.models.clip.LoadedClip;

/**
 * The CLIP models of this JVM, loaded once each and shared by every task the JVM runs: an executor
 * maps the weights on its first task and reuses them for all later partitions and jobs. Models stay
 * mapped until the JVM ends (an executor lives as long as its application).
 */
public final class ExecutorModels {
    private static final Map<ModelSpec, LoadedClip> MODELS = new ConcurrentHashMap<>();

    private ExecutorModels() {
    }

    /** The model for {@code spec}, memory-mapped on first use. */
    public static LoadedClip get(ModelSpec spec) {
        return MODELS.computeIfAbsent(spec, s -> {
            try {
                return ClipLoader.load(Path.of(s.model()), s.config() == null ? null : Path.of(s.config()));
            } catch (IOException e) {
                throw new UncheckedIOException(s.model() + ": " + e.getMessage(), e);
            }
        });
    }

    /** How many models this JVM holds (for tests: the weights were mapped once). */
    public static int loadedCount() {
        return MODELS.size();
    }
}
