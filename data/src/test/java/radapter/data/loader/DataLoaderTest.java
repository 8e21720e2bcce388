package radapter.data.loader;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import radapter.data.dataset.ClassNames;
import radapter.data.dataset.Dataset;
import radapter.data.dataset.ErrorPolicy;
import radapter.data.dataset.PromptTemplates;
import radapter.data.dataset.Sample;
import radapter.data.dataset.TestImages;
import radapter.data.transforms.ClipPreprocess;
import radapter.tensor.MemoryScope;
import radapter.tensor.Tensor;

class DataLoaderTest {
    private static final int N = 37;

    @TempDir
    Path dir;
    private Dataset dataset;
    private final List<String> warnings = Collections.synchronizedList(new ArrayList<>());

    @BeforeEach
    void images() throws IOException {
        List<Sample> samples = new ArrayList<>();
        for (int i = 0; i < N; i++) {
            Path p = TestImages.writePng(dir.resolve("img" + i + ".png"), 4, 3, i * 5);
            samples.add(new Sample(i, p, i % 4, "caption " + i));
        }
        dataset = Dataset.of(samples, ClassNames.of("a", "b", "c", "d"));
    }

    private DataLoader.Builder builder(Dataset d) {
        return DataLoader.builder(d).images(TestImages::decode).transform(TestImages::toTensor)
                .batchSize(5).seed(9).warnings(warnings::add);
    }

    /** A comparable description of an epoch: per batch, indices, labels, captions and pixels. */
    private static List<String> describe(Iterable<Batch> epoch) {
        List<String> out = new ArrayList<>();
        for (Batch b : epoch) {
            out.add(Arrays.toString(b.indices()) + Arrays.toString(b.labels()) + Arrays.toString(b.captions())
                    + Arrays.toString(b.images().shape()) + Arrays.toString(b.images().toFloatArray()));
        }
        return out;
    }

    @Test
    void batchesHoldTheRightSamples() {
        try (DataLoader loader = builder(dataset).workers(2).build()) {
            Set<Integer> seen = new HashSet<>();
            for (Batch b : loader.epoch(0)) {
                assertArrayEquals(new long[] {b.size(), 3, 3, 4}, b.images().shape());
                for (int k = 0; k < b.size(); k++) {
                    int i = b.indices()[k];
                    assertTrue(seen.add(i));
                    assertEquals(i % 4, b.labels()[k]);
                    assertEquals("caption " + i, b.captions()[k]);
                    assertEquals(i * 5 / 255f, b.images().get(k, 0, 1, 2), 1e-6);
                    assertEquals((255 - i * 5) / 255f, b.images().get(k, 2, 2, 3), 1e-6);
                }
            }
            assertEquals(N, seen.size());
            assertEquals(0, loader.skippedCount());
        }
        assertTrue(warnings.isEmpty(), warnings.toString());
    }

    @Test
    void sameBatchesWhateverTheThreadCount() {
        List<List<String>> runs = new ArrayList<>();
        int[][] configs = {{0, 1}, {1, 2}, {3, 1}, {4, 6}};
        for (int[] c : configs) {
            try (DataLoader loader = builder(dataset).workers(c[0]).prefetch(c[1]).build()) {
                List<String> run = new ArrayList<>(describe(loader.epoch(0)));
                run.addAll(describe(loader.epoch(1)));
                runs.add(run);
            }
        }
        for (List<String> r : runs) {
            assertEquals(runs.getFirst(), r);
        }
    }

    @Test
    void reshufflesEveryEpochReproducibly() {
        try (DataLoader loader = builder(dataset).workers(2).build()) {
            List<String> e0 = describe(loader);          // for-each over the loader: epoch 0
            List<String> e1 = describe(loader);          // then epoch 1
            assertNotEquals(e0, e1);
            assertEquals(e0, describe(loader.epoch(0)));
            assertEquals(e1, describe(loader.epoch(1)));
            assertFalse(Arrays.equals(loader.order(0), loader.order(1)));
            int[] sorted = loader.order(3).clone();
            Arrays.sort(sorted);
            for (int i = 0; i < N; i++) {
                assertEquals(i, sorted[i]);
            }
        }
        try (DataLoader other = builder(dataset).seed(10).workers(1).build()) {
            assertFalse(Arrays.equals(other.order(0), builder(dataset).seed(9).workers(0).build().order(0)));
        }
        try (DataLoader plain = builder(dataset).shuffle(false).workers(1).build()) {
            int expect = 0;
            for (Batch b : plain.epoch(4)) {
                for (int i : b.indices()) {
                    assertEquals(expect++, i);
                }
            }
        }
    }

    @Test
    void dropLastLeavesOutTheShortBatch() {
        try (DataLoader keep = builder(dataset).workers(1).build();
             DataLoader drop = builder(dataset).workers(1).dropLast(true).build()) {
            assertEquals(8, keep.batchesPerEpoch());
            assertEquals(7, drop.batchesPerEpoch());
            List<Integer> keepSizes = new ArrayList<>();
            keep.epoch(0).forEachRemaining(b -> keepSizes.add(b.size()));
            List<Integer> dropSizes = new ArrayList<>();
            drop.epoch(0).forEachRemaining(b -> dropSizes.add(b.size()));
            assertEquals(List.of(5, 5, 5, 5, 5, 5, 5, 2), keepSizes);
            assertEquals(List.of(5, 5, 5, 5, 5, 5, 5), dropSizes);
        }
    }

    private Dataset withBadFiles() throws IOException {
        List<Sample> samples = new ArrayList<>(dataset.samples());
        samples.set(3, new Sample(3, dir.resolve("missing.png"), 3, "gone"));
        samples.set(11, new Sample(11, TestImages.writeCorrupt(dir.resolve("corrupt.png")), 3, "broken"));
        return Dataset.of(samples, dataset.classNames());
    }

    @Test
    void missingAndCorruptImagesAreSkippedCountedAndReportedOnce() throws IOException {
        Dataset d = withBadFiles();
        try (DataLoader loader = builder(d).workers(3).build()) {
            DataLoader.Epoch epoch = loader.epoch(0);
            int samples = 0;
            int batches = 0;
            List<Integer> sizes = new ArrayList<>();
            for (Batch b : epoch) {
                batches++;
                samples += b.size();
                sizes.add(b.size());
                for (int i : b.indices()) {
                    assertTrue(i != 3 && i != 11);
                }
                assertEquals(b.size(), b.images().size(0));
            }
            assertEquals(8, batches, "the epoch runs to the end");
            assertEquals(N - 2, samples);
            assertEquals(2, epoch.skipped());
            assertEquals(2, loader.skippedCount());
            assertTrue(sizes.stream().filter(s -> s == 4).count() >= 1, "a batch with a skipped image is smaller: " + sizes);
            assertEquals(2, warnings.size(), warnings.toString());
            assertTrue(warnings.contains("radapter: skipped " + dir.resolve("missing.png") + ": file not found"), warnings.toString());
            assertTrue(warnings.contains("radapter: skipped " + dir.resolve("corrupt.png") + ": not a recognised image format"), warnings.toString());
            describe(loader.epoch(1));
            assertEquals(4, loader.skippedCount());
            assertEquals(4, warnings.size());
        }
    }

    @Test
    void aBatchWhoseImagesAllFailIsLeftOutAndTheEpochGoesOn() throws IOException {
        List<Sample> samples = new ArrayList<>(dataset.samples());
        samples.set(0, new Sample(0, dir.resolve("nope0.png"), 0, null));
        samples.set(1, new Sample(1, dir.resolve("nope1.png"), 1, null));
        List<int[]> progress = new ArrayList<>();
        try (DataLoader loader = builder(Dataset.of(samples, ClassNames.NONE)).batchSize(2).shuffle(false).workers(2)
                .progress((done, total) -> progress.add(new int[] {done, total})).build()) {
            List<Batch> got = new ArrayList<>();
            loader.epoch(0).forEachRemaining(got::add);
            assertEquals(18, got.size());
            assertArrayEquals(new int[] {2, 3}, got.getFirst().indices());
            assertEquals(19, progress.size());
            for (int i = 0; i < progress.size(); i++) {
                assertArrayEquals(new int[] {i + 1, 19}, progress.get(i));
            }
            assertEquals(2, loader.skippedCount());
        }
    }

    @Test
    void failModeStopsWithAClearMessage() throws IOException {
        Dataset d = withBadFiles();
        try (DataLoader loader = builder(d).workers(2).shuffle(false).onError(ErrorPolicy.FAIL).build()) {
            DataLoader.Epoch epoch = loader.epoch(0);
            DataLoadException e = assertThrows(DataLoadException.class, () -> epoch.forEachRemaining(b -> { }));
            assertTrue(e.getMessage().contains(dir.resolve("missing.png").toString()), e.getMessage());
            assertTrue(e.getMessage().contains("file not found"), e.getMessage());
            assertTrue(e.getMessage().contains("onError(SKIP)"), e.getMessage());
            assertFalse(epoch.hasNext());
            DataLoadException again = assertThrows(DataLoadException.class, () -> loader.epoch(0).next());
            assertEquals(e.getMessage(), again.getMessage(), "a new epoch starts afresh and meets the same image");
        }
        assertTrue(warnings.isEmpty());
    }

    @Test
    void inconsistentTransformShapesFailInBothModes() throws IOException {
        List<Sample> samples = new ArrayList<>(dataset.samples());
        samples.set(2, new Sample(2, TestImages.writePng(dir.resolve("big.png"), 8, 8, 1), 0, null));
        for (ErrorPolicy policy : ErrorPolicy.values()) {
            try (DataLoader loader = builder(Dataset.of(samples, ClassNames.NONE)).shuffle(false).workers(2).onError(policy).build()) {
                DataLoadException e = assertThrows(DataLoadException.class, () -> loader.epoch(0).forEachRemaining(b -> { }));
                assertTrue(e.getMessage().contains("equal shapes"), e.getMessage());
            }
        }
    }

    private static List<Thread> threadsNamed(String prefix) {
        List<Thread> out = new ArrayList<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().startsWith(prefix) && t.isAlive()) {
                out.add(t);
            }
        }
        return out;
    }

    @Test
    void closingStopsEveryWorkerThread() {
        DataLoader loader = builder(dataset).workers(4).prefetch(3).build();
        String prefix = loader.threadPrefix();
        assertTrue(threadsNamed(prefix).isEmpty(), "no threads before the first epoch");
        DataLoader.Epoch epoch = loader.epoch(0);
        assertTrue(epoch.hasNext());
        epoch.next();
        assertFalse(threadsNamed(prefix).isEmpty());
        loader.close();   // mid-epoch, with batches in flight
        assertEquals(List.of(), threadsNamed(prefix));
        DataLoadException e = assertThrows(DataLoadException.class, () -> {
            while (epoch.hasNext()) {
                epoch.next();
            }
        });
        assertTrue(e.getMessage().contains("closed"), e.getMessage());
        assertThrows(IllegalStateException.class, () -> loader.epoch(1));
        loader.close();   // idempotent
    }

    @Test
    void closingAnEpochEarlyCancelsItsWork() {
        try (DataLoader loader = builder(dataset).workers(2).build()) {
            try (DataLoader.Epoch epoch = loader.epoch(0)) {
                epoch.next();
            }
            int[] count = {0};
            loader.epoch(0).forEachRemaining(b -> count[0] += b.size());
            assertEquals(N, count[0]);
        }
    }

    @Test
    void randomTransformsAreReproducibleAcrossThreadCounts() {
        List<List<String>> runs = new ArrayList<>();
        for (int workers : new int[] {0, 1, 4}) {
            try (DataLoader loader = builder(dataset).workers(workers)
                    .randomTransform((img, rng) -> TestImages.toTensor(img).add(rng.nextFloat()))
                    .captions((s, rng) -> PromptTemplates.openAiImageNet().random(rng, "label" + s.label()))
                    .build()) {
                List<String> run = new ArrayList<>(describe(loader.epoch(0)));
                run.addAll(describe(loader.epoch(1)));
                runs.add(run);
            }
        }
        assertEquals(runs.get(0), runs.get(1));
        assertEquals(runs.get(0), runs.get(2));
        assertTrue(runs.getFirst().getFirst().contains("label"));
    }

    @Test
    void batchesAreGcOwnedSoTheyOutliveTheConsumersScope() {
        for (int workers : new int[] {0, 2}) {
            Batch kept;
            try (DataLoader loader = builder(dataset).workers(workers).build();
                 MemoryScope scope = MemoryScope.open()) {
                kept = loader.epoch(0).next();
                Tensor scoped = Tensor.zeros(2);
                assertTrue(scope.allocatedBytes() > 0 && scoped.numel() == 2);
                assertEquals(scoped.numel() * 4, scope.allocatedBytes(), "the batch was not allocated in the consumer's scope");
            }
            float[] v = kept.images().toFloatArray();
            assertEquals(5 * 3 * 3 * 4, v.length);
        }
    }

    @Test
    void preprocessWritesTheSameBatchesAsTheTensorTransform() throws IOException {
        // Larger, varied images so that the eval and the random training pipelines really resample.
        List<Sample> samples = new ArrayList<>();
        for (int i = 0; i < 11; i++) {
            int w = 20 + 3 * i;
            int h = 17 + 2 * i;
            java.awt.image.BufferedImage img = new java.awt.image.BufferedImage(w, h, java.awt.image.BufferedImage.TYPE_INT_RGB);
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    img.setRGB(x, y, (x * 37 + i) % 256 << 16 | (y * 53) % 256 << 8 | ((x ^ y) * 29) % 256);
                }
            }
            Path p = dir.resolve("big" + i + ".png");
            javax.imageio.ImageIO.write(img, "png", p.toFile());
            samples.add(new Sample(i, p, i % 4, "caption " + i));
        }
        samples.set(4, new Sample(4, dir.resolve("missing.png"), 0, "gone")); // skipped: compaction
        Dataset d = Dataset.of(samples, ClassNames.of("a", "b", "c", "d"));
        for (ClipPreprocess pre : List.of(ClipPreprocess.eval(16), ClipPreprocess.train(16, 0.5), ClipPreprocess.fewShotTrain(12))) {
            for (int workers : new int[] {0, 2}) {
                DataLoader.Builder b = DataLoader.builder(d).images(TestImages::decode).batchSize(4).seed(3)
                        .workers(workers).warnings(warnings::add);
                List<String> viaTensors;
                try (DataLoader loader = b.randomTransform(pre::apply).build()) {
                    viaTensors = describe(loader.epoch(1));
                }
                try (DataLoader loader = b.preprocess(pre).build()) {
                    assertEquals(viaTensors, describe(loader.epoch(1)), pre + ", " + workers + " workers");
                    assertEquals(1, loader.skippedCount());
                }
            }
        }
    }

    @Test
    void builderRejectsBadOptions() {
        assertThrows(IllegalArgumentException.class, () -> DataLoader.builder(dataset).batchSize(0));
        assertThrows(IllegalArgumentException.class, () -> DataLoader.builder(dataset).workers(-1));
        assertThrows(IllegalArgumentException.class, () -> DataLoader.builder(dataset).prefetch(0));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> DataLoader.builder(dataset).build());
        assertTrue(e.getMessage().contains("transform"));
    }

    @Test
    void withoutADecoderFileImagesAreSkippedWithAClearReason() {
        try (DataLoader loader = DataLoader.builder(dataset).transform(TestImages::toTensor).batchSize(40)
                .warnings(warnings::add).workers(1).build()) {
            assertFalse(loader.epoch(0).hasNext());
            assertEquals(N, loader.skippedCount());
            assertTrue(warnings.getFirst().contains("no image decoder configured"), warnings.getFirst());
        }
    }

    @Test
    void reasonsAreOneLineAndDoNotRepeatThePath() {
        String p = "/data/x.png";
        assertEquals("file not found", DataLoader.reason(new java.nio.file.NoSuchFileException(p), p));
        assertEquals("corrupt image data (bad huffman table)",
                DataLoader.reason(new IllegalStateException("cannot decode image '" + p + "': corrupt image data (bad huffman table)"), p));
        assertEquals("line one line two", DataLoader.reason(new IOException("line one\r\n  line two\n"), p));
        assertEquals("IOException", DataLoader.reason(new IOException(), p));
        assertEquals(p + " is odd", DataLoader.reason(new IOException(p + " is odd"), p));
    }
}
