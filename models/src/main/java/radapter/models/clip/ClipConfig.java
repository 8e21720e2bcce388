package radapter.models.clip;

import radapter.models.nn.Activation;

/**
 * The shape of a CLIP model. Most of it is read off the checkpoint's tensors; the attention head
 * count (when the head width is not 64) and the activation come from a config file.
 *
 * @param embedDim    joint embedding width (output of both projections)
 * @param vision      the image tower
 * @param text        the text tower
 * @param activation  MLP non-linearity of both towers
 * @param layerNormEps LayerNorm epsilon
 * @param source      where the non-inferable fields came from (shown by {@code radapter info})
 */
public record ClipConfig(long embedDim, Vision vision, Text text, Activation activation, double layerNormEps, String source) {

    /** Vision tower: width, layers, heads, patch size and input resolution. */
    public record Vision(long width, int layers, int heads, int patchSize, int imageSize) {
        public int grid() {
            return imageSize / patchSize;
        }

        /** Tokens per image: the class token plus one per patch. */
        public int tokens() {
            return grid() * grid() + 1;
        }

        public long mlpHidden() {
            return 4 * width;
        }
    }

    /** Text tower: width, layers, heads, context length and vocabulary size. */
    public record Text(long width, int layers, int heads, int contextLength, int vocabSize) {
        public long mlpHidden() {
            return 4 * width;
        }
    }

    /** OpenAI's ViT-B/16 (QuickGELU). */
    public static ClipConfig vitB16() {
        return new ClipConfig(512, new Vision(768, 12, 12, 16, 224), new Text(512, 12, 8, 77, 49408),
                Activation.QUICK_GELU, 1e-5, "built-in ViT-B/16");
    }
}
