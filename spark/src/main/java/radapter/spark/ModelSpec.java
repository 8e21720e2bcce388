package radapter.spark;

import java.io.Serializable;
import java.nio.file.Path;

/**
 * Which CLIP checkpoint the executors load: paths every executor sees (a shared file system or the
 * same local path on every node). The weights are memory-mapped there, never broadcast.
 *
 * @param model  a {@code .safetensors} file or a Hugging Face folder
 * @param config an explicit configuration file, or {@code null} to find it beside the weights
 */
public record ModelSpec(String model, String config) implements Serializable {
    public ModelSpec {
        if (model == null || model.isBlank()) {
            throw new IllegalArgumentException("a model path is required");
        }
    }

    /** The spec for local paths (made absolute, so executors started elsewhere resolve them alike). */
    public static ModelSpec of(Path model, Path config) {
        return new ModelSpec(model.toAbsolutePath().normalize().toString(),
                config == null ? null : config.toAbsolutePath().normalize().toString());
    }
}
