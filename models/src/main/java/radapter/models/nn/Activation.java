package radapter.models.nn;

import radapter.autograd.NN;
import radapter.autograd.Variable;

/** The MLP non-linearities CLIP checkpoints use; which one is a config field, not a guess. */
public enum Activation {
    /** OpenAI's {@code x·sigmoid(1.702x)} (OpenAI weights, HF {@code quick_gelu}). */
    QUICK_GELU,
    /** Exact erf GELU (most open_clip-trained weights, HF {@code gelu}). */
    GELU,
    /** tanh-approximated GELU (HF {@code gelu_new}/{@code gelu_pytorch_tanh}). */
    GELU_TANH;

    public Variable apply(Variable x) {
        return switch (this) {
            case QUICK_GELU -> NN.quickGelu(x);
            case GELU -> NN.gelu(x);
            case GELU_TANH -> NN.geluTanh(x);
        };
    }

    /** Parses Hugging Face's {@code hidden_act} names. */
    public static Activation fromHuggingFace(String name) {
        return switch (name) {
            case "quick_gelu" -> QUICK_GELU;
            case "gelu" -> GELU;
            case "gelu_new", "gelu_pytorch_tanh", "gelu_fast" -> GELU_TANH;
            default -> throw new IllegalArgumentException("unsupported hidden_act '" + name + "' (supported: quick_gelu, gelu, gelu_new, gelu_pytorch_tanh)");
        };
    }
}
