package radapter.data.dataset;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CaptionDatasetTest {
    @TempDir
    Path dir;

    private static final String COCO = """
            {"info": {}, "images": [
               {"file_name": "COCO_val2014_000000000042.jpg", "id": 42, "height": 480},
               {"file_name": "COCO_val2014_000000000073.jpg", "id": 73},
               {"file_name": "COCO_val2014_000000000099.jpg", "id": 99}],
             "annotations": [
               {"image_id": 73, "id": 1, "caption": "A man riding\\na horse. "},
               {"image_id": 42, "id": 2, "caption": "Two dogs."},
               {"image_id": 73, "id": 3, "caption": "A horse with\\ta rider."}]}
            """;

    @Test
    void cocoCaptionsGroupByImageInFileOrder() throws IOException {
        Path json = Files.writeString(dir.resolve("captions_val2014.json"), COCO);
        List<String> warn = new ArrayList<>();
        CaptionDataset ds = CaptionDataset.reader().imageDir(dir.resolve("val2014")).warnings(warn::add).read(json);
        assertEquals(2, ds.imageCount());
        assertEquals(3, ds.captionCount());
        assertEquals(1, ds.imagesWithoutCaptions());
        assertTrue(warn.getFirst().contains("1 images have no caption"), warn.getFirst());
        CaptionDataset.Entry first = ds.entries().getFirst();
        assertEquals(42, first.id());
        assertEquals(dir.resolve("val2014/COCO_val2014_000000000042.jpg"), first.path());
        assertEquals(List.of("Two dogs."), first.captions());
        assertEquals(List.of("A man riding a horse.", "A horse with a rider."), ds.entries().get(1).captions());

        Dataset pairs = ds.pairs();
        assertEquals(3, pairs.size());
        assertEquals(0, pairs.get(0).label());
        assertEquals(1, pairs.get(2).label());
        assertEquals("A horse with a rider.", pairs.get(2).caption());
        assertEquals(1, ds.imageOfCaption(2));
        Dataset images = ds.images();
        assertEquals(2, images.size());
        assertEquals("A man riding a horse.", images.get(1).caption());
        assertEquals(1, images.get(1).label());
    }

    @Test
    void unknownImageIdFailsOrIsSkipped() throws IOException {
        String bad = COCO.replace("\"image_id\": 42", "\"image_id\": 7");
        Path json = Files.writeString(dir.resolve("c.json"), bad);
        DatasetException e = assertThrows(DatasetException.class, () -> CaptionDataset.reader().read(json));
        assertTrue(e.getMessage().contains("annotations[1]: image_id 7 is not among the images"), e.getMessage());
        List<String> warn = new ArrayList<>();
        CaptionDataset ds = CaptionDataset.reader().onBadEntry(ErrorPolicy.SKIP).warnings(warn::add).read(json);
        assertEquals(1, ds.imageCount());
        assertTrue(warn.stream().anyMatch(w -> w.startsWith("radapter: skipped ") && w.contains("image_id 7")), warn.toString());
    }

    @Test
    void karpathyJsonWithSplitFilterAndSubfolders() throws IOException {
        String k = """
                {"images": [
                  {"filename": "1.jpg", "split": "train", "imgid": 0, "sentences": [{"raw": "one"}]},
                  {"filename": "2.jpg", "split": "test", "imgid": 1, "sentences": [{"raw": "two a"}, {"raw": "two b"}]},
                  {"filepath": "val2014", "filename": "3.jpg", "split": "test", "cocoid": 555, "sentences": [{"raw": "three"}]}
                ], "dataset": "flickr30k"}
                """;
        Path json = Files.writeString(dir.resolve("dataset_flickr30k.json"), k);
        CaptionDataset all = CaptionDataset.reader().read(json);
        assertEquals(3, all.imageCount());
        CaptionDataset test = CaptionDataset.reader().imageDir(dir.resolve("images")).split("test").read(json);
        assertEquals(2, test.imageCount());
        assertEquals(List.of("two a", "two b"), test.entries().get(0).captions());
        assertEquals(1, test.entries().get(0).id());
        assertEquals(dir.resolve("images/val2014/3.jpg"), test.entries().get(1).path());
        assertEquals(555, test.entries().get(1).id());
    }

    @Test
    void escapingFileNamesAndMalformedJsonAreRefused() throws IOException {
        Path json = Files.writeString(dir.resolve("c.json"), COCO.replace("COCO_val2014_000000000042.jpg", "../../etc/passwd"));
        DatasetException e = assertThrows(DatasetException.class, () -> CaptionDataset.reader().read(json));
        assertTrue(e.getMessage().contains("outside the dataset root"), e.getMessage());
        Path broken = Files.writeString(dir.resolve("b.json"), "{\"images\": [");
        DatasetException e2 = assertThrows(DatasetException.class, () -> CaptionDataset.reader().read(broken));
        assertTrue(e2.getMessage().contains("not valid JSON"), e2.getMessage());
        Path noImages = Files.writeString(dir.resolve("n.json"), "{\"annotations\": []}");
        DatasetException e3 = assertThrows(DatasetException.class, () -> CaptionDataset.reader().read(noImages));
        assertTrue(e3.getMessage().contains("'images' must be an array (missing)"), e3.getMessage());
    }

    @Test
    void csvRowsGroupByPath() throws IOException {
        Path csv = Files.writeString(dir.resolve("coco.csv"),
                "title\tfilepath\tclass\ncap a1\ta.jpg\t5\ncap b1\tb.jpg\t6\ncap a2\ta.jpg\t5\n");
        CaptionDataset ds = CaptionDataset.fromCsv(CsvDataset.read(csv));
        assertEquals(2, ds.imageCount());
        assertEquals(List.of("cap a1", "cap a2"), ds.entries().get(0).captions());
        assertEquals(dir.resolve("b.jpg"), ds.entries().get(1).path());
        assertEquals(3, ds.pairs().size());
        Path noCaptions = Files.writeString(dir.resolve("n.csv"), "filepath\na.jpg\n");
        assertThrows(DatasetException.class, () -> CaptionDataset.fromCsv(CsvDataset.read(noCaptions)));
    }
}
