package radapter.adapters.train;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.stream.Stream;
import radapter.autograd.optim.OptimizerState;
import radapter.tensor.Tensor;
import radapter.tensor.io.AtomicFiles;
import radapter.tensor.io.Json;
import radapter.tensor.io.SafeTensors;
import radapter.tensor.io.TextFiles;

/**
 * Training checkpoints: a folder {@code step-NNNNNNNN/} holding {@code trainable.safetensors}
 * (the trained tensors, e.g. live and EMA adapters), {@code optimizer.safetensors} (AdamW moments
 * in F64, hyper-parameters in the metadata) and {@code trainer.json} (step, RNG states, loss
 * history). The folder is written under a temporary name and renamed into place, then
 * {@code latest} is replaced atomically, so a run killed at any moment leaves the previous
 * checkpoint intact.
 */
public final class Checkpoints {
    private Checkpoints() {
    }

    /** What a checkpoint holds. */
    public record Snapshot(long step, Map<String, Tensor> trainable, OptimizerState optimizer, Map<String, Object> trainer) {
    }

    static String name(long step) {
        return String.format("step-%08d", step);
    }

    /** Writes a checkpoint for {@code step} and keeps only the newest {@code keep} checkpoints. */
    public static Path write(Path root, Snapshot s, int keep) throws IOException {
        Files.createDirectories(root);
        Path finalDir = root.resolve(name(s.step()));
        // A temporary folder with the umask's permissions, renamed into place once complete.
        Path tmp = AtomicFiles.newTemporaryDirectory(root, name(s.step()));
        try {
            SafeTensors.write(tmp.resolve("trainable.safetensors"), s.trainable(), Map.of("step", Long.toString(s.step())));
            writeOptimizer(tmp.resolve("optimizer.safetensors"), s.optimizer());
            AtomicFiles.writeString(tmp.resolve("trainer.json"), Json.writePretty(s.trainer()));
            if (Files.exists(finalDir)) {
                deleteTree(finalDir);
            }
            Files.move(tmp, finalDir, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            if (Files.exists(tmp)) {
                deleteTree(tmp);
            }
        }
        AtomicFiles.writeString(root.resolve("latest"), finalDir.getFileName().toString() + "\n");
        prune(root, keep);
        return finalDir;
    }

    /** The newest complete checkpoint under {@code root}, if any. */
    public static Optional<Path> latest(Path root) throws IOException {
        Path pointer = root.resolve("latest");
        if (!Files.isRegularFile(pointer)) {
            return Optional.empty();
        }
        Path dir = root.resolve(TextFiles.readString(pointer).trim());
        if (!Files.isRegularFile(dir.resolve("trainer.json"))) {
            throw new IOException(pointer + " names " + dir + ", which is not a complete checkpoint");
        }
        return Optional.of(dir);
    }

    /**
     * The newest checkpoint under {@code root} that reads back completely, with its contents. A
     * damaged newer one (a disk error, a hand edit) is skipped and {@code notice} told which and
     * why; temporaries of interrupted writes are removed first (call this only while holding the
     * run folder, so they cannot be a live writer's).
     */
    public static Optional<Snapshot> newestIntact(Path root, Consumer<String> notice) throws IOException {
        if (!Files.isDirectory(root)) {
            return Optional.empty();
        }
        List<Path> stale = AtomicFiles.removeStaleTemporaries(root);
        if (!stale.isEmpty()) {
            notice.accept("removed " + stale.size() + " unfinished checkpoint write(s) left in " + root + " by an interrupted run");
        }
        List<Path> all;
        try (Stream<Path> s = Files.list(root)) {
            all = s.filter(p -> p.getFileName().toString().matches("step-\\d{8,}") && Files.isDirectory(p))
                    .sorted(Comparator.comparing((Path p) -> p.getFileName().toString()).reversed()).toList();
        }
        String damaged = null;
        for (Path p : all) {
            try {
                Snapshot s = read(p);
                if (damaged != null) {
                    notice.accept(damaged + "; resuming from the newest intact checkpoint, " + p.getFileName());
                }
                return Optional.of(s);
            } catch (IOException | RuntimeException e) {
                String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
                damaged = (damaged == null ? "" : damaged + "; ") + "checkpoint " + p + " is damaged (" + why + ")";
            }
        }
        if (damaged != null) {
            throw new IOException(damaged + "; no intact checkpoint is left in " + root + " (start a new run)");
        }
        return Optional.empty();
    }

    /** Reads a checkpoint folder (tensors are copied, so the files can be closed). */
    public static Snapshot read(Path dir) throws IOException {
        try {
            return readUnchecked(dir);
        } catch (ClassCastException | NullPointerException | IllegalArgumentException | IndexOutOfBoundsException e) {
            // A hand-edited or truncated trainer.json / optimizer header: a damaged checkpoint, not a bug.
            throw new IOException(dir + ": damaged checkpoint (a missing or mistyped field in trainer.json or the optimizer state)", e);
        }
    }

    @SuppressWarnings("unchecked")
    private static Snapshot readUnchecked(Path dir) throws IOException {
        Map<String, Object> trainer = Json.parseObject(TextFiles.readString(dir.resolve("trainer.json")));
        for (String key : List.of("step", "drop_rng", "losses")) {
            if (!trainer.containsKey(key)) {
                throw new IOException(dir.resolve("trainer.json") + ": damaged checkpoint, no '" + key + "'");
            }
        }
        Map<String, Tensor> trainable = new LinkedHashMap<>();
        try (SafeTensors st = SafeTensors.open(dir.resolve("trainable.safetensors"))) {
            for (String n : st.names()) {
                trainable.put(n, st.get(n).clone());
            }
        }
        OptimizerState opt = readOptimizer(dir.resolve("optimizer.safetensors"));
        long step = ((Number) trainer.get("step")).longValue();
        return new Snapshot(step, trainable, opt, trainer);
    }

    private static void writeOptimizer(Path file, OptimizerState st) throws IOException {
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        List<Object> params = new ArrayList<>();
        for (OptimizerState.Param p : st.params()) {
            Map<String, Object> meta = new LinkedHashMap<>();
            meta.put("index", (long) p.index());
            meta.put("name", p.name());
            List<Object> shape = new ArrayList<>();
            for (long d : p.shape()) {
                shape.add(d);
            }
            meta.put("shape", shape);
            meta.put("step", p.step());
            meta.put("buffers", new ArrayList<>(p.buffers().keySet()));
            params.add(meta);
            for (Map.Entry<String, double[]> b : p.buffers().entrySet()) {
                tensors.put("param." + p.index() + "." + b.getKey(), Tensor.of(b.getValue()));
            }
        }
        List<Object> groups = new ArrayList<>();
        for (OptimizerState.Group g : st.groups()) {
            Map<String, Object> meta = new LinkedHashMap<>();
            meta.put("lr", g.lr());
            meta.put("initial_lr", g.initialLr());
            meta.put("weight_decay", g.weightDecay());
            meta.put("options", new LinkedHashMap<>(g.options()));
            List<Object> idx = new ArrayList<>();
            for (int i : g.paramIndices()) {
                idx.add((long) i);
            }
            meta.put("params", idx);
            groups.add(meta);
        }
        Map<String, Object> header = new LinkedHashMap<>();
        header.put("optimizer", st.optimizer());
        header.put("groups", groups);
        header.put("params", params);
        SafeTensors.write(file, tensors, Map.of("optimizer_state", Json.write(header)));
    }

    @SuppressWarnings("unchecked")
    private static OptimizerState readOptimizer(Path file) throws IOException {
        try (SafeTensors st = SafeTensors.open(file)) {
            String json = st.metadata().get("optimizer_state");
            if (json == null) {
                throw new IOException(file + ": no optimizer_state metadata");
            }
            Map<String, Object> header = Json.parseObject(json);
            List<OptimizerState.Group> groups = new ArrayList<>();
            for (Object o : (List<Object>) header.get("groups")) {
                Map<String, Object> g = (Map<String, Object>) o;
                Map<String, Double> options = new LinkedHashMap<>();
                ((Map<String, Object>) g.get("options")).forEach((k, v) -> options.put(k, ((Number) v).doubleValue()));
                int[] idx = ((List<Object>) g.get("params")).stream().mapToInt(x -> ((Number) x).intValue()).toArray();
                groups.add(new OptimizerState.Group(num(g.get("lr")), num(g.get("initial_lr")), num(g.get("weight_decay")), options, idx));
            }
            List<OptimizerState.Param> params = new ArrayList<>();
            for (Object o : (List<Object>) header.get("params")) {
                Map<String, Object> p = (Map<String, Object>) o;
                int index = ((Number) p.get("index")).intValue();
                long[] shape = ((List<Object>) p.get("shape")).stream().mapToLong(x -> ((Number) x).longValue()).toArray();
                Map<String, double[]> buffers = new LinkedHashMap<>();
                for (Object b : (List<Object>) p.get("buffers")) {
                    buffers.put((String) b, st.get("param." + index + "." + b).toDoubleArray());
                }
                params.add(new OptimizerState.Param(index, (String) p.get("name"), shape, ((Number) p.get("step")).longValue(), buffers));
            }
            return new OptimizerState((String) header.get("optimizer"), groups, params);
        }
    }

    private static double num(Object o) {
        return ((Number) o).doubleValue();
    }

    private static void prune(Path root, int keep) throws IOException {
        List<Path> all;
        try (Stream<Path> s = Files.list(root)) {
            all = s.filter(p -> p.getFileName().toString().startsWith("step-") && Files.isDirectory(p))
                    .sorted(Comparator.comparing(p -> p.getFileName().toString())).toList();
        }
        for (int i = 0; i < all.size() - Math.max(keep, 1); i++) {
            deleteTree(all.get(i));
        }
    }

    static void deleteTree(Path p) throws IOException {
        AtomicFiles.deleteTree(p);
    }
}
