package radapter.models.clip;

import java.util.Map;
import radapter.autograd.Variable;
import radapter.tensor.Rng;
import radapter.tensor.Tensor;

/**
 * Random initialisation of a CLIP for training from scratch, after OpenAI's
 * {@code CLIP.initialize_parameters}: token embedding N(0, 0.02²), text positions N(0, 0.01²),
 * vision class/position embeddings N(0, width⁻¹), attention input projections N(0, width⁻¹),
 * output projections N(0, (width·(2·layers))⁻¹), MLP weights N(0, (2·width)⁻¹) and
 * N(0, width⁻¹·(2·layers)⁻¹), projections N(0, width⁻¹), LayerNorm weight 1 and bias 0, biases 0,
 * logit scale ln(1/0.07).
 */
public final class ClipInit {
    private ClipInit() {
    }

    /** Overwrites every parameter of {@code clip} with a fresh draw from {@code rng}. */
    public static Clip initialize(Clip clip, Rng rng) {
        ClipConfig c = clip.config();
        for (Map.Entry<String, Variable> e : clip.namedParameters().entrySet()) {
            String k = e.getKey();
            Variable v = e.getValue();
            boolean vision = k.startsWith("visual.");
            long width = vision ? c.vision().width() : c.text().width();
            int layers = vision ? c.vision().layers() : c.text().layers();
            double attnStd = Math.pow(width, -0.5);
            double projStd = attnStd * Math.pow(2.0 * layers, -0.5);
            double fcStd = Math.pow(2.0 * width, -0.5);
            Tensor t;
            if (k.endsWith("ln_1.weight") || k.endsWith("ln_2.weight") || k.matches(".*ln_(pre|post|final)\\.weight")) {
                t = Tensor.ones(v.shape());
            } else if (k.endsWith(".bias") || k.endsWith("in_proj_bias")) {
                t = Tensor.zeros(v.shape());
            } else if (k.equals("logit_scale")) {
                t = Tensor.full(Math.log(1 / 0.07), v.shape());
            } else if (k.equals("token_embedding.weight")) {
                t = normal(rng, v.shape(), 0.02);
            } else if (k.equals("positional_embedding")) {
                t = normal(rng, v.shape(), 0.01);
            } else if (k.endsWith("in_proj_weight")) {
                t = normal(rng, v.shape(), attnStd);
            } else if (k.endsWith("out_proj.weight") || k.endsWith("c_proj.weight")) {
                t = normal(rng, v.shape(), projStd);
            } else if (k.endsWith("c_fc.weight")) {
                t = normal(rng, v.shape(), fcStd);
            } else if (k.equals("visual.conv1.weight")) {
                t = normal(rng, v.shape(), Math.pow(3.0 * c.vision().patchSize() * c.vision().patchSize(), -0.5));
            } else {
                // class/positional embeddings of the vision tower, both projections
                t = normal(rng, v.shape(), attnStd);
            }
            v.setData(t);
        }
        return clip;
    }

    private static Tensor normal(Rng rng, long[] shape, double std) {
        return Tensor.randn(rng, shape).mul(std);
    }
}
