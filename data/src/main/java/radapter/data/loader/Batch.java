package radapter.data.loader;

import radapter.tensor.Tensor;

/**
 * One batch of {@code n} samples, in the loader's order for the epoch.
 *
 * @param images   F32 {@code [n, C, H, W]} (CHW per sample, as the transform made it), GC-owned:
 *                 keep it as long as needed or copy it into a scope
 * @param labels   per sample; {@link radapter.data.dataset.Sample#NO_LABEL} where none
 * @param captions per sample; {@code null} entries where none
 * @param indices  per sample, its index in the dataset
 */
public record Batch(Tensor images, int[] labels, String[] captions, int[] indices) {
    public Batch {
        int n = indices.length;
        if (labels.length != n || captions.length != n || images.size(0) != n) {
            throw new IllegalArgumentException("batch parts disagree on the number of samples");
        }
    }

    /** Number of samples in this batch. */
    public int size() {
        return indices.length;
    }
}
