package radapter.data.dataset;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import radapter.data.image.ImageDecoder;

/** Dataset images stay inside the root when they are opened, not only when the list was read. */
class DatasetConfinementTest {
    @TempDir
    Path tmp;

    @Test
    void aLinkChangedAfterReadingIsRefusedAtOpenTime() throws Exception {
        Path root = Files.createDirectories(tmp.resolve("data"));
        Path outside = tmp.resolve("outside.png");
        ImageIO.write(new BufferedImage(4, 4, BufferedImage.TYPE_INT_RGB), "png", outside.toFile());
        Path img = root.resolve("img.png");
        Files.copy(outside, img);
        Files.writeString(root.resolve("list.csv"), "filepath\tclass\nimg.png\t0\n");
        CsvDataset ds = CsvDataset.read(root.resolve("list.csv"));
        assertEquals(4, ds.image(0, ImageDecoder::decode).width());
        Files.delete(img);
        Files.createSymbolicLink(img, outside);
        DatasetException e = assertThrows(DatasetException.class, () -> ds.image(0, ImageDecoder::decode));
        assertTrue(e.getMessage().contains("outside the dataset root"), e.getMessage());
    }

    @Test
    void aDanglingLinkIsRefusedWhenTheListIsRead() throws Exception {
        Path root = Files.createDirectories(tmp.resolve("data2"));
        Files.createSymbolicLink(root.resolve("later.png"), tmp.resolve("appears-later.png"));
        Files.writeString(root.resolve("list.csv"), "filepath\tclass\nlater.png\t0\n");
        DatasetException e = assertThrows(DatasetException.class, () -> CsvDataset.read(root.resolve("list.csv")));
        assertTrue(e.getMessage().contains("list.csv:2") && e.getMessage().contains("missing file"), e.getMessage());
    }
}
