package radapter.adapters.train;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;
import radapter.adapters.eval.LinearClassifier;
import radapter.models.clip.Clip;
import radapter.tensor.MemoryScope;
import radapter.tensor.Rng;
import radapter.tensor.Tensor;

/**
 * The linear-probe baseline, following the CLIP paper's protocol: multinomial logistic regression
 * with a bias on frozen, L2-normalised image features,
 * <pre>
 *   minimise  (1/n) Σᵢ CE(W·xᵢ + b, yᵢ) + (λ/2)·‖W‖²       (the bias is not regularised)
 * </pre>
 * trained full-batch with L-BFGS to convergence (as the paper's scikit-learn solver; λ here is
 * sklearn's {@code 1/(C·n)}). The regularisation strength λ is chosen from a small log-spaced sweep
 * by top-1 accuracy on a held-out, class-stratified part of the training data (ties go to the lower
 * held-out loss, then the larger λ); the probe is then refit on all the training data with that λ.
 * The sweep runs from the largest λ down, each fit starting from the previous solution, which keeps
 * the weakly regularised fits short.
 *
 * <p>The expensive products ({@code X·Wᵀ} and the gradient {@code Rᵀ·X}) use the float32 GEMM;
 * the optimiser state, the softmax, the loss and the line search are double precision. Row blocks
 * of the softmax run in parallel and are summed in a fixed order, so a fit is deterministic.
 */
public final class LinearProbe {
    /** The default λ sweep: 10⁻⁶ … 10⁰, one value per decade. */
    public static final double[] DEFAULT_LAMBDAS = {1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 1e-1, 1};

    /**
     * One λ of the sweep, fit on the training part and scored on the held-out part.
     *
     * @param lambda          the regularisation strength
     * @param validationTop1  held-out top-1 accuracy (a fraction)
     * @param validationLoss  held-out mean cross-entropy, without the penalty
     * @param iterations      L-BFGS iterations of the fit
     * @param converged       whether the fit converged before the iteration limit
     */
    public record Candidate(double lambda, double validationTop1, double validationLoss, int iterations, boolean converged) {
    }

    /**
     * A fitted probe.
     *
     * @param classifier      the probe, refit on all the training data with {@code lambda}
     * @param lambda          the chosen regularisation strength
     * @param sweep           every λ tried, in the order tried (empty when only one λ was given)
     * @param trainCount      samples in the training part of the split
     * @param validationCount samples held out for choosing λ
     * @param trainTop1       top-1 accuracy of the final probe on all the training data
     * @param iterations      L-BFGS iterations of the final fit
     * @param converged       whether the final fit converged before the iteration limit
     * @param seconds         wall time of the whole fit, sweep included
     */
    public record Result(LinearClassifier classifier, double lambda, List<Candidate> sweep, int trainCount, int validationCount,
            double trainTop1, int iterations, boolean converged, double seconds) {
    }

    private final double[] lambdas;
    private final double validationFraction;
    private final long seed;
    private final int maxIterations;
    private final double tolerance;
    private final int memory;

    private LinearProbe(Builder b) {
        this.lambdas = b.lambdas.clone();
        Arrays.sort(this.lambdas);
        this.validationFraction = b.validationFraction;
        this.seed = b.seed;
        this.maxIterations = b.maxIterations;
        this.tolerance = b.tolerance;
        this.memory = b.memory;
    }

    /** Options with the defaults of {@link Builder}. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Fits the probe.
     *
     * @param features   image features [N, E] as the image tower gives them (L2-normalised here)
     * @param labels     class of each row, in {@code 0 … classNames.size()−1}
     * @param classNames the classes, in label order
     */
    public Result fit(Tensor features, long[] labels, List<String> classNames) {
        long t0 = System.nanoTime();
        if (features.dim() != 2 || features.size(0) != labels.length) {
            throw new IllegalArgumentException("features must be [N, E] with one row per label, got " + Arrays.toString(features.shape())
                    + " for " + labels.length + " labels");
        }
        int c = classNames.size();
        if (c < 2) {
            throw new IllegalArgumentException("a linear probe needs at least two classes, got " + c);
        }
        int n = labels.length;
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            if (labels[i] < 0 || labels[i] >= c) {
                throw new IllegalArgumentException("label " + labels[i] + " of sample " + i + " outside the " + c + " classes");
            }
            y[i] = (int) labels[i];
        }
        int e = Math.toIntExact(features.size(1));
        float[] x = Clip.normalize(features).contiguous().toFloatArray();

        int[][] split = split(y, c);
        int[] trainIdx = split[0];
        int[] valIdx = split[1];
        List<Candidate> sweep = new ArrayList<>();
        double[] params = new double[c * e + c];
        double chosen = lambdas[lambdas.length - 1];
        if (lambdas.length > 1) {
            if (valIdx.length == 0) {
                throw new IllegalArgumentException("choosing λ needs held-out samples, but no class has two or more samples; give one λ");
            }
            Problem train = new Problem(rows(x, e, trainIdx), pick(y, trainIdx), e, c);
            Problem val = new Problem(rows(x, e, valIdx), pick(y, valIdx), e, c);
            double[] best = null;
            Candidate bestC = null;
            // Largest λ first: each solution is a good start for the next, weaker regularisation.
            for (int k = lambdas.length - 1; k >= 0; k--) {
                train.lambda = lambdas[k];
                Lbfgs.Outcome o = Lbfgs.minimize(train, params, maxIterations, tolerance, memory);
                double[] acc = new double[1];
                double loss = val.crossEntropy(params, acc);
                Candidate cand = new Candidate(lambdas[k], acc[0], loss, o.iterations(), o.converged());
                sweep.add(cand);
                if (bestC == null || cand.validationTop1() > bestC.validationTop1()
                        || (cand.validationTop1() == bestC.validationTop1() && cand.validationLoss() < bestC.validationLoss())) {
                    bestC = cand;
                    best = params.clone();
                }
            }
            chosen = bestC.lambda();
            params = best;
        }
        Problem all = new Problem(x, y, e, c);
        all.lambda = chosen;
        Lbfgs.Outcome fin = Lbfgs.minimize(all, params, maxIterations, tolerance, memory);
        double[] trainAcc = new double[1];
        all.crossEntropy(params, trainAcc);
        float[] w = new float[c * e];
        float[] b = new float[c];
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) params[i];
        }
        for (int j = 0; j < c; j++) {
            b[j] = (float) params[c * e + j];
        }
        LinearClassifier probe = LinearClassifier.of(Tensor.of(w, c, e), Tensor.of(b, c), classNames);
        return new Result(probe, chosen, List.copyOf(sweep), trainIdx.length, valIdx.length, trainAcc[0], fin.iterations(),
                fin.converged(), (System.nanoTime() - t0) / 1e9);
    }

    /**
     * A class-stratified split: from each class with at least two samples, round(fraction·count)
     * samples (at least one, never all) are held out, drawn with the seed; single-sample classes
     * stay in training. Returns {train indices, held-out indices}, each ascending.
     */
    int[][] split(int[] y, int c) {
        int[] count = new int[c];
        for (int l : y) {
            count[l]++;
        }
        int[] target = new int[c];
        for (int j = 0; j < c; j++) {
            target[j] = count[j] >= 2 ? Math.clamp(Math.round(validationFraction * count[j]), 1, count[j] - 1) : 0;
        }
        boolean[] held = new boolean[y.length];
        int[] taken = new int[c];
        for (int i : new Rng(seed).permutation(y.length)) {
            if (taken[y[i]] < target[y[i]]) {
                held[i] = true;
                taken[y[i]]++;
            }
        }
        int[] train = IntStream.range(0, y.length).filter(i -> !held[i]).toArray();
        int[] val = IntStream.range(0, y.length).filter(i -> held[i]).toArray();
        return new int[][] {train, val};
    }

    private static float[] rows(float[] x, int e, int[] idx) {
        float[] out = new float[idx.length * e];
        for (int r = 0; r < idx.length; r++) {
            System.arraycopy(x, idx[r] * e, out, r * e, e);
        }
        return out;
    }

    private static int[] pick(int[] y, int[] idx) {
        int[] out = new int[idx.length];
        for (int r = 0; r < idx.length; r++) {
            out[r] = y[idx[r]];
        }
        return out;
    }

    /** The regularised mean cross-entropy over one set of normalised features; parameters are W [C, E] row-major, then b [C]. */
    private static final class Problem implements Lbfgs.Objective {
        private static final int BLOCK = 256;
        private final Tensor features;
        private final int[] y;
        private final int n;
        private final int e;
        private final int c;
        double lambda;

        Problem(float[] x, int[] y, int e, int c) {
            // GC-owned, so the features outlive the per-evaluation memory scopes.
            this.features = MemoryScope.outsideScopes(() -> Tensor.of(x, y.length, e));
            this.y = y;
            this.n = y.length;
            this.e = e;
            this.c = c;
        }

        /** Logits X·Wᵀ [n, C] in float32 (the bias is added by the callers, in double). */
        private float[] logits(double[] p) {
            float[] wf = new float[c * e];
            for (int i = 0; i < wf.length; i++) {
                wf[i] = (float) p[i];
            }
            try (MemoryScope s = MemoryScope.open()) {
                return features.matmul(Tensor.of(wf, c, e).mT()).toFloatArray();
            }
        }

        @Override
        public double value(double[] p, double[] grad) {
            float[] z = logits(p);
            float[] r = new float[n * c];
            int blocks = (n + BLOCK - 1) / BLOCK;
            double[] lossPart = new double[blocks];
            double[][] biasPart = new double[blocks][c];
            IntStream range = IntStream.range(0, blocks);
            (n * (long) c > 1 << 15 ? range.parallel() : range).forEach(k -> {
                double[] row = new double[c];
                double loss = 0;
                double[] gb = biasPart[k];
                for (int i = k * BLOCK; i < Math.min(n, (k + 1) * BLOCK); i++) {
                    double max = Double.NEGATIVE_INFINITY;
                    for (int j = 0; j < c; j++) {
                        row[j] = z[i * c + j] + p[c * e + j];
                        max = Math.max(max, row[j]);
                    }
                    double sum = 0;
                    for (int j = 0; j < c; j++) {
                        row[j] = Math.exp(row[j] - max);
                        sum += row[j];
                    }
                    // -log softmax of the target, from the shifted logit kept before exponentiating.
                    loss += Math.log(sum) - (z[i * c + y[i]] + p[c * e + y[i]] - max);
                    for (int j = 0; j < c; j++) {
                        double q = (row[j] / sum - (j == y[i] ? 1 : 0)) / n;
                        r[i * c + j] = (float) q;
                        gb[j] += q;
                    }
                }
                lossPart[k] = loss;
            });
            double loss = 0;
            Arrays.fill(grad, c * e, c * e + c, 0);
            for (int k = 0; k < blocks; k++) {
                loss += lossPart[k];
                for (int j = 0; j < c; j++) {
                    grad[c * e + j] += biasPart[k][j];
                }
            }
            float[] gw;
            try (MemoryScope s = MemoryScope.open()) {
                gw = Tensor.of(r, n, c).mT().matmul(features).toFloatArray();
            }
            double reg = 0;
            for (int i = 0; i < c * e; i++) {
                grad[i] = gw[i] + lambda * p[i];
                reg += p[i] * p[i];
            }
            return loss / n + 0.5 * lambda * reg;
        }

        /** Unregularised mean cross-entropy of {@code p} on this set; {@code top1[0]} receives the top-1 accuracy. */
        double crossEntropy(double[] p, double[] top1) {
            float[] z = logits(p);
            double loss = 0;
            int hits = 0;
            for (int i = 0; i < n; i++) {
                double max = Double.NEGATIVE_INFINITY;
                double target = z[i * c + y[i]] + p[c * e + y[i]];
                int better = 0;
                for (int j = 0; j < c; j++) {
                    double v = z[i * c + j] + p[c * e + j];
                    max = Math.max(max, v);
                    // Ties count against, as in Metrics.topK.
                    if (v > target || (v == target && j < y[i])) {
                        better++;
                    }
                }
                double sum = 0;
                for (int j = 0; j < c; j++) {
                    sum += Math.exp(z[i * c + j] + p[c * e + j] - max);
                }
                loss += max + Math.log(sum) - target;
                if (better == 0) {
                    hits++;
                }
            }
            top1[0] = n == 0 ? Double.NaN : (double) hits / n;
            return n == 0 ? Double.NaN : loss / n;
        }
    }

    /** Options; the defaults follow the CLIP paper's protocol at a smaller sweep. */
    public static final class Builder {
        private double[] lambdas = DEFAULT_LAMBDAS;
        private double validationFraction = 0.2;
        private long seed = 0;
        private int maxIterations = 1000;
        private double tolerance = 1e-6;
        private int memory = 10;

        /** The λ values to choose from (default {@link #DEFAULT_LAMBDAS}); one value skips the choice. */
        public Builder lambdas(double... l) {
            if (l.length == 0) {
                throw new IllegalArgumentException("give at least one λ");
            }
            for (double v : l) {
                if (!(v > 0) || Double.isInfinite(v)) {
                    throw new IllegalArgumentException("λ must be a positive number, got " + v);
                }
            }
            this.lambdas = l.clone();
            return this;
        }

        /** Fraction of each class held out for choosing λ (default 0.2). */
        public Builder validationFraction(double f) {
            if (!(f > 0 && f < 1)) {
                throw new IllegalArgumentException("the held-out fraction must be in (0, 1), got " + f);
            }
            this.validationFraction = f;
            return this;
        }

        /** Seed of the held-out draw. */
        public Builder seed(long s) {
            this.seed = s;
            return this;
        }

        /** L-BFGS iteration limit per fit (default 1000, as the CLIP paper's probes). */
        public Builder maxIterations(int m) {
            if (m < 1) {
                throw new IllegalArgumentException("max iterations must be at least 1, got " + m);
            }
            this.maxIterations = m;
            return this;
        }

        /** Convergence: the largest gradient component (default 1e-6). */
        public Builder tolerance(double t) {
            if (!(t > 0)) {
                throw new IllegalArgumentException("tolerance must be positive, got " + t);
            }
            this.tolerance = t;
            return this;
        }

        /** L-BFGS history length (default 10). */
        public Builder memory(int m) {
            if (m < 1) {
                throw new IllegalArgumentException("L-BFGS memory must be at least 1, got " + m);
            }
            this.memory = m;
            return this;
        }

        public LinearProbe build() {
            return new LinearProbe(this);
        }
    }
}
