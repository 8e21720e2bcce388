package radapter.adapters;

import radapter.autograd.LinearAlgebra;
import radapter.autograd.Losses;
import radapter.autograd.Pointwise;
import radapter.autograd.Variable;
import radapter.autograd.Views;
import radapter.tensor.DType;
import radapter.tensor.Tensor;

/**
 * Contrastive losses between L2-normalised image features {@code u} and text features {@code v}
 * [B, E] with logit scale ℓ (= exp(logit_scale), ≈ 100 for CLIP).
 *
 * <ul>
 *   <li>{@link #mpmNce}: R-Adapter's multi-positive, margin NCE (spec §6.2). Computed with a stable
 *       log-softmax, so it stays finite where the official {@code -log(exp(z−max)/Σ)} underflows to
 *       NaN or ∞ (logit gaps beyond ~88), and equals it wherever the official value is finite.
 *       When every sample shares one label there are no negatives; the ε term is dropped instead
 *       of producing the official NaN.</li>
 *   <li>{@link #clip}: the CLIP/FLYP loss, symmetric cross-entropy against the diagonal with
 *       PyTorch's label smoothing (ε spread over all B entries).</li>
 *   <li>{@link #multiPositive}: labels without smoothing or margin: soft targets P/n.</li>
 * </ul>
 */
public final class ContrastiveLoss {
    private ContrastiveLoss() {
    }

    /**
     * MPM-NCE: {@code Z = ℓ·u·vᵀ + ℓ·m·(1 − P)} (and the same for text → image), soft targets
     * {@code q = (1−ε)·P/n + ε·(1−P)/(B−n)}, loss = mean over both directions of Σ −q·log softmax(Z).
     */
    public static Variable mpmNce(Variable u, Variable v, long[] labels, double logitScale, double margin, double labelSmoothing) {
        int b = checkBatch(u, v, labels);
        float[] p = new float[b * b];
        float[] q = new float[b * b];
        float[] neg = new float[b * b];
        for (int i = 0; i < b; i++) {
            int n = 0;
            for (int j = 0; j < b; j++) {
                if (labels[i] == labels[j]) {
                    p[i * b + j] = 1;
                    n++;
                }
            }
            int negatives = b - n;
            double eps = negatives == 0 ? 0.0 : labelSmoothing;
            for (int j = 0; j < b; j++) {
                boolean pos = p[i * b + j] == 1;
                q[i * b + j] = (float) (pos ? (1 - eps) / n : eps / negatives);
                neg[i * b + j] = pos ? 0f : 1f;
            }
        }
        Tensor targets = Tensor.of(q, b, b);
        Variable marginTerm = Variable.constant(Tensor.of(neg, b, b).mul(logitScale * margin));
        Variable zIt = Pointwise.add(Pointwise.mul(LinearAlgebra.matmul(u, Views.mT(v)), logitScale), marginTerm);
        Variable zTi = Pointwise.add(Pointwise.mul(LinearAlgebra.matmul(v, Views.mT(u)), logitScale), marginTerm);
        Variable a = Losses.crossEntropy(zIt, targets, 0.0);
        Variable c = Losses.crossEntropy(zTi, targets, 0.0);
        return Pointwise.mul(Pointwise.add(a, c), 0.5);
    }

    /** Labels given, no smoothing and no margin: cross-entropy with soft targets P/n, both directions. */
    public static Variable multiPositive(Variable u, Variable v, long[] labels, double logitScale) {
        return mpmNce(u, v, labels, logitScale, 0.0, 0.0);
    }

    /** The CLIP (and FLYP) loss: ½·[CE(ℓ·u·vᵀ, diag) + CE(ℓ·v·uᵀ, diag)] with PyTorch label smoothing. */
    public static Variable clip(Variable u, Variable v, double logitScale, double labelSmoothing) {
        int b = checkBatch(u, v, null);
        Tensor diag = Tensor.arange(DType.I64, 0, b, 1);
        Variable a = Losses.crossEntropy(Pointwise.mul(LinearAlgebra.matmul(u, Views.mT(v)), logitScale), diag, labelSmoothing);
        Variable c = Losses.crossEntropy(Pointwise.mul(LinearAlgebra.matmul(v, Views.mT(u)), logitScale), diag, labelSmoothing);
        return Pointwise.mul(Pointwise.add(a, c), 0.5);
    }

    private static int checkBatch(Variable u, Variable v, long[] labels) {
        if (u.dim() != 2 || v.dim() != 2 || u.size(0) != v.size(0) || u.size(1) != v.size(1)) {
            throw new IllegalArgumentException("image and text features must both be [B, E]; got "
                    + java.util.Arrays.toString(u.shape()) + " and " + java.util.Arrays.toString(v.shape()));
        }
        int b = Math.toIntExact(u.size(0));
        if (labels != null && labels.length != b) {
            throw new IllegalArgumentException(labels.length + " labels for a batch of " + b);
        }
        return b;
    }
}
