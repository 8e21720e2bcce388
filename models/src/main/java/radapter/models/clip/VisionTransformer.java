package radapter.models.clip;

import radapter.autograd.Join;
import radapter.autograd.LinearAlgebra;
import radapter.autograd.NN;
import radapter.autograd.Pointwise;
import radapter.autograd.Variable;
import radapter.autograd.Views;
import radapter.models.nn.LayerNorm;
import radapter.models.nn.Module;
import radapter.models.nn.Trace;
import radapter.models.nn.Transformer;
import radapter.tensor.Shapes;
import radapter.tensor.Tensor;

/**
 * CLIP's image tower: patch embedding (a stride = kernel convolution without bias), class token,
 * positional embedding, {@code ln_pre}, the transformer, {@code ln_post} on the class token, and
 * the projection {@code proj} [width, embed] used as {@code x·P}.
 */
public final class VisionTransformer extends Module {
    private final ClipConfig.Vision cfg;
    private final Variable conv1;
    private final Variable classEmbedding;
    private final Variable positionalEmbedding;
    private final LayerNorm lnPre;
    private final Transformer transformer;
    private final LayerNorm lnPost;
    private final Variable proj;

    public VisionTransformer(ClipConfig.Vision cfg, long embedDim, ClipConfig model) {
        this.cfg = cfg;
        // conv1 is registered through a child so its key is "conv1.weight".
        Module conv = addModule("conv1", new Module() {
        });
        this.conv1 = conv.addParameter("weight", Tensor.zeros(cfg.width(), 3, cfg.patchSize(), cfg.patchSize()));
        this.classEmbedding = addParameter("class_embedding", Tensor.zeros(cfg.width()));
        this.positionalEmbedding = addParameter("positional_embedding", Tensor.zeros(cfg.tokens(), cfg.width()));
        this.lnPre = addModule("ln_pre", new LayerNorm(cfg.width(), model.layerNormEps()));
        this.transformer = addModule("transformer",
                new Transformer(cfg.width(), cfg.layers(), cfg.heads(), cfg.mlpHidden(), model.activation(), model.layerNormEps()));
        this.lnPost = addModule("ln_post", new LayerNorm(cfg.width(), model.layerNormEps()));
        this.proj = addParameter("proj", Tensor.zeros(cfg.width(), embedDim));
    }

    public Transformer transformer() {
        return transformer;
    }

    public ClipConfig.Vision config() {
        return cfg;
    }

    /** Image features [N, embed] (not normalised) from preprocessed pixels [N, 3, H, W]. */
    public Variable forward(Variable pixels) {
        long[] s = pixels.shape();
        if (s.length != 4 || s[1] != 3 || s[2] != cfg.imageSize() || s[3] != cfg.imageSize()) {
            throw new IllegalArgumentException("pixels must be [N, 3, " + cfg.imageSize() + ", " + cfg.imageSize() + "], got " + Shapes.str(s));
        }
        long n = s[0];
        return Trace.within("vision", () -> {
            Variable patches = NN.patchEmbed(pixels, conv1); // [N, G*G, D]
            Trace.record("patch_embeds", patches);
            Variable cls = Views.expand(Views.view(classEmbedding, 1, 1, cfg.width()), n, 1, cfg.width());
            Variable x = Pointwise.add(Join.cat(1, cls, patches), positionalEmbedding);
            Trace.record("embeddings", x);
            x = lnPre.forward(x);
            Trace.record("ln_pre", x);
            x = transformer.forward(x, null);
            Variable pooled = lnPost.forward(Views.select(x, 1, 0));
            Trace.record("ln_post", pooled);
            return LinearAlgebra.matmul(pooled, proj);
        });
    }
}
