package radapter.data.dataset;

import java.io.IOException;
import java.nio.file.FileVisitOption;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Stream;

/**
 * An ImageNet-style folder tree {@code root/<class>/.../<image>} (torchvision's {@code ImageFolder}):
 * the classes are the sub-folders of {@code root} sorted by name, the label is a class's position in
 * that order, and every image file below a class folder (recursively, hidden entries skipped) is a
 * sample. Samples are ordered by class, then by path, so the dataset is the same on every machine.
 * Captions are {@code null}.
 *
 * <p>A class folder with no images is an error unless {@link Builder#allowEmptyClasses}; a file
 * that links outside the root is an error unless {@link Builder#allowOutsideRoot}.
 */
public final class ClassFolderDataset extends SampleList {
    /** File name extensions (lower case) read by default: those of torchvision's ImageFolder. */
    public static final Set<String> DEFAULT_EXTENSIONS =
            Set.of("jpg", "jpeg", "png", "ppm", "bmp", "pgm", "tif", "tiff", "webp", "gif");

    private final Path root;

    private ClassFolderDataset(Path root, List<Sample> samples, ClassNames classNames, Path confinedTo) {
        super(samples, classNames, confinedTo);
        this.root = root;
    }

    /** Reads {@code root} with the default options. */
    public static ClassFolderDataset open(Path root) throws IOException {
        return builder(root).build();
    }

    /** Options for reading {@code root}. */
    public static Builder builder(Path root) {
        return new Builder(root);
    }

    /** The root folder (absolute). */
    public Path root() {
        return root;
    }

    /** Options for {@link ClassFolderDataset}. */
    public static final class Builder {
        private final Path root;
        private Set<String> extensions = DEFAULT_EXTENSIONS;
        private boolean allowEmptyClasses;
        private boolean allowOutsideRoot;

        private Builder(Path root) {
            this.root = Objects.requireNonNull(root);
        }

        /** File name extensions to read, case-insensitive, without the dot. */
        public Builder extensions(Set<String> exts) {
            this.extensions = exts.stream().map(e -> e.toLowerCase(Locale.ROOT)).collect(java.util.stream.Collectors.toUnmodifiableSet());
            return this;
        }

        /** Keep class folders that hold no image (default: an error). */
        public Builder allowEmptyClasses(boolean allow) {
            this.allowEmptyClasses = allow;
            return this;
        }

        /** Accept images that link outside the root (default false). */
        public Builder allowOutsideRoot(boolean allow) {
            this.allowOutsideRoot = allow;
            return this;
        }

        /** Lists the tree. */
        public ClassFolderDataset build() throws IOException {
            Path dir = root.toAbsolutePath().normalize();
            if (!Files.isDirectory(dir)) {
                throw new DatasetException(dir, 0, "not a folder (expected root/<class>/<images>)");
            }
            List<Path> classDirs;
            try (Stream<Path> s = Files.list(dir)) {
                classDirs = s.filter(Files::isDirectory).filter(p -> !hidden(p)).sorted().toList();
            }
            if (classDirs.isEmpty()) {
                throw new DatasetException(dir, 0, "no class folders (expected root/<class>/<images>)");
            }
            RootGuard guard = new RootGuard(dir, dir, allowOutsideRoot);
            List<Sample> samples = new ArrayList<>();
            List<String> names = new ArrayList<>();
            for (int label = 0; label < classDirs.size(); label++) {
                Path classDir = classDirs.get(label);
                names.add(classDir.getFileName().toString());
                List<Path> files;
                try (Stream<Path> s = Files.walk(classDir, FileVisitOption.FOLLOW_LINKS)) {
                    files = s.filter(p -> !hiddenBelow(classDir, p)).filter(Files::isRegularFile).filter(this::isImage).sorted().toList();
                }
                if (files.isEmpty() && !allowEmptyClasses) {
                    throw new DatasetException(classDir, 0, "class folder '" + classDir.getFileName() + "' holds no image ("
                            + String.join(", ", extensions.stream().sorted().toList()) + "); allowEmptyClasses keeps it");
                }
                for (Path f : files) {
                    Path p = f.toAbsolutePath().normalize();
                    try {
                        p = guard.check(dir.relativize(p).toString(), p);
                    } catch (BadEntry e) {
                        throw new DatasetException(e.getMessage());
                    }
                    samples.add(new Sample(samples.size(), p, label, null));
                }
            }
            return new ClassFolderDataset(dir, List.copyOf(samples), ClassNames.of(names), allowOutsideRoot ? null : dir.toRealPath());
        }

        private boolean isImage(Path p) {
            String n = p.getFileName().toString();
            int dot = n.lastIndexOf('.');
            return dot > 0 && extensions.contains(n.substring(dot + 1).toLowerCase(Locale.ROOT));
        }

        private static boolean hidden(Path p) {
            return p.getFileName().toString().startsWith(".");
        }

        private static boolean hiddenBelow(Path top, Path p) {
            for (Path part : top.relativize(p)) {
                if (part.toString().startsWith(".")) {
                    return true;
                }
            }
            return false;
        }
    }
}
