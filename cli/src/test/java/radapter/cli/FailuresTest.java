package radapter.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.NoSuchFileException;
import org.junit.jupiter.api.Test;

/** The shared error path: user mistakes, resources and bugs each get their one line and exit code. */
class FailuresTest {
    private static String report(Throwable t, int expectedCode) {
        StringWriter s = new StringWriter();
        assertEquals(expectedCode, Failures.report(t, new PrintWriter(s)));
        String out = s.toString().strip();
        assertEquals(1, out.lines().count(), out);
        assertTrue(!out.contains("\tat "), out);
        return out;
    }

    @Test
    void userMistakesAreOneLine() {
        assertEquals("radapter: x.csv: no such file or directory", report(new UncheckedIOException(new NoSuchFileException("x.csv")), 2));
        assertEquals("radapter: bad; value", report(new IllegalArgumentException("bad\nvalue"), 2));
    }

    @Test
    void anUnexpectedExceptionIsABugReportLine() {
        String out = report(new NullPointerException("boom"), Failures.INTERNAL_ERROR);
        assertTrue(out.contains("internal error, a bug in radapter") && out.contains("NullPointerException: boom")
                && out.contains("RADAPTER_TRACE=1"), out);
    }

    @Test
    void outOfMemorySaysWhatToChange() {
        String out = report(new OutOfMemoryError("Java heap space"), Failures.RESOURCE_ERROR);
        assertTrue(out.contains("out of memory") && out.contains("--batch-size"), out);
    }

    @Test
    void controlCharactersAndHugeMessagesAreTamed() {
        String out = report(new IllegalArgumentException("a\u0007b" + "x".repeat(5000)), 2);
        assertTrue(out.length() < 700 && !out.contains("\u0007"), out);
    }
}
