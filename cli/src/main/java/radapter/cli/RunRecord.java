package radapter.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import radapter.tensor.Backends;
import radapter.tensor.io.AtomicFiles;
import radapter.tensor.io.Json;

/**
 * {@code run.json}: how a run folder was made, so that it can be made again — the command, every
 * option's value (given or default, read off the parsed command line so a new option is never
 * forgotten), what the defaults resolved to, the seed, the radapter version and git commit, the
 * JVM and backend, and the results. Every path inside is relative to the run folder (with
 * {@code /} separators), so the file says nothing about the machine it was made on and stays
 * right when the folders move together.
 */
final class RunRecord {
    /** Options that change how a command talks, not what it computes. */
    private static final Set<String> NOT_SETTINGS = Set.of("--help", "--version", "--quiet", "--verbose", "--json");

    private final Path dir;
    private final Map<String, Object> root = new LinkedHashMap<>();

    /**
     * Starts a record of {@code spec}'s parsed options for a run writing into {@code dir}.
     */
    RunRecord(CommandSpec spec, Path dir) {
        this.dir = dir;
        BuildInfo build = BuildInfo.current();
        root.put("command", "radapter " + spec.qualifiedName(" ").replaceFirst("^radapter ", ""));
        root.put("radapter_version", build.version());
        root.put("git_commit", build.commit());
        if (build.commit() != null) {
            root.put("git_dirty", build.dirty());
        }
        root.put("created", Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
        Map<String, Object> settings = new LinkedHashMap<>();
        for (OptionSpec o : spec.options()) {
            if (NOT_SETTINGS.contains(o.longestName())) {
                continue;
            }
            settings.put(o.longestName().replaceFirst("^--", ""), value(o.getValue()));
        }
        root.put("settings", settings);
        root.put("java", System.getProperty("java.version"));
        root.put("backend", Backends.current().name());
    }

    /** Adds (or replaces) a top-level entry; paths inside are made relative. */
    RunRecord put(String key, Object v) {
        root.put(key, value(v));
        return this;
    }

    /** Replaces one entry of {@code settings} (for option values that are paths in disguise, such as a template file). */
    @SuppressWarnings("unchecked")
    RunRecord setting(String key, Object v) {
        ((Map<String, Object>) root.get("settings")).put(key, value(v));
        return this;
    }

    /** Writes {@code run.json} into the run folder, atomically. */
    Path write() throws IOException {
        Path file = dir.resolve("run.json");
        AtomicFiles.writeString(file, Json.writePretty(root));
        return file;
    }

    Map<String, Object> asMap() {
        return root;
    }

    /** A JSON-ready form of an option value; paths become relative to the run folder. */
    private Object value(Object v) {
        return switch (v) {
            case null -> null;
            case Path p -> relative(dir, p);
            case String s -> s;
            case Boolean b -> b;
            case Number n -> n;
            case Enum<?> e -> e.name();
            case int[] a -> Arrays.stream(a).boxed().toList();
            case long[] a -> Arrays.stream(a).boxed().toList();
            case double[] a -> Arrays.stream(a).boxed().toList();
            case Object[] a -> {
                List<Object> out = new ArrayList<>();
                for (Object o : a) {
                    out.add(value(o));
                }
                yield out;
            }
            case Map<?, ?> m -> {
                Map<String, Object> out = new LinkedHashMap<>();
                m.forEach((k, x) -> out.put(String.valueOf(k), value(x)));
                yield out;
            }
            case List<?> l -> l.stream().map(this::value).toList();
            default -> v.toString();
        };
    }

    /**
     * {@code target} relative to {@code dir}, {@code /}-separated ({@code ../data/train.csv}); the
     * file name alone when no relative path exists (another drive), so no absolute path is written.
     */
    static String relative(Path dir, Path target) {
        Path base = dir.toAbsolutePath().normalize();
        Path t = target.toAbsolutePath().normalize();
        Path rel;
        try {
            rel = base.relativize(t);
        } catch (IllegalArgumentException e) {
            Path name = t.getFileName();
            return name == null ? "." : name.toString();
        }
        String s = rel.toString().replace(rel.getFileSystem().getSeparator(), "/");
        return s.isEmpty() ? "." : s;
    }
}
