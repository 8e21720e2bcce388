package radapter.data.dataset;

import radapter.data.image.RgbImage;

/** A view of some samples of another dataset, renumbered from 0; images come from the source. */
final class SubsetDataset implements Dataset {
    private final Dataset source;
    private final int[] indices;

    SubsetDataset(Dataset source, int[] indices) {
        this.source = source;
        this.indices = indices.clone();
        int n = source.size();
        for (int i : this.indices) {
            if (i < 0 || i >= n) {
                throw new IndexOutOfBoundsException("subset index " + i + " outside a dataset of " + n);
            }
        }
    }

    @Override
    public int size() {
        return indices.length;
    }

    @Override
    public Sample get(int index) {
        return source.get(indices[index]).withIndex(index);
    }

    @Override
    public RgbImage image(int index, ImageSource imageSource) throws Exception {
        return source.image(indices[index], imageSource);
    }

    @Override
    public ClassNames classNames() {
        return source.classNames();
    }

    @Override
    public Dataset subset(int[] more) {
        int[] composed = new int[more.length];
        for (int i = 0; i < more.length; i++) {
            if (more[i] < 0 || more[i] >= indices.length) {
                throw new IndexOutOfBoundsException("subset index " + more[i] + " outside a dataset of " + indices.length);
            }
            composed[i] = indices[more[i]];
        }
        return new SubsetDataset(source, composed);
    }
}
