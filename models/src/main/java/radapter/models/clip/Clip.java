package radapter.models.clip;

import java.io.IOException;
import java.nio.file.Path;
import radapter.autograd.GradMode;
import radapter.autograd.LinearAlgebra;
import radapter.autograd.NN;
import radapter.autograd.Pointwise;
import radapter.autograd.Variable;
import radapter.autograd.Views;
import radapter.models.nn.Module;
import radapter.tensor.Tensor;

/**
 * A CLIP model: the image tower under {@code visual.*}, the text tower at the root (OpenAI key
 * layout), and {@code logit_scale} (the log of the similarity temperature; frozen in R-Adapter).
 *
 * <pre>{@code
 * try (ClipModel m = Clip.load(Path.of("ViT-B-16.safetensors"))) {
 *     Tensor img = m.clip().encodeImage(pixels);          // [N, 512]
 *     Tensor txt = m.clip().encodeText(tokenizer.tokenizeTensor(texts));
 * }
 * }</pre>
 */
public final class Clip extends Module {
    private final ClipConfig config;
    private final VisionTransformer visual;
    private final TextTransformer text;
    private final Variable logitScale;

    /** A zero-initialised model of the given shape (load weights with {@link #loadStateDict}). */
    public Clip(ClipConfig config) {
        this.config = config;
        this.visual = addModule("visual", new VisionTransformer(config.vision(), config.embedDim(), config));
        this.text = new TextTransformer(config.text(), config.embedDim(), config);
        adoptMembers(text);
        this.logitScale = addParameter("logit_scale", Tensor.scalar(Math.log(1 / 0.07)));
    }

    /** Loads a checkpoint (file or Hugging Face folder) found at {@code path}; see {@link ClipLoader}. */
    public static LoadedClip load(Path path) throws IOException {
        return ClipLoader.load(path, null);
    }

    public ClipConfig config() {
        return config;
    }

    public VisionTransformer visual() {
        return visual;
    }

    public TextTransformer text() {
        return text;
    }

    public Variable logitScale() {
        return logitScale;
    }

    /** {@code exp(logit_scale)}. */
    public double logitScaleExp() {
        return Math.exp(logitScale.data().item());
    }

    /** Differentiable image features [N, embed] (unnormalised). */
    public Variable imageFeatures(Variable pixels) {
        return visual.forward(pixels);
    }

    /** Differentiable text features [N, embed] (unnormalised). */
    public Variable textFeatures(Tensor ids) {
        return text.forward(ids);
    }

    /** Image features without recording a graph. */
    public Tensor encodeImage(Tensor pixels) {
        try (GradMode.Guard ignored = GradMode.noGrad()) {
            return visual.forward(Variable.constant(pixels)).data();
        }
    }

    /** Text features without recording a graph. */
    public Tensor encodeText(Tensor ids) {
        try (GradMode.Guard ignored = GradMode.noGrad()) {
            return text.forward(ids).data();
        }
    }

    /** Rows scaled to unit L2 norm (CLIP's normalised embeddings). */
    public static Tensor normalize(Tensor features) {
        try (GradMode.Guard ignored = GradMode.noGrad()) {
            return NN.normalize(Variable.constant(features), -1, 1e-12).data();
        }
    }

    /** Similarity logits [N_img, N_txt] = exp(logit_scale) · normalised images · normalised textsᵀ. */
    public Tensor logitsPerImage(Tensor imageFeatures, Tensor textFeatures) {
        try (GradMode.Guard ignored = GradMode.noGrad()) {
            Variable u = NN.normalize(Variable.constant(imageFeatures), -1, 1e-12);
            Variable v = NN.normalize(Variable.constant(textFeatures), -1, 1e-12);
            return Pointwise.mul(LinearAlgebra.matmul(u, Views.mT(v)), logitScaleExp()).data();
        }
    }
}
