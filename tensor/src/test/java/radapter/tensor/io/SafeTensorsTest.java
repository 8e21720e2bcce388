package radapter.tensor.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import radapter.tensor.DType;
import radapter.tensor.Rng;
import radapter.tensor.Tensor;
import radapter.testing.Shared;

class SafeTensorsTest {
    @TempDir
    Path dir;

    @Test
    void roundTripKeepsNamesShapesDtypesValuesAndMetadata() throws IOException {
        Rng rng = new Rng(3);
        Map<String, Tensor> m = new LinkedHashMap<>();
        m.put("b.weight", Tensor.randn(rng, 3, 5));
        m.put("a.ids", Tensor.ofLongs(new long[] {1, -2, 3}));
        m.put("c.half", Tensor.randn(rng, 4).to(DType.F16));
        m.put("d.scalar", Tensor.scalar(2.5));
        m.put("e.empty", Tensor.zeros(0, 3));
        m.put("f.view", Tensor.randn(rng, 4, 6).mT().narrow(0, 1, 3)); // non-contiguous source
        Path f = dir.resolve("x.safetensors");
        SafeTensors.write(f, m, Map.of("format", "pt"));
        try (SafeTensors st = SafeTensors.open(f)) {
            assertEquals(List.of("a.ids", "b.weight", "c.half", "d.scalar", "e.empty", "f.view"), List.copyOf(st.names()));
            assertEquals("pt", st.metadata().get("format"));
            for (var e : m.entrySet()) {
                Tensor got = st.get(e.getKey());
                assertEquals(e.getValue().dtype(), got.dtype(), e.getKey());
                assertArrayEquals(e.getValue().shape(), got.shape(), e.getKey());
                assertArrayEquals(e.getValue().toDoubleArray(), got.toDoubleArray(), 0.0, e.getKey());
            }
            assertEquals(DType.F32, st.getF32("c.half").dtype());
        }
        long headerLen = ByteBuffer.wrap(Files.readAllBytes(f), 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        assertEquals(0, headerLen % 8, "header padded to 8 bytes");
    }

    @Test
    void atomicWriteLeavesNoTemporaryFiles() throws IOException {
        Path f = dir.resolve("m.safetensors");
        SafeTensors.write(f, Map.of("w", Tensor.ones(2)), null);
        SafeTensors.write(f, Map.of("w", Tensor.zeros(3)), null); // replace
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of(f), files.toList());
        }
        try (SafeTensors st = SafeTensors.open(f)) {
            assertArrayEquals(new long[] {3}, st.shape("w"));
        }
    }

    @Test
    void readsEveryFixtureFile() throws IOException {
        Path root = Shared.fixtures("");
        try (Stream<Path> files = Files.walk(root)) {
            List<Path> all = files.filter(p -> p.toString().endsWith(".safetensors")).toList();
            assertFalse(all.isEmpty());
            for (Path p : all) {
                try (SafeTensors st = SafeTensors.open(p)) {
                    for (String n : st.names()) {
                        Tensor t = st.get(n);
                        assertEquals(t.numel(), radapter.tensor.Shapes.numel(st.shape(n)));
                    }
                }
            }
        }
    }

    // ---------------------------------------------------------------- malformed files fail cleanly

    private Path raw(String name, long headerLen, String json, int dataBytes) throws IOException {
        byte[] h = json.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(headerLen).put(h);
        Path p = dir.resolve(name);
        Files.write(p, b.array());
        return p;
    }

    private Path raw(String name, String json, int dataBytes) throws IOException {
        return raw(name, json.getBytes(StandardCharsets.UTF_8).length, json, dataBytes);
    }

    private void assertRejected(Path p, String... fragments) {
        SafeTensorsException e = assertThrows(SafeTensorsException.class, () -> SafeTensors.open(p).close());
        assertTrue(e.getMessage().contains(p.toString()), e.getMessage());
        for (String f : fragments) {
            assertTrue(e.getMessage().contains(f), () -> "'" + f + "' missing from: " + e.getMessage());
        }
    }

    @Test
    void rejectsBrokenHeadersWithMessagesNamingFileAndTensor() throws IOException {
        assertRejected(raw("short", 0, "", 0), "header length");
        Files.write(dir.resolve("tiny"), new byte[3]);
        assertRejected(dir.resolve("tiny"), "too short");
        assertRejected(raw("huge", Long.MAX_VALUE, "{}", 0), "header length");
        assertRejected(raw("neg", -5, "{}", 0), "header length");
        assertRejected(raw("past-end", 4096, "{}", 0), "header length");
        assertRejected(raw("badjson", "{\"a\": [1,", 0), "not valid JSON");
        assertRejected(raw("notobj", "[1, 2]", 0), "not valid JSON");
        assertRejected(raw("dtype", "{\"w\":{\"dtype\":\"F8_E4M3\",\"shape\":[1],\"data_offsets\":[0,1]}}", 1), "'w'", "unsupported dtype");
        assertRejected(raw("range", "{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", 4), "'w'", "outside");
        assertRejected(raw("count", "{\"w\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", 8), "'w'", "needs 12");
        assertRejected(raw("overlap", "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", 12), "overlap");
        assertRejected(raw("hole", "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", 8), "hole");
        assertRejected(raw("trailing", "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", 8), "holds 8");
        assertRejected(raw("shape", "{\"a\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,4]}}", 4), "non-negative");
        assertRejected(raw("meta", "{\"__metadata__\":{\"k\":1}}", 0), "__metadata__");
        byte[] bad = {'{', '"', (byte) 0xC3, (byte) 0x28, '"', ':', '1', '}'};
        assertRejected(raw("utf8", bad.length, new String(bad, StandardCharsets.ISO_8859_1), 0));
    }

    @Test
    void fuzzedFilesNeverCrashWithAnythingButACleanError() throws IOException {
        Path good = dir.resolve("good.safetensors");
        Rng rng = new Rng(11);
        SafeTensors.write(good, Map.of("a", Tensor.randn(rng, 3, 4), "b", Tensor.ofInts(new int[] {1, 2, 3})), Map.of("k", "v"));
        byte[] orig = Files.readAllBytes(good);
        Path p = dir.resolve("fuzz.safetensors");
        int clean = 0;
        for (int trial = 0; trial < 600; trial++) {
            byte[] b = orig.clone();
            switch (trial % 3) {
                case 0 -> b = java.util.Arrays.copyOf(b, rng.nextInt(b.length)); // truncation
                case 1 -> { // byte flips, mostly in the header
                    for (int k = 0; k < 1 + rng.nextInt(4); k++) {
                        b[rng.nextInt(Math.min(b.length, 160))] = (byte) rng.nextInt(256);
                    }
                }
                default -> b[rng.nextInt(8)] = (byte) rng.nextInt(256); // header length bytes
            }
            Files.write(p, b);
            try (SafeTensors st = SafeTensors.open(p)) {
                for (String n : st.names()) {
                    st.get(n).toDoubleArray();
                }
                clean++;
            } catch (SafeTensorsException expected) {
                assertTrue(expected.getMessage().startsWith(p.toString()), expected.getMessage());
            }
        }
        assertTrue(clean < 600, "some mutations must be rejected");
    }

    @Test
    void shardedIndexResolvesNamesAcrossFiles() throws IOException {
        SafeTensors.write(dir.resolve("s1.safetensors"), Map.of("a", Tensor.ones(2)), null);
        SafeTensors.write(dir.resolve("s2.safetensors"), Map.of("b", Tensor.full(3.0, 2)), null);
        Files.writeString(dir.resolve("model.safetensors.index.json"),
                "{\"metadata\":{\"total_size\":16},\"weight_map\":{\"a\":\"s1.safetensors\",\"b\":\"s2.safetensors\"}}");
        try (TensorSource src = ShardedSafeTensors.openAny(dir)) {
            assertEquals(2, src.names().size());
            assertEquals(3.0, src.get("b").get(1));
            assertEquals("16", src.metadata().get("total_size"));
        }
        Files.writeString(dir.resolve("bad.index.json"), "{\"weight_map\":{\"zz\":\"s1.safetensors\"}}");
        SafeTensorsException e = assertThrows(SafeTensorsException.class, () -> ShardedSafeTensors.open(dir.resolve("bad.index.json")));
        assertTrue(e.getMessage().contains("'zz'"), e.getMessage());
    }
}
