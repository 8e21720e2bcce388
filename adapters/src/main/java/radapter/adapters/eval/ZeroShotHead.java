package radapter.adapters.eval;

import java.util.ArrayList;
import java.util.List;
import radapter.models.clip.Clip;
import radapter.models.tokenizer.Tokenizer;
import radapter.tensor.Join;
import radapter.tensor.MemoryScope;
import radapter.tensor.Tensor;

/**
 * A zero-shot classifier built from class names and prompt templates (spec §8.1): each class's
 * weight is the L2-normalised mean of its L2-normalised template embeddings. Logits are cosine
 * similarities between normalised image features and these rows.
 */
public final class ZeroShotHead implements Classifier {
    private final Tensor weights; // [C, E], rows unit norm
    private final List<String> classNames;

    private ZeroShotHead(Tensor weights, List<String> classNames) {
        this.weights = weights;
        this.classNames = List.copyOf(classNames);
    }

    /**
     * Encodes every template for every class with {@code clip}'s text tower (in its current mode,
     * so build it after merging or in eval mode). Templates contain {@code {}} for the class name.
     */
    public static ZeroShotHead build(Clip clip, Tokenizer tokenizer, List<String> classNames, List<String> templates) {
        if (classNames.isEmpty() || templates.isEmpty()) {
            throw new IllegalArgumentException("a zero-shot head needs at least one class and one template");
        }
        List<Tensor> rows = new ArrayList<>();
        for (String name : classNames) {
            List<String> prompts = new ArrayList<>(templates.size());
            for (String t : templates) {
                prompts.add(t.replace("{}", name));
            }
            Tensor row;
            try (MemoryScope s = MemoryScope.open()) {
                Tensor emb = Clip.normalize(clip.encodeText(tokenizer.tokenizeTensor(prompts)));
                Tensor mean = emb.mean(0);
                row = s.keep(Clip.normalize(mean.unsqueeze(0)).squeeze(0));
            }
            rows.add(row);
        }
        return new ZeroShotHead(Join.stack(0, rows), classNames);
    }

    /**
     * A head from given class weights [C, E] (rows are L2-normalised here), e.g. text embeddings
     * computed elsewhere.
     */
    public static ZeroShotHead of(Tensor weights, List<String> classNames) {
        if (weights.dim() != 2 || weights.size(0) != classNames.size()) {
            throw new IllegalArgumentException("class weights must be [" + classNames.size() + ", E], got "
                    + java.util.Arrays.toString(weights.shape()));
        }
        return new ZeroShotHead(Clip.normalize(weights.contiguous()), classNames);
    }

    /** Cosine logits [N, C] for image features [N, E] (normalised here). */
    @Override
    public Tensor logits(Tensor imageFeatures) {
        return Clip.normalize(imageFeatures).matmul(weights.mT());
    }

    /** The class weights [C, E]. */
    public Tensor weights() {
        return weights;
    }

    @Override
    public List<String> classNames() {
        return classNames;
    }

    /** The head over classes {@code classIndices} only (see {@link Classifier#restrict}): the same rows, fewer of them. */
    @Override
    public ZeroShotHead restrict(int[] classIndices) {
        int[] idx = Heads.checkIndices(classIndices, classNames.size());
        return new ZeroShotHead(Heads.rows(weights, idx), Heads.names(classNames, idx));
    }
}
