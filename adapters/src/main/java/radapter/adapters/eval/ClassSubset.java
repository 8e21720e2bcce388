package radapter.adapters.eval;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * A subset of a classifier's classes that one evaluation set is scored on, as ImageNet-R and
 * ImageNet-A are scored on their 200 of the 1000 ImageNet classes: the logits are restricted to
 * these classes ({@link Classifier#restrict}) and each label, an index into the full class list,
 * becomes its position in the subset ({@link #remap}).
 */
public final class ClassSubset {
    private final String source;
    private final int[] indices;
    private final List<String> names;
    private final int total;
    private final Map<Integer, Integer> position = new HashMap<>();

    private ClassSubset(String source, int[] indices, List<String> allClasses) {
        this.source = source;
        this.indices = Heads.checkIndices(indices, allClasses.size());
        this.names = List.copyOf(Heads.names(allClasses, indices));
        this.total = allClasses.size();
        for (int j = 0; j < indices.length; j++) {
            position.put(indices[j], j);
        }
    }

    /**
     * The classes called {@code names} (in that order) among {@code allClasses}.
     *
     * @param source where the names came from, for messages and reports (e.g. a file name)
     * @throws IllegalArgumentException naming the first unknown or repeated class
     */
    public static ClassSubset ofNames(List<String> allClasses, List<String> names, String source) {
        Map<String, Integer> index = indexOf(allClasses);
        int[] idx = new int[names.size()];
        for (int i = 0; i < idx.length; i++) {
            Integer k = index.get(names.get(i));
            if (k == null) {
                throw new IllegalArgumentException(source + ": class '" + names.get(i) + "' is not one of the " + allClasses.size() + " classes");
            }
            idx[i] = k;
        }
        checkDistinct(idx, allClasses, source);
        return new ClassSubset(source, idx, allClasses);
    }

    /**
     * Reads class names, one per line (UTF-8, surrounding whitespace trimmed, blank lines and lines
     * starting with {@code #} ignored), and finds them among {@code allClasses}. An unknown name is
     * an error that gives its line.
     */
    public static ClassSubset fromFile(Path file, List<String> allClasses) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException(file + ": no such class-subset file (one class name per line)");
        }
        Map<String, Integer> index = indexOf(allClasses);
        List<String> lines = radapter.tensor.io.TextFiles.readLines(file);
        List<Integer> idx = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String s = lines.get(i).strip();
            if (i == 0 && s.startsWith("\uFEFF")) {
                s = s.substring(1).strip();
            }
            if (s.isEmpty() || s.startsWith("#")) {
                continue;
            }
            Integer k = index.get(s);
            if (k == null) {
                throw new IllegalArgumentException(file + " line " + (i + 1) + ": class '" + s + "' is not one of the " + allClasses.size() + " classes");
            }
            idx.add(k);
        }
        if (idx.isEmpty()) {
            throw new IllegalArgumentException(file + ": no class names in the file");
        }
        int[] a = idx.stream().mapToInt(Integer::intValue).toArray();
        checkDistinct(a, allClasses, file.toString());
        return new ClassSubset(file.getFileName().toString(), a, allClasses);
    }

    /**
     * The classes that occur among {@code labels} (ignoring negative, i.e. missing, labels), in
     * label order: the subset a shifted set covers when no list is given.
     */
    public static ClassSubset present(int[] labels, List<String> allClasses, String source) {
        TreeSet<Integer> seen = new TreeSet<>();
        for (int l : labels) {
            if (l >= allClasses.size()) {
                throw new IllegalArgumentException(source + ": label " + l + " outside the " + allClasses.size() + " classes");
            }
            if (l >= 0) {
                seen.add(l);
            }
        }
        if (seen.isEmpty()) {
            throw new IllegalArgumentException(source + ": no labelled samples, so no classes present");
        }
        return new ClassSubset(source, seen.stream().mapToInt(Integer::intValue).toArray(), allClasses);
    }

    private static Map<String, Integer> indexOf(List<String> allClasses) {
        Map<String, Integer> index = new HashMap<>();
        for (int i = 0; i < allClasses.size(); i++) {
            index.putIfAbsent(allClasses.get(i), i);
        }
        return index;
    }

    private static void checkDistinct(int[] idx, List<String> all, String source) {
        boolean[] seen = new boolean[all.size()];
        for (int i : idx) {
            if (seen[i]) {
                throw new IllegalArgumentException(source + ": class '" + all.get(i) + "' is listed twice");
            }
            seen[i] = true;
        }
    }

    /** Where the subset came from (a file name, or a description such as "classes present"). */
    public String source() {
        return source;
    }

    /** Indices of the subset's classes in the full class list, in subset order. */
    public int[] indices() {
        return indices.clone();
    }

    /** Names of the subset's classes, in subset order. */
    public List<String> names() {
        return names;
    }

    /** Number of classes in the subset. */
    public int size() {
        return indices.length;
    }

    /** Number of classes in the full list the subset was taken from. */
    public int totalClasses() {
        return total;
    }

    /** Position of full-list label {@code label} in the subset, or -1 when the subset lacks it. */
    public int position(int label) {
        Integer p = position.get(label);
        return p == null ? -1 : p;
    }

    /**
     * Full-list labels as subset positions, for scoring logits restricted to this subset.
     *
     * @throws IllegalArgumentException when a label is not in the subset (such an image could
     *                                  never be classified correctly, so the subset is wrong)
     */
    public long[] remap(long[] labels) {
        long[] out = new long[labels.length];
        for (int i = 0; i < labels.length; i++) {
            int p = position(Math.toIntExact(labels[i]));
            if (p < 0) {
                throw new IllegalArgumentException("label " + labels[i] + " is not in the class subset " + source + " (" + size() + " classes)");
            }
            out[i] = p;
        }
        return out;
    }

    /** The first label among {@code labels} that the subset lacks, or -1 when it covers them all (negative labels ignored). */
    public int firstMissing(int[] labels) {
        for (int l : labels) {
            if (l >= 0 && position(l) < 0) {
                return l;
            }
        }
        return -1;
    }

    /** E.g. {@code 200 of 1000 classes (imagenet-r.txt)}. */
    public String describe() {
        return size() + " of " + total + " classes (" + source + ")";
    }

    @Override
    public String toString() {
        return "ClassSubset[" + describe() + ": " + Arrays.toString(indices.length <= 8 ? indices : Arrays.copyOf(indices, 8)) + "]";
    }
}
