package radapter.data.dataset;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * A dataset read from a CSV/TSV file in the R-Adapter layout: a header row naming the columns, one
 * row per sample with the image path ({@code filepath}), the caption ({@code title}) and the integer
 * class ({@code class}). Column names and the separator are configurable; by default the separator
 * is a tab when the header line contains one, else a comma (the official files are tab-separated
 * despite their {@code .csv} name). Fields follow RFC 4180 (double quotes, {@code ""} escapes,
 * quoted separators and line breaks). Other columns are ignored.
 *
 * <p>Relative paths are resolved against the CSV's folder (or {@link Builder#baseDir}); every path
 * must stay inside the dataset root (default: that same folder) unless
 * {@link Builder#allowOutsideRoot}. The official CSVs hold paths relative to the working directory
 * ({@code ./datasets/data/...}): read them with {@code baseDir(Path.of(""))}.
 *
 * <p>A bad row (wrong number of fields, a class that is not a non-negative integer, an empty or
 * escaping path, malformed quoting) is reported as {@code file:line: reason}: with
 * {@link ErrorPolicy#FAIL} (the default) reading stops with a {@link DatasetException}; with
 * {@link ErrorPolicy#SKIP} the row is left out, counted in {@link #skippedRows()} and reported as one
 * line {@code radapter: skipped file:line: reason} to the warning sink (the first 100; then one summary line).
 * Problems with the file as a whole (no header, a missing required column) always fail.
 */
public final class CsvDataset extends SampleList {
    /** Default column of the image path. */
    public static final String PATH_COLUMN = "filepath";
    /** Default column of the caption. */
    public static final String CAPTION_COLUMN = "title";
    /** Default column of the integer class. */
    public static final String LABEL_COLUMN = "class";
    private static final int MAX_REPORTED = 100;

    private final Path file;
    private final char separator;
    private final int skippedRows;
    private final List<String> problems;

    private CsvDataset(Path file, char separator, List<Sample> samples, ClassNames classNames, int skippedRows, List<String> problems,
            Path confinedTo) {
        super(samples, classNames, confinedTo);
        this.file = file;
        this.separator = separator;
        this.skippedRows = skippedRows;
        this.problems = List.copyOf(problems);
    }

    /** Reads {@code csv} with the default options (bad rows fail). */
    public static CsvDataset read(Path csv) throws IOException {
        return builder(csv).read();
    }

    /** Options for reading {@code csv}. */
    public static Builder builder(Path csv) {
        return new Builder(csv);
    }

    /** The file read. */
    public Path file() {
        return file;
    }

    /** The separator used (given, or detected from the header). */
    public char separator() {
        return separator;
    }

    /** Rows left out as bad (with {@link ErrorPolicy#SKIP}). */
    public int skippedRows() {
        return skippedRows;
    }

    /** The first 100 bad-row messages ({@code file:line: reason}). */
    public List<String> problems() {
        return problems;
    }

    /** Options for {@link CsvDataset}. */
    public static final class Builder {
        private final Path csv;
        private Character separator;
        private String pathColumn = PATH_COLUMN;
        private String captionColumn = CAPTION_COLUMN;
        private String labelColumn = LABEL_COLUMN;
        private boolean captionRequired;
        private boolean labelRequired;
        private Path baseDir;
        private Path root;
        private boolean allowOutsideRoot;
        private ErrorPolicy onBadRow = ErrorPolicy.FAIL;
        private Consumer<String> warnings = line -> System.getLogger(CsvDataset.class.getName()).log(System.Logger.Level.WARNING, line);
        private ClassNames classNames = ClassNames.NONE;

        private Builder(Path csv) {
            this.csv = Objects.requireNonNull(csv);
        }

        /** The field separator (default: tab if the header line has one, else comma). */
        public Builder separator(char c) {
            this.separator = c;
            return this;
        }

        /** Column of the image path (default {@code filepath}; required). */
        public Builder pathColumn(String name) {
            this.pathColumn = Objects.requireNonNull(name);
            return this;
        }

        /**
         * Column of the caption (default {@code title}, used when present). Naming one makes it
         * required; {@code null} ignores captions.
         */
        public Builder captionColumn(String name) {
            this.captionColumn = name;
            this.captionRequired = name != null;
            return this;
        }

        /**
         * Column of the integer class (default {@code class}, used when present). Naming one makes
         * it required; {@code null} ignores labels.
         */
        public Builder labelColumn(String name) {
            this.labelColumn = name;
            this.labelRequired = name != null;
            return this;
        }

        /** Folder that relative paths are resolved against (default: the CSV's folder). */
        public Builder baseDir(Path dir) {
            this.baseDir = dir;
            return this;
        }

        /** Folder that every path must stay inside (default: the base folder). */
        public Builder root(Path dir) {
            this.root = dir;
            return this;
        }

        /** Accept paths outside the root (default false). */
        public Builder allowOutsideRoot(boolean allow) {
            this.allowOutsideRoot = allow;
            return this;
        }

        /** Skip bad rows (counted, one warning each) or fail on the first (default). */
        public Builder onBadRow(ErrorPolicy policy) {
            this.onBadRow = Objects.requireNonNull(policy);
            return this;
        }

        /** Where skipped-row warnings go, one line each (default: a {@link System.Logger} warning). */
        public Builder warnings(Consumer<String> sink) {
            this.warnings = Objects.requireNonNull(sink);
            return this;
        }

        /** Names of the classes; labels must then be below their count. */
        public Builder classNames(ClassNames names) {
            this.classNames = Objects.requireNonNull(names);
            return this;
        }

        /** Reads the file. */
        public CsvDataset read() throws IOException {
            Path file = csv.toAbsolutePath().normalize();
            Path folder = file.getParent();
            Path base = baseDir != null ? baseDir : folder;
            RootGuard guard = new RootGuard(base, root != null ? root : base, allowOutsideRoot);
            CsvReader reader = null;
            // A FIFO or device named as the CSV would block or never end: regular files only.
            radapter.tensor.io.TextFiles.checkRegular(file, Long.MAX_VALUE);
            try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                char sep = separator != null ? separator : detectSeparator(r);
                reader = new CsvReader(r, sep);
                return read(file, sep, reader, guard);
            } catch (CharacterCodingException e) {
                throw new DatasetException(file, reader != null ? reader.line() : 0, "the file is not valid UTF-8 text");
            }
        }

        private CsvDataset read(Path file, char sep, CsvReader reader, RootGuard guard) throws IOException {
            CsvReader.Row header = reader.next();
            while (header != null && header.isBlank()) {
                header = reader.next();
            }
            if (header == null) {
                throw new DatasetException(file, 0, "the file is empty; a header row naming the columns is required");
            }
            if (header.problem() != null) {
                throw new DatasetException(file, header.line(), "bad header row: " + header.problem());
            }
            List<String> columns = header.fields().stream().map(String::strip).toList();
            Map<String, Integer> at = new HashMap<>();
            for (int i = 0; i < columns.size(); i++) {
                if (at.putIfAbsent(columns.get(i), i) != null) {
                    throw new DatasetException(file, header.line(), "column '" + columns.get(i) + "' appears twice in the header");
                }
            }
            int pathAt = column(at, pathColumn, true, file, header.line(), columns, sep);
            int captionAt = column(at, captionColumn, captionRequired, file, header.line(), columns, sep);
            int labelAt = column(at, labelColumn, labelRequired, file, header.line(), columns, sep);

            List<Sample> samples = new ArrayList<>();
            List<String> problems = new ArrayList<>();
            int skipped = 0;
            for (CsvReader.Row row; (row = reader.next()) != null; ) {
                if (row.isBlank()) {
                    continue;
                }
                String reason = row.problem();
                Sample sample = null;
                if (reason == null) {
                    if (row.fields().size() != columns.size()) {
                        reason = "the row has " + row.fields().size() + " fields, the header has " + columns.size();
                    } else {
                        try {
                            sample = parse(row, samples.size(), pathAt, captionAt, labelAt, guard);
                        } catch (BadEntry e) {
                            reason = e.getMessage();
                        }
                    }
                }
                if (sample != null) {
                    samples.add(sample);
                    continue;
                }
                String message = DatasetException.position(file, row.line()) + reason;
                if (onBadRow == ErrorPolicy.FAIL) {
                    throw new DatasetException(file, row.line(), reason);
                }
                skipped++;
                if (problems.size() < MAX_REPORTED) {
                    problems.add(message);
                    warnings.accept("radapter: skipped " + message);
                }
            }
            if (skipped > MAX_REPORTED) {
                warnings.accept("radapter: skipped " + skipped + " bad rows in " + file + " in all (the first " + MAX_REPORTED + " are listed above)");
            }
            Path confined = allowOutsideRoot || !Files.isDirectory(guard.root()) ? null : guard.root().toRealPath();
            return new CsvDataset(file, sep, List.copyOf(samples), classNames, skipped, problems, confined);
        }

        private Sample parse(CsvReader.Row row, int index, int pathAt, int captionAt, int labelAt, RootGuard guard) throws BadEntry {
            List<String> f = row.fields();
            int label = Sample.NO_LABEL;
            if (labelAt >= 0) {
                String s = f.get(labelAt).strip();
                try {
                    label = Integer.parseInt(s);
                } catch (NumberFormatException e) {
                    throw new BadEntry("column '" + labelColumn + "' must hold an integer class, found '" + s + "'");
                }
                if (label < 0) {
                    throw new BadEntry("column '" + labelColumn + "' must be non-negative, found " + label);
                }
                if (!classNames.isEmpty() && label >= classNames.size()) {
                    throw new BadEntry("class " + label + " is outside the " + classNames.size() + " class names (labels 0.." + (classNames.size() - 1) + ")");
                }
            }
            Path path = guard.resolve(f.get(pathAt).strip());
            String caption = captionAt >= 0 ? f.get(captionAt) : null;
            return new Sample(index, path, label, caption);
        }

        private static int column(Map<String, Integer> at, String name, boolean required, Path file, long line, List<String> columns, char sep) {
            if (name == null) {
                return -1;
            }
            Integer i = at.get(name);
            if (i == null && required) {
                String hint = columns.size() == 1 ? " (one column only: is the separator " + printable(sep) + " right?)" : "";
                throw new DatasetException(file, line, "no column '" + name + "' in the header " + columns + hint);
            }
            return i == null ? -1 : i;
        }

        private static String printable(char c) {
            return c == '\t' ? "'\\t'" : "'" + c + "'";
        }

        /** Tab if the first line contains one, else comma. */
        private static char detectSeparator(BufferedReader r) throws IOException {
            r.mark(1 << 16);
            char[] head = new char[1 << 16];
            int n = r.read(head, 0, head.length);
            r.reset();
            for (int i = 0; i < n; i++) {
                if (head[i] == '\n' || head[i] == '\r') {
                    break;
                }
                if (head[i] == '\t') {
                    return '\t';
                }
            }
            return ',';
        }
    }
}
