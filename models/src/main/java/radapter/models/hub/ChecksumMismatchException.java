package radapter.models.hub;

/** A downloaded file whose checksum differs from the one the hub announced; it was deleted. */
public final class ChecksumMismatchException extends HubException {
    private static final long serialVersionUID = 1L;

    /** Why, as one line. */
    public ChecksumMismatchException(String message) {
        super(message);
    }
}
