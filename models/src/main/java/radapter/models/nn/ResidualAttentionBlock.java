package radapter.models.nn;

import radapter.autograd.Pointwise;
import radapter.autograd.Variable;
import radapter.tensor.Tensor;

/**
 * CLIP's pre-LayerNorm transformer block:
 * <pre>
 *   x = x + A_attn(attn(ln_1(x)))
 *   x = x + A_mlp(mlp(ln_2(x)))
 * </pre>
 * where {@code A_attn} and {@code A_mlp} are optional branch modules (R-Adapter's adapters,
 * registered as children {@code adapter_attn} and {@code adapter_mlp} so their checkpoint keys
 * match the official code) and the identity otherwise.
 */
public class ResidualAttentionBlock extends Module {
    /** A module applied to a branch output before the residual addition. */
    public interface Branch {
        Variable apply(Variable branchOutput);
    }

    public static final String ATTN_ADAPTER = "adapter_attn";
    public static final String MLP_ADAPTER = "adapter_mlp";

    private final LayerNorm ln1;
    private final MultiheadAttention attn;
    private final LayerNorm ln2;
    private final Mlp mlp;
    private Branch attnBranch;
    private Branch mlpBranch;

    public ResidualAttentionBlock(long dim, int heads, long mlpHidden, Activation activation, double eps) {
        this.ln1 = addModule("ln_1", new LayerNorm(dim, eps));
        this.attn = addModule("attn", new MultiheadAttention(dim, heads));
        this.ln2 = addModule("ln_2", new LayerNorm(dim, eps));
        this.mlp = addModule("mlp", new Mlp(dim, mlpHidden, activation));
    }

    public MultiheadAttention attn() {
        return attn;
    }

    public Mlp mlp() {
        return mlp;
    }

    /** Installs (or with null removes) the module applied to the attention branch output. */
    public <M extends Module & Branch> void setAttnAdapter(M adapter) {
        attnBranch = adapter;
        if (adapter == null) {
            removeModule(ATTN_ADAPTER);
        } else {
            addModule(ATTN_ADAPTER, adapter);
        }
    }

    /** Installs (or with null removes) the module applied to the MLP branch output. */
    public <M extends Module & Branch> void setMlpAdapter(M adapter) {
        mlpBranch = adapter;
        if (adapter == null) {
            removeModule(MLP_ADAPTER);
        } else {
            addModule(MLP_ADAPTER, adapter);
        }
    }

    /** The attention-branch module, or null. */
    public Branch attnAdapter() {
        return attnBranch;
    }

    /** The MLP-branch module, or null. */
    public Branch mlpAdapter() {
        return mlpBranch;
    }

    public Variable forward(Variable x, Tensor mask) {
        Variable h = ln1.forward(x);
        Trace.record("ln_1", h);
        Variable a = attn.forward(h, mask);
        Trace.record("attn", a);
        if (attnBranch != null) {
            a = attnBranch.apply(a);
        }
        x = Pointwise.add(x, a);
        h = ln2.forward(x);
        Trace.record("ln_2", h);
        Variable m = mlp.forward(h);
        Trace.record("mlp", m);
        if (mlpBranch != null) {
            m = mlpBranch.apply(m);
        }
        return Pointwise.add(x, m);
    }
}
