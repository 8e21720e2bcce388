package radapter.data.synthetic;

import java.awt.image.BufferedImage;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import radapter.data.dataset.ClassNames;
import radapter.data.dataset.Sample;
import radapter.data.image.RgbImage;
import radapter.tensor.Rng;

/**
 * The synthetic demo dataset: 12 classes, a named colour (blue, green, red) times a shape (circle,
 * square, star, triangle), named like {@code "red circle"}; labels follow the sorted names, so a
 * written-out split read back as a class-folder tree gets the same labels. Image {@code i} has
 * label {@code i mod 12}, so every split is balanced.
 *
 * <pre>{@code
 * SyntheticShapes shapes = SyntheticShapes.builder().seed(7).imageSize(32).build();
 * SyntheticDataset train = shapes.split(Split.TRAIN);
 * RgbImage first = train.image(0);
 * shapes.writeTo(Path.of("demo-data"));   // PNGs + <split>.csv per split
 * }</pre>
 *
 * <p>Splits ({@link Split}): a broad pre-training mix with varied captions; in-distribution
 * train/test; and four shifted test sets (sketch, texture, palette, geometry). All are
 * deterministic: the same seed and size give byte-identical images on every run.
 */
public final class SyntheticShapes {
    private final long seed;
    private final int imageSize;
    private final Map<Split, Integer> sizes;
    private final ClassNames classNames;

    private SyntheticShapes(Builder b) {
        this.seed = b.seed;
        this.imageSize = b.imageSize;
        this.sizes = new EnumMap<>(b.sizes);
        List<String> names = new ArrayList<>();
        for (int l = 0; l < Planner.CLASSES; l++) {
            names.add(Planner.className(l));
        }
        this.classNames = ClassNames.of(names);
    }

    /** Options: seed (default 0), image size (default 32), split sizes. */
    public static Builder builder() {
        return new Builder();
    }

    /** The 12 class names, label order ({@code "blue circle"} ... {@code "red triangle"}). */
    public ClassNames classNames() {
        return classNames;
    }

    /** The seed. */
    public long seed() {
        return seed;
    }

    /** Width and height of every image. */
    public int imageSize() {
        return imageSize;
    }

    /** The split {@code split}, generated on demand. */
    public SyntheticDataset split(Split split) {
        long splitSeed = new Rng(seed).fork(split.ordinal()).nextLong();
        return new SyntheticDataset(split, sizes.get(split), imageSize, splitSeed, classNames);
    }

    /** Folder name of a class: its name with {@code _} for the space ({@code red_circle}). */
    static String folderName(int label) {
        return Planner.className(label).replace(' ', '_');
    }

    /** Writes every split; see {@link #writeTo(Path, Split...)}. */
    public void writeTo(Path dir) throws IOException {
        writeTo(dir, Split.values());
    }

    /**
     * Writes {@code splits} under {@code dir}: {@code <split>/<colour_shape>/<index>.png} images, one
     * {@code <split>.csv} per split in the R-Adapter layout (tab-separated, header
     * {@code filepath title class}, paths relative to {@code dir}) and {@code classnames.txt}.
     * Atomic: everything is written into a temporary sibling folder that is renamed to {@code dir}
     * at the end, so {@code dir} never holds a partial dataset. {@code dir} must not exist, or be empty.
     */
    public void writeTo(Path dir, Split... splits) throws IOException {
        Path target = dir.toAbsolutePath().normalize();
        if (Files.exists(target)) {
            try (Stream<Path> s = Files.list(target)) {
                if (s.findAny().isPresent()) {
                    throw new FileAlreadyExistsException(target.toString(), null, "the folder exists and is not empty");
                }
            }
        }
        Path parent = target.getParent();
        Files.createDirectories(parent);
        // Created with the umask's permissions (createTempDirectory would make the dataset 0700).
        Path tmp = radapter.tensor.io.AtomicFiles.newTemporaryDirectory(parent, target.getFileName().toString());
        try {
            Files.writeString(tmp.resolve("classnames.txt"), String.join("\n", classNames.asList()) + "\n", StandardCharsets.UTF_8);
            for (Split split : splits) {
                writeSplit(tmp, split(split));
            }
            if (Files.exists(target)) {
                try {
                    Files.delete(target); // empty, checked above
                } catch (DirectoryNotEmptyException e) {
                    throw new FileAlreadyExistsException(target.toString(), null, "the folder was filled while writing");
                }
            }
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException | RuntimeException e) {
            deleteTree(tmp);
            throw e;
        }
    }

    private static void writeSplit(Path root, SyntheticDataset ds) throws IOException {
        for (int l = 0; l < Planner.CLASSES; l++) {
            Files.createDirectories(root.resolve(ds.split().id()).resolve(folderName(l)));
        }
        Sample[] samples = new Sample[ds.size()];
        try {
            IntStream.range(0, ds.size()).parallel().forEach(i -> {
                Sample s = ds.get(i);
                samples[i] = s;
                try {
                    writePng(ds.image(i), root.resolve(s.path()));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
        Path csv = root.resolve(ds.split().id() + ".csv");
        try (BufferedWriter w = Files.newBufferedWriter(csv, StandardCharsets.UTF_8)) {
            w.write("filepath\ttitle\tclass\n");
            for (Sample s : samples) {
                String rel = s.path().toString().replace('\\', '/');
                w.write(field(rel) + "\t" + field(s.caption()) + "\t" + s.label() + "\n");
            }
        }
    }

    /** A CSV field, quoted (RFC 4180) when it holds a tab, quote or line break. */
    private static String field(String s) {
        if (s.indexOf('\t') < 0 && s.indexOf('"') < 0 && s.indexOf('\n') < 0 && s.indexOf('\r') < 0) {
            return s;
        }
        return '"' + s.replace("\"", "\"\"") + '"';
    }

    /** Writes {@code image} as a PNG at {@code file}. */
    static void writePng(RgbImage image, Path file) throws IOException {
        int w = image.width();
        int h = image.height();
        BufferedImage bi = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        int[] row = new int[w];
        byte[] px = image.pixels();
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int o = (y * w + x) * 3;
                row[x] = ((px[o] & 0xFF) << 16) | ((px[o + 1] & 0xFF) << 8) | (px[o + 2] & 0xFF);
            }
            bi.setRGB(0, y, w, 1, row, 0, w);
        }
        if (!ImageIO.write(bi, "png", file.toFile())) {
            throw new IOException("no PNG writer available");
        }
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException ignored) {
            // best effort: a leftover hidden temp folder is harmless
        }
    }

    /** Options for {@link SyntheticShapes}. */
    public static final class Builder {
        private long seed;
        private int imageSize = 32;
        private final Map<Split, Integer> sizes = new EnumMap<>(Split.class);

        private Builder() {
            for (Split s : Split.values()) {
                sizes.put(s, s.defaultSize());
            }
        }

        /** The seed everything is drawn from (default 0). */
        public Builder seed(long s) {
            this.seed = s;
            return this;
        }

        /** Width and height in pixels, 8 to 1024 (default 32). */
        public Builder imageSize(int n) {
            if (n < 8 || n > 1024) {
                throw new IllegalArgumentException("image size must be 8..1024, got " + n);
            }
            this.imageSize = n;
            return this;
        }

        /** Number of images of {@code split} (default {@link Split#defaultSize()}). */
        public Builder size(Split split, int n) {
            if (n < 0) {
                throw new IllegalArgumentException("split size must be non-negative, got " + n);
            }
            sizes.put(split, n);
            return this;
        }

        /** The same number of images for every split. */
        public Builder sizeAll(int n) {
            for (Split s : Split.values()) {
                size(s, n);
            }
            return this;
        }

        /** The dataset. */
        public SyntheticShapes build() {
            return new SyntheticShapes(this);
        }
    }
}
