package radapter.tensor.dist;

import radapter.tensor.DType;
import radapter.tensor.Tensor;

/** Argument checks shared by the implementations, so every group fails the same way. */
final class Collectives {
    private Collectives() {
    }

    static void checkFloat(Tensor t, String op) {
        if (t.dtype() != DType.F32 && t.dtype() != DType.F64) {
            throw new IllegalArgumentException(op + " needs an F32 or F64 tensor, got " + t.dtype());
        }
    }

    static void checkRoot(int root, int size) {
        if (root < 0 || root >= size) {
            throw new IllegalArgumentException("broadcast root " + root + " is not a rank of a group of " + size);
        }
    }
}
