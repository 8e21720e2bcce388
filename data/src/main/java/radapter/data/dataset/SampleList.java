package radapter.data.dataset;

import java.util.List;
import java.util.Objects;

/**
 * The shared body of datasets that hold their samples in a list (CSV files, class folders,
 * in-memory lists): size, lookup and class names. Subclasses add where the samples came from.
 */
abstract class SampleList implements Dataset {
    private final List<Sample> samples;
    private final ClassNames classNames;

    /** {@code samples} must already be numbered 0..n-1 in list order. */
    SampleList(List<Sample> samples, ClassNames classNames) {
        this.samples = List.copyOf(samples);
        this.classNames = Objects.requireNonNull(classNames);
    }

    @Override
    public final int size() {
        return samples.size();
    }

    @Override
    public final Sample get(int index) {
        return samples.get(index);
    }

    @Override
    public final ClassNames classNames() {
        return classNames;
    }
}
