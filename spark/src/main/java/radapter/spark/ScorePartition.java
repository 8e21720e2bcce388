package radapter.spark;

import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Row;
import radapter.adapters.eval.Classifier;
import radapter.adapters.eval.Metrics;
import radapter.tensor.MemoryScope;
import radapter.tensor.Tensor;

/**
 * Counts top-1 and top-5 hits of a broadcast classifier over one partition of embeddings
 * ({@link EmbeddingSchema}), with {@link Metrics#topK}'s tie rule. Each partition yields one
 * {@link Hits}; the driver adds them up, so the accuracy is exactly the single-process one.
 */
public final class ScorePartition implements FlatMapFunction<Iterator<Row>, ScorePartition.Hits> {
    private static final long serialVersionUID = 1L;
    private static final int CHUNK = 1024;

    private final Broadcast<HeadWeights> head;
    private final int[] position;
    private final int k;

    /**
     * @param position for a class subset, the column of each original label ({@code -1}: not in the
     *                 subset); {@code null} when labels are the columns already
     * @param k        the second cut-off (5, or the number of classes when fewer)
     */
    public ScorePartition(Broadcast<HeadWeights> head, int[] position, int k) {
        this.head = head;
        this.position = position;
        this.k = k;
    }

    /** Images scored and how many had their label first, and among the first {@code k}. */
    public record Hits(long count, long top1, long topK) implements java.io.Serializable {
        /** The sum of two partitions' hits. */
        public Hits plus(Hits o) {
            return new Hits(count + o.count, top1 + o.top1, topK + o.topK);
        }
    }

    @Override
    public Iterator<Hits> call(Iterator<Row> rows) {
        Classifier c = head.value().classifier();
        int dim = head.value().dim();
        float[] feats = new float[CHUNK * dim];
        long[] labels = new long[CHUNK];
        Hits total = new Hits(0, 0, 0);
        int n = 0;
        while (rows.hasNext()) {
            Row r = rows.next();
            labels[n] = label(r);
            List<Float> f = r.getList(3);
            if (f.size() != dim) {
                throw new IllegalArgumentException(r.getString(1) + ": features of width " + f.size() + ", the classifier expects " + dim);
            }
            for (int j = 0; j < dim; j++) {
                feats[n * dim + j] = f.get(j);
            }
            if (++n == CHUNK) {
                total = total.plus(score(c, feats, labels, n, dim));
                n = 0;
            }
        }
        if (n > 0) {
            total = total.plus(score(c, feats, labels, n, dim));
        }
        return List.of(total).iterator();
    }

    private long label(Row r) {
        int label = r.getInt(2);
        if (label < 0) {
            throw new IllegalArgumentException(r.getString(1) + " has no class label; accuracy needs labelled images");
        }
        int mapped = position == null ? label : label < position.length ? position[label] : -1;
        if (mapped < 0) {
            throw new IllegalArgumentException(r.getString(1) + " has class " + label + ", which is not in the class subset");
        }
        return mapped;
    }

    private Hits score(Classifier c, float[] feats, long[] labels, int n, int dim) {
        long[] y = java.util.Arrays.copyOf(labels, n);
        try (MemoryScope s = MemoryScope.open()) {
            Tensor logits = c.logits(Tensor.of(java.util.Arrays.copyOf(feats, n * dim), n, dim));
            // topK is hits / n; n < 2^24, so the rounding recovers the exact count.
            long top1 = Math.round(Metrics.topK(logits, y, 1) * n);
            long topK = Math.round(Metrics.topK(logits, y, k) * n);
            return new Hits(n, top1, topK);
        }
    }
}
