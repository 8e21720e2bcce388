package radapter.data.dataset;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import radapter.tensor.Rng;

/**
 * Few-shot subsets: {@code k} samples of every class, drawn with a seeded {@link Rng}, so the same
 * seed always gives the same subset (the official scripts draw unseeded, per process; see the
 * spec's quirks list). Classes are visited in label order and each draws with a stream forked from
 * {@code rng} by its label, so a class's pick does not depend on how many samples other classes have.
 * The subset lists its samples by class, then by original index.
 */
public final class KShot {
    private KShot() {
    }

    /**
     * {@code k} samples per class of {@code dataset}; every class from 0 to the largest label (or to
     * the number of class names, if known) must have at least {@code k}.
     *
     * @throws DatasetException when a class has fewer than {@code k} samples, or a sample has no label
     */
    public static Dataset select(Dataset dataset, int k, Rng rng) {
        return select(dataset, k, rng, false);
    }

    /**
     * As {@link #select(Dataset, int, Rng)}; with {@code allowFewer}, a class with fewer than
     * {@code k} samples contributes all it has instead of failing.
     */
    public static Dataset select(Dataset dataset, int k, Rng rng, boolean allowFewer) {
        return dataset.subset(indices(dataset, k, rng, allowFewer));
    }

    /** The indices (into {@code dataset}) that {@link #select(Dataset, int, Rng, boolean)} keeps. */
    public static int[] indices(Dataset dataset, int k, Rng rng, boolean allowFewer) {
        if (k <= 0) {
            throw new IllegalArgumentException("k must be positive, got " + k);
        }
        int[] labels = dataset.labels();
        int classes = dataset.classNames().size();
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] == Sample.NO_LABEL) {
                throw new DatasetException("k-shot needs labels, but sample " + i + " (" + dataset.get(i).describe() + ") has none");
            }
            classes = Math.max(classes, labels[i] + 1);
        }
        int[] counts = new int[classes];
        for (int l : labels) {
            counts[l]++;
        }
        int[][] byClass = new int[classes][];
        for (int c = 0; c < classes; c++) {
            byClass[c] = new int[counts[c]];
        }
        int[] fill = new int[classes];
        for (int i = 0; i < labels.length; i++) {
            byClass[labels[i]][fill[labels[i]]++] = i;
        }
        List<String> short_ = new ArrayList<>();
        for (int c = 0; c < classes; c++) {
            if (counts[c] < k) {
                short_.add(className(dataset, c) + " has " + counts[c]);
            }
        }
        if (!short_.isEmpty() && !allowFewer) {
            String list = short_.size() <= 5 ? String.join(", ", short_)
                    : String.join(", ", short_.subList(0, 5)) + " and " + (short_.size() - 5) + " more";
            throw new DatasetException("k-shot with k = " + k + ": " + short_.size() + " of " + classes
                    + " classes have fewer samples (" + list + "); pass allowFewer to take all of those");
        }
        int[] out = new int[0];
        int n = 0;
        for (int c = 0; c < classes; c++) {
            Rng r = rng.fork(c);
            int[] pool = byClass[c];
            int take = Math.min(k, pool.length);
            // Partial Fisher-Yates: the first 'take' entries become a uniform sample without replacement.
            int[] p = pool.clone();
            for (int i = 0; i < take; i++) {
                int j = i + r.nextInt(p.length - i);
                int t = p[i];
                p[i] = p[j];
                p[j] = t;
            }
            int[] chosen = Arrays.copyOf(p, take);
            Arrays.sort(chosen);
            if (n + take > out.length) {
                out = Arrays.copyOf(out, Math.max(out.length * 2, n + take));
            }
            System.arraycopy(chosen, 0, out, n, take);
            n += take;
        }
        return Arrays.copyOf(out, n);
    }

    private static String className(Dataset d, int c) {
        ClassNames names = d.classNames();
        return c < names.size() ? "class " + c + " '" + names.get(c) + "'" : "class " + c;
    }
}
