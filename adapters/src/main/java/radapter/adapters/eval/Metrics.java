package radapter.adapters.eval;

import radapter.tensor.Tensor;

/** Classification accuracy and retrieval recall from logits, with the official conventions. */
public final class Metrics {
    private Metrics() {
    }

    /** Fraction of rows whose label is among the {@code k} largest logits (ties count against). */
    public static double topK(Tensor logits, long[] labels, int k) {
        float[] l = logits.contiguous().toFloatArray();
        int c = Math.toIntExact(logits.size(1));
        int n = labels.length;
        if (n == 0) {
            return Double.NaN;
        }
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
        int ni = Math.toIntExact(sim.size(0));
        int nt = Math.toIntExact(sim.size(1));
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
