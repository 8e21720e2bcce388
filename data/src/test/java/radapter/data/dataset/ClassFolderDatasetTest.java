package radapter.data.dataset;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClassFolderDatasetTest {
    @TempDir
    Path dir;

    @Test
    void classesAreSortedFolderNamesAndLabelsTheirPositions() throws IOException {
        TestImages.writePng(dir.resolve("n02/b.png"), 2, 2, 1);
        TestImages.writePng(dir.resolve("n02/a.JPG"), 2, 2, 1);
        TestImages.writePng(dir.resolve("n01/z.png"), 2, 2, 1);
        TestImages.writePng(dir.resolve("n01/sub/y.jpeg"), 2, 2, 1);
        Files.writeString(dir.resolve("n01/notes.txt"), "not an image");
        TestImages.writePng(dir.resolve("n01/.hidden.png"), 2, 2, 1);
        TestImages.writePng(dir.resolve(".cache/x.png"), 2, 2, 1);
        Files.writeString(dir.resolve("README"), "a file, not a class");
        TestImages.writePng(dir.resolve("a10/q.png"), 2, 2, 1);

        ClassFolderDataset ds = ClassFolderDataset.open(dir);
        assertEquals(List.of("a10", "n01", "n02"), ds.classNames().asList());
        assertEquals(5, ds.size());
        assertEquals(dir.resolve("a10/q.png"), ds.get(0).path());
        assertEquals(0, ds.get(0).label());
        assertEquals(dir.resolve("n01/sub/y.jpeg"), ds.get(1).path());
        assertEquals(dir.resolve("n01/z.png"), ds.get(2).path());
        assertEquals(1, ds.get(2).label());
        assertEquals(dir.resolve("n02/a.JPG"), ds.get(3).path());
        assertEquals(2, ds.get(4).label());
        assertNull(ds.get(4).caption());
        for (int i = 0; i < ds.size(); i++) {
            assertEquals(i, ds.get(i).index());
        }
    }

    @Test
    void extensionsCanBeChosen() throws IOException {
        TestImages.writePng(dir.resolve("c/a.png"), 2, 2, 1);
        Files.writeString(dir.resolve("c/b.raw"), "x");
        ClassFolderDataset ds = ClassFolderDataset.builder(dir).extensions(Set.of("RAW")).build();
        assertEquals(1, ds.size());
        assertEquals(dir.resolve("c/b.raw"), ds.get(0).path());
    }

    @Test
    void emptyClassFolderIsAnErrorUnlessAllowed() throws IOException {
        TestImages.writePng(dir.resolve("a/x.png"), 2, 2, 1);
        Files.createDirectories(dir.resolve("b"));
        DatasetException e = assertThrows(DatasetException.class, () -> ClassFolderDataset.open(dir));
        assertTrue(e.getMessage().contains("'b' holds no image"), e.getMessage());
        ClassFolderDataset ds = ClassFolderDataset.builder(dir).allowEmptyClasses(true).build();
        assertEquals(2, ds.classNames().size());
        assertEquals(1, ds.size());
    }

    @Test
    void missingOrEmptyRootIsClear() throws IOException {
        DatasetException e = assertThrows(DatasetException.class, () -> ClassFolderDataset.open(dir.resolve("nope")));
        assertTrue(e.getMessage().contains("not a folder"), e.getMessage());
        DatasetException e2 = assertThrows(DatasetException.class, () -> ClassFolderDataset.open(dir));
        assertTrue(e2.getMessage().contains("no class folders"), e2.getMessage());
    }

    @Test
    void linksOutOfTheRootAreRefused() throws IOException {
        Path secret = TestImages.writePng(dir.resolve("private/s.png"), 2, 2, 1);
        Path root = dir.resolve("root");
        TestImages.writePng(root.resolve("c/a.png"), 2, 2, 1);
        Files.createSymbolicLink(root.resolve("c/link.png"), secret);
        DatasetException e = assertThrows(DatasetException.class, () -> ClassFolderDataset.open(root));
        assertTrue(e.getMessage().contains("symbolic link") && e.getMessage().contains("allowOutsideRoot"), e.getMessage());
        assertEquals(2, ClassFolderDataset.builder(root).allowOutsideRoot(true).build().size());
    }
}
