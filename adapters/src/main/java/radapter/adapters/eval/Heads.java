package radapter.adapters.eval;

import java.util.ArrayList;
import java.util.List;
import radapter.tensor.Tensor;

/** Row selection shared by the classifiers' {@code restrict}. */
final class Heads {
    private Heads() {
    }

    /** Checks that {@code idx} names distinct classes among {@code n}; returns a copy. */
    static int[] checkIndices(int[] idx, int n) {
        if (idx.length == 0) {
            throw new IllegalArgumentException("a class subset needs at least one class");
        }
        boolean[] seen = new boolean[n];
        for (int i : idx) {
            if (i < 0 || i >= n) {
                throw new IllegalArgumentException("class index " + i + " outside the " + n + " classes");
            }
            if (seen[i]) {
                throw new IllegalArgumentException("class index " + i + " appears twice in the subset");
            }
            seen[i] = true;
        }
        return idx.clone();
    }

    /** Rows {@code idx} of the [R, E] tensor {@code t}, as a new contiguous F32 tensor [idx.length, E]. */
    static Tensor rows(Tensor t, int[] idx) {
        int e = Math.toIntExact(t.size(1));
        float[] src = t.contiguous().toFloatArray();
        float[] out = new float[idx.length * e];
        for (int r = 0; r < idx.length; r++) {
            System.arraycopy(src, idx[r] * e, out, r * e, e);
        }
        return Tensor.of(out, idx.length, e);
    }

    /** Elements {@code idx} of the vector {@code v}. */
    static Tensor elements(Tensor v, int[] idx) {
        float[] src = v.contiguous().toFloatArray();
        float[] out = new float[idx.length];
        for (int r = 0; r < idx.length; r++) {
            out[r] = src[idx[r]];
        }
        return Tensor.of(out, idx.length);
    }

    static List<String> names(List<String> all, int[] idx) {
        List<String> out = new ArrayList<>(idx.length);
        for (int i : idx) {
            out.add(all.get(i));
        }
        return out;
    }
}
