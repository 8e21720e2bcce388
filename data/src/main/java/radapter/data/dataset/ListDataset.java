package radapter.data.dataset;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/** A dataset over an in-memory list of samples, renumbered in list order. */
final class ListDataset extends SampleList {

    ListDataset(List<Sample> samples, ClassNames classNames) {
        super(renumbered(samples), classNames);
    }

    private static List<Sample> renumbered(List<Sample> samples) {
        List<Sample> copy = new ArrayList<>(samples.size());
        for (int i = 0; i < samples.size(); i++) {
            copy.add(Objects.requireNonNull(samples.get(i), "sample").withIndex(i));
        }
        return copy;
    }
}
