package radapter.tensor.cuda;

/**
 * A failed CUDA driver or NVRTC call, or a CUDA setup problem (no library, a missing symbol, no
 * PTX for a kernel). The message always names the call and, for a failed call, the CUDA error
 * name ({@code CUDA_ERROR_OUT_OF_MEMORY}) with the driver's description, so a log line alone says
 * what went wrong.
 */
public class CudaException extends RuntimeException {
    /** {@link #code()} of an exception that did not come from a {@code CUresult}. */
    public static final int NO_CODE = -1;

    private final String call;
    private final int code;
    private final String errorName;

    /** A setup problem that is not the result of one driver call. */
    public CudaException(String message) {
        this(message, null);
    }

    /** A setup problem with its cause (e.g. the linker's refusal to open the library). */
    public CudaException(String message, Throwable cause) {
        super(message, cause);
        this.call = null;
        this.code = NO_CODE;
        this.errorName = null;
    }

    /**
     * A call that returned {@code code}. {@code detail} (may be empty) says what radapter was
     * doing, e.g. {@code "allocating 4096 bytes"} or a JIT error log.
     */
    public CudaException(String call, int code, String errorName, String description, String detail) {
        super(call + " failed: " + errorName + (description == null || description.isEmpty() ? "" : " (" + description + ")")
                + (detail == null || detail.isEmpty() ? "" : ", " + detail));
        this.call = call;
        this.code = code;
        this.errorName = errorName;
    }

    /** The driver function that failed, e.g. {@code "cuMemAlloc_v2"}; {@code null} for setup problems. */
    public String call() {
        return call;
    }

    /** The {@code CUresult} (or {@code nvrtcResult}) value, or {@link #NO_CODE}. */
    public int code() {
        return code;
    }

    /** The symbolic name of {@link #code()}, e.g. {@code "CUDA_ERROR_OUT_OF_MEMORY"}; {@code null} for setup problems. */
    public String errorName() {
        return errorName;
    }
}
