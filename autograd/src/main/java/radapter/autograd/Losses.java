package radapter.autograd;

import radapter.tensor.DType;
import radapter.tensor.Shapes;
import radapter.tensor.Tensor;

/**
 * Differentiable losses. Cross entropy is fused: log-softmax forward, and a backward that is the
 * closed form {@code softmax − target} instead of a chain through the log-softmax.
 */
public final class Losses {
    private Losses() {
    }

    /** {@link #crossEntropy(Variable, Tensor, double)} without label smoothing. */
    public static Variable crossEntropy(Variable logits, Tensor targets) {
        return crossEntropy(logits, targets, 0.0);
    }

    /**
     * Mean cross entropy of {@code logits} [N, C], like {@code F.cross_entropy(logits, targets,
     * reduction='mean', label_smoothing=ε)}. As in PyTorch, the targets' dtype decides their meaning:
     *
     * <ul>
     *   <li>integer (I32/I64) [N]: class indices; the loss is
     *       {@code (1 − ε)·NLL + ε·mean over classes of −log p};
     *   <li>floating [N, C]: class probabilities, smoothed to {@code t·(1 − ε) + ε/C}; the loss is
     *       {@code −Σ_c t_c log p_c}, averaged over the N rows.
     * </ul>
     *
     * Both are {@code −Σ_c q_c log p_c} for a target distribution q. There is no ignore index and
     * no class weighting. The targets receive no gradient.
     */
    public static Variable crossEntropy(Variable logits, Tensor targets, double labelSmoothing) {
        if (logits.dim() != 2) {
            throw new IllegalArgumentException("cross entropy expects logits [N, C], got " + Shapes.str(logits.shape()));
        }
        if (!(labelSmoothing >= 0 && labelSmoothing <= 1)) {
            throw new IllegalArgumentException("label smoothing must be in [0, 1], got " + labelSmoothing);
        }
        long n = logits.size(0);
        long c = logits.size(1);
        DType ct = logits.data().dtype() == DType.F64 ? DType.F64 : DType.F32;
        boolean hard = !targets.dtype().isFloating();
        Tensor q = hard ? smoothedOneHot(targets, n, c, labelSmoothing, ct) : smoothedSoft(targets, n, c, labelSmoothing, ct);
        return new CrossEntropy(hard).apply(logits, Variable.constant(q));
    }

    private static Tensor smoothedOneHot(Tensor targets, long n, long c, double eps, DType ct) {
        if (targets.dim() != 1 || targets.size(0) != n) {
            throw new IllegalArgumentException("class-index targets must have shape [" + n + "], got " + Shapes.str(targets.shape()));
        }
        for (long t : targets.toLongArray()) {
            if (t < 0 || t >= c) {
                throw new IndexOutOfBoundsException("target class " + t + " is out of range [0, " + c + ")");
            }
        }
        Tensor ramp = Tensor.arange(ct, 0, c, 1).view(1, c);
        Tensor oneHot = ramp.eq(targets.to(ct).view(n, 1));
        return eps == 0 ? oneHot : oneHot.mul(1 - eps).add(eps / c);
    }

    private static Tensor smoothedSoft(Tensor targets, long n, long c, double eps, DType ct) {
        if (targets.dim() != 2 || targets.size(0) != n || targets.size(1) != c) {
            throw new IllegalArgumentException("probability targets must have shape [" + n + ", " + c + "], got "
                    + Shapes.str(targets.shape()));
        }
        Tensor t = targets.to(ct);
        return eps == 0 ? t : t.mul(1 - eps).add(eps / c);
    }

    /** {@code −Σ q log softmax(z)} averaged over rows, for logits z and a constant target distribution q. */
    private static final class CrossEntropy extends Function.Binary {
        /** Whether every row of q sums to one (class-index targets). */
        private final boolean normalised;

        CrossEntropy(boolean normalised) {
            this.normalised = normalised;
        }

        @Override
        protected Tensor forward(Tensor logits, Tensor q) {
            Tensor logp = logits.logSoftmax(1);
            saveForBackward(logp, q);
            return q.mul(logp).sum().neg().div((double) logits.size(0));
        }

        @Override
        protected Tensor[] backward(Tensor g) {
            Tensor logp = saved(0);
            Tensor q = saved(1);
            // d/dz (−Σ q log softmax z) = softmax(z)·Σq − q; Σq = 1 for (smoothed) one-hot rows,
            // but soft targets are taken as given and need not sum to one.
            Tensor p = logp.exp();
            Tensor scaledP = normalised ? p : p.mul(q.sum(new int[] {1}, true));
            return new Tensor[] {scaledP.sub(q).mul(g.div((double) logp.size(0))), null};
        }
    }
}
