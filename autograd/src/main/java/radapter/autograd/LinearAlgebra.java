package radapter.autograd;

import radapter.tensor.Tensor;

/**
 * Differentiable matrix products, the autograd side of {@link radapter.tensor.LinearAlgebra}:
 * {@code matmul} with PyTorch's rank rules, and {@code linear}.
 */
public final class LinearAlgebra {
    private LinearAlgebra() {
    }

    /**
     * Matrix product with {@code torch.matmul} semantics: 1-D operands act as a row (left) or a
     * column (right) that is dropped from the result again, and batch dimensions broadcast.
     */
    public static Variable matmul(Variable a, Variable b) {
        return new MatMul().apply(a, b);
    }

    private static final class MatMul extends Function.Binary {
        private boolean vecA;
        private boolean vecB;

        @Override
        protected Tensor forward(Tensor a, Tensor b) {
            vecA = a.dim() == 1;
            vecB = b.dim() == 1;
            // Each operand's gradient needs only the other operand.
            saveForBackward(needsGrad(1) ? a : null, needsGrad(0) ? b : null);
            return radapter.tensor.LinearAlgebra.matmul(a, b);
        }

        @Override
        protected Tensor[] backward(Tensor g) {
            // As matrices, [..., m, k]·[..., k, n] = [..., m, n]: dA = G·Bᵀ and dB = Aᵀ·G, with the
            // dimensions that 1-D operands dropped put back first and taken out again after.
            // Broadcast batch dimensions come back summed by the engine.
            Tensor g2 = vecB ? g.unsqueeze(g.dim()) : g;
            g2 = vecA ? g2.unsqueeze(g2.dim() - 1) : g2;
            Tensor ga = null;
            Tensor gb = null;
            if (needsGrad(0)) {
                Tensor b = vecB ? saved(1).unsqueeze(1) : saved(1);
                ga = mm(g2, b.mT());
                ga = vecA ? ga.squeeze(-2) : ga;
            }
            if (needsGrad(1)) {
                Tensor a = vecA ? saved(0).unsqueeze(0) : saved(0);
                gb = transposedTimes(a, g2, inputShape(1).length == 2);
                gb = vecB ? gb.squeeze(-1) : gb;
            }
            return new Tensor[] {ga, gb};
        }
    }

    private static Tensor mm(Tensor a, Tensor b) {
        return radapter.tensor.LinearAlgebra.matmul(a, b);
    }

    /**
     * {@code Aᵀ·G}. When B is one matrix shared by a batch of A (a weight under batched inputs),
     * the batch is folded into a single GEMM instead of a per-batch product the engine would
     * then have to sum.
     */
    private static Tensor transposedTimes(Tensor a, Tensor g, boolean sharedMatrix) {
        if (sharedMatrix && a.dim() > 2 && a.isContiguous() && g.isContiguous()) {
            return mm(a.view(-1, a.size(-1)).mT(), g.view(-1, g.size(-1)));
        }
        return mm(a.mT(), g);
    }

    /**
     * {@code x · weightᵀ + bias} like {@code torch.nn.functional.linear}: x is [..., in], weight
     * [out, in], bias [out] or null.
     */
    public static Variable linear(Variable x, Variable weight, Variable bias) {
        return bias == null ? new Linear().apply(x, weight) : new Linear().apply(x, weight, bias);
    }

    private static final class Linear extends Function {
        @Override
        protected Tensor forward(Tensor... in) {
            Tensor x = in[0];
            Tensor weight = in[1];
            saveForBackward(needsGrad(1) ? x : null, needsGrad(0) ? weight : null);
            return radapter.tensor.LinearAlgebra.linear(x, weight, in.length == 3 ? in[2] : null);
        }

        @Override
        protected Tensor[] backward(Tensor g) {
            Tensor x = saved(0);
            Tensor weight = saved(1);
            // With G the gradient as [rows, out]: dx = G·W, dW = Gᵀ·x, db = Σ_rows G.
            Tensor g2 = g.reshape(-1, g.size(-1));
            Tensor[] grads = new Tensor[inputCount()];
            if (needsGrad(0)) {
                grads[0] = mm(g2, weight).view(inputShape(0));
            }
            if (needsGrad(1)) {
                grads[1] = mm(g2.mT(), x.reshape(-1, x.size(-1)));
            }
            if (grads.length == 3 && needsGrad(2)) {
                grads[2] = g2.sum(new int[] {0}, false);
            }
            return grads;
        }
    }
}
