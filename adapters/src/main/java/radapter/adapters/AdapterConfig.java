package radapter.adapters;

/**
 * Everything that shapes R-Adapter's adapters. Defaults follow the paper and the official
 * recipes: full-rank adapters when the rank equals the width, drop probability 0.2, scale
 * initialised to 0.1, eval scale 0.5, EMA momentum 0.999.
 *
 * <p>The averaged adapter copy that evaluation and the merge use comes from one of two rules:
 * EMA (the official recipe, on by default) or BMA (spec §5.2, {@link Builder#bma(double)}).
 * They are alternatives for the same copy, so at most one of them may be on.
 *
 * @param visionRank   adapter rank in the image tower; 0 or less means no adapters there
 * @param textRank     adapter rank in the text tower; 0 or less means no adapters there
 * @param rankRule     how a rank becomes a shape ({@link RankRule#PAPER} by default)
 * @param dropPath     adapter-dropping probability during training
 * @param dropAxis     the axis the drop mask is drawn over
 * @param scaleInit    initial value of each adapter's learnable scale {@code s}
 * @param evalScale    α: the scale multiplier used at evaluation and by the merge
 * @param emaMomentum  EMA momentum for the adapter copies used at evaluation; 0 disables EMA
 * @param bmaBeta      β of the BMA weights {@code BetaPDF((t+0.5)/(T+1); β, β)} for the adapter
 *                     copies used at evaluation; 0 disables BMA
 */
public record AdapterConfig(int visionRank, int textRank, RankRule rankRule, double dropPath, DropMaskAxis dropAxis,
        double scaleInit, double evalScale, double emaMomentum, double bmaBeta) {

    public AdapterConfig {
        if (dropPath < 0 || dropPath >= 1) {
            throw new IllegalArgumentException("drop-path must be in [0, 1), got " + dropPath);
        }
        if (emaMomentum < 0 || emaMomentum >= 1) {
            throw new IllegalArgumentException("EMA momentum must be in [0, 1), got " + emaMomentum);
        }
        if (evalScale < 0) {
            throw new IllegalArgumentException("eval scale must be >= 0, got " + evalScale);
        }
        if (!(bmaBeta >= 0) || Double.isInfinite(bmaBeta)) {
            throw new IllegalArgumentException("BMA β must be a positive number (0 disables BMA), got " + bmaBeta);
        }
        if (emaMomentum > 0 && bmaBeta > 0) {
            // Both rules would write the same averaged copy; silently picking one would hide a mistake.
            throw new IllegalArgumentException("EMA (momentum " + emaMomentum + ") and BMA (β " + bmaBeta
                    + ") are alternatives for the averaged adapters: turn EMA off (ema 0) to use BMA");
        }
    }

    /** A configuration without BMA: the component list from before BMA was added, kept for existing callers. */
    public AdapterConfig(int visionRank, int textRank, RankRule rankRule, double dropPath, DropMaskAxis dropAxis,
            double scaleInit, double evalScale, double emaMomentum) {
        this(visionRank, textRank, rankRule, dropPath, dropAxis, scaleInit, evalScale, emaMomentum, 0);
    }

    public static Builder builder() {
        return new Builder();
    }

    public boolean emaEnabled() {
        return emaMomentum > 0;
    }

    /** True when the averaged adapter copy follows the BMA rule (spec §5.2). */
    public boolean bmaEnabled() {
        return bmaBeta > 0;
    }

    /** True when evaluation uses an averaged copy of the adapters (EMA or BMA) rather than the live ones. */
    public boolean averagingEnabled() {
        return emaEnabled() || bmaEnabled();
    }

    /** The default EMA momentum: the paper's, for runs long enough to use it. */
    public static final double PAPER_EMA_MOMENTUM = 0.999;

    /**
     * The EMA momentum that suits a run of {@code steps} optimizer steps: {@code 1 - 10 / steps},
     * capped at the paper's 0.999 and floored at 0. The average then spans about the last tenth
     * of the run (its window {@code 1 / (1 - m)} is {@code steps / 10}), so it has forgotten the
     * zero-initialised start by the end: after {@code T} steps the start weighs
     * {@code m^T ≈ e^-10}. With the fixed 0.999 a 30-step run would average 97 % zero adapters
     * and score as the zero-shot model. Runs of 10 000 steps or more get 0.999; 10 steps or fewer
     * get 0 (the live adapters).
     */
    public static double emaMomentumFor(long steps) {
        if (steps <= 10) {
            return 0;
        }
        return Math.min(PAPER_EMA_MOMENTUM, 1 - 10.0 / steps);
    }

    /** Builder with the paper's defaults. */
    public static final class Builder {
        private int visionRank = 768;
        private int textRank = 512;
        private RankRule rankRule = RankRule.PAPER;
        private double dropPath = 0.2;
        private DropMaskAxis dropAxis = DropMaskAxis.PER_SAMPLE;
        private double scaleInit = 0.1;
        private double evalScale = 0.5;
        private double emaMomentum = 0.999;
        private boolean emaGiven;
        private double bmaBeta = 0;

        public Builder ranks(int vision, int text) {
            this.visionRank = vision;
            this.textRank = text;
            return this;
        }

        public Builder rankRule(RankRule r) {
            this.rankRule = r;
            return this;
        }

        public Builder dropPath(double p) {
            this.dropPath = p;
            return this;
        }

        public Builder dropAxis(DropMaskAxis a) {
            this.dropAxis = a;
            return this;
        }

        public Builder scaleInit(double s) {
            this.scaleInit = s;
            return this;
        }

        public Builder evalScale(double a) {
            this.evalScale = a;
            return this;
        }

        /** EMA momentum of the averaged adapters (default 0.999); 0 turns EMA off. */
        public Builder ema(double m) {
            this.emaMomentum = m;
            this.emaGiven = true;
            return this;
        }

        /**
         * Averages the adapters with BMA weights {@code BetaPDF((t+0.5)/(T+1); β, β)} instead of EMA
         * (spec §5.2); 0 turns BMA off. Unless {@link #ema(double)} was also called, this turns the
         * default EMA off; an explicit EMA momentum above 0 together with BMA is an error at
         * {@link #build()}.
         */
        public Builder bma(double beta) {
            this.bmaBeta = beta;
            return this;
        }

        public AdapterConfig build() {
            // EMA is on by default; asking for BMA replaces that default, but an explicit EMA stays
            // explicit so the constructor can report the conflict.
            double m = bmaBeta > 0 && !emaGiven ? 0 : emaMomentum;
            return new AdapterConfig(visionRank, textRank, rankRule, dropPath, dropAxis, scaleInit, evalScale, m, bmaBeta);
        }
    }
}
