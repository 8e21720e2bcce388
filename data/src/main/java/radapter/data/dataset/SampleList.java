package radapter.data.dataset;

import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import radapter.data.image.RgbImage;

/**
 * The shared body of datasets that hold their samples in a list (CSV files, class folders,
 * in-memory lists): size, lookup and class names. Subclasses add where the samples came from.
 */
abstract class SampleList implements Dataset {
    private final List<Sample> samples;
    private final ClassNames classNames;
    /** The real path every image must still resolve into when it is opened, or null (no confinement). */
    private final Path confinedTo;

    /** {@code samples} must already be numbered 0..n-1 in list order. */
    SampleList(List<Sample> samples, ClassNames classNames) {
        this(samples, classNames, null);
    }

    /**
     * As {@link #SampleList(List, ClassNames)}, with images confined to {@code confinedTo} (a real
     * path) at open time too: the reader's checks ran when the list was read, and a link can be
     * changed afterwards.
     */
    SampleList(List<Sample> samples, ClassNames classNames, Path confinedTo) {
        this.samples = List.copyOf(samples);
        this.classNames = Objects.requireNonNull(classNames);
        this.confinedTo = confinedTo;
    }

    @Override
    public RgbImage image(int index, ImageSource source) throws Exception {
        Sample s = get(index);
        if (confinedTo == null || s.path() == null) {
            return Dataset.super.image(index, source);
        }
        Path real;
        try {
            real = s.path().toRealPath();
        } catch (NoSuchFileException e) {
            return source.read(s.path()); // the decoder reports the missing file by its name
        }
        if (!real.startsWith(confinedTo)) {
            throw new DatasetException(s.path() + ": now leads outside the dataset root " + confinedTo
                    + " (a link changed after the dataset was read); not read");
        }
        return source.read(real);
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
