package radapter.data.dataset;

import java.nio.file.Path;

/**
 * One item of a dataset: where its image is, its class and its caption. A sample holds no pixels;
 * {@link Dataset#image(int, ImageSource)} produces them.
 *
 * <p>Invariant: {@code dataset.get(i).index() == i}. Views such as {@link Dataset#subset(int[])}
 * renumber their samples, so an index always means "position in the dataset it was read from".
 *
 * @param index   position in the dataset, {@code 0..size-1}
 * @param path    the image file, absolute and normalised; for in-memory datasets (synthetic), the
 *                relative path the image gets when the dataset is written out
 * @param label   class index (or, for retrieval, the image's group index); {@link #NO_LABEL} if none
 * @param caption the caption or prompt text; {@code null} if none
 */
public record Sample(int index, Path path, int label, String caption) {
    /** The label of a sample that has none. */
    public static final int NO_LABEL = -1;

    public Sample {
        if (index < 0) {
            throw new IllegalArgumentException("sample index must be non-negative, got " + index);
        }
        if (label < NO_LABEL) {
            throw new IllegalArgumentException("label must be non-negative (or NO_LABEL), got " + label);
        }
    }

    /** True unless the label is {@link #NO_LABEL}. */
    public boolean hasLabel() {
        return label != NO_LABEL;
    }

    /** True when there is a caption. */
    public boolean hasCaption() {
        return caption != null;
    }

    /** This sample at another position (for views). */
    public Sample withIndex(int newIndex) {
        return newIndex == index ? this : new Sample(newIndex, path, label, caption);
    }

    /** This sample with another caption. */
    public Sample withCaption(String newCaption) {
        return new Sample(index, path, label, newCaption);
    }

    /** The path, or {@code #index} when there is none: what messages call this sample. */
    public String describe() {
        return path != null ? path.toString() : "#" + index;
    }
}
