package radapter.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import radapter.adapters.train.BatchShard;
import radapter.adapters.train.BatchSource;
import radapter.adapters.train.TrainBatch;
import radapter.data.dataset.ClassNames;
import radapter.data.dataset.Dataset;
import radapter.data.dataset.PromptTemplates;
import radapter.data.dataset.Sample;
import radapter.data.transforms.ClipPreprocess;
import radapter.models.tokenizer.ClipTokenizer;
import radapter.tensor.Rng;
import radapter.tensor.Tensor;

/**
 * The training batches of {@code finetune}: every epoch a fresh permutation of the dataset (from
 * the seed and the epoch), cut into batches (drop-last); each pair decoded, augmented and, with
 * {@code --templates}, given a random prompt of its class.
 *
 * <p>All randomness of a pair comes from (seed, step, its position in the global batch), never
 * from a stream shared by the batch, so a process of a data-parallel run decodes only its own
 * rows and still gets exactly the pixels and texts the single-process run has in those rows.
 */
final class TrainingBatches implements BatchSource {
    private final Dataset data;
    private final ClipTokenizer tok;
    private final ClipPreprocess pre;
    private final PromptTemplates templates;
    private final ClassNames names;
    private final boolean retrieval;
    private final Map<Path, Long> imageIds = new HashMap<>();
    private final long seed;
    private final int batchSize;
    private final long perEpoch;
    /** Where the CSV came from, for the missing-title error. */
    private final Path source;

    /**
     * @param templates prompt templates to draw each pair's text from (null: the sample's caption)
     * @param names     class names for the templates (null without templates)
     * @param retrieval whether positives are the same image (true) or the same class
     */
    TrainingBatches(Dataset data, ClipTokenizer tok, ClipPreprocess pre, PromptTemplates templates, ClassNames names, boolean retrieval, long seed,
            int batchSize, Path source) {
        this.data = data;
        this.tok = tok;
        this.pre = pre;
        this.templates = templates;
        this.names = names;
        this.retrieval = retrieval;
        this.seed = seed;
        this.batchSize = batchSize;
        this.perEpoch = Math.max(1, data.size() / batchSize);
        this.source = source;
        for (int i = 0; i < data.size(); i++) {
            imageIds.putIfAbsent(data.get(i).path(), (long) imageIds.size());
        }
    }

    /** The dataset indices of batch {@code step}, in batch order. */
    int[] indices(long step) {
        long epoch = step / perEpoch;
        int[] order = new Rng(seed).fork(epoch).permutation(data.size());
        int from = (int) ((step % perEpoch) * batchSize);
        return Arrays.copyOfRange(order, from, Math.min(from + batchSize, order.length));
    }

    /** Every readable pair of the batch (an unreadable image is skipped with a warning, as the single-process loaders do). */
    @Override
    public TrainBatch batch(long step) {
        return rows(step, indices(step), 0, false);
    }

    /** Only this process's rows are decoded; an unreadable one is an error, since the processes could not agree on a smaller batch. */
    @Override
    public BatchShard shard(long step, int rank, int ranks) {
        int[] idx = indices(step);
        int n = BatchShard.rowsPerRank(idx.length, ranks);
        long[] labels = new long[idx.length];
        for (int i = 0; i < idx.length; i++) {
            labels[i] = label(data.get(idx[i]));
        }
        return new BatchShard(rows(step, Arrays.copyOfRange(idx, rank * n, rank * n + n), rank * n, true), labels, rank * n);
    }

    /** The pairs {@code idx}, which stand at positions {@code first, first + 1, ...} of batch {@code step}. */
    private TrainBatch rows(long step, int[] idx, int first, boolean strict) {
        Rng stepRng = new Rng(seed).fork(1_000_003L * (step + 1));
        Rng[] perPair = new Rng[idx.length];
        for (int i = 0; i < idx.length; i++) {
            perPair[i] = stepRng.copy().fork(first + i);
        }
        // Each pair's stream splits in two, so the text draw does not depend on how many numbers the augmentation took.
        Rng[] imageRng = new Rng[idx.length];
        Rng[] textRng = new Rng[idx.length];
        for (int i = 0; i < idx.length; i++) {
            imageRng[i] = perPair[i].fork(0);
            textRng[i] = perPair[i].fork(1);
        }
        List<Integer> kept = new ArrayList<>();
        Tensor px = ClassificationData.pixels(data, idx, pre, i -> imageRng[i], kept, new AtomicInteger(), strict);
        List<String> texts = new ArrayList<>();
        long[] labels = new long[kept.size()];
        for (int k = 0; k < kept.size(); k++) {
            int i = kept.get(k);
            Sample s = data.get(idx[i]);
            String text = templates != null ? templates.random(textRng[i], names.get(s.label())) : s.caption();
            if (text == null) {
                throw new IllegalArgumentException(source + ": row " + s.index() + " has no title; give --templates to build prompts from class names");
            }
            texts.add(text);
            labels[k] = label(s);
        }
        return new TrainBatch(px, tok.tokenizeTensor(texts), labels);
    }

    private long label(Sample s) {
        return retrieval ? imageIds.get(s.path()) : s.label();
    }
}
