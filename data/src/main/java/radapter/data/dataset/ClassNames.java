package radapter.data.dataset;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Class names indexed by label: label {@code i} is called {@code get(i)}. Names are unique and not
 * blank. Read them from a file (one per line), from a folder dataset's sorted folder names, or give
 * them directly.
 */
public final class ClassNames {
    /** No names known. */
    public static final ClassNames NONE = new ClassNames(List.of());

    private final List<String> names;
    private final Map<String, Integer> index;

    private ClassNames(List<String> names) {
        this.names = List.copyOf(names);
        this.index = new HashMap<>();
        for (int i = 0; i < this.names.size(); i++) {
            String n = this.names.get(i);
            if (n.isBlank()) {
                throw new DatasetException("class name " + i + " is blank");
            }
            Integer before = index.putIfAbsent(n, i);
            if (before != null) {
                throw new DatasetException("class name '" + n + "' appears twice (labels " + before + " and " + i + ")");
            }
        }
    }

    /** These names, label {@code i} = {@code names.get(i)}. */
    public static ClassNames of(List<String> names) {
        return names.isEmpty() ? NONE : new ClassNames(names);
    }

    /** These names, label {@code i} = {@code names[i]}. */
    public static ClassNames of(String... names) {
        return of(List.of(names));
    }

    /**
     * Reads one name per line (UTF-8; surrounding whitespace trimmed, blank lines ignored, a line
     * starting with {@code #} is a comment).
     */
    public static ClassNames fromFile(Path file) throws IOException {
        List<String> lines = radapter.tensor.io.TextFiles.readLines(file);
        List<String> out = new ArrayList<>();
        Map<String, Integer> seen = new HashMap<>();
        for (int i = 0; i < lines.size(); i++) {
            String s = lines.get(i).strip();
            if (i == 0 && s.startsWith("\uFEFF")) {
                s = s.substring(1).strip();
            }
            if (s.isEmpty() || s.startsWith("#")) {
                continue;
            }
            Integer before = seen.putIfAbsent(s, i + 1);
            if (before != null) {
                throw new DatasetException(file, i + 1, "class name '" + s + "' already given on line " + before);
            }
            out.add(s);
        }
        if (out.isEmpty()) {
            throw new DatasetException(file, 0, "no class names in the file");
        }
        return of(out);
    }

    /** Number of classes (0 for {@link #NONE}). */
    public int size() {
        return names.size();
    }

    /** True for {@link #NONE}. */
    public boolean isEmpty() {
        return names.isEmpty();
    }

    /** The name of label {@code label}. */
    public String get(int label) {
        if (label < 0 || label >= names.size()) {
            throw new IndexOutOfBoundsException("label " + label + " outside " + names.size() + " classes");
        }
        return names.get(label);
    }

    /** The label of {@code name}, or -1. */
    public int indexOf(String name) {
        Integer i = index.get(name);
        return i == null ? -1 : i;
    }

    /** The names in label order (unmodifiable). */
    public List<String> asList() {
        return names;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ClassNames c && c.names.equals(names);
    }

    @Override
    public int hashCode() {
        return names.hashCode();
    }

    @Override
    public String toString() {
        return names.size() <= 6 ? "ClassNames" + names : "ClassNames[" + names.size() + " classes: " + names.getFirst() + ", ...]";
    }
}
