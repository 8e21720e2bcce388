package radapter.tensor.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;

/**
 * Reading the small text files users hand over (class names, templates, captions, configs) so
 * that every failure names the file: only regular files are opened (a FIFO would block forever, a
 * device never end), the size is bounded, and invalid UTF-8 is reported with its line instead of
 * the JDK's bare {@code Input length = 1}.
 */
public final class TextFiles {
    /** Largest text file read whole: far above any config or class list, far below the heap. */
    public static final long MAX_BYTES = 1L << 30;

    private TextFiles() {
    }

    /** The whole file as a string (a leading UTF-8 byte-order mark is dropped). */
    public static String readString(Path file) throws IOException {
        checkRegular(file, MAX_BYTES);
        byte[] bytes = Files.readAllBytes(file);
        CharsetDecoder dec = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        String s;
        try {
            CharBuffer chars = dec.decode(ByteBuffer.wrap(bytes));
            s = chars.toString();
        } catch (CharacterCodingException e) {
            throw new IOException(file + ":" + badLine(bytes) + ": not valid UTF-8 text (save the file as UTF-8)");
        }
        return s.startsWith("\uFEFF") ? s.substring(1) : s;
    }

    /** The file's lines, without line terminators ({@code \n}, {@code \r\n} or {@code \r}). */
    public static List<String> readLines(Path file) throws IOException {
        return readString(file).lines().toList();
    }

    /**
     * Refuses anything but an existing regular file (following links) of at most {@code maxBytes}:
     * directories, FIFOs, sockets and devices are named as such.
     */
    public static void checkRegular(Path file, long maxBytes) throws IOException {
        BasicFileAttributes a;
        try {
            a = Files.readAttributes(file, BasicFileAttributes.class);
        } catch (NoSuchFileException e) {
            throw new NoSuchFileException(file.toString());
        }
        if (a.isDirectory()) {
            throw new IOException(file + ": is a directory, not a file");
        }
        if (!a.isRegularFile()) {
            throw new IOException(file + ": not a regular file (a FIFO, socket or device); give a file");
        }
        if (a.size() > maxBytes) {
            throw new IOException(file + ": " + a.size() + " bytes, more than the " + maxBytes + " this reader accepts");
        }
    }

    /** The 1-based line of the first byte sequence that is not UTF-8. */
    private static int badLine(byte[] b) {
        CharsetDecoder dec = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        int line = 1;
        int start = 0;
        for (int i = 0; i <= b.length; i++) {
            if (i == b.length || b[i] == '\n') {
                try {
                    dec.reset().decode(ByteBuffer.wrap(b, start, i - start));
                } catch (CharacterCodingException e) {
                    return line;
                }
                line++;
                start = i + 1;
            }
        }
        return line;
    }
}
