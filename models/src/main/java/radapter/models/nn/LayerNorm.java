package radapter.models.nn;

import radapter.autograd.NN;
import radapter.autograd.Variable;
import radapter.tensor.Tensor;

/** Layer normalisation over the last dimension with affine {@code weight} and {@code bias} (eps 1e-5 by default). */
public class LayerNorm extends Module {
    private final Variable weight;
    private final Variable bias;
    private final double eps;

    public LayerNorm(long dim) {
        this(dim, 1e-5);
    }

    public LayerNorm(long dim, double eps) {
        this.weight = addParameter("weight", Tensor.ones(dim));
        this.bias = addParameter("bias", Tensor.zeros(dim));
        this.eps = eps;
    }

    public Variable forward(Variable x) {
        return NN.layerNorm(x, weight, bias, eps);
    }
}
