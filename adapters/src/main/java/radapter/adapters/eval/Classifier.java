package radapter.adapters.eval;

import java.util.List;
import radapter.tensor.Tensor;

/**
 * What the evaluation path needs from a classifier over CLIP image features: a zero-shot head
 * ({@link ZeroShotHead}) or a trained linear probe ({@link LinearClassifier}). Implementations
 * L2-normalise the features themselves, so callers pass {@code encodeImage} output as it is.
 */
public interface Classifier {
    /** Logits [N, C] for image features [N, E]; column {@code j} is class {@code classNames().get(j)}. */
    Tensor logits(Tensor imageFeatures);

    /** The class names in logit column order. */
    List<String> classNames();

    /**
     * This classifier over classes {@code classIndices} only, in that order: column {@code j} of
     * the result's logits equals column {@code classIndices[j]} of this one's. This is how a shift
     * that covers part of the label space (ImageNet-R and -A use 200 of the 1000 classes) is
     * scored: the other classes cannot be predicted at all.
     *
     * @throws IllegalArgumentException for an empty list, an index out of range, or a repeated index
     */
    Classifier restrict(int[] classIndices);

    /** Number of classes (logit columns). */
    default int numClasses() {
        return classNames().size();
    }
}
