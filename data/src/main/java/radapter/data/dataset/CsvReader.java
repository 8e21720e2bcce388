package radapter.data.dataset;

import java.io.IOException;
import java.io.Reader;
import java.util.ArrayList;
import java.util.List;

/**
 * A streaming RFC-4180 record reader: fields separated by one character, optionally enclosed in
 * double quotes; inside quotes, {@code ""} is a quote and separators and line breaks are literal.
 * Records end at LF, CRLF or CR. A leading byte-order mark is dropped. Lenient where RFC 4180 is
 * silent: a quote inside an unquoted field is kept literally. Malformed records (text after a
 * closing quote, a quote never closed) are returned with {@link Row#problem()} set instead of
 * throwing, so that callers can skip them.
 */
final class CsvReader {
    private final Reader in;
    private final char sep;
    private final char[] buf = new char[1 << 16];
    private int pos;
    private int len;
    private long line = 1;
    private boolean started;
    private boolean eof;

    /** One record: its fields, the line it starts on, and what is wrong with it (or null). */
    record Row(List<String> fields, long line, String problem) {
        /** True for a line with nothing on it. */
        boolean isBlank() {
            return fields.size() == 1 && fields.getFirst().isEmpty() && problem == null;
        }
    }

    CsvReader(Reader in, char separator) {
        if (separator == '"' || separator == '\n' || separator == '\r') {
            throw new IllegalArgumentException("the separator cannot be a quote or a line break");
        }
        this.in = in;
        this.sep = separator;
    }

    private int read() throws IOException {
        if (pos == len) {
            if (eof) {
                return -1;
            }
            len = in.read(buf, 0, buf.length);
            pos = 0;
            if (len <= 0) {
                len = 0;
                eof = true;
                return -1;
            }
        }
        int c = buf[pos++];
        if (!started) {
            started = true;
            if (c == '\uFEFF') {
                return read();
            }
        }
        return c;
    }

    private int peek() throws IOException {
        int c = read();
        if (c >= 0) {
            pos--;
        }
        return c;
    }

    /** The line the reader is on (1-based). */
    long line() {
        return line;
    }

    /** The next record, or {@code null} at the end of the input. */
    Row next() throws IOException {
        int c = read();
        if (c < 0) {
            return null;
        }
        long startLine = line;
        List<String> fields = new ArrayList<>();
        StringBuilder field = new StringBuilder();
        String problem = null;
        boolean quoted = false;       // inside quotes now
        boolean wasQuoted = false;    // this field began with a quote
        boolean afterClose = false;   // a closing quote was seen in this field
        while (true) {
            if (c < 0) {
                if (quoted) {
                    problem = "a quoted field opened on this line is never closed";
                }
                fields.add(field.toString());
                return new Row(fields, startLine, problem);
            }
            if (quoted) {
                if (c == '"') {
                    if (peek() == '"') {
                        read();
                        field.append('"');
                    } else {
                        quoted = false;
                        afterClose = true;
                    }
                } else {
                    if (c == '\n' || (c == '\r' && peek() != '\n')) {
                        line++;
                    }
                    field.append((char) c);
                }
            } else if (c == sep) {
                fields.add(field.toString());
                field.setLength(0);
                wasQuoted = false;
                afterClose = false;
            } else if (c == '\n' || c == '\r') {
                if (c == '\r' && peek() == '\n') {
                    read();
                }
                line++;
                fields.add(field.toString());
                return new Row(fields, startLine, problem);
            } else if (c == '"' && field.isEmpty() && !wasQuoted) {
                quoted = true;
                wasQuoted = true;
            } else {
                if (afterClose && problem == null) {
                    problem = "text after the closing quote of field " + (fields.size() + 1);
                }
                field.append((char) c);
            }
            c = read();
        }
    }
}
