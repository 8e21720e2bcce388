package radapter.data.dataset;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import radapter.tensor.Rng;

class PromptTemplatesTest {
    @TempDir
    Path dir;

    @Test
    void openAiSetHasTheEightyTemplatesInOrder() {
        PromptTemplates t = PromptTemplates.openAiImageNet();
        assertEquals(80, t.size());
        assertEquals(80, new HashSet<>(t.templates()).size());
        assertEquals("a bad photo of a {}.", t.template(0));
        assertEquals("a tattoo of the {}.", t.template(79));
        assertEquals("a photo of a tench.", t.format(t.templates().indexOf("a photo of a {}."), "tench"));
        assertEquals("itap of my dog.", t.format(76, "dog"));
        for (String s : t.templates()) {
            assertTrue(s.contains("{}") && s.endsWith("."), s);
        }
        assertEquals(80, t.formatAll("cat").size());
    }

    @Test
    void simpleAndRandom() {
        PromptTemplates s = PromptTemplates.simple();
        assertEquals(List.of("a photo of a red circle."), s.formatAll("red circle"));
        PromptTemplates t = PromptTemplates.openAiImageNet();
        assertEquals(t.random(new Rng(5), "x"), t.random(new Rng(5), "x"));
    }

    @Test
    void userFilesNeedAPlaceholderOnEveryLine() throws IOException {
        Path ok = Files.writeString(dir.resolve("ok.txt"), "a {} here.\n\n  the {} there.  \n");
        PromptTemplates t = PromptTemplates.fromFile(ok);
        assertEquals(List.of("a {} here.", "the {} there."), t.templates());
        assertEquals("ok.txt", t.name());
        Path bad = Files.writeString(dir.resolve("bad.txt"), "a {} here.\nno placeholder\n");
        DatasetException e = assertThrows(DatasetException.class, () -> PromptTemplates.fromFile(bad));
        assertEquals(2, e.line());
        assertTrue(e.getMessage().contains("bad.txt:2: template has no {}"), e.getMessage());
        Path empty = Files.writeString(dir.resolve("empty.txt"), "\n\n");
        assertThrows(DatasetException.class, () -> PromptTemplates.fromFile(empty));
    }

    @Test
    void classNames() throws IOException {
        ClassNames n = ClassNames.fromFile(Files.writeString(dir.resolve("names.txt"), "# comment\ncat\n\n dog \n"));
        assertEquals(List.of("cat", "dog"), n.asList());
        assertEquals(1, n.indexOf("dog"));
        assertEquals(-1, n.indexOf("cow"));
        assertThrows(IndexOutOfBoundsException.class, () -> n.get(2));
        Path dup = Files.writeString(dir.resolve("dup.txt"), "cat\ndog\ncat\n");
        DatasetException e = assertThrows(DatasetException.class, () -> ClassNames.fromFile(dup));
        assertTrue(e.getMessage().contains(":3: class name 'cat' already given on line 1"), e.getMessage());
        assertThrows(DatasetException.class, () -> ClassNames.of("a", "a"));
        assertTrue(ClassNames.of(List.of()).isEmpty());
    }
}
