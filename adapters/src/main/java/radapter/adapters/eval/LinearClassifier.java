package radapter.adapters.eval;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import radapter.models.clip.Clip;
import radapter.tensor.Tensor;
import radapter.tensor.io.Json;
import radapter.tensor.io.SafeTensors;

/**
 * A linear classifier on L2-normalised image features, {@code logits = W·f/‖f‖ + b}: what
 * {@link radapter.adapters.train.LinearProbe} trains. Saved as a small safetensors file
 * ({@code weight} [C, E], {@code bias} [C], the class names in the metadata) so {@code radapter
 * eval --probe} can score it like a zero-shot head.
 */
public final class LinearClassifier implements Classifier {
    /** Metadata key holding the class names as a JSON array. */
    static final String CLASS_NAMES_KEY = "radapter.class_names";
    static final String KIND_KEY = "radapter.classifier";
    static final String KIND = "linear-probe";

    private final Tensor weight;
    private final Tensor bias;
    private final List<String> classNames;

    private LinearClassifier(Tensor weight, Tensor bias, List<String> classNames) {
        this.weight = weight;
        this.bias = bias;
        this.classNames = List.copyOf(classNames);
    }

    /** A classifier with weights [C, E] and bias [C] for {@code classNames} (C of them). */
    public static LinearClassifier of(Tensor weight, Tensor bias, List<String> classNames) {
        if (weight.dim() != 2 || bias.dim() != 1 || weight.size(0) != classNames.size() || bias.size(0) != classNames.size()) {
            throw new IllegalArgumentException("a linear classifier for " + classNames.size() + " classes needs weight [C, E] and bias [C], got "
                    + Arrays.toString(weight.shape()) + " and " + Arrays.toString(bias.shape()));
        }
        return new LinearClassifier(weight.contiguous(), bias.contiguous(), classNames);
    }

    /** {@code W·f/‖f‖ + b} [N, C] for image features [N, E]. */
    @Override
    public Tensor logits(Tensor imageFeatures) {
        return Clip.normalize(imageFeatures).matmul(weight.mT()).add(bias);
    }

    @Override
    public List<String> classNames() {
        return classNames;
    }

    /** The classifier over classes {@code classIndices} only: the same rows of W and b, fewer of them. */
    @Override
    public LinearClassifier restrict(int[] classIndices) {
        int[] idx = Heads.checkIndices(classIndices, classNames.size());
        return new LinearClassifier(Heads.rows(weight, idx), Heads.elements(bias, idx), Heads.names(classNames, idx));
    }

    /** Weights [C, E]. */
    public Tensor weight() {
        return weight;
    }

    /** Bias [C]. */
    public Tensor bias() {
        return bias;
    }

    /** Feature width E the classifier expects. */
    public long featureDim() {
        return weight.size(1);
    }

    /** Writes {@code weight}, {@code bias} and the class names (plus {@code metadata}) atomically. */
    public void save(Path file, Map<String, String> metadata) throws IOException {
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("format", "pt");
        meta.put(KIND_KEY, KIND);
        meta.put(CLASS_NAMES_KEY, Json.write(new ArrayList<Object>(classNames)));
        if (metadata != null) {
            meta.putAll(metadata);
        }
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        tensors.put("weight", weight);
        tensors.put("bias", bias);
        SafeTensors.write(file, tensors, meta);
    }

    /** Reads a file written by {@link #save}; anything else is an {@link IllegalArgumentException} saying what is wrong. */
    public static LinearClassifier load(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException(file + ": no such linear-probe file (radapter linear-probe writes linear_probe.safetensors)");
        }
        try (SafeTensors st = SafeTensors.open(file)) {
            String names = st.metadata().get(CLASS_NAMES_KEY);
            if (!KIND.equals(st.metadata().get(KIND_KEY)) || names == null || !st.names().contains("weight") || !st.names().contains("bias")) {
                throw new IllegalArgumentException(file + ": not a linear probe written by radapter (expected weight, bias and class names)");
            }
            List<String> classNames = new ArrayList<>();
            for (Object o : (List<?>) Json.parse(names)) {
                classNames.add((String) o);
            }
            return of(st.get("weight").to(radapter.tensor.DType.F32).clone(), st.get("bias").to(radapter.tensor.DType.F32).clone(), classNames);
        }
    }
}
