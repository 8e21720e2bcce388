package radapter.adapters.train;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import radapter.adapters.AdaptedClip;
import radapter.adapters.ContrastiveLoss;
import radapter.autograd.GradMode;
import radapter.autograd.NN;
import radapter.autograd.Pointwise;
import radapter.autograd.Reductions;
import radapter.autograd.Variable;
import radapter.autograd.optim.AdamW;
import radapter.autograd.optim.GradClip;
import radapter.autograd.optim.ParamGroup;
import radapter.autograd.optim.WarmupCosineLr;
import radapter.models.clip.Clip;
import radapter.tensor.Device;
import radapter.tensor.Join;
import radapter.tensor.MemoryScope;
import radapter.tensor.Rng;
import radapter.tensor.Tensor;
import radapter.tensor.dist.Collective;

/**
 * The contrastive fine-tuning loop of R-Adapter (spec §7.5) and of the full fine-tuning (FLYP)
 * baseline: per step, set the lr (warm-up + cosine), compute normalised features of the batch,
 * the loss (MPM-NCE or the CLIP loss), backward, clip, AdamW step, EMA (or BMA) update.
 *
 * <p><b>Large batches on small machines.</b> The contrastive loss couples every pair of the batch,
 * so summing losses over micro-batches would change the objective. With {@code microBatch} set,
 * the step is computed exactly, in the GradCache manner: (1) features of all micro-batches
 * without a graph, (2) the loss over the whole batch and its gradient with respect to the
 * features, (3) each micro-batch again with a graph, back-propagating those feature gradients.
 * The adapter-dropping random stream is rewound between (1) and (3), so both passes use the same
 * masks and the gradients equal those of one full-batch pass with these masks, up to float
 * rounding. (Masks are drawn per micro-batch, so with dropping on they are different draws from
 * the same distribution than an undivided batch would get.) Each micro-batch draws its masks from
 * a stream forked from the step's by the index of its first row in the global batch, so the masks
 * depend on how the batch is cut, not on which process holds which piece.
 *
 * <p><b>Checkpoints and resume.</b> Every {@code checkpointEvery} steps the trained tensors (live
 * and averaged adapters), AdamW's moments, the step, the random streams and BMA's weight sum are
 * written atomically; {@link #run} resumes from the latest checkpoint and then continues bit for
 * bit as the uninterrupted run would (batch sources are functions of the step).
 *
 * <p><b>Data parallel.</b> With a {@link Collective} of N processes (MPI), every process reads
 * only its {@linkplain BatchSource#shard shard} of the global batch (its N-th, plus the labels of
 * all of it) and trains on it: features of its rows, an
 * all-gather of every process's features, the loss over the whole batch (the same on every
 * process), its gradient for its own rows back through its encoders, then one all-reduce (sum) of
 * all trained gradients. That is the micro-batch scheme above with the micro-batches on different
 * machines, so the step equals the single-process step with micro-batches of the shard size (bit
 * for bit with two processes, whose sum has one order). Clipping, AdamW and the averaging then run
 * identically everywhere; only rank 0 writes checkpoints. Adapter dropping draws the masks of a
 * micro-batch as the single process does (above), so a run of N processes equals the single
 * process with micro-batches of the shard size with dropping on as well, and a checkpoint resumes
 * under any process count.
 *
 * <p>A non-finite loss stops the run before the optimizer step, leaving the parameters and the
 * checkpoints of the last good step.
 */
public final class FineTuner {
    /** Which contrastive loss trains. */
    public enum LossKind {
        /** R-Adapter's multi-positive margin NCE with label smoothing. */
        MPM_NCE,
        /** The CLIP/FLYP loss (labels ignored). */
        CLIP
    }

    /** Called after every step. */
    public interface Listener {
        void step(long step, long total, double loss, double lr);
    }

    /**
     * Largest magnitude a trained parameter may reach before the run counts as diverged: CLIP's
     * weights and R-Adapter's stay within a few units, so this is many orders of magnitude of margin.
     */
    public static final double MAX_PARAMETER_MAGNITUDE = 1e6;

    /** What a run did. */
    public record Result(long steps, List<Double> losses, double seconds, long resumedFrom) {
    }

    /**
     * Where a run's time went, summed over the steps this process ran: reading its batches (or
     * shards: decoding, augmenting, tokenising), the gradient all-reduce, and the all-gather of
     * the features (both zero in a single process).
     */
    public record Timings(long steps, double dataSeconds, double allReduceSeconds, double allGatherSeconds) {
        /** Mean seconds per step of {@code total}. */
        public double perStep(double total) {
            return steps == 0 ? 0 : total / steps;
        }
    }

    private final Clip clip;
    private final AdaptedClip adapted;
    private final List<Variable> params;
    private final Builder cfg;
    private final AdamW optimizer;
    private final WarmupCosineLr schedule;
    private final Rng dropRng;
    /** The device the model lives on; batches are uploaded there. */
    private final Device device;
    /** The processes training together (one, unless launched by MPI and given). */
    private final Collective group;
    private long timedSteps;
    private long dataNanos;
    private long allReduceNanos;
    private long allGatherNanos;

    private FineTuner(Builder b) {
        this.cfg = b;
        this.clip = b.clip;
        this.adapted = b.adapted;
        if (b.device != null) {
            clip.to(b.device);
        }
        this.device = clip.logitScale().data().device();
        this.group = b.collective;
        this.params = adapted != null ? adapted.trainableParameters() : clip.trainableParameters();
        if (params.isEmpty()) {
            throw new IllegalStateException("nothing to train: every parameter is frozen");
        }
        List<ParamGroup> groups = ParamGroup.weightDecaySplit(params, b.weightDecay);
        this.optimizer = AdamW.builder().lr(b.lr).weightDecay(b.weightDecay).groups(groups).build();
        long warmup = Math.min(b.warmup, Math.max(b.steps - 1, 0));
        if (warmup < b.warmup) {
            System.getLogger(FineTuner.class.getName()).log(System.Logger.Level.WARNING, "warm-up of " + b.warmup
                    + " steps capped to " + warmup + ": the run has only " + b.steps + " steps (set a shorter warm-up)");
        }
        this.schedule = new WarmupCosineLr(b.lr, warmup, Math.max(b.steps, 1), b.minLr);
        this.dropRng = adapted != null ? adapted.dropRng() : new Rng(b.seed);
        clip.visual().transformer().setActivationCheckpointing(b.activationCheckpointing);
        clip.text().transformer().setActivationCheckpointing(b.activationCheckpointing);
    }

    public static Builder builder() {
        return new Builder();
    }

    public AdamW optimizer() {
        return optimizer;
    }

    /** Where the time of the steps run so far went (see {@link Timings}). */
    public Timings timings() {
        return new Timings(timedSteps, dataNanos / 1e9, allReduceNanos / 1e9, allGatherNanos / 1e9);
    }

    /** Trains for the configured number of steps (resuming from the latest checkpoint when there is one). */
    public Result run(BatchSource source) throws IOException {
        long start = 0;
        List<Double> losses = new ArrayList<>();
        if (cfg.checkpointDir != null && cfg.resume) {
            Optional<Checkpoints.Snapshot> latest = Checkpoints.newestIntact(cfg.checkpointDir, cfg.notices);
            if (latest.isPresent()) {
                start = restore(latest.get(), losses);
                cfg.notices.accept("resuming from the checkpoint of step " + start + " of " + cfg.steps);
            } else {
                cfg.notices.accept("no checkpoint in " + cfg.checkpointDir + " yet; starting from step 0");
            }
        }
        long resumedFrom = start;
        clip.train(true);
        long t0 = System.nanoTime();
        for (long step = start; step < cfg.steps; step++) {
            double lr = schedule.apply(optimizer, step);
            double loss;
            try (MemoryScope s = MemoryScope.open()) {
                long d0 = System.nanoTime();
                if (group.size() > 1) {
                    BatchShard mine = source.shard(step, group.rank(), group.size());
                    dataNanos += System.nanoTime() - d0;
                    loss = distributedStep(mine);
                } else {
                    TrainBatch batch = source.batch(step);
                    dataNanos += System.nanoTime() - d0;
                    loss = computeGradients(batch);
                }
                timedSteps++;
                if (!Double.isFinite(loss)) {
                    optimizer.zeroGrad();
                    throw new TrainingDivergedException("the loss became " + loss + " at step " + step
                            + "; the parameters are those after step " + (step - 1)
                            + (cfg.checkpointDir != null ? " and the last good checkpoint is kept in " + cfg.checkpointDir : ""));
                }
                if (cfg.gradClip > 0) {
                    GradClip.clipGradNorm(params, cfg.gradClip);
                }
                optimizer.step();
                optimizer.zeroGrad();
                checkParameters(step, loss);
                if (adapted != null) {
                    adapted.averageUpdate(step, cfg.steps);
                }
            }
            losses.add(loss);
            if (cfg.listener != null) {
                cfg.listener.step(step, cfg.steps, loss, lr);
            }
            boolean last = step + 1 == cfg.steps;
            if (cfg.checkpointDir != null && cfg.checkpointEvery > 0 && group.isMain() && ((step + 1) % cfg.checkpointEvery == 0 || last)) {
                Checkpoints.write(cfg.checkpointDir, snapshot(step + 1, losses), cfg.keepCheckpoints);
            }
        }
        clip.train(false);
        return new Result(cfg.steps - start, losses, (System.nanoTime() - t0) / 1e9, resumedFrom);
    }

    /**
     * Stops a run whose parameters left the finite, sane range: a learning rate far too high
     * drives them to 1e30 long before the loss overflows, and nothing good comes after that.
     */
    private void checkParameters(long step, double loss) {
        double largest = 0;
        try (MemoryScope s = MemoryScope.open()) {
            for (Variable p : params) {
                Tensor a = p.data().abs();
                double sum = a.sum().item(); // NaN or ∞ if any element is
                double max = a.max().item();
                if (!Double.isFinite(sum) || !Double.isFinite(max)) {
                    largest = Double.NaN;
                    break;
                }
                largest = Math.max(largest, max);
            }
        }
        if (!(largest <= MAX_PARAMETER_MAGNITUDE)) {
            throw new TrainingDivergedException("training diverged at step " + step + " (loss " + loss + "): a trained parameter became "
                    + (Double.isNaN(largest) ? "non-finite" : String.format("%.3g in magnitude (limit %.0e)", largest, MAX_PARAMETER_MAGNITUDE))
                    + "; lower the learning rate" + (cfg.checkpointDir != null ? " (the last good checkpoint is kept in " + cfg.checkpointDir + ")" : ""));
        }
    }

    private Variable loss(Variable u, Variable v, long[] labels) {
        double scale = clip.logitScaleExp();
        return switch (cfg.loss) {
            case MPM_NCE -> ContrastiveLoss.mpmNce(u, v, labels, scale, cfg.margin, cfg.labelSmoothing);
            case CLIP -> ContrastiveLoss.clip(u, v, scale, cfg.labelSmoothing);
        };
    }

    private Variable imageEmbeddings(Tensor images) {
        return NN.normalize(clip.imageFeatures(Variable.constant(images.to(device))), -1, 1e-12);
    }

    private Variable textEmbeddings(Tensor ids) {
        return NN.normalize(clip.textFeatures(ids), -1, 1e-12);
    }

    /** Loss of {@code batch}, with the gradients of the trained parameters accumulated (exactly, in micro-batches if set). */
    double computeGradients(TrainBatch batch) {
        if (group.size() > 1) {
            int n = BatchShard.rowsPerRank(batch.size(), group.size());
            return distributedStep(new BatchShard(batch.slice(group.rank() * n, n), batch.labels(), group.rank() * n));
        }
        return cfg.microBatch > 0 && cfg.microBatch < batch.size() ? accumulatedStep(batch) : directStep(batch);
    }

    /** The data-parallel step (class comment): the micro-batch scheme across processes. */
    private double distributedStep(BatchShard shard) {
        TrainBatch mine = shard.rows();
        int n = mine.size();
        if (n * group.size() != shard.batchSize()) {
            // Every process must gather features of the same shape, or the collective hangs.
            throw new IllegalStateException("rank " + group.rank() + " got " + n + " rows of a batch of " + shard.batchSize() + " over "
                    + group.size() + " processes; the batch source must give each process an equal share");
        }
        double value = gradCacheStep(mine, shard.labels(), cfg.microBatch > 0 && cfg.microBatch < n ? cfg.microBatch : n, shard.first());
        if (Double.isFinite(value)) {
            allReduceGradients();
        }
        return value;
    }

    /**
     * Sums the trained gradients over the processes in one flat buffer (one collective call per
     * step, bucketed inside the collective) and writes the sums back into each gradient buffer.
     */
    private void allReduceGradients() {
        List<Tensor> flat = new ArrayList<>();
        for (Variable p : params) {
            if (p.grad() == null) {
                // Every process must send the same layout; a gradient that exists on some and not
                // others cannot be summed (and would hang the others).
                throw new IllegalStateException("a trained parameter of shape " + java.util.Arrays.toString(p.shape())
                        + " received no gradient on rank " + group.rank() + "; data-parallel training needs every trained parameter in the graph");
            }
            flat.add(p.grad().reshape(-1));
        }
        Tensor all = Join.cat(0, flat);
        long t0 = System.nanoTime();
        group.allReduceSum(all);
        allReduceNanos += System.nanoTime() - t0;
        long at = 0;
        for (Variable p : params) {
            long numel = p.data().numel();
            p.grad().copy_(all.narrow(0, at, numel).reshape(p.shape()));
            at += numel;
        }
    }

    private double directStep(TrainBatch b) {
        Variable loss = loss(imageEmbeddings(b.images()), textEmbeddings(b.tokenIds()), b.labels());
        double value = loss.item();
        if (Double.isFinite(value)) {
            loss.backward();
        }
        return value;
    }

    private double accumulatedStep(TrainBatch b) {
        return gradCacheStep(b, b.labels(), cfg.microBatch, 0);
    }

    /**
     * The exact micro-batch step (class comment) over this process's rows {@code mine}: features
     * without a graph, the loss over the whole batch ({@code group}'s features gathered in rank
     * order, {@code labels} of all of it), then each micro-batch again with a graph, fed the
     * feature gradients of its rows, which start at row {@code first} of the whole batch.
     */
    private double gradCacheStep(TrainBatch mine, long[] labels, int mb, long first) {
        int n = mine.size();
        Rng atStep = dropRng.copy();
        Rng next = atStep.copy();
        List<Tensor> us = new ArrayList<>();
        List<Tensor> vs = new ArrayList<>();
        try (GradMode.Guard ignored = GradMode.noGrad()) {
            for (int from = 0; from < n; from += mb) {
                dropRng.restore(atStep.copy().fork(first + from));
                TrainBatch part = mine.slice(from, Math.min(mb, n - from));
                us.add(imageEmbeddings(part.images()).data());
                vs.add(textEmbeddings(part.tokenIds()).data());
            }
        }
        Tensor localU = Join.cat(0, us);
        Tensor localV = Join.cat(0, vs);
        long g0 = System.nanoTime();
        Variable u = Variable.parameter(group.size() > 1 ? group.allGather(localU) : localU);
        Variable v = Variable.parameter(group.size() > 1 ? group.allGather(localV) : localV);
        allGatherNanos += System.nanoTime() - g0;
        Variable loss = loss(u, v, labels);
        double value = loss.item();
        // Every process continues from the same stream, whatever it drew: the step's, advanced once.
        next.nextLong();
        if (!Double.isFinite(value)) {
            dropRng.restore(next);
            return value;
        }
        loss.backward();
        for (int from = 0; from < n; from += mb) {
            int len = Math.min(mb, n - from);
            dropRng.restore(atStep.copy().fork(first + from));
            try (MemoryScope s = MemoryScope.open()) {
                TrainBatch part = mine.slice(from, len);
                Variable gu = Variable.constant(u.grad().narrow(0, first + from, len));
                Variable gv = Variable.constant(v.grad().narrow(0, first + from, len));
                Variable surrogate = Pointwise.add(
                        Reductions.sum(Pointwise.mul(imageEmbeddings(part.images()), gu)),
                        Reductions.sum(Pointwise.mul(textEmbeddings(part.tokenIds()), gv)));
                surrogate.backward();
            }
        }
        dropRng.restore(next);
        return value;
    }

    private Map<String, Tensor> trainableState() {
        if (adapted != null) {
            return adapted.adapterStateDict();
        }
        Map<String, Tensor> out = new LinkedHashMap<>();
        clip.namedParameters().forEach((k, v) -> {
            if (v.requiresGrad()) {
                out.put(k, v.data());
            }
        });
        return out;
    }

    private Checkpoints.Snapshot snapshot(long step, List<Double> losses) {
        Map<String, Object> trainer = new LinkedHashMap<>();
        trainer.put("step", step);
        trainer.put("total_steps", cfg.steps);
        trainer.put("drop_rng", toList(dropRng.state()));
        trainer.put("processes", (long) group.size());
        trainer.put("losses", new ArrayList<Object>(losses));
        if (adapted != null) {
            // BMA's running weight sum is not a tensor; it travels with the step and the RNG state.
            trainer.put("averaging", adapted.averagingState());
        }
        return new Checkpoints.Snapshot(step, trainableState(), optimizer.stateDict(), trainer);
    }

    @SuppressWarnings("unchecked")
    private long restore(Checkpoints.Snapshot s, List<Double> losses) {
        Map<String, radapter.autograd.Variable> named = clip.namedParameters();
        Map<String, Tensor> mine = trainableState();
        if (!mine.keySet().equals(s.trainable().keySet())) {
            throw new IllegalArgumentException("the checkpoint's trained tensors do not match this model: expected " + mine.size()
                    + " tensors like " + mine.keySet().stream().limit(3).toList() + ", found " + s.trainable().size());
        }
        s.trainable().forEach((k, t) -> named.get(k).data().copy_(t));
        optimizer.loadStateDict(s.optimizer());
        if (adapted != null) {
            adapted.restoreAveragingState((Map<String, Object>) s.trainer().get("averaging"));
        }
        Object wrote = s.trainer().get("processes");
        if (wrote instanceof Number k && k.intValue() != group.size()) {
            // Same global batches, same masks, same sums: only how the sums are cut can differ.
            cfg.notices.accept("the checkpoint of step " + s.step() + " was written by " + k.intValue() + " process" + (k.intValue() == 1 ? "" : "es")
                    + " and this run has " + group.size() + "; it continues with the same global batches, equal up to float rounding, "
                    + "and bit for bit when each forward pass holds as many pairs as before");
        }
        List<Object> rng = (List<Object>) s.trainer().get("drop_rng");
        dropRng.restore(Rng.fromState(rng.stream().mapToLong(o -> ((Number) o).longValue()).toArray()));
        for (Object o : (List<Object>) s.trainer().get("losses")) {
            losses.add(((Number) o).doubleValue());
        }
        return s.step();
    }

    private static List<Object> toList(long[] a) {
        List<Object> l = new ArrayList<>();
        for (long x : a) {
            l.add(x);
        }
        return l;
    }

    /** Settings, with the official ImageNet recipe's values as defaults (spec §7.6). */
    public static final class Builder {
        private Clip clip;
        private AdaptedClip adapted;
        private LossKind loss = LossKind.MPM_NCE;
        private double margin = 0.05;
        private double labelSmoothing = 0.02;
        private double lr = 5e-4;
        private double weightDecay = 0.0;
        private long warmup = 500;
        private double minLr = 1e-6;
        private long steps = 1000;
        private double gradClip = 1.0;
        private int microBatch = 0;
        private boolean activationCheckpointing = false;
        private Device device;
        private Path checkpointDir;
        private long checkpointEvery = 0;
        private int keepCheckpoints = 2;
        private boolean resume = true;
        private java.util.function.Consumer<String> notices = msg -> System.getLogger(FineTuner.class.getName()).log(System.Logger.Level.INFO, msg);
        private long seed = 0;
        private Listener listener;
        private Collective collective = Collective.single();

        /**
         * Trains data-parallel with the processes of {@code c} (e.g. {@link Collective#fromEnvironment()}
         * under {@code mpirun}): each takes its share of every batch; see the class comment.
         */
        public Builder collective(Collective c) {
            this.collective = java.util.Objects.requireNonNull(c);
            return this;
        }

        /** Fine-tunes R-Adapter: only the adapters train; EMA is updated after each step. */
        public Builder adapters(AdaptedClip a) {
            this.adapted = a;
            this.clip = a.clip();
            return this;
        }

        /** Fine-tunes whatever parameters of {@code c} require gradients (full fine-tuning baseline). */
        public Builder model(Clip c) {
            this.clip = c;
            this.adapted = null;
            return this;
        }

        public Builder loss(LossKind k) {
            this.loss = k;
            return this;
        }

        public Builder margin(double m) {
            this.margin = m;
            return this;
        }

        public Builder labelSmoothing(double ls) {
            this.labelSmoothing = ls;
            return this;
        }

        public Builder lr(double v) {
            this.lr = v;
            return this;
        }

        public Builder weightDecay(double v) {
            this.weightDecay = v;
            return this;
        }

        public Builder warmup(long v) {
            this.warmup = v;
            return this;
        }

        public Builder minLr(double v) {
            this.minLr = v;
            return this;
        }

        public Builder steps(long v) {
            this.steps = v;
            return this;
        }

        /** Global gradient-norm clipping; 0 disables it. */
        public Builder gradClip(double v) {
            this.gradClip = v;
            return this;
        }

        /** Micro-batch size for exact gradient accumulation; 0 processes the whole batch at once. */
        public Builder microBatch(int v) {
            this.microBatch = v;
            return this;
        }

        /**
         * Recomputes each transformer block during backward instead of keeping its activations
         * (see {@code radapter.autograd.Checkpoint}): far less memory for about one more forward
         * pass per step. Off by default, as in PyTorch; worth it for full-size models.
         */
        public Builder activationCheckpointing(boolean on) {
            this.activationCheckpointing = on;
            return this;
        }

        /**
         * Where training runs (default: wherever the model already is): the model's parameters
         * and the adapters' EMA copies are moved to {@code d}, gradients and optimizer state are
         * created there; only batches go up and the loss value comes down each step.
         */
        public Builder device(Device d) {
            this.device = java.util.Objects.requireNonNull(d);
            return this;
        }

        /** Writes a checkpoint under {@code dir} every {@code every} steps (and after the last), keeping {@code keep}. */
        public Builder checkpoints(Path dir, long every, int keep) {
            this.checkpointDir = dir;
            this.checkpointEvery = every;
            this.keepCheckpoints = keep;
            return this;
        }

        /**
         * Where {@link #run} reports what it did on its own at resume (stale temporaries removed,
         * a damaged checkpoint skipped); default: a warning on the {@link System.Logger}.
         */
        public Builder notices(java.util.function.Consumer<String> sink) {
            this.notices = java.util.Objects.requireNonNull(sink);
            return this;
        }

        /** Whether {@link #run} continues from the latest checkpoint (default true). */
        public Builder resume(boolean on) {
            this.resume = on;
            return this;
        }

        /** Seed of the drop stream when no adapters are given. */
        public Builder seed(long s) {
            this.seed = s;
            return this;
        }

        public Builder listener(Listener l) {
            this.listener = l;
            return this;
        }

        public FineTuner build() {
            if (clip == null) {
                throw new IllegalStateException("give the model: adapters(...) or model(...)");
            }
            if (steps <= 0) {
                throw new IllegalArgumentException("steps must be positive, got " + steps);
            }
            return new FineTuner(this);
        }
    }
}
