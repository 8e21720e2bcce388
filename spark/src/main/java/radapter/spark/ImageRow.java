package radapter.spark;

import java.io.Serializable;

/**
 * One image of a job's input, as it travels to an executor.
 *
 * @param index   position in the listed dataset (the row order of the output)
 * @param path    where the image is; a path every executor can read, or, with {@code content}, the
 *                name Spark's {@code binaryFile} source gave it
 * @param label   class index, or {@link radapter.data.dataset.Sample#NO_LABEL}
 * @param content the encoded image bytes when the rows come from {@code binaryFile}; {@code null}
 *                when the executor reads {@code path} itself
 */
public record ImageRow(long index, String path, int label, byte[] content) implements Serializable {
}
