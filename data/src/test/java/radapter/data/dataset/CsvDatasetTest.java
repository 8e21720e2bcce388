package radapter.data.dataset;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CsvDatasetTest {
    @TempDir
    Path dir;

    private Path csv(String name, String text) throws IOException {
        Path p = dir.resolve(name);
        Files.createDirectories(p.getParent());
        Files.writeString(p, text, StandardCharsets.UTF_8);
        return p;
    }

    @Test
    void readsTabSeparatedOfficialLayoutWithAnyColumnOrder() throws IOException {
        Path f = csv("data/train.csv", "title\tfilepath\tclass\na photo of a cat.\timg/cat.png\t3\na dog.\timg/dog.png\t0\n");
        CsvDataset ds = CsvDataset.read(f);
        assertEquals('\t', ds.separator());
        assertEquals(2, ds.size());
        Sample s = ds.get(0);
        assertEquals(0, s.index());
        assertEquals(dir.resolve("data/img/cat.png").toAbsolutePath().normalize(), s.path());
        assertEquals(3, s.label());
        assertEquals("a photo of a cat.", s.caption());
        assertEquals(0, ds.get(1).label());
        assertEquals(1, ds.get(1).index());
    }

    @Test
    void commaSeparatedWithRfc4180Quoting() throws IOException {
        String text = "\uFEFFfilepath,title,class\r\n"
                + "a.png,\"hello, \"\"world\"\"\",1\r\n"
                + "\"b c.png\",\"two\nlines\",2\r\n"
                + "\r\n"
                + "d.png,,0";
        CsvDataset ds = CsvDataset.read(csv("q.csv", text));
        assertEquals(',', ds.separator());
        assertEquals(3, ds.size());
        assertEquals("hello, \"world\"", ds.get(0).caption());
        assertEquals("two\nlines", ds.get(1).caption());
        assertEquals(dir.resolve("b c.png"), ds.get(1).path());
        assertEquals("", ds.get(2).caption());
    }

    @Test
    void lineNumbersCountLineBreaksInsideQuotes() throws IOException {
        String text = "filepath,title,class\n"
                + "a.png,\"multi\nline\ncaption\",1\n"
                + "b.png,ok,notanumber\n";
        DatasetException e = assertThrows(DatasetException.class, () -> CsvDataset.read(csv("l.csv", text)));
        assertEquals(5, e.line());
        assertTrue(e.getMessage().startsWith(dir.resolve("l.csv") + ":5: "), e.getMessage());
        assertTrue(e.getMessage().contains("'notanumber'"), e.getMessage());
    }

    @Test
    void configurableColumnsAndSeparator() throws IOException {
        Path f = csv("c.csv", "image;text;y;extra\nx.png;hi;4;zz\n");
        CsvDataset ds = CsvDataset.builder(f).separator(';').pathColumn("image").captionColumn("text").labelColumn("y").read();
        assertEquals(1, ds.size());
        assertEquals(4, ds.get(0).label());
        assertEquals("hi", ds.get(0).caption());
    }

    @Test
    void optionalColumnsMayBeAbsentButNamedOnesAreRequired() throws IOException {
        Path f = csv("p.csv", "filepath\nx.png\n");
        CsvDataset ds = CsvDataset.read(f);
        assertEquals(Sample.NO_LABEL, ds.get(0).label());
        assertNull(ds.get(0).caption());
        DatasetException e = assertThrows(DatasetException.class, () -> CsvDataset.builder(f).labelColumn("class").read());
        assertTrue(e.getMessage().contains("no column 'class'"), e.getMessage());
    }

    @Test
    void missingPathColumnHintsAtTheSeparator() throws IOException {
        Path f = csv("s.csv", "filepath;title;class\nx.png;a;1\n");
        DatasetException e = assertThrows(DatasetException.class, () -> CsvDataset.read(f));
        assertTrue(e.getMessage().contains("no column 'filepath'"), e.getMessage());
        assertTrue(e.getMessage().contains("separator"), e.getMessage());
        assertEquals(1, e.line());
    }

    @Test
    void emptyFileNeedsAHeader() throws IOException {
        DatasetException e = assertThrows(DatasetException.class, () -> CsvDataset.read(csv("e.csv", "")));
        assertTrue(e.getMessage().contains("header"), e.getMessage());
    }

    @Test
    void badRowsFailByDefaultWithFileAndLine() throws IOException {
        Path f = csv("b.csv", "filepath\ttitle\tclass\nok.png\tfine\t1\nshort.png\t2\n");
        DatasetException e = assertThrows(DatasetException.class, () -> CsvDataset.read(f));
        assertEquals(3, e.line());
        assertEquals(f.toAbsolutePath().normalize(), e.file());
        assertTrue(e.getMessage().contains(":3: the row has 2 fields, the header has 3"), e.getMessage());
    }

    @Test
    void badRowsAreSkippedCountedAndReportedOnceEach() throws IOException {
        Path f = csv("b.csv", "filepath\ttitle\tclass\n"
                + "ok.png\tfine\t1\n"          // line 2
                + "short.png\t2\n"             // line 3: wrong column count
                + "x.png\tcap\tseven\n"        // line 4: non-integer class
                + "y.png\tcap\t-1\n"           // line 5: negative class
                + "\tcap\t1\n"                 // line 6: empty path
                + "\"z.png\"junk\tcap\t1\n"    // line 7: text after a closing quote
                + "../out.png\tcap\t1\n"       // line 8: leaves the root
                + "ok2.png\tfine\t2\n");
        List<String> lines = new ArrayList<>();
        CsvDataset ds = CsvDataset.builder(f).onBadRow(ErrorPolicy.SKIP).warnings(lines::add).read();
        assertEquals(2, ds.size());
        assertEquals(6, ds.skippedRows());
        assertEquals(6, lines.size());
        assertEquals(6, ds.problems().size());
        String file = f.toAbsolutePath().normalize().toString();
        for (int i = 0; i < 6; i++) {
            assertTrue(lines.get(i).startsWith("radapter: skipped " + file + ":" + (i + 3) + ": "), lines.get(i));
        }
        assertTrue(lines.get(1).contains("integer"), lines.get(1));
        assertTrue(lines.get(2).contains("non-negative"), lines.get(2));
        assertTrue(lines.get(3).contains("empty image path"), lines.get(3));
        assertTrue(lines.get(4).contains("closing quote"), lines.get(4));
        assertTrue(lines.get(5).contains("outside the dataset root"), lines.get(5));
        assertEquals(1, ds.get(1).index());
        assertEquals(2, ds.get(1).label());
    }

    @Test
    void unterminatedQuoteIsABadRow() throws IOException {
        Path f = csv("u.csv", "filepath,title,class\na.png,\"never closed,1\n");
        DatasetException e = assertThrows(DatasetException.class, () -> CsvDataset.read(f));
        assertEquals(2, e.line());
        assertTrue(e.getMessage().contains("never closed"), e.getMessage());
    }

    @Test
    void pathsLeavingTheRootAreRefusedUnlessAllowed() throws IOException {
        Path outside = dir.resolve("elsewhere/x.png");
        Path f = csv("root/list.csv", "filepath\tclass\n../secret.png\t0\n" + outside + "\t1\n");
        DatasetException e = assertThrows(DatasetException.class, () -> CsvDataset.read(f));
        assertTrue(e.getMessage().contains("'../secret.png'") && e.getMessage().contains("outside the dataset root"), e.getMessage());
        assertTrue(e.getMessage().contains("allowOutsideRoot"), e.getMessage());

        CsvDataset skipping = CsvDataset.builder(f).onBadRow(ErrorPolicy.SKIP).warnings(s -> { }).read();
        assertEquals(0, skipping.size());
        assertEquals(2, skipping.skippedRows());

        CsvDataset allowed = CsvDataset.builder(f).allowOutsideRoot(true).read();
        assertEquals(2, allowed.size());
        assertEquals(dir.resolve("secret.png").toAbsolutePath().normalize(), allowed.get(0).path());
        assertEquals(outside, allowed.get(1).path());
    }

    @Test
    void symbolicLinkEscapeIsRefused() throws IOException {
        Path secret = TestImages.writePng(dir.resolve("private/secret.png"), 2, 2, 9);
        Path root = Files.createDirectories(dir.resolve("root"));
        Files.createSymbolicLink(root.resolve("link.png"), secret);
        Files.createSymbolicLink(root.resolve("linkdir"), secret.getParent());
        TestImages.writePng(root.resolve("real.png"), 2, 2, 1);
        Path f = csv("root/list.csv", "filepath\nreal.png\nlink.png\nlinkdir/secret.png\n");
        List<String> warn = new ArrayList<>();
        CsvDataset ds = CsvDataset.builder(f).onBadRow(ErrorPolicy.SKIP).warnings(warn::add).read();
        assertEquals(1, ds.size());
        assertEquals(2, ds.skippedRows());
        assertTrue(warn.get(0).contains(":3: ") && warn.get(0).contains("symbolic link"), warn.get(0));
        assertTrue(warn.get(1).contains(":4: ") && warn.get(1).contains("symbolic link"), warn.get(1));
        assertEquals(3, CsvDataset.builder(f).allowOutsideRoot(true).read().size());
    }

    @Test
    void baseDirAndRootCanBeChosen() throws IOException {
        Path f = csv("csv/official.csv", "title\tfilepath\tclass\nt\t./datasets/data/train/a.png\t0\n");
        CsvDataset ds = CsvDataset.builder(f).baseDir(dir).read();
        assertEquals(dir.resolve("datasets/data/train/a.png"), ds.get(0).path());
        assertThrows(DatasetException.class, () -> CsvDataset.builder(f).baseDir(dir).root(dir.resolve("other")).read());
    }

    @Test
    void labelsAreCheckedAgainstClassNames() throws IOException {
        Path f = csv("n.csv", "filepath,class\na.png,1\nb.png,5\n");
        DatasetException e = assertThrows(DatasetException.class,
                () -> CsvDataset.builder(f).classNames(ClassNames.of("x", "y")).read());
        assertTrue(e.getMessage().contains(":3: class 5 is outside the 2 class names"), e.getMessage());
    }

    @Test
    void manyBadRowsReportAHundredThenASummary() throws IOException {
        StringBuilder sb = new StringBuilder("filepath,class\n");
        for (int i = 0; i < 150; i++) {
            sb.append("a.png,x\n");
        }
        List<String> warn = new ArrayList<>();
        CsvDataset ds = CsvDataset.builder(csv("m.csv", sb.toString())).onBadRow(ErrorPolicy.SKIP).warnings(warn::add).read();
        assertEquals(150, ds.skippedRows());
        assertEquals(101, warn.size());
        assertTrue(warn.getLast().contains("150 bad rows"), warn.getLast());
    }

    @Test
    void invalidUtf8IsReportedWithItsFile() throws IOException {
        Path f = dir.resolve("latin1.csv");
        Files.write(f, new byte[] {'f', 'i', 'l', 'e', 'p', 'a', 't', 'h', '\n', 'a', (byte) 0xE9, '.', 'p', 'n', 'g', '\n'});
        DatasetException e = assertThrows(DatasetException.class, () -> CsvDataset.read(f));
        assertTrue(e.getMessage().contains("latin1.csv") && e.getMessage().contains("UTF-8"), e.getMessage());
    }
}
