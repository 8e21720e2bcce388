package radapter.tensor.opencl;

/**
 * A failed OpenCL call or an OpenCL setup problem. The message names the call and, for a failed
 * call, the error code's name ({@code CL_OUT_OF_RESOURCES}) and what radapter was doing, so a log
 * line alone says what went wrong; a failed program build carries the compiler's build log.
 */
public class OpenClException extends RuntimeException {
    private final String call;
    private final int code;

    /** A setup problem that is not the result of one call (no library, no platform). */
    public OpenClException(String message) {
        super(message);
        this.call = null;
        this.code = 0;
    }

    /** {@code call} returned {@code code}; {@code detail} (may be empty) says what radapter was doing. */
    public OpenClException(String call, int code, String detail) {
        super(call + " failed: " + OpenCl.errorName(code) + " (" + code + ")" + (detail == null || detail.isEmpty() ? "" : ", " + detail));
        this.call = call;
        this.code = code;
    }

    /** The OpenCL function that failed, or {@code null} for a setup problem. */
    public String call() {
        return call;
    }

    /** The {@code cl_int} error code (negative), or 0 for a setup problem. */
    public int code() {
        return code;
    }
}
