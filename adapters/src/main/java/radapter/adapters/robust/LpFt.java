package radapter.adapters.robust;

import java.util.ArrayList;
import java.util.List;
import radapter.adapters.eval.LinearClassifier;
import radapter.adapters.train.BatchSource;
import radapter.adapters.train.FineTuner;
import radapter.adapters.train.TrainBatch;
import radapter.adapters.train.TrainingDivergedException;
import radapter.autograd.LinearAlgebra;
import radapter.autograd.Losses;
import radapter.autograd.NN;
import radapter.autograd.Variable;
import radapter.autograd.optim.AdamW;
import radapter.autograd.optim.GradClip;
import radapter.autograd.optim.ParamGroup;
import radapter.autograd.optim.WarmupCosineLr;
import radapter.models.clip.Clip;
import radapter.tensor.Device;
import radapter.tensor.MemoryScope;
import radapter.tensor.Tensor;

/**
 * LP-FT (Kumar et al., <i>Fine-Tuning can Distort Pretrained Features and Underperform
 * Out-of-Distribution</i>, ICLR 2022), stage two: full fine-tuning of the image tower together
 * with a linear head that starts from a trained linear probe, with the cross-entropy loss.
 *
 * <p>Stage one is {@link radapter.adapters.train.LinearProbe} on the frozen image features. The
 * point of the order: a random head's large early gradients would rewrite the pre-trained
 * features to fit it ("feature distortion"); a head that already fits the features lets
 * fine-tuning change them much less, which keeps more of the zero-shot model's robustness.
 *
 * <pre>{@code
 * LinearProbe.Result lp = LinearProbe.builder().build().fit(frozenFeatures, labels, classNames);  // stage 1
 * LpFt.Result r = LpFt.builder().lr(1e-5).steps(1000).build().run(clip, lp.classifier(), batches); // stage 2
 * Tensor logits = r.head().logits(clip.encodeImage(pixels));
 * }</pre>
 *
 * The text tower and the logit scale are not used and stay as they are; the image tower's
 * parameters and the head train, everything else of {@code clip} is frozen afterwards.
 */
public final class LpFt {
    /** What stage two produced: the fine-tuned head (the image tower is updated in place) and the losses. */
    public record Result(LinearClassifier head, List<Double> losses, double seconds) {
    }

    private final Builder cfg;

    private LpFt(Builder b) {
        this.cfg = b;
    }

    /** Settings; defaults follow {@link FineTuner}'s (lr 1e-5 as in Kumar et al.'s CLIP runs, AdamW, warm-up + cosine). */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Fine-tunes {@code clip}'s image tower and a copy of {@code probe} on {@code batches} (images
     * and class labels; token ids are ignored).
     *
     * @throws TrainingDivergedException when the loss stops being finite
     */
    public Result run(Clip clip, LinearClassifier probe, BatchSource batches) {
        if (probe.featureDim() != clip.config().embedDim()) {
            throw new IllegalArgumentException("LP-FT: the probe expects " + probe.featureDim() + "-dimensional features but the model gives "
                    + clip.config().embedDim());
        }
        Device device = clip.logitScale().data().device();
        clip.requiresGrad(false);
        clip.visual().requiresGrad(true);
        Variable weight = MemoryScope.outsideScopes(() -> Variable.parameter(probe.weight().to(device).clone()));
        Variable bias = MemoryScope.outsideScopes(() -> Variable.parameter(probe.bias().to(device).clone()));
        List<Variable> params = new ArrayList<>(clip.visual().trainableParameters());
        params.add(weight);
        params.add(bias);
        AdamW optimizer = AdamW.builder().lr(cfg.lr).weightDecay(cfg.weightDecay)
                .groups(ParamGroup.weightDecaySplit(params, cfg.weightDecay)).build();
        WarmupCosineLr schedule = new WarmupCosineLr(cfg.lr, Math.min(cfg.warmup, Math.max(cfg.steps - 1, 0)), cfg.steps, cfg.minLr);
        List<Double> losses = new ArrayList<>();
        long t0 = System.nanoTime();
        clip.train(true);
        try {
            for (long step = 0; step < cfg.steps; step++) {
                double lr = schedule.apply(optimizer, step);
                double loss;
                try (MemoryScope s = MemoryScope.open()) {
                    TrainBatch b = batches.batch(step);
                    Variable f = NN.normalize(clip.imageFeatures(Variable.constant(b.images().to(device))), -1, 1e-12);
                    Variable logits = LinearAlgebra.linear(f, weight, bias);
                    Variable l = Losses.crossEntropy(logits, Tensor.ofLongs(b.labels(), b.labels().length).to(device), cfg.labelSmoothing);
                    loss = l.item();
                    if (!Double.isFinite(loss)) {
                        optimizer.zeroGrad();
                        throw new TrainingDivergedException("LP-FT: the loss became " + loss + " at step " + step);
                    }
                    l.backward();
                    if (cfg.gradClip > 0) {
                        GradClip.clipGradNorm(params, cfg.gradClip);
                    }
                    optimizer.step();
                    optimizer.zeroGrad();
                }
                losses.add(loss);
                if (cfg.listener != null) {
                    cfg.listener.step(step, cfg.steps, loss, lr);
                }
            }
        } finally {
            clip.train(false);
            clip.freeze();
        }
        LinearClassifier head = LinearClassifier.of(weight.data(), bias.data(), probe.classNames());
        return new Result(head, losses, (System.nanoTime() - t0) / 1e9);
    }

    /** Settings of stage two. */
    public static final class Builder {
        private double lr = 1e-5;
        private double weightDecay = 0.1;
        private long warmup = 500;
        private double minLr = 0;
        private long steps = 1000;
        private double gradClip = 1.0;
        private double labelSmoothing = 0;
        private FineTuner.Listener listener;

        private Builder() {
        }

        /** Peak learning rate (default 1e-5). */
        public Builder lr(double v) {
            this.lr = positive("lr", v);
            return this;
        }

        /** AdamW weight decay of matrices (biases, norms and 1-d tensors get none; default 0.1). */
        public Builder weightDecay(double v) {
            if (!(v >= 0)) {
                throw new IllegalArgumentException("weight decay must be non-negative, got " + v);
            }
            this.weightDecay = v;
            return this;
        }

        /** Linear warm-up steps before the cosine decay (default 500). */
        public Builder warmup(long v) {
            if (v < 0) {
                throw new IllegalArgumentException("warm-up steps must be non-negative, got " + v);
            }
            this.warmup = v;
            return this;
        }

        /** The learning rate the cosine ends at (default 0). */
        public Builder minLr(double v) {
            this.minLr = v;
            return this;
        }

        /** Number of optimizer steps (default 1000). */
        public Builder steps(long v) {
            if (v <= 0) {
                throw new IllegalArgumentException("steps must be positive, got " + v);
            }
            this.steps = v;
            return this;
        }

        /** Global gradient-norm clipping; 0 disables it (default 1). */
        public Builder gradClip(double v) {
            this.gradClip = v;
            return this;
        }

        /** Cross-entropy label smoothing (default 0). */
        public Builder labelSmoothing(double v) {
            if (!(v >= 0 && v < 1)) {
                throw new IllegalArgumentException("label smoothing must be in [0, 1), got " + v);
            }
            this.labelSmoothing = v;
            return this;
        }

        /** Called after every step. */
        public Builder listener(FineTuner.Listener l) {
            this.listener = l;
            return this;
        }

        public LpFt build() {
            return new LpFt(this);
        }

        private static double positive(String what, double v) {
            if (!(v > 0) || !Double.isFinite(v)) {
                throw new IllegalArgumentException(what + " must be positive, got " + v);
            }
            return v;
        }
    }
}
