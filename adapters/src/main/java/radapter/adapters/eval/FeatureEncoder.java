package radapter.adapters.eval;

import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import radapter.autograd.GradMode;
import radapter.models.clip.Clip;
import radapter.models.tokenizer.Tokenizer;
import radapter.tensor.Join;
import radapter.tensor.MemoryScope;
import radapter.tensor.Tensor;

/**
 * Encodes many inputs with a CLIP tower in chunks, so memory stays bounded by one chunk's
 * activations whatever the number of inputs: each chunk runs in its own memory scope and only
 * its features survive it (on the host, contiguous). The one place the evaluation, embedding and
 * demo code turn a pile of pixels or captions into a feature matrix.
 *
 * <pre>{@code
 * Tensor img = FeatureEncoder.images(clip, pixels, 256);             // [N, E]
 * Tensor txt = FeatureEncoder.texts(clip, tokenizer, captions, 256); // [M, E]
 * Tensor sim = Clip.normalize(img).matmul(Clip.normalize(txt).mT());
 * }</pre>
 *
 * Features are not normalised; the model is used as it is (call {@code clip.eval()} first for
 * evaluation). The result belongs to the caller's current memory scope, like any op's.
 */
public final class FeatureEncoder {
    private FeatureEncoder() {
    }

    /** Image features [N, E] of {@code pixels} [N, 3, H, W], {@code chunk} images at a time. */
    public static Tensor images(Clip clip, Tensor pixels, int chunk) {
        return chunked(pixels, chunk, x -> clip.encodeImage(x.contiguous()));
    }

    /** Text features [N, E] of token ids [N, L], {@code chunk} rows at a time. */
    public static Tensor tokens(Clip clip, Tensor ids, int chunk) {
        return chunked(ids, chunk, clip::encodeText);
    }

    /** Text features [N, E] of {@code texts}, tokenised and encoded {@code chunk} at a time. */
    public static Tensor texts(Clip clip, Tokenizer tokenizer, List<String> texts, int chunk) {
        checkChunk(chunk);
        if (texts.isEmpty()) {
            throw new IllegalArgumentException("no texts to encode");
        }
        List<Tensor> parts = new ArrayList<>();
        try (var noGrad = GradMode.noGrad()) {
            for (int from = 0; from < texts.size(); from += chunk) {
                List<String> part = texts.subList(from, Math.min(texts.size(), from + chunk));
                try (MemoryScope s = MemoryScope.open()) {
                    parts.add(keep(clip.encodeText(tokenizer.tokenizeTensor(part))));
                }
            }
        }
        return concat(parts);
    }

    /** {@code op} applied to rows {@code [k·chunk, (k+1)·chunk)} of {@code input}, concatenated. */
    static Tensor chunked(Tensor input, int chunk, UnaryOperator<Tensor> op) {
        checkChunk(chunk);
        long n = input.size(0);
        if (n == 0) {
            throw new IllegalArgumentException("no inputs to encode");
        }
        List<Tensor> parts = new ArrayList<>();
        try (var noGrad = GradMode.noGrad()) {
            for (long from = 0; from < n; from += chunk) {
                long len = Math.min(chunk, n - from);
                try (MemoryScope s = MemoryScope.open()) {
                    parts.add(keep(op.apply(input.narrow(0, from, len))));
                }
            }
        }
        return concat(parts);
    }

    /** A chunk's features, copied out of its scope to GC-owned host memory (freed when the parts are dropped). */
    private static Tensor keep(Tensor features) {
        return MemoryScope.outsideScopes(() -> features.cpu().contiguous().clone());
    }

    /** The parts joined in the caller's current scope. */
    private static Tensor concat(List<Tensor> parts) {
        return parts.size() == 1 ? parts.get(0) : Join.cat(0, parts);
    }

    private static void checkChunk(int chunk) {
        if (chunk < 1) {
            throw new IllegalArgumentException("chunk size must be at least 1, got " + chunk);
        }
    }
}
