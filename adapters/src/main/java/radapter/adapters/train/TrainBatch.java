package radapter.adapters.train;

import radapter.tensor.Tensor;

/**
 * One contrastive training batch: preprocessed images [B, 3, H, W], token ids [B, L] and the
 * label of each pair. Pairs with equal labels are positives (same class for classification, same
 * image for retrieval); with the plain CLIP loss labels are ignored.
 */
public record TrainBatch(Tensor images, Tensor tokenIds, long[] labels) {
    public TrainBatch {
        if (images.size(0) != tokenIds.size(0) || images.size(0) != labels.length) {
            throw new IllegalArgumentException("batch parts disagree: " + images.size(0) + " images, " + tokenIds.size(0)
                    + " texts, " + labels.length + " labels");
        }
    }

    public int size() {
        return labels.length;
    }

    /** Rows {@code from .. from+n-1} (views, no copies). */
    public TrainBatch slice(int from, int n) {
        return new TrainBatch(images.narrow(0, from, n), tokenIds.narrow(0, from, n),
                java.util.Arrays.copyOfRange(labels, from, from + n));
    }
}
