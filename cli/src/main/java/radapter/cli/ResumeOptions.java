package radapter.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import radapter.tensor.io.AtomicFiles;
import radapter.tensor.io.Json;

/**
 * What {@code finetune --resume DIR} needs: the command line a run was started with, kept in
 * {@code DIR/checkpoints/command.json}, so that {@code --resume DIR} alone continues it, and the
 * effective settings, so that a resume with different settings says what differs instead of
 * silently mixing two runs.
 */
final class ResumeOptions {
    /** The file, inside the run's {@code checkpoints/} folder. */
    static final String FILE = "command.json";

    /**
     * Options that may change between the start and a resume: they do not change what is computed
     * (the device and {@code --grad-accum}, whose micro-batch step is exact, change only float
     * rounding; the latter lets a run resume under another process count with the same per-pass batch).
     */
    private static final Set<String> FREE = Set.of("--resume", "--out", "--overwrite", "--device", "--activation-checkpointing", "--grad-accum",
            "--checkpoint-every", "--help", "--version", "--quiet", "--verbose", "--json");

    private ResumeOptions() {
    }

    /**
     * Makes {@code --model} optional for {@code finetune} (the shared option group requires it),
     * because {@code --resume DIR} alone takes it from the run; the command checks it itself.
     */
    static void relax(CommandLine finetune) {
        CommandSpec spec = finetune.getCommandSpec();
        OptionSpec model = spec.findOption("--model");
        if (model != null && model.required()) {
            spec.remove(model);
            spec.addOption(OptionSpec.builder(model).required(false).build());
        }
    }

    /** The arguments the run was started with (this command's own, without {@code --resume}/{@code --overwrite}). */
    static List<String> startArguments(CommandSpec spec) {
        List<String> all = spec.commandLine().getParseResult().originalArgs();
        int from = all.indexOf(spec.name()) + 1;
        List<String> out = new ArrayList<>();
        for (int i = from; i < all.size(); i++) {
            String a = all.get(i);
            if (a.equals("--resume")) {
                i++;
            } else if (!a.startsWith("--resume=") && !a.equals("--overwrite")) {
                out.add(a);
            }
        }
        return out;
    }

    /** Every option that shapes the run, with its effective value (given or default). */
    static Map<String, String> settings(CommandSpec spec) {
        Map<String, String> out = new LinkedHashMap<>();
        for (OptionSpec o : spec.options()) {
            String name = o.longestName();
            if (FREE.contains(name)) {
                continue;
            }
            Object v = o.getValue();
            out.put(name, v == null ? "" : v.getClass().isArray() ? arrayString(v) : v.toString());
        }
        return out;
    }

    /** Writes the start of a run. */
    static void save(Path runDir, List<String> args, Map<String, String> settings) throws IOException {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("arguments", new ArrayList<Object>(args));
        json.put("settings", new LinkedHashMap<String, Object>(settings));
        AtomicFiles.writeString(runDir.resolve("checkpoints").resolve(FILE), Json.writePretty(json));
    }

    /** A run's start as saved, or null when the folder holds none. */
    @SuppressWarnings("unchecked")
    static Saved read(Path runDir) throws IOException {
        Path f = runDir.resolve("checkpoints").resolve(FILE);
        if (!Files.isRegularFile(f)) {
            return null;
        }
        try {
            Map<String, Object> j = Json.parseObject(Files.readString(f));
            List<String> args = new ArrayList<>();
            for (Object o : (List<Object>) j.get("arguments")) {
                args.add((String) o);
            }
            Map<String, String> settings = new LinkedHashMap<>();
            ((Map<String, Object>) j.get("settings")).forEach((k, v) -> settings.put(k, (String) v));
            return new Saved(args, settings);
        } catch (ClassCastException | NullPointerException | IllegalArgumentException e) {
            throw new IOException(f + ": damaged (expected \"arguments\" and \"settings\" as written by radapter finetune)");
        }
    }

    /** A run's start: its arguments and settings. */
    record Saved(List<String> arguments, Map<String, String> settings) {
        /** "--lr 5.0E-4 → 0.001, --seed 0 → 1" for the settings that differ, or "" when none do. */
        String differences(Map<String, String> now) {
            List<String> d = new ArrayList<>();
            for (Map.Entry<String, String> e : settings.entrySet()) {
                String cur = now.get(e.getKey());
                if (cur != null && !cur.equals(e.getValue())) {
                    d.add(e.getKey() + " " + show(e.getValue()) + " → " + show(cur));
                }
            }
            for (String k : now.keySet()) {
                if (!settings.containsKey(k) && !now.get(k).isEmpty()) {
                    d.add(k + " (not in the run) → " + show(now.get(k)));
                }
            }
            return String.join(", ", d);
        }

        private static String show(String v) {
            return v.isEmpty() ? "(unset)" : v;
        }
    }

    private static String arrayString(Object a) {
        return switch (a) {
            case int[] x -> Arrays.toString(x);
            case long[] x -> Arrays.toString(x);
            case double[] x -> Arrays.toString(x);
            case Object[] x -> Arrays.toString(x);
            default -> a.toString();
        };
    }
}
