package radapter.models.tokenizer;

import java.util.List;
import radapter.tensor.Tensor;

/**
 * Turns texts into the token-id rows a CLIP text tower reads: I64 [N, contextLength], start token
 * first, end token last (the largest id, where the tower pools), zero padded. The CLIP BPE
 * tokenizer is the real one; small built-in vocabularies (the demo's) implement it too.
 */
public interface Tokenizer {
    /** Token ids for each text, I64 [texts.size(), contextLength()]. */
    Tensor tokenizeTensor(List<String> texts);

    /** Row length. */
    int contextLength();
}
