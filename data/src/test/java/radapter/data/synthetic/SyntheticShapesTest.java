package radapter.data.synthetic;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Color;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import radapter.data.dataset.ClassFolderDataset;
import radapter.data.dataset.ClassNames;
import radapter.data.dataset.CsvDataset;
import radapter.data.dataset.Sample;
import radapter.data.dataset.TestImages;
import radapter.data.image.RgbImage;
import radapter.data.loader.Batch;
import radapter.data.loader.DataLoader;

class SyntheticShapesTest {
    @TempDir
    Path dir;

    private static SyntheticShapes shapes(long seed) {
        return SyntheticShapes.builder().seed(seed).imageSize(32).sizeAll(120).build();
    }

    /** The shortcut: the stamp's cell is the class in-distribution, random in the shifts, present in about half the pre-training mix. */
    @Test
    void theStampIsAPerfectCueInDistributionOnlyAndDrawnOnTop() {
        int cells = ShapeRenderer.STAMP_CELLS.length;
        assertEquals(Planner.CLASSES, cells, "one stamp cell per class");
        for (Split split : Split.values()) {
            int matches = 0;
            int stamped = 0;
            int n = 600;
            for (int i = 0; i < n; i++) {
                ShapeRenderer.Plan p = Planner.plan(split, i, new radapter.tensor.Rng(5).fork(i), 32);
                if (p.stamp >= 0) {
                    stamped++;
                    matches += p.stamp == p.label ? 1 : 0;
                }
            }
            switch (split) {
                case TRAIN, TEST -> assertEquals(n, matches, split + ": every image carries its class's stamp");
                case PRETRAIN -> {
                    assertTrue(stamped > n / 3 && stamped < 2 * n / 3, "pre-training: about half stamped, got " + stamped);
                    assertTrue(matches < stamped / 4, "pre-training: the stamp says nothing about the class");
                }
                default -> {
                    assertEquals(n, stamped, split + ": every shifted image carries a stamp");
                    assertTrue(matches < n / 4, split + ": the stamp says nothing about the class, " + matches + " of " + n + " match");
                }
            }
        }
        // Drawn last: the stamp's cell is one flat dark square in the rendered image.
        SyntheticDataset train = shapes(3).split(Split.TRAIN);
        RgbImage img = train.image(0);
        int[] cell = ShapeRenderer.STAMP_CELLS[train.get(0).label()];
        byte[] px = img.pixels();
        int o = ((cell[1] * 8 + 3) * 32 + cell[0] * 8 + 3) * 3;
        int lum = (px[o] & 0xFF) + (px[o + 1] & 0xFF) + (px[o + 2] & 0xFF);
        assertTrue(lum < 3 * 80, "the stamp is dark, got " + lum / 3);
    }

    @Test
    void sameSeedGivesIdenticalBytesInAnyOrder() {
        SyntheticShapes a = shapes(3);
        SyntheticShapes b = shapes(3);
        for (Split s : Split.values()) {
            SyntheticDataset da = a.split(s);
            SyntheticDataset db = b.split(s);
            for (int i = 19; i >= 0; i--) {
                assertArrayEquals(da.image(i).pixels(), db.image(i).pixels(), s + " image " + i);
                assertEquals(da.get(i), db.get(i));
            }
            assertArrayEquals(da.image(7).pixels(), da.image(7).pixels());
        }
    }

    @Test
    void differentSeedsAndSplitsDiffer() {
        SyntheticShapes a = shapes(3);
        assertFalse(java.util.Arrays.equals(a.split(Split.TRAIN).image(0).pixels(), shapes(4).split(Split.TRAIN).image(0).pixels()));
        Split[] all = Split.values();
        for (int x = 0; x < all.length; x++) {
            for (int y = x + 1; y < all.length; y++) {
                int same = 0;
                for (int i = 0; i < 12; i++) {
                    if (java.util.Arrays.equals(a.split(all[x]).image(i).pixels(), a.split(all[y]).image(i).pixels())) {
                        same++;
                    }
                }
                assertEquals(0, same, all[x] + " vs " + all[y]);
            }
        }
    }

    @Test
    void twelveBalancedClassesNamedByColourAndShape() {
        SyntheticShapes s = SyntheticShapes.builder().build();
        ClassNames names = s.classNames();
        assertEquals(12, names.size());
        assertEquals("blue circle", names.get(0));
        assertEquals("red triangle", names.get(11));
        List<String> sorted = new ArrayList<>(names.asList());
        sorted.sort(null);
        assertEquals(sorted, names.asList(), "labels follow the sorted names");
        assertEquals(32, s.imageSize());
        assertEquals(Split.PRETRAIN.defaultSize(), s.split(Split.PRETRAIN).size());
        for (Split split : Split.values()) {
            SyntheticDataset d = shapes(1).split(split);
            for (int i = 0; i < 48; i++) {
                Sample sm = d.get(i);
                assertEquals(i % 12, sm.label());
                String[] words = names.get(sm.label()).split(" ");
                assertTrue(sm.caption().contains(words[0]) && sm.caption().contains(words[1]), split + ": " + sm.caption());
                assertEquals(Path.of(split.id(), words[0] + "_" + words[1], String.format("%06d.png", i)), sm.path());
            }
        }
        assertEquals(Split.SKETCH, Split.of("Sketch"));
        assertThrows(IllegalArgumentException.class, () -> Split.of("imagenet"));
        assertThrows(IllegalArgumentException.class, () -> SyntheticShapes.builder().imageSize(4));
    }

    /** Per split: mean brightness, mean saturation of the corner pixels, mean gradient, spread of object size. */
    private static double[] stats(SyntheticDataset d, int count) {
        double bright = 0;
        double cornerSat = 0;
        double grad = 0;
        double[] fractions = new double[count];
        float[] hsb = new float[3];
        for (int i = 0; i < count; i++) {
            RgbImage im = d.image(i);
            int n = im.width();
            int object = 0;
            for (int y = 0; y < n; y++) {
                for (int x = 0; x < n; x++) {
                    Color.RGBtoHSB(im.get(x, y, 0), im.get(x, y, 1), im.get(x, y, 2), hsb);
                    bright += hsb[2];
                    if (hsb[1] > 0.3 && hsb[2] > 0.3) {
                        object++;
                    }
                    if (x + 1 < n) {
                        for (int c = 0; c < 3; c++) {
                            grad += Math.abs(im.get(x + 1, y, c) - im.get(x, y, c));
                        }
                    }
                }
            }
            for (int[] corner : new int[][] {{0, 0}, {n - 1, 0}, {0, n - 1}, {n - 1, n - 1}}) {
                Color.RGBtoHSB(im.get(corner[0], corner[1], 0), im.get(corner[0], corner[1], 1), im.get(corner[0], corner[1], 2), hsb);
                cornerSat += hsb[1] / 4;
            }
            fractions[i] = object / (double) (n * n);
        }
        int px = count * 32 * 32;
        double mean = java.util.Arrays.stream(fractions).average().orElse(0);
        double var = java.util.Arrays.stream(fractions).map(f -> (f - mean) * (f - mean)).average().orElse(0);
        return new double[] {bright / px, cornerSat / count, grad / px, Math.sqrt(var)};
    }

    @Test
    void shiftedSplitsDifferFromInDistributionInPixelStatistics() {
        SyntheticShapes s = shapes(11);
        Map<Split, double[]> st = new EnumMap<>(Split.class);
        for (Split split : Split.values()) {
            st.put(split, stats(s.split(split), 96));
        }
        double[] train = st.get(Split.TRAIN);
        double[] test = st.get(Split.TEST);
        // The two in-distribution splits agree closely.
        assertEquals(train[0], test[0], 0.03);
        assertEquals(train[2], test[2], 0.25 * train[2]);
        String all = describe(st);
        // Sketch: white paper, thin lines: brighter, and nearly no saturated pixels.
        assertTrue(st.get(Split.SKETCH)[0] > test[0] + 0.05, all);
        // Texture: patterns and textured backgrounds: much more gradient energy.
        assertTrue(st.get(Split.TEXTURE)[2] > 1.8 * test[2], all);
        // Palette: saturated or dark backgrounds.
        assertTrue(st.get(Split.PALETTE)[1] > test[1] + 0.25, all);
        assertTrue(Math.abs(st.get(Split.PALETTE)[0] - test[0]) > 0.1, all);
        // Geometry: object sizes far more spread.
        assertTrue(st.get(Split.GEOMETRY)[3] > 2 * test[3], all);
    }

    private static String describe(Map<Split, double[]> st) {
        StringBuilder sb = new StringBuilder();
        st.forEach((k, v) -> sb.append(k).append(java.util.Arrays.toString(v)).append(' '));
        return sb.toString();
    }

    /** The hue family (0 blue, 1 green, 2 red) with the most clearly coloured pixels, or -1. */
    private static int dominantFamily(RgbImage im) {
        int[] votes = new int[3];
        float[] hsb = new float[3];
        double[] hues = {225, 120, 0};
        for (int y = 0; y < im.height(); y++) {
            for (int x = 0; x < im.width(); x++) {
                Color.RGBtoHSB(im.get(x, y, 0), im.get(x, y, 1), im.get(x, y, 2), hsb);
                if (hsb[1] < 0.15 || hsb[2] < 0.33) {
                    continue;
                }
                double h = hsb[0] * 360;
                for (int f = 0; f < 3; f++) {
                    double d = Math.abs(h - hues[f]);
                    if (Math.min(d, 360 - d) < 30) {
                        votes[f]++;
                    }
                }
            }
        }
        int best = votes[0] >= votes[1] ? 0 : 1;
        best = votes[best] >= votes[2] ? best : 2;
        return votes[best] == 0 ? -1 : best;
    }

    @Test
    void theClassColourStaysRecognisableInEveryTestSplit() {
        SyntheticShapes s = shapes(5);
        for (Split split : new Split[] {Split.TRAIN, Split.TEST, Split.SKETCH, Split.TEXTURE, Split.PALETTE, Split.GEOMETRY}) {
            SyntheticDataset d = s.split(split);
            int right = 0;
            for (int i = 0; i < 96; i++) {
                if (dominantFamily(d.image(i)) == d.get(i).label() / 4) {
                    right++;
                }
            }
            assertTrue(right >= 92, split + ": colour family recognisable in only " + right + " of 96");
        }
    }

    @Test
    void writeToRoundTripsThroughCsvAndClassFolders() throws IOException {
        SyntheticShapes s = SyntheticShapes.builder().seed(2).imageSize(16).sizeAll(30).build();
        Path out = dir.resolve("synthetic");
        s.writeTo(out, Split.TRAIN, Split.SKETCH);
        assertEquals(s.classNames(), ClassNames.fromFile(out.resolve("classnames.txt")));
        for (Split split : new Split[] {Split.TRAIN, Split.SKETCH}) {
            SyntheticDataset mem = s.split(split);
            CsvDataset csv = CsvDataset.read(out.resolve(split.id() + ".csv"));
            assertEquals(mem.size(), csv.size());
            assertEquals('\t', csv.separator());
            ClassFolderDataset folders = ClassFolderDataset.open(out.resolve(split.id()));
            assertEquals(12, folders.classNames().size());
            Map<Path, Integer> folderLabels = new HashMap<>();
            for (Sample f : folders.samples()) {
                folderLabels.put(f.path(), f.label());
            }
            for (int i = 0; i < mem.size(); i++) {
                Sample m = mem.get(i);
                Sample c = csv.get(i);
                assertEquals(out.resolve(m.path()), c.path());
                assertEquals(m.label(), c.label());
                assertEquals(m.caption(), c.caption());
                assertEquals(m.label(), folderLabels.get(c.path()));
                assertArrayEquals(mem.image(i).pixels(), TestImages.decode(c.path()).pixels(), "PNG is lossless");
            }
        }
        assertFalse(Files.exists(out.resolve("pretrain")));
        try (Stream<Path> leftovers = Files.list(dir)) {
            assertEquals(List.of(out), leftovers.toList(), "no temporary folder left behind");
        }
    }

    @Test
    void writeToRefusesANonEmptyFolderAndLeavesNothingBehind() throws IOException {
        SyntheticShapes s = SyntheticShapes.builder().imageSize(8).sizeAll(3).build();
        Path out = Files.createDirectories(dir.resolve("taken"));
        Files.writeString(out.resolve("keep.txt"), "mine");
        FileAlreadyExistsException e = assertThrows(FileAlreadyExistsException.class, () -> s.writeTo(out));
        assertTrue(e.getMessage().contains("not empty"), e.getMessage());
        assertEquals("mine", Files.readString(out.resolve("keep.txt")));
        Path empty = Files.createDirectories(dir.resolve("empty"));
        s.writeTo(empty, Split.TEST);
        assertTrue(Files.exists(empty.resolve("test.csv")));
        try (Stream<Path> entries = Files.list(dir)) {
            assertEquals(2, entries.count(), "no temporary folders left");
        }
    }

    @Test
    void servesALoaderFromMemory() {
        SyntheticDataset d = shapes(1).split(Split.TRAIN);
        try (DataLoader loader = DataLoader.builder(d).transform(TestImages::toTensor).batchSize(50).workers(2).build()) {
            int n = 0;
            for (Batch b : loader.epoch(0)) {
                assertArrayEquals(new long[] {b.size(), 3, 32, 32}, b.images().shape());
                n += b.size();
            }
            assertEquals(d.size(), n);
            assertEquals(0, loader.skippedCount());
        }
    }

    @Test
    void generatesThousandsOfSmallImagesPerSecond() {
        SyntheticDataset d = SyntheticShapes.builder().seed(9).imageSize(32).build().split(Split.PRETRAIN);
        for (int i = 0; i < 300; i++) {
            d.image(i); // warm-up
        }
        int count = 3000;
        long t0 = System.nanoTime();
        for (int i = 0; i < count; i++) {
            d.image(i);
        }
        double perSecond = count / ((System.nanoTime() - t0) / 1e9);
        System.out.printf("synthetic: %.0f 32-px images/s on one thread%n", perSecond);
        assertTrue(perSecond > 1000, perSecond + " images/s");
    }
}
