package radapter.data.dataset;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/** A dataset over an in-memory list of samples, renumbered in list order. */
final class ListDataset implements Dataset {
    private final List<Sample> samples;
    private final ClassNames classNames;

    ListDataset(List<Sample> samples, ClassNames classNames) {
        List<Sample> copy = new ArrayList<>(samples.size());
        for (int i = 0; i < samples.size(); i++) {
            copy.add(Objects.requireNonNull(samples.get(i), "sample").withIndex(i));
        }
        this.samples = List.copyOf(copy);
        this.classNames = Objects.requireNonNull(classNames);
    }

    @Override
    public int size() {
        return samples.size();
    }

    @Override
    public Sample get(int index) {
        return samples.get(index);
    }

    @Override
    public ClassNames classNames() {
        return classNames;
    }
}
