package radapter.models.tokenizer;

import java.nio.file.Path;

/**
 * A tokenizer vocabulary file is missing, unreadable or malformed. The message starts with the
 * file and, where it applies, the 1-based line ({@code path:line: what is wrong}).
 */
public final class VocabularyException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final transient Path file;
    private final int line;

    VocabularyException(Path file, int line, String message, Throwable cause) {
        super(file + (line > 0 ? ":" + line : "") + ": " + message, cause);
        this.file = file;
        this.line = line;
    }

    VocabularyException(Path file, int line, String message) {
        this(file, line, message, null);
    }

    /** The offending file. */
    public Path file() {
        return file;
    }

    /** The 1-based line of the problem, or 0 when it concerns the whole file. */
    public int line() {
        return line;
    }
}
