package radapter.cli;

import java.util.ArrayList;
import java.util.List;
import radapter.adapters.AdapterConfig;

/**
 * What a {@code finetune} run really does with the options it was given and the data it found:
 * the batch (never more than the dataset), the micro-batches, the steps, the warm-up and the EMA
 * momentum, with a warning for every default that would not work as the user expects.
 *
 * <p>Rules (documented in the README and in {@code --help}): an epoch is {@code pairs / batch}
 * steps (the remainder is left out each epoch, drop-last); a {@code --batch-size} larger than
 * the dataset becomes the dataset; the warm-up, unless given, is a tenth of the run capped at
 * 500 steps, and a given warm-up longer than the run is capped (with a warning); the EMA
 * momentum, unless given, is {@link AdapterConfig#emaMomentumFor(long)} of the run length.
 *
 * @param pairs          training pairs found
 * @param batch          pairs per optimizer step
 * @param microBatch     pairs per forward/backward pass (= batch without accumulation)
 * @param accumulation   micro-batches per step
 * @param stepsPerEpoch  optimizer steps per epoch
 * @param epochs         epochs
 * @param warmup         linear warm-up steps
 * @param ema            EMA momentum (0 = live adapters; also 0 with BMA)
 * @param emaDerived     whether {@code ema} came from the run length rather than {@code --ema}
 * @param warnings       what the user should know, one line each
 */
record TrainingPlan(int pairs, int batch, int microBatch, int accumulation, long stepsPerEpoch, int epochs, long warmup, double ema,
        boolean emaDerived, List<String> warnings) {
    /** The largest default warm-up, the official scripts' value. */
    static final long MAX_DEFAULT_WARMUP = 500;

    /** Total optimizer steps. */
    long steps() {
        return stepsPerEpoch * epochs;
    }

    /** Pairs left out of every epoch (drop-last). */
    int unusedPerEpoch() {
        return pairs - (int) (stepsPerEpoch * batch);
    }

    /**
     * Plans a run.
     *
     * @param pairs     training pairs
     * @param batchSize {@code --batch-size}
     * @param gradAccum {@code --grad-accum}
     * @param epochs    {@code --epochs}
     * @param warmup    {@code --warmup}, or {@code null} for the default rule
     * @param ema       {@code --ema}, or {@code null} for the default rule
     * @param bma       whether {@code --bma} replaces EMA
     */
    static TrainingPlan of(int pairs, int batchSize, int gradAccum, int epochs, Long warmup, Double ema, boolean bma) {
        if (pairs < 1) {
            throw new IllegalArgumentException("the training set is empty");
        }
        if (batchSize < 2) {
            throw new IllegalArgumentException("--batch-size must be at least 2 (a contrastive batch needs negatives), got " + batchSize);
        }
        if (gradAccum < 1) {
            throw new IllegalArgumentException("--grad-accum must be at least 1, got " + gradAccum);
        }
        if (epochs < 1) {
            throw new IllegalArgumentException("--epochs must be at least 1, got " + epochs);
        }
        if (warmup != null && warmup < 0) {
            throw new IllegalArgumentException("--warmup must be >= 0, got " + warmup);
        }
        List<String> warnings = new ArrayList<>();
        int batch = Math.min(batchSize, pairs);
        if (batch < batchSize) {
            warnings.add("--batch-size " + batchSize + " is more than the " + pairs + " training pairs: each step uses all " + pairs);
        }
        int accumulation = Math.min(gradAccum, batch);
        int micro = (batch + accumulation - 1) / accumulation;
        accumulation = (batch + micro - 1) / micro;
        if (accumulation < gradAccum) {
            warnings.add("--grad-accum " + gradAccum + " leaves micro-batches of " + micro + " pairs: " + accumulation + " per step");
        }
        long perEpoch = pairs / batch;
        long steps = perEpoch * epochs;
        long w;
        if (warmup == null) {
            w = Math.min(MAX_DEFAULT_WARMUP, steps / 10);
        } else {
            w = Math.min(warmup, Math.max(steps - 1, 0));
            if (w < warmup) {
                warnings.add("--warmup " + warmup + " is longer than the run (" + steps + " steps): capped to " + w
                        + " steps, so the learning rate only peaks at the end; give a shorter --warmup");
            }
        }
        double m;
        boolean derived = false;
        if (ema != null) {
            m = ema;
            if (m > 0 && steps > 0 && Math.pow(m, steps) > 0.05) {
                warnings.add(String.format("--ema %s averages over ~%.0f steps but the run has %d: the averaged adapters keep %.0f %% of their "
                        + "zero start and will score close to the zero-shot model; leave --ema out to derive it from the run length", fmt(m),
                        1 / (1 - m), steps, 100 * Math.pow(m, steps)));
            }
        } else if (bma) {
            m = 0;
        } else {
            m = AdapterConfig.emaMomentumFor(steps);
            derived = true;
        }
        return new TrainingPlan(pairs, batch, micro, accumulation, perEpoch, epochs, w, m, derived, List.copyOf(warnings));
    }

    /** The one-line summary the log starts with: what really runs. */
    String describe() {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format("%,d steps (%d epochs × %,d steps) of %,d pairs", steps(), epochs, stepsPerEpoch, batch));
        if (accumulation > 1) {
            sb.append(String.format(" (%d micro-batches of ≤ %,d, exact accumulation)", accumulation, microBatch));
        }
        if (unusedPerEpoch() > 0) {
            sb.append(String.format(", %,d of %,d pairs left out per epoch", unusedPerEpoch(), pairs));
        }
        sb.append(", warm-up ").append(warmup).append(warmup == 1 ? " step" : " steps");
        return sb.toString();
    }

    /** How the adapters are averaged, for the log. */
    String describeAveraging(Double bmaBeta) {
        if (bmaBeta != null && bmaBeta > 0) {
            return "BMA β " + fmt(bmaBeta);
        }
        if (ema == 0) {
            return "no averaging (live adapters" + (emaDerived ? ": the run is too short for an EMA)" : ")");
        }
        return "EMA momentum " + fmt(ema) + (emaDerived ? " (1 - 10/steps, at most 0.999; --ema to set)" : "");
    }

    static String fmt(double v) {
        return java.math.BigDecimal.valueOf(v).round(new java.math.MathContext(4)).stripTrailingZeros().toPlainString();
    }
}
