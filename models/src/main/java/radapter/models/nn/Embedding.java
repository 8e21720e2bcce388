package radapter.models.nn;

import radapter.autograd.NN;
import radapter.autograd.Variable;
import radapter.tensor.Tensor;

/** A lookup table {@code weight} [vocab, dim]; ids are I32 or I64 of any shape. */
public class Embedding extends Module {
    private final Variable weight;

    public Embedding(long vocab, long dim) {
        this.weight = addParameter("weight", Tensor.zeros(vocab, dim));
    }

    public Variable weight() {
        return weight;
    }

    public Variable forward(Tensor ids) {
        return NN.embedding(weight, ids);
    }
}
