package radapter.spark;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import radapter.adapters.eval.Classifier;
import radapter.adapters.eval.LinearClassifier;
import radapter.adapters.eval.ZeroShotHead;
import radapter.tensor.Tensor;

/**
 * A classifier over CLIP image features in a form Spark can broadcast: the class weights (and, for
 * a linear probe, the bias) as plain arrays. The driver builds the head once (the text tower runs
 * there); every executor rebuilds the same classifier from these numbers.
 *
 * @param weights row-major [classes, dim]
 * @param bias    [classes] for a linear probe; {@code null} for a zero-shot head
 */
public record HeadWeights(float[] weights, float[] bias, int classes, int dim) implements Serializable {
    public HeadWeights {
        if (weights.length != (long) classes * dim || (bias != null && bias.length != classes)) {
            throw new IllegalArgumentException("head weights disagree with " + classes + " classes x " + dim);
        }
    }

    /** The numbers of a zero-shot head or a linear probe. */
    public static HeadWeights of(Classifier head) {
        return switch (head) {
            case ZeroShotHead z -> new HeadWeights(z.weights().contiguous().toFloatArray(), null, z.numClasses(),
                    Math.toIntExact(z.weights().size(1)));
            case LinearClassifier l -> new HeadWeights(l.weight().contiguous().toFloatArray(), l.bias().contiguous().toFloatArray(),
                    l.numClasses(), Math.toIntExact(l.featureDim()));
            default -> throw new IllegalArgumentException("cannot broadcast a " + head.getClass().getSimpleName());
        };
    }

    /** The classifier again (class names are positions: executors only count hits). */
    public Classifier classifier() {
        List<String> names = new ArrayList<>(classes);
        for (int c = 0; c < classes; c++) {
            names.add(Integer.toString(c));
        }
        // A zero-shot head is a linear classifier with a zero bias: the same normalise-and-matmul,
        // and adding 0 changes no logit. (ZeroShotHead.of would re-normalise the rows, which can
        // move their last bit.)
        return LinearClassifier.of(Tensor.of(weights, classes, dim), Tensor.of(bias != null ? bias : new float[classes], classes), names);
    }
}
