package radapter.data.dataset;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import org.junit.jupiter.api.Test;
import radapter.tensor.Rng;

class KShotTest {
    /** {@code perClass[c]} samples of class c, interleaved. */
    private static Dataset dataset(int... perClass) {
        List<Sample> s = new ArrayList<>();
        int max = Arrays.stream(perClass).max().orElse(0);
        for (int i = 0; i < max; i++) {
            for (int c = 0; c < perClass.length; c++) {
                if (i < perClass[c]) {
                    s.add(new Sample(0, Path.of("/d/c" + c + "_" + i + ".png"), c, null));
                }
            }
        }
        List<String> names = new ArrayList<>();
        for (int c = 0; c < perClass.length; c++) {
            names.add("class" + c);
        }
        return Dataset.of(s, ClassNames.of(names));
    }

    @Test
    void takesKPerClassDeterministicallyBySeed() {
        Dataset d = dataset(20, 30, 16);
        Dataset a = KShot.select(d, 4, new Rng(1));
        Dataset b = KShot.select(d, 4, new Rng(1));
        Dataset c = KShot.select(d, 4, new Rng(2));
        assertEquals(12, a.size());
        int[] counts = new int[3];
        for (int i = 0; i < a.size(); i++) {
            counts[a.get(i).label()]++;
            assertEquals(i, a.get(i).index());
            assertEquals(a.get(i).path(), b.get(i).path());
        }
        assertArrayEquals(new int[] {4, 4, 4}, counts);
        assertFalse(a.samples().equals(c.samples()), "another seed should pick other images");
        assertEquals(12, new HashSet<>(a.samples().stream().map(Sample::path).toList()).size());
        assertEquals(d.classNames(), a.classNames());
    }

    @Test
    void tooLargeKIsAClearError() {
        Dataset d = dataset(20, 3, 16);
        DatasetException e = assertThrows(DatasetException.class, () -> KShot.select(d, 16, new Rng(0)));
        assertTrue(e.getMessage().contains("k = 16"), e.getMessage());
        assertTrue(e.getMessage().contains("class 1 'class1' has 3"), e.getMessage());
        assertTrue(e.getMessage().contains("allowFewer"), e.getMessage());
        Dataset some = KShot.select(d, 16, new Rng(0), true);
        assertEquals(16 + 3 + 16, some.size());
    }

    @Test
    void aClassWithNoSamplesCountsAsShort() {
        List<Sample> s = List.of(new Sample(0, Path.of("/a"), 0, null), new Sample(1, Path.of("/b"), 2, null));
        Dataset d = Dataset.of(s, ClassNames.NONE);
        DatasetException e = assertThrows(DatasetException.class, () -> KShot.select(d, 1, new Rng(0)));
        assertTrue(e.getMessage().contains("class 1 has 0"), e.getMessage());
    }

    @Test
    void unlabelledSamplesAndBadKAreRefused() {
        Dataset d = Dataset.of(List.of(new Sample(0, Path.of("/a"), Sample.NO_LABEL, null)), ClassNames.NONE);
        assertThrows(DatasetException.class, () -> KShot.select(d, 1, new Rng(0)));
        assertThrows(IllegalArgumentException.class, () -> KShot.select(dataset(3), 0, new Rng(0)));
    }

    @Test
    void subsetsOfSubsetsComposeAndImagesComeFromTheSource() throws Exception {
        Dataset d = dataset(10, 10);
        Dataset k = KShot.select(d, 5, new Rng(3));
        Dataset kk = k.subset(new int[] {9, 0});
        assertEquals(k.get(9).path(), kk.get(0).path());
        assertEquals(0, kk.get(0).index());
        assertEquals(k.get(0).path(), kk.get(1).path());
        Path[] seen = new Path[1];
        kk.image(1, p -> {
            seen[0] = p;
            return radapter.data.image.RgbImage.blank(1, 1);
        });
        assertEquals(k.get(0).path(), seen[0]);
    }
}
