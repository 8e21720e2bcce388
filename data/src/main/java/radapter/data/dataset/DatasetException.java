package radapter.data.dataset;

import java.nio.file.Path;

/**
 * A dataset file or tree that cannot be used as it is: a bad CSV row, a missing column, a path that
 * leaves the dataset root, a class with too few images. The message starts with {@code file:line:}
 * where a line is known.
 */
public class DatasetException extends RuntimeException {
    private final transient Path file;
    private final long line;

    /** An error not tied to a file position. */
    public DatasetException(String message) {
        this(message, null, 0, null);
    }

    /** An error not tied to a file position, with its cause. */
    public DatasetException(String message, Throwable cause) {
        this(message, null, 0, cause);
    }

    /** An error at {@code file:line} (line 0 when unknown); the message is prefixed with the position. */
    public DatasetException(Path file, long line, String reason) {
        this(position(file, line) + reason, file, line, null);
    }

    private DatasetException(String message, Path file, long line, Throwable cause) {
        super(message, cause);
        this.file = file;
        this.line = line;
    }

    /** {@code file:line: } (or {@code file: } without a line), the prefix of positioned messages. */
    static String position(Path file, long line) {
        if (file == null) {
            return "";
        }
        return line > 0 ? file + ":" + line + ": " : file + ": ";
    }

    /** The file in question, or {@code null}. */
    public Path file() {
        return file;
    }

    /** The 1-based line in {@link #file()}, or 0 when not known. */
    public long line() {
        return line;
    }
}
