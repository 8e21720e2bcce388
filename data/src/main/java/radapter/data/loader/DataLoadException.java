package radapter.data.loader;

/**
 * Loading stopped: an image could not be read or transformed under {@code onError(FAIL)}, the
 * transform produced inconsistent shapes, or the loader was closed or interrupted while waiting.
 */
public class DataLoadException extends RuntimeException {
    public DataLoadException(String message) {
        super(message);
    }

    public DataLoadException(String message, Throwable cause) {
        super(message, cause);
    }
}
