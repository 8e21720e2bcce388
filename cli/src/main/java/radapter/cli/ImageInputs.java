package radapter.cli;

import java.io.IOException;
import java.nio.file.FileVisitOption;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Stream;
import radapter.data.dataset.ClassNames;
import radapter.data.dataset.CsvDataset;
import radapter.data.dataset.Dataset;
import radapter.data.dataset.Sample;

/**
 * Images named on the command line: a folder (searched recursively, in path order) or a CSV/TSV
 * with a {@code filepath} column, as a {@link Dataset} the {@code DataLoader} streams in batches.
 */
final class ImageInputs {
    /** File name endings taken from a folder (case-insensitive). */
    static final Set<String> EXTENSIONS = Set.of(".jpg", ".jpeg", ".png", ".bmp", ".gif", ".webp");

    private ImageInputs() {
    }

    /**
     * The images under {@code input}. In a folder, only regular files are taken, and a link is
     * followed only when its target stays inside the folder (a link to a system file is refused by
     * name, never read); a CSV gets the dataset reader's own root checks.
     */
    static Dataset open(Path input) throws IOException {
        if (Files.isDirectory(input)) {
            return Dataset.of(folder(input), ClassNames.NONE);
        }
        String name = input.getFileName() == null ? "" : input.getFileName().toString().toLowerCase(Locale.ROOT);
        if (name.endsWith(".csv") || name.endsWith(".tsv")) {
            if (!Files.exists(input)) {
                throw new java.nio.file.NoSuchFileException(input.toString());
            }
            return CsvDataset.read(input);
        }
        if (!Files.exists(input)) {
            throw new java.nio.file.NoSuchFileException(input.toString());
        }
        throw new IllegalArgumentException(input + ": give a folder of images or a CSV/TSV with a 'filepath' column");
    }

    private static List<Sample> folder(Path dir) throws IOException {
        Path root = dir.toRealPath();
        List<Path> files;
        try (Stream<Path> s = Files.walk(dir, FileVisitOption.FOLLOW_LINKS)) {
            files = s.filter(p -> hasImageExtension(p) && !Files.isDirectory(p)).sorted().toList();
        } catch (java.io.UncheckedIOException e) {
            throw e.getCause(); // a loop of links or an unreadable sub-folder, with its path
        }
        List<Sample> out = new ArrayList<>();
        for (Path p : files) {
            Path real;
            try {
                real = p.toRealPath();
            } catch (IOException e) {
                throw new IllegalArgumentException(p + ": a link to a missing file");
            }
            if (!real.startsWith(root)) {
                throw new IllegalArgumentException(p + ": a link to a file outside " + dir + "; only files inside the folder are read");
            }
            if (!Files.isRegularFile(real, LinkOption.NOFOLLOW_LINKS)) {
                throw new IllegalArgumentException(p + ": not a regular file (a FIFO, socket or device)");
            }
            out.add(new Sample(out.size(), p, Sample.NO_LABEL, null));
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException(dir + ": no images found (looked for " + String.join(", ", EXTENSIONS.stream().sorted().toList()) + ")");
        }
        return out;
    }

    private static boolean hasImageExtension(Path p) {
        String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
        int dot = n.lastIndexOf('.');
        return dot >= 0 && EXTENSIONS.contains(n.substring(dot));
    }
}
