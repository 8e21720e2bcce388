package radapter.models.clip;

import java.nio.file.Path;
import radapter.tensor.io.TensorSource;

/**
 * A CLIP model together with the checkpoint it was loaded from. The weights are views of the
 * memory-mapped file, so the mapping stays open until {@link #close()}; do not use the model after.
 *
 * @param clip   the model (eval mode, every parameter frozen)
 * @param layout the key layout of the file, used again when exporting
 * @param path   where the weights came from
 * @param source the open checkpoint
 */
public record LoadedClip(Clip clip, CheckpointLayout layout, Path path, TensorSource source) implements AutoCloseable {
    public ClipConfig config() {
        return clip.config();
    }

    @Override
    public void close() {
        source.close();
    }
}
