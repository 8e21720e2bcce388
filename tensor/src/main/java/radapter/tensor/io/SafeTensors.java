package radapter.tensor.io;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import radapter.tensor.DType;
import radapter.tensor.Elements;
import radapter.tensor.Shapes;
import radapter.tensor.Storage;
import radapter.tensor.Tensor;

/**
 * The safetensors format (8-byte little-endian header length, a JSON header, raw row-major data).
 * Reading maps the file once and hands out zero-copy views; everything in the header is validated
 * before any tensor is touched (header length, JSON, dtypes, shapes, offsets in range, no overlaps
 * or holes, byte counts). Writing is atomic: a temporary file in the same folder, then a rename.
 * Data is little-endian, as the format prescribes, which is also the byte order of every platform
 * the Vector API targets (x86-64, AArch64).
 */
public final class SafeTensors implements TensorSource {
    /** The reference implementation's limit on the header size. */
    public static final long MAX_HEADER_BYTES = 100_000_000L;

    /** One tensor's header entry. */
    public record Entry(String name, String dtype, long[] shape, long begin, long end) {
    }

    private final Path file;
    private final Arena arena;
    private final boolean ownsArena;
    private final MemorySegment data;
    private final Map<String, Entry> entries;
    private final Map<String, String> metadata;

    private SafeTensors(Path file, Arena arena, boolean ownsArena, MemorySegment data, Map<String, Entry> entries,
            Map<String, String> metadata) {
        this.file = file;
        this.arena = arena;
        this.ownsArena = ownsArena;
        this.data = data;
        this.entries = entries;
        this.metadata = metadata;
    }

    /** Opens and validates {@code file}; the mapping lives until {@link #close()}. */
    public static SafeTensors open(Path file) throws IOException {
        Arena arena = Arena.ofShared();
        try {
            return open(file, arena, true);
        } catch (IOException | RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    /** Opens {@code file} with the mapping owned by {@code arena} (e.g. a model's lifetime arena). */
    public static SafeTensors open(Path file, Arena arena) throws IOException {
        return open(file, arena, false);
    }

    private static SafeTensors open(Path file, Arena arena, boolean owns) throws IOException {
        if (!Files.isRegularFile(file)) {
            if (Files.exists(file)) {
                throw new SafeTensorsException(file, null, Files.isDirectory(file) ? "is a directory, not a .safetensors file"
                        : "not a regular file (a FIFO, socket or device)");
            }
            throw new java.nio.file.NoSuchFileException(file.toString(), null, "no such safetensors file");
        }
        MemorySegment all;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size < 8) {
                throw new SafeTensorsException(file, null, "file is " + size + " bytes, too short for the 8-byte header length");
            }
            all = ch.map(FileChannel.MapMode.READ_ONLY, 0, size, arena);
        }
        long size = all.byteSize();
        long headerLen = all.get(ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 0);
        if (headerLen < 2 || headerLen > MAX_HEADER_BYTES || headerLen > size - 8) {
            // The value is not echoed: for a file that is not safetensors it is 8 bytes of someone's content.
            throw new SafeTensorsException(file, null, "not a safetensors file: its first 8 bytes are no possible header length for a file of "
                    + size + " bytes (limit " + MAX_HEADER_BYTES + ")");
        }
        String json;
        try {
            json = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(all.asSlice(8, headerLen).asByteBuffer())
                    .toString();
        } catch (CharacterCodingException e) {
            throw new SafeTensorsException(file, null, "header is not valid UTF-8");
        }
        Map<String, Object> header;
        try {
            header = Json.parseObject(json);
        } catch (Json.JsonException e) {
            throw new SafeTensorsException(file, null, "header is not valid JSON: " + e.getMessage());
        }
        MemorySegment data = all.asSlice(8 + headerLen);
        Map<String, String> metadata = new LinkedHashMap<>();
        List<Entry> list = new ArrayList<>();
        for (Map.Entry<String, Object> e : header.entrySet()) {
            if (e.getKey().equals("__metadata__")) {
                if (!(e.getValue() instanceof Map<?, ?> m)) {
                    throw new SafeTensorsException(file, null, "__metadata__ must be an object of strings");
                }
                for (Map.Entry<?, ?> me : m.entrySet()) {
                    if (!(me.getValue() instanceof String s)) {
                        throw new SafeTensorsException(file, null, "__metadata__ value for '" + me.getKey() + "' is not a string");
                    }
                    metadata.put((String) me.getKey(), s);
                }
                continue;
            }
            list.add(parseEntry(file, e.getKey(), e.getValue(), data.byteSize()));
        }
        // Data must be covered exactly: sorted by offset, each tensor starts where the last ended.
        List<Entry> byOffset = new ArrayList<>(list);
        byOffset.sort(Comparator.comparingLong(Entry::begin).thenComparingLong(Entry::end));
        long at = 0;
        for (Entry en : byOffset) {
            if (en.begin() < at) {
                throw new SafeTensorsException(file, en.name(), "data_offsets [" + en.begin() + ", " + en.end() + ") overlap the previous tensor (which ends at " + at + ")");
            }
            if (en.begin() > at) {
                throw new SafeTensorsException(file, en.name(), "there is a hole in the data before this tensor: bytes [" + at + ", " + en.begin() + ") belong to no tensor");
            }
            at = en.end();
        }
        if (at != data.byteSize()) {
            throw new SafeTensorsException(file, null, "the header describes " + at + " data bytes but the file holds " + data.byteSize());
        }
        Map<String, Entry> entries = new LinkedHashMap<>();
        for (Entry en : list) {
            entries.put(en.name(), en);
        }
        return new SafeTensors(file, arena, owns, data, Collections.unmodifiableMap(entries), Collections.unmodifiableMap(metadata));
    }

    private static Entry parseEntry(Path file, String name, Object v, long dataSize) throws SafeTensorsException {
        if (!(v instanceof Map<?, ?> m)) {
            throw new SafeTensorsException(file, name, "header entry is not an object");
        }
        if (!(m.get("dtype") instanceof String dtype)) {
            throw new SafeTensorsException(file, name, "missing or non-string 'dtype'");
        }
        int elemSize = elementSize(dtype);
        if (elemSize < 0) {
            throw new SafeTensorsException(file, name, "unsupported dtype '" + dtype + "' (supported: F64 F32 F16 BF16 I64 I32 I16 U16 I8 U8 BOOL)");
        }
        if (!(m.get("shape") instanceof List<?> shapeList)) {
            throw new SafeTensorsException(file, name, "missing or non-array 'shape'");
        }
        long[] shape = new long[shapeList.size()];
        long numel = 1;
        for (int i = 0; i < shape.length; i++) {
            if (!(shapeList.get(i) instanceof Long d) || d < 0) {
                throw new SafeTensorsException(file, name, "shape " + shapeList + " must hold non-negative integers");
            }
            shape[i] = d;
            try {
                numel = Math.multiplyExact(numel, d);
            } catch (ArithmeticException overflow) {
                throw new SafeTensorsException(file, name, "shape " + shapeList + " has too many elements");
            }
        }
        if (!(m.get("data_offsets") instanceof List<?> off) || off.size() != 2
                || !(off.get(0) instanceof Long begin) || !(off.get(1) instanceof Long end)) {
            throw new SafeTensorsException(file, name, "'data_offsets' must be [begin, end] integers");
        }
        if (begin < 0 || end < begin || end > dataSize) {
            throw new SafeTensorsException(file, name, "data_offsets [" + begin + ", " + end + ") are outside the data section of " + dataSize + " bytes");
        }
        long expected;
        try {
            expected = Math.multiplyExact(numel, elemSize);
        } catch (ArithmeticException overflow) {
            throw new SafeTensorsException(file, name, "shape " + shapeList + " is too large");
        }
        if (end - begin != expected) {
            throw new SafeTensorsException(file, name, "holds " + (end - begin) + " bytes but " + dtype + " " + Arrays.toString(shape)
                    + " needs " + expected);
        }
        return new Entry(name, dtype, shape, begin, end);
    }

    private static int elementSize(String dtype) {
        return switch (dtype) {
            case "F64", "I64", "U64" -> dtype.equals("U64") ? -1 : 8;
            case "F32", "I32" -> 4;
            case "F16", "BF16", "I16", "U16" -> 2;
            case "I8", "U8", "BOOL" -> 1;
            default -> -1;
        };
    }

    /** The file this was read from. */
    public Path file() {
        return file;
    }

    @Override
    public Set<String> names() {
        return entries.keySet();
    }

    /** The header entry of {@code name}. */
    public Entry entry(String name) throws SafeTensorsException {
        Entry e = entries.get(name);
        if (e == null) {
            throw new SafeTensorsException(file, name, "no such tensor in this file");
        }
        return e;
    }

    /** All header entries in file order. */
    public List<Entry> entries() {
        return List.copyOf(entries.values());
    }

    @Override
    public long[] shape(String name) throws SafeTensorsException {
        return entry(name).shape().clone();
    }

    @Override
    public Tensor get(String name) throws SafeTensorsException {
        Entry e = entry(name);
        MemorySegment bytes = data.asSlice(e.begin(), e.end() - e.begin());
        long[] shape = e.shape().clone();
        DType direct = switch (e.dtype()) {
            case "F32" -> DType.F32;
            case "F64" -> DType.F64;
            case "F16" -> DType.F16;
            case "BF16" -> DType.BF16;
            case "I32" -> DType.I32;
            case "I64" -> DType.I64;
            default -> null;
        };
        if (direct != null) {
            return new Tensor(direct, shape, Shapes.contiguousStrides(shape), 0, Storage.wrap(bytes));
        }
        // Narrow integer types are widened: the compute core has no 8/16-bit integer dtypes.
        Tensor out = Tensor.empty(DType.I32, shape);
        long n = out.numel();
        for (long i = 0; i < n; i++) {
            int v = switch (e.dtype()) {
                case "U8", "BOOL" -> Byte.toUnsignedInt(bytes.get(ValueLayout.JAVA_BYTE, i));
                case "I8" -> bytes.get(ValueLayout.JAVA_BYTE, i);
                case "I16" -> bytes.getAtIndex(ValueLayout.JAVA_SHORT_UNALIGNED, i);
                case "U16" -> Short.toUnsignedInt(bytes.getAtIndex(ValueLayout.JAVA_SHORT_UNALIGNED, i));
                default -> throw new SafeTensorsException(file, name, "unsupported dtype " + e.dtype());
            };
            Elements.writeLong(DType.I32, out.segment(), i, v);
        }
        return out;
    }

    @Override
    public Map<String, String> metadata() {
        return metadata;
    }

    @Override
    public void close() {
        if (ownsArena && arena.scope().isAlive()) {
            arena.close();
        }
    }

    // ---------------------------------------------------------------- writing

    private static String code(DType d) {
        return switch (d) {
            case F32 -> "F32";
            case F64 -> "F64";
            case F16 -> "F16";
            case BF16 -> "BF16";
            case I32 -> "I32";
            case I64 -> "I64";
        };
    }

    /**
     * Writes {@code tensors} (in name order, as the reference implementation does) with optional
     * metadata, atomically: the target is replaced only once the whole file is on disk.
     */
    public static void write(Path target, Map<String, Tensor> tensors, Map<String, String> metadata) throws IOException {
        List<String> names = new ArrayList<>(tensors.keySet());
        Collections.sort(names);
        Map<String, Object> header = new LinkedHashMap<>();
        if (metadata != null && !metadata.isEmpty()) {
            header.put("__metadata__", new LinkedHashMap<>(metadata));
        }
        long at = 0;
        for (String n : names) {
            if (n.equals("__metadata__")) {
                throw new IllegalArgumentException("'__metadata__' is reserved and cannot name a tensor");
            }
            Tensor t = tensors.get(n);
            long bytes = t.numel() * t.dtype().byteSize();
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("dtype", code(t.dtype()));
            List<Long> shape = new ArrayList<>();
            for (long d : t.shape()) {
                shape.add(d);
            }
            e.put("shape", shape);
            e.put("data_offsets", List.of(at, at + bytes));
            header.put(n, e);
            at += bytes;
        }
        byte[] json = Json.write(header).getBytes(StandardCharsets.UTF_8);
        int padded = (json.length + 7) / 8 * 8;
        byte[] headerBytes = Arrays.copyOf(json, padded);
        Arrays.fill(headerBytes, json.length, padded, (byte) ' ');

        AtomicFiles.write(target, ch -> {
            ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(padded).flip();
            writeFully(ch, len);
            writeFully(ch, ByteBuffer.wrap(headerBytes));
            for (String n : names) {
                Tensor c = tensors.get(n).cpu().contiguous(); // device tensors are downloaded first
                long bytes = c.numel() * c.dtype().byteSize();
                if (bytes > 0) {
                    MemorySegment seg = c.segment().asSlice(c.offset() * c.dtype().byteSize(), bytes);
                    writeFully(ch, seg.asByteBuffer());
                }
            }
        });
    }

    private static void writeFully(FileChannel ch, ByteBuffer buf) throws IOException {
        while (buf.hasRemaining()) {
            ch.write(buf);
        }
    }
}
