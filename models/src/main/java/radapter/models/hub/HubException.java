package radapter.models.hub;

import java.io.IOException;

/**
 * A hub request or cache lookup that cannot succeed, with a one-line message that names the
 * repository, the file and what to do (set {@code HF_TOKEN}, check the name, go online...).
 */
public class HubException extends IOException {
    private static final long serialVersionUID = 1L;

    /** Why, as one line. */
    public HubException(String message) {
        super(message);
    }

    /** Why, as one line, and the underlying failure. */
    public HubException(String message, Throwable cause) {
        super(message, cause);
    }
}
