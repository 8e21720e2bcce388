package radapter.data.dataset;

import java.util.AbstractList;
import java.util.List;
import radapter.data.image.RgbImage;

/**
 * A fixed, indexed collection of {@link Sample}s. Implementations are immutable and safe to read
 * from several threads (loaders call {@link #get} and {@link #image} from their workers).
 */
public interface Dataset {
    /** Number of samples. */
    int size();

    /** Sample {@code index} ({@code 0..size-1}); its {@link Sample#index()} equals {@code index}. */
    Sample get(int index);

    /**
     * The pixels of sample {@code index}. File-backed datasets decode {@link Sample#path()} with
     * {@code source}; in-memory datasets (synthetic) ignore it and produce the image themselves.
     *
     * @throws Exception whatever {@code source} throws for a missing or undecodable image
     */
    default RgbImage image(int index, ImageSource source) throws Exception {
        Sample s = get(index);
        if (s.path() == null) {
            throw new IllegalStateException("sample " + index + " has no image path");
        }
        return source.read(s.path());
    }

    /** Class names, indexed by label; {@link ClassNames#NONE} when the dataset does not know them. */
    default ClassNames classNames() {
        return ClassNames.NONE;
    }

    /** A view of the samples at {@code indices} (in that order), renumbered from 0. */
    default Dataset subset(int[] indices) {
        return new SubsetDataset(this, indices);
    }

    /** Every sample's label, in index order. */
    default int[] labels() {
        int[] out = new int[size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = get(i).label();
        }
        return out;
    }

    /** The samples as an unmodifiable list view. */
    default List<Sample> samples() {
        Dataset self = this;
        return new AbstractList<>() {
            @Override
            public Sample get(int index) {
                return self.get(index);
            }

            @Override
            public int size() {
                return self.size();
            }
        };
    }

    /** A dataset over a fixed list of samples, renumbered in list order. */
    static Dataset of(List<Sample> samples, ClassNames classNames) {
        return new ListDataset(samples, classNames);
    }
}
