package radapter.data.image;

import java.util.Objects;

/**
 * An image could not be decoded. The message always names the source (file path, or the name given
 * for in-memory bytes) and the {@link Reason}; the underlying ImageIO exception, if any, is the
 * cause.
 *
 * <p>Unchecked on purpose: decoding runs inside data-loader lambdas and worker threads where a
 * checked exception would only be wrapped again. Loaders that want to skip bad files catch this
 * type explicitly; everything else lets it propagate with its message intact.
 */
public final class ImageDecodeException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** Why decoding failed. */
    public enum Reason {
        /** The file does not exist. */
        NOT_FOUND("file not found"),
        /** The file could not be read (permissions, a directory, an I/O error). */
        UNREADABLE("file could not be read"),
        /** Zero bytes. */
        EMPTY("empty file"),
        /** The leading bytes match no supported format (JPEG, PNG, GIF, BMP, WebP). */
        UNKNOWN_FORMAT("unknown image format"),
        /** A recognised format with no reader installed, or a feature the reader refuses. */
        UNSUPPORTED("unsupported image"),
        /** The data ends before the image does. */
        TRUNCATED("truncated image data"),
        /** The data is malformed. */
        CORRUPT("corrupt image data"),
        /** More pixels than {@link ImageDecoder#MAX_PIXELS} (decompression-bomb guard). */
        TOO_LARGE("image too large");

        private final String text;

        Reason(String text) {
            this.text = text;
        }

        /** A short human-readable description. */
        public String text() {
            return text;
        }
    }

    private final String source;
    private final Reason reason;

    public ImageDecodeException(String source, Reason reason, String detail, Throwable cause) {
        super(message(source, reason, detail), cause);
        this.source = Objects.requireNonNull(source);
        this.reason = Objects.requireNonNull(reason);
    }

    public ImageDecodeException(String source, Reason reason, String detail) {
        this(source, reason, detail, null);
    }

    private static String message(String source, Reason reason, String detail) {
        String m = "cannot decode image " + source + ": " + reason.text();
        return detail == null || detail.isBlank() ? m : m + " (" + detail + ")";
    }

    /** The file path or in-memory name the image came from. */
    public String source() {
        return source;
    }

    /** The failure category. */
    public Reason reason() {
        return reason;
    }
}
