import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Counts hand-kept copies in source files: blocks of six or more lines that appear more than once,
 * and tables of six or more lines that bind names to numbers by hand (op codes).
 *
 * <p>Usage: {@code java .ci/RepeatedBlocks.java [folder or file ...]} (default: the main sources of
 * {@code tensor} and {@code tornadovm}). Files ending in .java, .gpu, .h, .cl and .cu are read;
 * {@code target} folders are skipped.
 *
 * <p>A repeated block is a maximal run of lines covered by some window of six consecutive
 * non-blank lines (compared with surrounding whitespace trimmed) that occurs at two or more places;
 * each place is one block, so a copy kept in two files counts as two blocks. A number table is a
 * run of six or more lines each of the form {@code #define NAME 12}, {@code static final int NAME
 * = 12;} or {@code case NAME -> 12;} / {@code case NAME -> Other.NAME;}: a numbering written out
 * by hand rather than read off an enum.
 */
public class RepeatedBlocks {
    private static final int MIN = 6;
    private static final Pattern BINDING = Pattern.compile(
            "#define\\s+\\w+\\s+-?\\d+|(?:(?:private|public|protected)\\s+)?static\\s+final\\s+int\\s+\\w+\\s*=\\s*-?\\d+;"
                    + "|case\\s+\\w+\\s*->\\s*(?:-?\\d+|\\w+\\.\\w+);");

    private record Line(Path file, int number, String text) {
    }

    public static void main(String[] args) throws IOException {
        List<Path> roots = new ArrayList<>();
        for (String a : args.length == 0 ? new String[] {"tensor/src/main", "tornadovm/src/main"} : args) {
            roots.add(Path.of(a));
        }
        Map<Path, List<Line>> files = new LinkedHashMap<>();
        for (Path root : roots) {
            try (Stream<Path> s = Files.walk(root)) {
                for (Path p : s.filter(Files::isRegularFile).filter(RepeatedBlocks::isSource).sorted().toList()) {
                    List<String> raw = Files.readAllLines(p);
                    List<Line> lines = new ArrayList<>();
                    for (int i = 0; i < raw.size(); i++) {
                        String t = raw.get(i).strip().replaceAll("\\s+", " ");
                        if (!t.isEmpty()) {
                            lines.add(new Line(p, i + 1, t));
                        }
                    }
                    files.put(p, lines);
                }
            }
        }
        int blocks = 0;
        int blockLines = 0;
        System.out.println("Repeated blocks (" + MIN + "+ lines occurring more than once):");
        Map<String, Integer> windows = new LinkedHashMap<>();
        Map<String, java.util.Set<Path>> places = new LinkedHashMap<>();
        files.values().forEach(lines -> forEachWindow(lines, (key, i) -> {
            windows.merge(key, 1, Integer::sum);
            places.computeIfAbsent(key, k -> new java.util.HashSet<>()).add(lines.get(i).file());
        }));
        int crossBlocks = 0;
        int crossLines = 0;
        for (List<Line> lines : files.values()) {
            boolean[] covered = new boolean[lines.size()];
            boolean[] cross = new boolean[lines.size()];
            forEachWindow(lines, (key, i) -> {
                if (windows.get(key) > 1) {
                    for (int k = i; k < i + MIN; k++) {
                        covered[k] = true;
                        cross[k] |= places.get(key).size() > 1;
                    }
                }
            });
            for (int i = 0; i < lines.size(); i++) {
                if (covered[i]) {
                    int j = i;
                    while (j + 1 < lines.size() && covered[j + 1]) {
                        j++;
                    }
                    blocks++;
                    blockLines += j - i + 1;
                    boolean inOtherFile = false;
                    for (int k = i; k <= j; k++) {
                        inOtherFile |= cross[k];
                    }
                    if (inOtherFile) {
                        crossBlocks++;
                        crossLines += j - i + 1;
                    }
                    System.out.printf("  %s:%d-%d (%d non-blank lines%s)%n", lines.get(i).file(), lines.get(i).number(),
                            lines.get(j).number(), j - i + 1, inOtherFile ? ", also in another file" : "");
                    i = j;
                }
            }
        }
        int tables = 0;
        int tableLines = 0;
        System.out.println("Hand-written number tables (" + MIN + "+ consecutive name-to-number lines):");
        for (List<Line> lines : files.values()) {
            for (int i = 0; i < lines.size(); i++) {
                int j = i;
                while (j < lines.size() && BINDING.matcher(lines.get(j).text()).matches()) {
                    j++;
                }
                if (j - i >= MIN) {
                    tables++;
                    tableLines += j - i;
                    System.out.printf("  %s:%d-%d (%d entries)%n", lines.get(i).file(), lines.get(i).number(),
                            lines.get(j - 1).number(), j - i);
                }
                i = Math.max(i, j - 1);
            }
        }
        System.out.printf("repeated blocks: %d (%d lines), of which shared with another file: %d (%d lines); number tables: %d (%d lines)%n",
                blocks, blockLines, crossBlocks, crossLines, tables, tableLines);
    }

    private interface WindowVisitor {
        void visit(String key, int start);
    }

    private static void forEachWindow(List<Line> lines, WindowVisitor v) {
        for (int i = 0; i + MIN <= lines.size(); i++) {
            StringBuilder sb = new StringBuilder();
            for (int k = i; k < i + MIN; k++) {
                sb.append(lines.get(k).text()).append('\n');
            }
            v.visit(sb.toString(), i);
        }
    }

    private static boolean isSource(Path p) {
        String n = p.getFileName().toString();
        for (Path part : p) {
            if (part.toString().equals("target")) {
                return false;
            }
        }
        return n.endsWith(".java") || n.endsWith(".gpu") || n.endsWith(".h") || n.endsWith(".cl") || n.endsWith(".cu");
    }
}
