package radapter.data.transforms;

import java.util.Arrays;
import java.util.List;
import radapter.tensor.Tensor;

/** Stacking per-sample tensors into a batch (torch's {@code stack} along a new dim 0). */
public final class Batches {
    private Batches() {
    }

    /** {@code N} equal-shape F32 tensors {@code S} → F32 {@code [N, S...]}, in the current memory scope. */
    public static Tensor stack(List<Tensor> items) {
        if (items.isEmpty()) {
            throw new IllegalArgumentException("cannot stack an empty list");
        }
        long[] shape = items.get(0).shape();
        int per = Math.toIntExact(items.get(0).numel());
        float[] all = new float[Math.multiplyExact(per, items.size())];
        for (int i = 0; i < items.size(); i++) {
            Tensor t = items.get(i);
            if (!Arrays.equals(t.shape(), shape)) {
                throw new IllegalArgumentException("item " + i + " has shape " + Arrays.toString(t.shape())
                        + ", item 0 has " + Arrays.toString(shape));
            }
            System.arraycopy(t.contiguous().toFloatArray(), 0, all, i * per, per);
        }
        long[] out = new long[shape.length + 1];
        out[0] = items.size();
        System.arraycopy(shape, 0, out, 1, shape.length);
        return Tensor.of(all, out);
    }
}
