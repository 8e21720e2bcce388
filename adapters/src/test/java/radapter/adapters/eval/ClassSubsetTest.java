package radapter.adapters.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import radapter.tensor.Tensor;

/** Scoring a set on a subset of the classes (like ImageNet-R's 200 of 1000). */
class ClassSubsetTest {
    @TempDir
    Path tmp;

    static final List<String> CLASSES = List.of("cat", "dog", "fox", "owl");

    /** Class weights along the axes of a 4-d feature space: the logits are the normalised features. */
    static ZeroShotHead axisHead() {
        float[] w = new float[16];
        for (int i = 0; i < 4; i++) {
            w[i * 4 + i] = 1;
        }
        return ZeroShotHead.of(Tensor.of(w, 4, 4), CLASSES);
    }

    @Test
    void restrictingAHeadKeepsTheChosenColumnsInOrder() {
        ZeroShotHead head = axisHead();
        // Image 0 looks most like "dog" (not in the subset), then "owl"; image 1 most like "cat".
        Tensor images = Tensor.of(new float[] {0.1f, 0.9f, 0.2f, 0.4f, 0.8f, 0.1f, 0.3f, 0.2f}, 2, 4);
        float[] full = head.logits(images).toFloatArray();
        ZeroShotHead sub = head.restrict(new int[] {3, 0, 2});
        assertEquals(List.of("owl", "cat", "fox"), sub.classNames());
        float[] part = sub.logits(images).toFloatArray();
        assertEquals(6, part.length);
        for (int i = 0; i < 2; i++) {
            assertEquals(full[i * 4 + 3], part[i * 3], 1e-7);
            assertEquals(full[i * 4], part[i * 3 + 1], 1e-7);
            assertEquals(full[i * 4 + 2], part[i * 3 + 2], 1e-7);
        }
        // Labels are positions in the subset: image 0 is an "owl" (label 3), image 1 a "cat" (label 0).
        ClassSubset s = ClassSubset.ofNames(CLASSES, List.of("owl", "cat", "fox"), "test");
        long[] labels = s.remap(new long[] {3, 0});
        assertArrayEquals(new long[] {0, 1}, labels);
        // Over all four classes image 0 is wrong ("dog" wins); once "dog" cannot be predicted it is right.
        assertEquals(0.5, Metrics.topK(head.logits(images), new long[] {3, 0}, 1));
        assertEquals(1.0, Metrics.topK(sub.logits(images), labels, 1));
    }

    @Test
    void linearClassifierRestrictsWeightsAndBiasTogetherAndRoundTrips() throws Exception {
        LinearClassifier lc = LinearClassifier.of(Tensor.of(new float[] {1, 0, 0, 1, -1, 0, 0, -1}, 4, 2),
                Tensor.of(new float[] {0.1f, 0.2f, 0.3f, 0.4f}, 4), CLASSES);
        Tensor x = Tensor.of(new float[] {3, 4}, 1, 2);
        float[] full = lc.logits(x).toFloatArray();
        assertEquals(0.6 + 0.1, full[0], 1e-6, "features are normalised: (0.6, 0.8)");
        LinearClassifier sub = lc.restrict(new int[] {2, 1});
        assertArrayEquals(new float[] {full[2], full[1]}, sub.logits(x).toFloatArray(), 1e-7f);
        Path f = tmp.resolve("probe.safetensors");
        sub.save(f, null);
        LinearClassifier back = LinearClassifier.load(f);
        assertEquals(List.of("fox", "dog"), back.classNames());
        assertArrayEquals(sub.logits(x).toFloatArray(), back.logits(x).toFloatArray(), 0f);
    }

    @Test
    void subsetsFromFilesAndFromTheLabelsPresent() throws Exception {
        Path file = tmp.resolve("r200.txt");
        Files.writeString(file, "# a comment\nfox\n\n  cat  \n");
        ClassSubset s = ClassSubset.fromFile(file, CLASSES);
        assertArrayEquals(new int[] {2, 0}, s.indices());
        assertEquals("2 of 4 classes (r200.txt)", s.describe());
        assertEquals(-1, s.position(1));
        assertEquals(1, s.firstMissing(new int[] {0, 2, 1}));

        ClassSubset present = ClassSubset.present(new int[] {3, 1, 3, -1}, CLASSES, "auto");
        assertArrayEquals(new int[] {1, 3}, present.indices());
        assertEquals(List.of("dog", "owl"), present.names());
    }

    @Test
    void badSubsetsSayWhatIsWrong() throws Exception {
        Path file = tmp.resolve("bad.txt");
        Files.writeString(file, "cat\nzebra\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ClassSubset.fromFile(file, CLASSES));
        assertTrue(e.getMessage().contains("line 2") && e.getMessage().contains("'zebra'"), e.getMessage());
        Files.writeString(file, "cat\ncat\n");
        e = assertThrows(IllegalArgumentException.class, () -> ClassSubset.fromFile(file, CLASSES));
        assertTrue(e.getMessage().contains("twice"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ClassSubset.ofNames(CLASSES, List.of("emu"), "x"));
        ClassSubset s = ClassSubset.ofNames(CLASSES, List.of("cat"), "x");
        assertThrows(IllegalArgumentException.class, () -> s.remap(new long[] {1}));
        assertThrows(IllegalArgumentException.class, () -> axisHead().restrict(new int[] {}));
        assertThrows(IllegalArgumentException.class, () -> axisHead().restrict(new int[] {4}));
        assertThrows(IllegalArgumentException.class, () -> axisHead().restrict(new int[] {1, 1}));
    }
}
