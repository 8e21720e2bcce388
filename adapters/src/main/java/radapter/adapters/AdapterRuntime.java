package radapter.adapters;

import radapter.tensor.Rng;

/**
 * State every adapter of one model shares: the configuration and the random stream adapter
 * dropping draws from (one stream, consumed in forward order, so a run is reproducible from its
 * seed and can be resumed by restoring it).
 */
final class AdapterRuntime {
    private final AdapterConfig config;
    private Rng rng;
    private double evalScale;

    AdapterRuntime(AdapterConfig config, Rng rng) {
        this.config = config;
        this.rng = rng;
        this.evalScale = config.evalScale();
    }

    /** α, the current evaluation scale (changed by weight-space ensembling sweeps). */
    double evalScale() {
        return evalScale;
    }

    void setEvalScale(double a) {
        this.evalScale = a;
    }

    AdapterConfig config() {
        return config;
    }

    Rng rng() {
        return rng;
    }

    void setRng(Rng r) {
        this.rng = r;
    }
}
