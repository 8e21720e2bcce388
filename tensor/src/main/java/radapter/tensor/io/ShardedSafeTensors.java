package radapter.tensor.io;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import radapter.tensor.Tensor;

/**
 * A checkpoint split over several safetensors files, described by a
 * {@code model.safetensors.index.json} whose {@code weight_map} maps tensor names to shard files.
 * Every shard is opened and validated up front; a name must live in the shard the index says.
 */
public final class ShardedSafeTensors implements TensorSource {
    private final Map<String, SafeTensors> byName;
    private final List<SafeTensors> shards;
    private final Map<String, String> metadata;

    private ShardedSafeTensors(Map<String, SafeTensors> byName, List<SafeTensors> shards, Map<String, String> metadata) {
        this.byName = byName;
        this.shards = shards;
        this.metadata = metadata;
    }

    /**
     * A shard reached through a link must still lie in the checkpoint folder, or in the blob
     * store of a Hugging Face cache ({@code .../models--X/blobs}, which {@code snapshots/REV/}
     * links into); anything else would read (and describe) a file the index has no business with.
     */
    private static void checkInside(Path indexFile, String name, String shard, Path shardPath, Path dir) throws IOException {
        if (!Files.exists(shardPath)) {
            return; // SafeTensors.open reports the missing file
        }
        Path real = shardPath.toRealPath();
        Path realDir = dir.toRealPath();
        if (real.startsWith(realDir)) {
            return;
        }
        Path parent = dir.getParent();
        if (parent != null && parent.getFileName() != null && parent.getFileName().toString().equals("snapshots") && parent.getParent() != null) {
            Path blobs = parent.getParent().resolve("blobs");
            if (Files.isDirectory(blobs) && real.startsWith(blobs.toRealPath())) {
                return;
            }
        }
        throw new SafeTensorsException(indexFile, name, "shard '" + shard + "' is a link to a file outside the checkpoint folder");
    }

    /** Opens every shard listed in {@code indexFile}. */
    public static ShardedSafeTensors open(Path indexFile) throws IOException {
        Map<String, Object> index;
        try {
            index = Json.parseObject(TextFiles.readString(indexFile));
        } catch (Json.JsonException e) {
            throw new SafeTensorsException(indexFile, null, "index is not valid JSON: " + e.getMessage());
        }
        if (!(index.get("weight_map") instanceof Map<?, ?> weightMap)) {
            throw new SafeTensorsException(indexFile, null, "index has no 'weight_map' object");
        }
        Path dir = indexFile.toAbsolutePath().getParent();
        Map<String, SafeTensors> files = new LinkedHashMap<>();
        Map<String, SafeTensors> byName = new LinkedHashMap<>();
        try {
            for (Map.Entry<?, ?> e : weightMap.entrySet()) {
                String name = (String) e.getKey();
                if (!(e.getValue() instanceof String shard)) {
                    throw new SafeTensorsException(indexFile, name, "weight_map value is not a file name");
                }
                Path shardPath = dir.resolve(shard).normalize();
                if (!shardPath.startsWith(dir)) {
                    throw new SafeTensorsException(indexFile, name, "shard '" + shard + "' lies outside the checkpoint folder");
                }
                SafeTensors st = files.get(shard);
                if (st == null) {
                    checkInside(indexFile, name, shard, shardPath, dir);
                    st = SafeTensors.open(shardPath);
                    files.put(shard, st);
                }
                if (!st.names().contains(name)) {
                    throw new SafeTensorsException(shardPath, name, "listed in " + indexFile.getFileName() + " but missing from this shard");
                }
                byName.put(name, st);
            }
        } catch (IOException | RuntimeException e) {
            files.values().forEach(SafeTensors::close);
            throw e;
        }
        Map<String, String> meta = new LinkedHashMap<>();
        if (index.get("metadata") instanceof Map<?, ?> m) {
            m.forEach((k, v) -> meta.put(String.valueOf(k), String.valueOf(v)));
        }
        return new ShardedSafeTensors(Collections.unmodifiableMap(byName), new ArrayList<>(files.values()), Collections.unmodifiableMap(meta));
    }

    @Override
    public Set<String> names() {
        return byName.keySet();
    }

    private SafeTensors shardOf(String name) throws SafeTensorsException {
        SafeTensors st = byName.get(name);
        if (st == null) {
            throw new SafeTensorsException(shards.isEmpty() ? Path.of("?") : shards.getFirst().file().getParent(), name, "no such tensor in this sharded checkpoint");
        }
        return st;
    }

    @Override
    public long[] shape(String name) throws IOException {
        return shardOf(name).shape(name);
    }

    @Override
    public Tensor get(String name) throws IOException {
        return shardOf(name).get(name);
    }

    @Override
    public Map<String, String> metadata() {
        return metadata;
    }

    @Override
    public void close() {
        shards.forEach(SafeTensors::close);
    }

    /**
     * Opens a checkpoint given as a {@code .safetensors} file, an index JSON, or a folder holding
     * {@code model.safetensors} or {@code model.safetensors.index.json}.
     */
    public static TensorSource openAny(Path path) throws IOException {
        if (Files.isDirectory(path)) {
            Path single = path.resolve("model.safetensors");
            Path idx = path.resolve("model.safetensors.index.json");
            if (Files.isRegularFile(single)) {
                return SafeTensors.open(single);
            }
            if (Files.isRegularFile(idx)) {
                return open(idx);
            }
            throw new java.nio.file.NoSuchFileException(path.toString(), null,
                    "folder holds neither model.safetensors nor model.safetensors.index.json");
        }
        if (path.getFileName().toString().endsWith(".json")) {
            return open(path);
        }
        return SafeTensors.open(path);
    }
}
