package radapter.data.synthetic;

/**
 * The splits of {@link SyntheticShapes}. The class of an image is always (named colour, shape);
 * the shifted splits change how it is drawn, never what it is.
 */
public enum Split {
    /** Broad mix for contrastive pre-training: wide colour, size, rotation, background and style
     *  variation (solid, outlined, patterned), varied descriptive captions. */
    PRETRAIN("pretrain", 4800),
    /** In-distribution fine-tuning set: solid shapes on light plain backgrounds, moderate jitter. */
    TRAIN("train", 1200),
    /** In-distribution test set: same distribution as {@link #TRAIN}, other images. */
    TEST("test", 600),
    /** Shift like ImageNet-Sketch: outlines only, thin hue-tinted grey pencil lines on white paper. */
    SKETCH("sketch", 600),
    /** Shift like ImageNet-R's renditions: shapes filled with stripes, checks or speckles on textured backgrounds. */
    TEXTURE("texture", 600),
    /** Colour shift: same hue family, but pastel or deep shades on saturated or dark backgrounds. */
    PALETTE("palette", 600),
    /** Geometric shift: tiny or oversized (cropped), any rotation, squashed aspect ratio. */
    GEOMETRY("geometry", 600);

    private final String id;
    private final int defaultSize;

    Split(String id, int defaultSize) {
        this.id = id;
        this.defaultSize = defaultSize;
    }

    /** Lower-case name, used for folders and CSV files. */
    public String id() {
        return id;
    }

    /** Number of images unless the builder says otherwise. */
    public int defaultSize() {
        return defaultSize;
    }

    /** True for the distribution-shifted test splits. */
    public boolean shifted() {
        return ordinal() >= SKETCH.ordinal();
    }

    /** The split called {@code id} (case-insensitive). */
    public static Split of(String id) {
        for (Split s : values()) {
            if (s.id.equalsIgnoreCase(id)) {
                return s;
            }
        }
        throw new IllegalArgumentException("no synthetic split '" + id + "'; there are pretrain, train, test, sketch, texture, palette, geometry");
    }
}
