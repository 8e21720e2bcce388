package radapter.adapters;

import radapter.autograd.LinearAlgebra;
import radapter.autograd.NN;
import radapter.autograd.Pointwise;
import radapter.autograd.Variable;
import radapter.models.nn.Module;
import radapter.models.nn.ResidualAttentionBlock;
import radapter.tensor.DType;
import radapter.tensor.Rng;
import radapter.tensor.Tensor;

/**
 * One R-Adapter: {@code A(h) = h + scale · Drop(F(h))}, applied to a branch output inside a
 * residual block. {@code F} is a bias-free linear map, either one D×D matrix ({@code f.weight},
 * zero-initialised) or a factored pair {@code u·d} ({@code d.weight} [r, D] xavier-uniform,
 * {@code u.weight} [D, r] zeros), so a fresh adapter is the identity and the model starts as the
 * zero-shot model. {@code s} is a learnable scalar (init 0.1).
 *
 * <p>Training: {@code scale = s} and the update is dropped with probability p (kept updates are
 * scaled by 1/(1−p)). Evaluation: no dropping, {@code scale = s·α} with α the eval scale, taken
 * from the EMA twin when EMA is on. Once merged into the frozen projection, the adapter is skipped.
 */
public final class RAdapter extends Module implements ResidualAttentionBlock.Branch {
    private final long dim;
    private final long rank;
    private final boolean factored;
    private final Variable s;
    private final Variable f;
    private final Variable d;
    private final Variable u;
    private final AdapterRuntime runtime;
    private RAdapter ema;
    private boolean merged;

    RAdapter(long dim, long rank, AdapterRuntime runtime, Rng init) {
        this.dim = dim;
        this.rank = rank;
        this.runtime = runtime;
        this.factored = runtime.config().rankRule().factored(rank, dim);
        this.s = addParameter("s", Tensor.full(runtime.config().scaleInit(), 1));
        if (factored) {
            Module dm = addModule("d", new Module() {
            });
            Module um = addModule("u", new Module() {
            });
            double bound = Math.sqrt(6.0 / (dim + rank));
            this.d = dm.addParameter("weight", Tensor.rand(init, rank, dim).mul(2 * bound).sub(bound));
            this.u = um.addParameter("weight", Tensor.zeros(dim, rank));
            this.f = null;
        } else {
            Module fm = addModule("f", new Module() {
            });
            this.f = fm.addParameter("weight", Tensor.zeros(dim, dim));
            this.d = null;
            this.u = null;
        }
    }

    /** A frozen copy with the same shape and values (the EMA twin starts as a copy of the live adapter). */
    RAdapter copyFrozen() {
        RAdapter c = new RAdapter(dim, rank, runtime, new Rng(0));
        c.s.data().copy_(s.data());
        if (factored) {
            c.d.data().copy_(d.data());
            c.u.data().copy_(u.data());
        } else {
            c.f.data().copy_(f.data());
        }
        c.freeze();
        return c;
    }

    public long dim() {
        return dim;
    }

    public boolean factored() {
        return factored;
    }

    /** The learnable scale {@code s} [1]. */
    public Variable scale() {
        return s;
    }

    /** The EMA twin used at evaluation, or null. */
    public RAdapter ema() {
        return ema;
    }

    void setEma(RAdapter twin) {
        this.ema = twin;
    }

    boolean merged() {
        return merged;
    }

    void setMerged(boolean m) {
        this.merged = m;
    }

    /** The adapter as one [D, D] matrix in [out, in] orientation ({@code f}, or {@code u·d}). */
    public Tensor matrix() {
        return factored ? u.data().matmul(d.data()) : f.data();
    }

    /** {@code F(h)}: the bias-free linear update. */
    Variable update(Variable h) {
        return factored ? LinearAlgebra.linear(LinearAlgebra.linear(h, d, null), u, null) : LinearAlgebra.linear(h, f, null);
    }

    @Override
    protected void collectRandomSources(java.util.Map<Rng, Boolean> into) {
        super.collectRandomSources(into);
        into.put(runtime.rng(), Boolean.TRUE);
    }

    /** The adapter whose weights evaluation uses: the EMA twin when EMA is on, else this one. */
    RAdapter evalSource() {
        return ema != null ? ema : this;
    }

    @Override
    public Variable apply(Variable h) {
        if (merged) {
            return h;
        }
        if (isTraining()) {
            double p = runtime.config().dropPath();
            long[] maskShape = runtime.config().dropAxis().maskShape(h.shape());
            if (!factored) {
                // The full-rank adapter runs as one fused op (NN.adapter); the drop mask is
                // drawn exactly as NN.dropPath draws it, then spread over the rows.
                return NN.adapter(h, f, s, p > 0 ? rowMask(h, maskShape, p) : null);
            }
            Variable z = update(h);
            if (p > 0) {
                z = NN.dropPath(z, p, runtime.rng(), true, maskShape, true);
            }
            return Pointwise.add(h, Pointwise.mul(z, s));
        }
        RAdapter src = evalSource();
        Variable scale = Pointwise.mul(src.s, runtime.evalScale());
        if (!factored) {
            return NN.adapter(h, src.f, scale, null);
        }
        Variable z = src.update(h);
        return Pointwise.add(h, Pointwise.mul(z, scale));
    }

    /**
     * Drop-path keep-scales (0 or 1/(1−p)) drawn per sample or per token, exactly as
     * {@code dropPath} draws them, repeated for every row of {@code h} flattened to [rows, D].
     */
    private Tensor rowMask(Variable h, long[] maskShape, double p) {
        DType ct = h.data().dtype() == DType.F64 ? DType.F64 : DType.F32;
        Tensor mask = NN.dropMask(maskShape, p, runtime.rng(), ct, true);
        long[] rows = h.shape();
        rows[rows.length - 1] = 1;
        return mask.expand(rows).contiguous().view(-1);
    }
}
