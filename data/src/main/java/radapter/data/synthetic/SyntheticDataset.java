package radapter.data.synthetic;

import java.nio.file.Path;
import radapter.data.dataset.ClassNames;
import radapter.data.dataset.Dataset;
import radapter.data.dataset.ImageSource;
import radapter.data.dataset.Sample;
import radapter.data.image.RgbImage;
import radapter.tensor.Rng;

/**
 * One split of {@link SyntheticShapes}, generated on demand: sample and image {@code i} are a
 * function of (seed, split, i, image size) alone, so nothing is stored and any thread may ask for
 * any index. {@link Sample#path()} is relative: where {@link SyntheticShapes#writeTo} puts the image.
 */
public final class SyntheticDataset implements Dataset {
    private final Split split;
    private final int size;
    private final int imageSize;
    private final long splitSeed;
    private final ClassNames classNames;

    SyntheticDataset(Split split, int size, int imageSize, long splitSeed, ClassNames classNames) {
        this.split = split;
        this.size = size;
        this.imageSize = imageSize;
        this.splitSeed = splitSeed;
        this.classNames = classNames;
    }

    /** Which split this is. */
    public Split split() {
        return split;
    }

    /** Width and height of the images. */
    public int imageSize() {
        return imageSize;
    }

    @Override
    public int size() {
        return size;
    }

    private ShapeRenderer.Plan plan(int index) {
        if (index < 0 || index >= size) {
            throw new IndexOutOfBoundsException("index " + index + " outside the " + size + " images of split " + split.id());
        }
        return Planner.plan(split, index, new Rng(splitSeed).fork(index), imageSize);
    }

    @Override
    public Sample get(int index) {
        ShapeRenderer.Plan p = plan(index);
        return new Sample(index, relativePath(index, p.label), p.label, p.caption);
    }

    /** The relative path of image {@code index}: {@code <split>/<colour_shape>/<index>.png}. */
    Path relativePath(int index, int label) {
        return Path.of(split.id(), SyntheticShapes.folderName(label), String.format("%06d.png", index));
    }

    /** Renders image {@code index}. */
    public RgbImage image(int index) {
        return ShapeRenderer.render(plan(index), imageSize);
    }

    /** Renders image {@code index}; the source is not used. */
    @Override
    public RgbImage image(int index, ImageSource source) {
        return image(index);
    }

    @Override
    public ClassNames classNames() {
        return classNames;
    }

    @Override
    public String toString() {
        return "SyntheticDataset[" + split.id() + ", " + size + " images of " + imageSize + "px]";
    }
}
