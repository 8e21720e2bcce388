package radapter.models.nn;

import radapter.autograd.LinearAlgebra;
import radapter.autograd.Variable;
import radapter.tensor.Rng;
import radapter.tensor.Tensor;

/** {@code y = x·Wᵀ + b} with W stored [out, in], as in PyTorch. Parameters: {@code weight}, {@code bias}. */
public class Linear extends Module {
    private final Variable weight;
    private final Variable bias;

    /** Zero-initialised (checkpoints overwrite it); {@code bias} false leaves it out. */
    public Linear(long in, long out, boolean bias) {
        this.weight = addParameter("weight", Tensor.zeros(out, in));
        this.bias = bias ? addParameter("bias", Tensor.zeros(out)) : null;
    }

    /** PyTorch's default init: U(−1/√in, 1/√in) for weight and bias. */
    public Linear initUniform(Rng rng) {
        double bound = 1.0 / Math.sqrt(weight.size(1));
        weight.setData(Tensor.rand(rng, weight.shape()).mul(2 * bound).sub(bound));
        if (bias != null) {
            bias.setData(Tensor.rand(rng, bias.shape()).mul(2 * bound).sub(bound));
        }
        return this;
    }

    public Variable weight() {
        return weight;
    }

    public Variable bias() {
        return bias;
    }

    public Variable forward(Variable x) {
        return LinearAlgebra.linear(x, weight, bias);
    }
}
