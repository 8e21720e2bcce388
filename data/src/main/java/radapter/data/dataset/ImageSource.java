package radapter.data.dataset;

import java.nio.file.Path;
import radapter.data.image.RgbImage;

/**
 * The decode step: reads the image at a path. Datasets and loaders take it as a function so they
 * do not depend on one decoder; pass {@code ImageDecoder}'s decoding method as a method reference.
 * Any exception means "this image could not be read" and is handled by the caller's
 * {@link ErrorPolicy}.
 */
@FunctionalInterface
public interface ImageSource {
    /** Decodes the image at {@code path}; throws when it is missing or cannot be decoded. */
    RgbImage read(Path path) throws Exception;

    /** A source that refuses every read: the default where no decoder was configured. */
    static ImageSource none() {
        return path -> {
            throw new IllegalStateException("no image decoder configured (cannot read " + path + ")");
        };
    }
}
