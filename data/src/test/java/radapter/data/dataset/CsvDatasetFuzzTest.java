package radapter.data.dataset;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import radapter.testing.Mutator;

/**
 * Seeded mutation fuzzing of the CSV/TSV dataset reader: every mutated file reads or fails with a
 * {@link DatasetException} naming the file (an I/O error for what is not text), nothing else.
 */
class CsvDatasetFuzzTest {
    @TempDir
    Path dir;

    @Test
    void mutatedCsvFilesReadOrFailCleanly() throws IOException {
        String seed = "filepath\ttitle\tclass\n"
                + "a/1.png\ta photo of a \"cat\"\t0\n"
                + "a/2.png\tcafé, au lait\t1\n"
                + "\"b/3 with space.png\"\tline\t2\n"
                + "../outside.png\tnope\t0\n"
                + "b/4.png\t\t1\n";
        Path csv = dir.resolve("data.csv");
        Mutator m = new Mutator(31);
        int rejected = 0;
        for (int i = 0; i < 1500; i++) {
            Files.write(csv, m.mutate(seed.getBytes(StandardCharsets.UTF_8)));
            try {
                CsvDataset ds = CsvDataset.builder(csv).onBadRow(i % 2 == 0 ? ErrorPolicy.FAIL : ErrorPolicy.SKIP).warnings(w -> { }).read();
                assertTrue(ds.size() >= 0);
            } catch (DatasetException e) {
                assertTrue(e.getMessage().contains("data.csv"), e.getMessage());
                rejected++;
            }
        }
        assertTrue(rejected > 100, "most mutations of a file with a bad row must be rejected in FAIL mode, got " + rejected);
    }
}
