package radapter.adapters;

/**
 * Everything that shapes R-Adapter's adapters. Defaults follow the paper and the official
 * recipes: full-rank adapters when the rank equals the width, drop probability 0.2, scale
 * initialised to 0.1, eval scale 0.5, EMA momentum 0.999.
 *
 * @param visionRank   adapter rank in the image tower; 0 or less means no adapters there
 * @param textRank     adapter rank in the text tower; 0 or less means no adapters there
 * @param rankRule     how a rank becomes a shape ({@link RankRule#PAPER} by default)
 * @param dropPath     adapter-dropping probability during training
 * @param dropAxis     the axis the drop mask is drawn over
 * @param scaleInit    initial value of each adapter's learnable scale {@code s}
 * @param evalScale    α: the scale multiplier used at evaluation and by the merge
 * @param emaMomentum  EMA momentum for the adapter copies used at evaluation; 0 disables EMA
 */
public record AdapterConfig(int visionRank, int textRank, RankRule rankRule, double dropPath, DropMaskAxis dropAxis,
        double scaleInit, double evalScale, double emaMomentum) {

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
    }

    public static Builder builder() {
        return new Builder();
    }

    public boolean emaEnabled() {
        return emaMomentum > 0;
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

        public Builder ema(double m) {
            this.emaMomentum = m;
            return this;
        }

        public AdapterConfig build() {
            return new AdapterConfig(visionRank, textRank, rankRule, dropPath, dropAxis, scaleInit, evalScale, emaMomentum);
        }
    }
}
