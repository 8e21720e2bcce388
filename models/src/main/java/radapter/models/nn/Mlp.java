package radapter.models.nn;

import radapter.autograd.Variable;

/** CLIP's feed-forward branch: {@code c_proj(act(c_fc(x)))}, hidden width 4·D in every CLIP. */
public class Mlp extends Module {
    private final Linear cFc;
    private final Linear cProj;
    private final Activation activation;

    public Mlp(long dim, long hidden, Activation activation) {
        this.cFc = addModule("c_fc", new Linear(dim, hidden, true));
        this.cProj = addModule("c_proj", new Linear(hidden, dim, true));
        this.activation = activation;
    }

    public Linear cFc() {
        return cFc;
    }

    /** The output projection (where R-Adapter's MLP adapter is merged). */
    public Linear cProj() {
        return cProj;
    }

    public Variable forward(Variable x) {
        Variable h = cFc.forward(x);
        Trace.record("mlp_fc", h);
        return cProj.forward(activation.apply(h));
    }
}
