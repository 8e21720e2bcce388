package radapter.tensor.io;

import java.io.IOException;
import java.util.Map;
import java.util.Set;
import radapter.tensor.Tensor;

/**
 * Named tensors read from a checkpoint: one safetensors file or a sharded set. Closing it releases
 * the mapping; tensors obtained from it must not be used afterwards (copy what must outlive it).
 */
public interface TensorSource extends AutoCloseable {
    /** Every tensor name, in file order. */
    Set<String> names();

    /** Whether {@code name} exists. */
    default boolean contains(String name) {
        return names().contains(name);
    }

    /** Shape of {@code name} without reading it. */
    long[] shape(String name) throws IOException;

    /**
     * The tensor as stored: a zero-copy view for F32, F64, F16, BF16, I32 and I64; 8- and 16-bit
     * integer and bool tensors are widened to I32 copies.
     */
    Tensor get(String name) throws IOException;

    /** The tensor as F32: zero-copy when stored as F32, else converted (F16, BF16, F64, integers). */
    default Tensor getF32(String name) throws IOException {
        return get(name).to(radapter.tensor.DType.F32);
    }

    /** The {@code __metadata__} string map (empty when absent). */
    Map<String, String> metadata();

    @Override
    void close();
}
