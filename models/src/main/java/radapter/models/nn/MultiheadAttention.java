package radapter.models.nn;

import radapter.autograd.LinearAlgebra;
import radapter.autograd.NN;
import radapter.autograd.Pointwise;
import radapter.autograd.Variable;
import radapter.autograd.Views;
import radapter.tensor.Tensor;

/**
 * {@code torch.nn.MultiheadAttention} as CLIP uses it: one fused input projection
 * ({@code in_proj_weight} [3D, D] with rows q | k | v, {@code in_proj_bias} [3D]), scaled
 * dot-product attention per head with an optional additive mask, and {@code out_proj}. Inputs
 * and outputs are batch-first [N, L, D].
 */
public class MultiheadAttention extends Module {
    private final long dim;
    private final int heads;
    private final Variable inProjWeight;
    private final Variable inProjBias;
    private final Linear outProj;

    public MultiheadAttention(long dim, int heads) {
        if (heads <= 0 || dim % heads != 0) {
            throw new IllegalArgumentException("attention width " + dim + " is not divisible by " + heads + " heads");
        }
        this.dim = dim;
        this.heads = heads;
        this.inProjWeight = addParameter("in_proj_weight", Tensor.zeros(3 * dim, dim));
        this.inProjBias = addParameter("in_proj_bias", Tensor.zeros(3 * dim));
        this.outProj = addModule("out_proj", new Linear(dim, dim, true));
    }

    public int heads() {
        return heads;
    }

    /** The output projection (where R-Adapter's attention adapter is merged). */
    public Linear outProj() {
        return outProj;
    }

    /**
     * Self-attention of {@code x} [N, L, D]; {@code mask} is an additive [L, L] tensor (e.g. −inf
     * above the diagonal for causal text attention) or null.
     */
    public Variable forward(Variable x, Tensor mask) {
        long n = x.size(0);
        long l = x.size(1);
        long hd = dim / heads;
        Variable qkv = LinearAlgebra.linear(x, inProjWeight, inProjBias); // [N, L, 3D]
        // Split heads with views: [N, L, 3, H, hd] -> three [N, H, L, hd] strided views.
        Variable split = Views.view(qkv, n, l, 3, heads, hd);
        Variable q = Views.permute(Views.select(split, 2, 0), 0, 2, 1, 3);
        Variable k = Views.permute(Views.select(split, 2, 1), 0, 2, 1, 3);
        Variable v = Views.permute(Views.select(split, 2, 2), 0, 2, 1, 3);
        Variable scores = Pointwise.mul(LinearAlgebra.matmul(q, Views.mT(k)), 1.0 / Math.sqrt(hd)); // [N, H, L, L]
        if (mask != null) {
            scores = Pointwise.add(scores, Variable.constant(mask));
        }
        Variable attn = NN.softmax(scores, -1);
        Variable out = LinearAlgebra.matmul(attn, v); // [N, H, L, hd]
        Variable merged = Views.reshape(Views.permute(out, 0, 2, 1, 3), n, l, dim);
        return outProj.forward(merged);
    }
}
