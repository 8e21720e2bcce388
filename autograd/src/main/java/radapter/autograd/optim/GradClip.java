package radapter.autograd.optim;

import java.util.ArrayList;
import java.util.List;
import radapter.autograd.Variable;
import radapter.tensor.Join;
import radapter.tensor.MemoryScope;
import radapter.tensor.Tensor;

/** Gradient clipping, after {@code torch.nn.utils}. */
public final class GradClip {
    private GradClip() {
    }

    /**
     * {@code torch.nn.utils.clip_grad_norm_(params, maxNorm)} with {@code norm_type = 2}: the total
     * norm is the L2 norm of the per-parameter gradient norms (= the norm of all gradients
     * concatenated); when {@code coef = maxNorm / (total + 1e-6)} is below 1 every gradient is
     * multiplied by it in place. Parameters without a gradient are skipped.
     *
     * <p>A non-finite total norm is not an error (PyTorch's {@code error_if_nonfinite=False}): an
     * infinite norm scales every gradient by 0 and a NaN norm by NaN, as PyTorch does.
     *
     * @return the total norm before clipping (0 when no parameter has a gradient)
     */
    public static double clipGradNorm(List<Variable> params, double maxNorm) {
        return clipGradNorm(params, maxNorm, false);
    }

    /**
     * As {@link #clipGradNorm(List, double)}; with {@code errorIfNonfinite} a NaN or infinite
     * total norm throws instead (gradients untouched).
     */
    public static double clipGradNorm(List<Variable> params, double maxNorm, boolean errorIfNonfinite) {
        if (!(maxNorm >= 0)) {
            throw new IllegalArgumentException("max norm must be >= 0, got " + maxNorm);
        }
        try (MemoryScope _ = MemoryScope.open()) {
            // PyTorch's order: each gradient's norm, then the norm of those norms, all in the
            // gradients' dtype and on their device, so only the final scalar crosses to the host.
            List<Tensor> norms = new ArrayList<>();
            for (Variable p : params) {
                Tensor g = p.grad();
                if (g != null) {
                    norms.add(g.square().sum().sqrt().reshape(1));
                }
            }
            if (norms.isEmpty()) {
                return 0.0;
            }
            double total = Join.cat(0, norms).square().sum().sqrt().item();
            if (errorIfNonfinite && !Double.isFinite(total)) {
                throw new IllegalStateException("the total norm of order 2 for gradients is non-finite (" + total
                        + "), so it cannot be clipped");
            }
            double coef = maxNorm / (total + 1e-6);
            double clamped = Double.isNaN(coef) ? coef : Math.min(coef, 1.0);
            if (!(clamped >= 1.0)) {
                for (Variable p : params) {
                    Tensor g = p.grad();
                    if (g != null) {
                        g.mul_(clamped);
                    }
                }
            }
            return total;
        }
    }
}
