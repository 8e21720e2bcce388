package radapter.models.clip;

import radapter.autograd.LinearAlgebra;
import radapter.autograd.NN;
import radapter.autograd.Pointwise;
import radapter.autograd.Variable;
import radapter.autograd.Views;
import radapter.models.nn.Embedding;
import radapter.models.nn.LayerNorm;
import radapter.models.nn.Module;
import radapter.models.nn.Trace;
import radapter.models.nn.Transformer;
import radapter.tensor.DType;
import radapter.tensor.Shapes;
import radapter.tensor.Tensor;

/**
 * CLIP's text tower: token and positional embeddings, the transformer with a causal mask,
 * {@code ln_final} on every position, pooling at the end-of-text position (the first maximum of
 * the token ids, as OpenAI's code does) and the projection {@code text_projection} [width, embed].
 */
public final class TextTransformer extends Module {
    private final ClipConfig.Text cfg;
    private final Embedding tokenEmbedding;
    private final Variable positionalEmbedding;
    private final Transformer transformer;
    private final LayerNorm lnFinal;
    private final Variable textProjection;
    private final Tensor causalMask;

    public TextTransformer(ClipConfig.Text cfg, long embedDim, ClipConfig model) {
        this.cfg = cfg;
        this.tokenEmbedding = addModule("token_embedding", new Embedding(cfg.vocabSize(), cfg.width()));
        this.positionalEmbedding = addParameter("positional_embedding", Tensor.zeros(cfg.contextLength(), cfg.width()));
        this.transformer = addModule("transformer",
                new Transformer(cfg.width(), cfg.layers(), cfg.heads(), cfg.mlpHidden(), model.activation(), model.layerNormEps()));
        this.lnFinal = addModule("ln_final", new LayerNorm(cfg.width(), model.layerNormEps()));
        this.textProjection = addParameter("text_projection", Tensor.zeros(cfg.width(), embedDim));
        this.causalMask = causalMask(cfg.contextLength());
    }

    /** −∞ strictly above the diagonal, 0 elsewhere: position i attends to positions ≤ i. */
    static Tensor causalMask(int l) {
        float[] m = new float[l * l];
        for (int i = 0; i < l; i++) {
            for (int j = i + 1; j < l; j++) {
                m[i * l + j] = Float.NEGATIVE_INFINITY;
            }
        }
        return radapter.tensor.MemoryScope.outsideScopes(() -> Tensor.of(m, l, l));
    }

    public Transformer transformer() {
        return transformer;
    }

    public ClipConfig.Text config() {
        return cfg;
    }

    /** The position each row is pooled at: the first index of its largest id (the EOT token). */
    public static Tensor poolIndices(Tensor ids) {
        return ids.to(DType.F32).argmax(-1, false);
    }

    /** Text features [N, embed] (not normalised) from token ids [N, L] (I32 or I64, L ≤ context). */
    public Variable forward(Tensor ids) {
        long[] s = ids.shape();
        if (s.length != 2 || s[1] > cfg.contextLength() || ids.dtype().isFloating()) {
            throw new IllegalArgumentException("token ids must be an integer tensor [N, L] with L <= " + cfg.contextLength()
                    + ", got " + ids.dtype().pyName() + " " + Shapes.str(s));
        }
        long n = s[0];
        long[] eot = poolIndices(ids).toLongArray();
        // Under the causal mask no position attends to a later one, so the tokens after the last
        // end-of-text token of the batch cannot change any pooled feature: compute up to it only.
        // Prompts are short (a zero-shot head is mostly under 20 of 77 positions). A trace keeps
        // every position, as the official code computes them.
        long used = 0;
        for (long e : eot) {
            used = Math.max(used, e + 1);
        }
        long l = Trace.active() ? s[1] : used;
        Tensor input = l == s[1] ? ids : ids.narrow(1, 0, l).contiguous();
        return Trace.within("text", () -> {
            Variable x = Pointwise.add(tokenEmbedding.forward(input), Views.narrow(positionalEmbedding, 0, 0, l));
            Trace.record("embeddings", x);
            Tensor mask = l == cfg.contextLength() ? causalMask : causalMask.narrow(0, 0, l).narrow(1, 0, l);
            x = transformer.forward(x, mask);
            x = lnFinal.forward(x);
            Trace.record("ln_final", x);
            // Gather row n·L + eot[n] of the flattened [N·L, D] activations.
            long[] rows = new long[(int) n];
            for (int i = 0; i < n; i++) {
                rows[i] = i * l + eot[i];
            }
            Variable pooled = NN.indexSelect(Views.reshape(x, n * l, cfg.width()), 0, Tensor.ofLongs(rows));
            Trace.record("pooled", pooled);
            return LinearAlgebra.matmul(pooled, textProjection);
        });
    }
}
