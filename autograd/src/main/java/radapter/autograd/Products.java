package radapter.autograd;

import radapter.tensor.LinearAlgebra;
import radapter.tensor.Tensor;

/** Differentiable matrix products: {@code matmul} with PyTorch's rank rules, and {@code linear}. */
public final class Products {
    private Products() {
    }

    /**
     * Matrix product with {@code torch.matmul} semantics: 1-D operands act as a row (left) or a
     * column (right) that is dropped from the result again, and batch dimensions broadcast.
     */
    public static Variable matmul(Variable a, Variable b) {
        MatMul fn = new MatMul();
        if (Function.recording(a, b)) {
            // Each operand's gradient needs only the other operand.
            fn.a = b.requiresGrad() ? a.data() : null;
            fn.b = a.requiresGrad() ? b.data() : null;
            fn.vecA = a.dim() == 1;
            fn.vecB = b.dim() == 1;
            fn.matrixB = b.dim() == 2;
        }
        return Function.record(fn, LinearAlgebra.matmul(a.data(), b.data()), a, b);
    }

    private static final class MatMul extends Function {
        Tensor a;
        Tensor b;
        boolean vecA;
        boolean vecB;
        // Recorded at forward: b itself is not saved when a needs no gradient.
        boolean matrixB;

        @Override
        protected Tensor[] backward(Tensor g) {
            // Put the dimensions that 1-D operands dropped back, so that everything is [..., m, n].
            Tensor g2 = g;
            if (vecB) {
                g2 = g2.unsqueeze(g2.dim());
            }
            if (vecA) {
                g2 = g2.unsqueeze(g2.dim() - 1);
            }
            Tensor ga = null;
            Tensor gb = null;
            // A saved operand is null when its partner was frozen at forward time.
            if (needsGrad(0) && b != null) {
                Tensor b2 = vecB ? b.unsqueeze(1) : b;
                // Broadcast batch dimensions come back summed by the engine.
                ga = LinearAlgebra.matmul(g2, b2.mT());
                if (vecA) {
                    ga = ga.squeeze(-2);
                }
            }
            if (needsGrad(1) && a != null) {
                Tensor a2 = vecA ? a.unsqueeze(0) : a;
                if (matrixB && a2.dim() > 2 && a2.isContiguous() && g2.isContiguous()) {
                    // A shared weight under batched inputs: fold the batch into one GEMM
                    // instead of a per-batch product that the engine would then have to sum.
                    long k = a2.size(-1);
                    long n = g2.size(-1);
                    gb = LinearAlgebra.matmul(a2.view(-1, k).mT(), g2.view(-1, n));
                } else {
                    gb = LinearAlgebra.matmul(a2.mT(), g2);
                }
                if (vecB) {
                    gb = gb.squeeze(-1);
                }
            }
            return new Tensor[] {ga, gb};
        }

        @Override
        protected void release() {
            a = null;
            b = null;
        }
    }

    /**
     * {@code x · weightᵀ + bias} like {@code torch.nn.functional.linear}: x is [..., in], weight
     * [out, in], bias [out] or null.
     */
    public static Variable linear(Variable x, Variable weight, Variable bias) {
        Linear fn = new Linear();
        Variable[] inputs = bias == null ? new Variable[] {x, weight} : new Variable[] {x, weight, bias};
        if (Function.recording(inputs)) {
            fn.x = weight.requiresGrad() ? x.data() : null;
            fn.weight = x.requiresGrad() ? weight.data() : null;
        }
        Tensor out = LinearAlgebra.linear(x.data(), weight.data(), bias == null ? null : bias.data());
        return Function.record(fn, out, inputs);
    }

    private static final class Linear extends Function {
        Tensor x;
        Tensor weight;

        @Override
        protected Tensor[] backward(Tensor g) {
            Tensor[] grads = new Tensor[inputs.length];
            Tensor g2 = g.reshape(-1, g.size(-1));
            if (needsGrad(0) && weight != null) {
                grads[0] = LinearAlgebra.matmul(g2, weight).view(inputs[0].shape());
            }
            if (needsGrad(1) && x != null) {
                grads[1] = LinearAlgebra.matmul(g2.mT(), x.reshape(-1, x.size(-1)));
            }
            if (grads.length == 3 && needsGrad(2)) {
                grads[2] = g2.sum(new int[] {0}, false);
            }
            return grads;
        }

        @Override
        protected void release() {
            x = null;
            weight = null;
        }
    }
}
