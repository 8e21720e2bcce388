package radapter.tensor;

/**
 * Element types. {@link #F32} is the compute type: every fast kernel reads and writes F32 (the
 * {@code reference} backend also computes in {@link #F64}, which gradient checks rely on).
 * {@link #F16} and {@link #BF16} exist as storage (checkpoints ship half precision) and are converted
 * by {@link Tensor#to(DType)}; {@link #I32} and {@link #I64} hold token ids, labels and indices.
 */
public enum DType {
    F32(4, "float32"),
    /** Double precision: used by gradient checks on the {@code reference} backend, not for models. */
    F64(8, "float64"),
    F16(2, "float16"),
    BF16(2, "bfloat16"),
    I32(4, "int32"),
    I64(8, "int64");

    private final int byteSize;
    private final String pyName;

    DType(int byteSize, String pyName) {
        this.byteSize = byteSize;
        this.pyName = pyName;
    }

    /** Bytes per element. */
    public int byteSize() {
        return byteSize;
    }

    /** True for the floating types (F32, F64, F16, BF16). */
    public boolean isFloating() {
        return this == F32 || this == F64 || this == F16 || this == BF16;
    }

    /** The PyTorch name, used in messages and {@code toString}. */
    public String pyName() {
        return pyName;
    }
}
