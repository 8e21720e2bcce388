package radapter.adapters.eval;

import radapter.tensor.Tensor;

/**
 * Classification accuracy and retrieval recall from logits, with the official conventions. Every
 * metric checks its inputs (shapes, label ranges, K) and names the first bad one: a label outside
 * the class list must never read another row's scores.
 */
public final class Metrics {
    private Metrics() {
    }

    /**
     * Fraction of rows whose label is among the {@code k} largest logits (ties count against).
     *
     * @param logits [N, C] scores
     * @param labels N labels, each in {@code 0..C-1}
     * @param k      1..C
     * @return the accuracy in [0, 1]; NaN when N is 0
     * @throws IllegalArgumentException for a shape mismatch, a label outside {@code 0..C-1} or a bad k
     */
    public static double topK(Tensor logits, long[] labels, int k) {
        if (logits.dim() != 2) {
            throw new IllegalArgumentException("top-" + k + ": logits must be [samples, classes], got shape " + java.util.Arrays.toString(logits.shape()));
        }
        int c = Math.toIntExact(logits.size(1));
        int n = labels.length;
        if (logits.size(0) != n) {
            throw new IllegalArgumentException("top-" + k + ": " + logits.size(0) + " rows of logits but " + n + " labels");
        }
        if (k < 1 || k > c) {
            throw new IllegalArgumentException("top-k needs 1 <= k <= " + c + " classes, got k = " + k);
        }
        for (int i = 0; i < n; i++) {
            if (labels[i] < 0 || labels[i] >= c) {
                throw new IllegalArgumentException("top-" + k + ": label " + labels[i] + " of sample " + i + " is outside the " + c
                        + " classes (0.." + (c - 1) + ")");
            }
        }
        if (n == 0) {
            return Double.NaN;
        }
        float[] l = logits.contiguous().toFloatArray();
        int hits = 0;
        for (int i = 0; i < n; i++) {
            float target = l[i * c + (int) labels[i]];
            int better = 0;
            for (int j = 0; j < c; j++) {
                float v = l[i * c + j];
                if (v > target || (v == target && j < labels[i])) {
                    better++;
                }
            }
            if (better < k) {
                hits++;
            }
        }
        return (double) hits / n;
    }

    /** Recall@K in both directions with the counts and median ranks. */
    public record Recall(double[] imageToText, double[] textToImage, int[] ks, double medianRankI2T, double medianRankT2I) {
    }

    /**
     * Retrieval recall (spec §8.4): {@code sim} is [images, captions]; {@code captionImage[j]} is
     * the image index of caption j. Image → text counts a hit when any of its captions ranks below
     * K; text → image when its own image does. Recall is in percent.
     */
    public static Recall recall(Tensor sim, int[] captionImage, int... ks) {
        if (sim.dim() != 2) {
            throw new IllegalArgumentException("recall: similarities must be [images, captions], got shape " + java.util.Arrays.toString(sim.shape()));
        }
        int ni = Math.toIntExact(sim.size(0));
        int nt = Math.toIntExact(sim.size(1));
        if (captionImage.length != nt) {
            throw new IllegalArgumentException("recall: " + nt + " caption columns but " + captionImage.length + " caption owners");
        }
        if (ni == 0 || nt == 0) {
            throw new IllegalArgumentException("recall needs at least one image and one caption, got " + ni + " and " + nt);
        }
        boolean[] hasCaption = new boolean[ni];
        for (int j = 0; j < nt; j++) {
            if (captionImage[j] < 0 || captionImage[j] >= ni) {
                throw new IllegalArgumentException("recall: caption " + j + " belongs to image " + captionImage[j] + ", outside the " + ni + " images");
            }
            hasCaption[captionImage[j]] = true;
        }
        for (int i = 0; i < ni; i++) {
            if (!hasCaption[i]) {
                // Its rank would be "infinite" and silently count as a miss at every K.
                throw new IllegalArgumentException("recall: image " + i + " has no caption");
            }
        }
        if (ks.length == 0) {
            throw new IllegalArgumentException("recall: give at least one K");
        }
        for (int k : ks) {
            if (k < 1) {
                throw new IllegalArgumentException("recall@K needs K >= 1, got " + k);
            }
        }
        float[] s = sim.contiguous().toFloatArray();
        int[] i2tRank = new int[ni];
        for (int i = 0; i < ni; i++) {
            int best = Integer.MAX_VALUE;
            for (int j = 0; j < nt; j++) {
                if (captionImage[j] != i) {
                    continue;
                }
                float v = s[i * nt + j];
                int rank = 0;
                for (int o = 0; o < nt; o++) {
                    if (s[i * nt + o] > v) {
                        rank++;
                    }
                }
                best = Math.min(best, rank);
            }
            i2tRank[i] = best;
        }
        int[] t2iRank = new int[nt];
        for (int j = 0; j < nt; j++) {
            float v = s[captionImage[j] * nt + j];
            int rank = 0;
            for (int i = 0; i < ni; i++) {
                if (s[i * nt + j] > v) {
                    rank++;
                }
            }
            t2iRank[j] = rank;
        }
        double[] a = new double[ks.length];
        double[] b = new double[ks.length];
        for (int q = 0; q < ks.length; q++) {
            int k = ks[q];
            a[q] = 100.0 * java.util.Arrays.stream(i2tRank).filter(r -> r < k).count() / ni;
            b[q] = 100.0 * java.util.Arrays.stream(t2iRank).filter(r -> r < k).count() / nt;
        }
        return new Recall(a, b, ks.clone(), median(i2tRank) + 1, median(t2iRank) + 1);
    }

    private static double median(int[] v) {
        int[] c = v.clone();
        java.util.Arrays.sort(c);
        return c.length % 2 == 1 ? c[c.length / 2] : (c[c.length / 2 - 1] + c[c.length / 2]) / 2.0;
    }
}
