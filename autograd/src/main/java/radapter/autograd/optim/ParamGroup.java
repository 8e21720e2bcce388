package radapter.autograd.optim;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import radapter.autograd.Variable;

/**
 * A list of parameters sharing hyper-parameters, like one entry of PyTorch's
 * {@code optimizer.param_groups}: a learning rate, a weight decay and the optimizer-specific
 * extras (SGD's {@code momentum}, AdamW's {@code beta1}, ...), stored by name as numbers (flags as
 * 1 or 0). Anything left unset takes the optimizer's default when the group is handed to it.
 *
 * <pre>{@code
 * List<ParamGroup> groups = List.of(
 *         ParamGroup.of(weights).weightDecay(0.1),
 *         ParamGroup.of(biases).weightDecay(0).lr(1e-2));
 * AdamW opt = AdamW.builder().lr(1e-3).groups(groups).build();
 * }</pre>
 *
 * <p>The optimizer keeps its own copy of each group; the live copies ({@link Optimizer#paramGroups()})
 * are the ones whose {@link #lr(double) lr} schedules change.
 */
public final class ParamGroup {
    private final List<Variable> params;
    private Double lr;
    private Double weightDecay;
    private double initialLr = Double.NaN;
    private final Map<String, Double> options = new LinkedHashMap<>();

    private ParamGroup(List<Variable> params) {
        Objects.requireNonNull(params, "params");
        for (int i = 0; i < params.size(); i++) {
            if (params.get(i) == null) {
                throw new IllegalArgumentException("parameter " + i + " of the group is null");
            }
        }
        this.params = List.copyOf(params);
    }

    /** A group of {@code params} with every hyper-parameter left to the optimizer's defaults. */
    public static ParamGroup of(List<Variable> params) {
        return new ParamGroup(params);
    }

    /** A group of {@code params} with every hyper-parameter left to the optimizer's defaults. */
    public static ParamGroup of(Variable... params) {
        return new ParamGroup(List.of(params));
    }

    /**
     * The spec's two groups (§7.2, after the reference's {@code exclude} rule): parameters with
     * fewer than 2 dimensions or whose name contains {@code bn}, {@code ln} or {@code bias} get
     * weight decay 0, the others {@code weightDecay}. Both groups are always returned (either may
     * be empty), decayed first.
     */
    public static List<ParamGroup> weightDecaySplit(List<Variable> params, double weightDecay) {
        List<Variable> decay = new ArrayList<>();
        List<Variable> noDecay = new ArrayList<>();
        for (Variable p : params) {
            String n = p.name() == null ? "" : p.name();
            boolean exclude = p.dim() < 2 || n.contains("bn") || n.contains("ln") || n.contains("bias");
            (exclude ? noDecay : decay).add(p);
        }
        return List.of(of(decay).weightDecay(weightDecay), of(noDecay).weightDecay(0.0));
    }

    /** A copy with the same parameters and settings (optimizers keep copies). */
    ParamGroup copy() {
        ParamGroup c = new ParamGroup(params);
        c.lr = lr;
        c.weightDecay = weightDecay;
        c.initialLr = initialLr;
        c.options.putAll(options);
        return c;
    }

    /** The parameters, in order. */
    public List<Variable> params() {
        return params;
    }

    /** Sets the learning rate (schedules call this on the optimizer's live groups). */
    public ParamGroup lr(double value) {
        this.lr = checkNonNegative("lr", value);
        return this;
    }

    /** The learning rate. */
    public double lr() {
        if (lr == null) {
            throw new IllegalStateException("this group's lr is not set; it takes the optimizer's default when the group is added");
        }
        return lr;
    }

    /** Whether an lr was set on this group (always true for an optimizer's live groups). */
    public boolean hasLr() {
        return lr != null;
    }

    /** Sets the weight decay. */
    public ParamGroup weightDecay(double value) {
        this.weightDecay = checkNonNegative("weight_decay", value);
        return this;
    }

    /** The weight decay. */
    public double weightDecay() {
        if (weightDecay == null) {
            throw new IllegalStateException("this group's weight decay is not set; it takes the optimizer's default when the group is added");
        }
        return weightDecay;
    }

    /** Whether a weight decay was set on this group. */
    public boolean hasWeightDecay() {
        return weightDecay != null;
    }

    /**
     * The lr this group had when it joined its optimizer (PyTorch's {@code initial_lr});
     * {@link LrSchedule#apply} scales schedules by it. NaN for a group not yet in an optimizer.
     */
    public double initialLr() {
        return initialLr;
    }

    /** Sets an optimizer-specific option (e.g. {@link SGD#MOMENTUM}, {@link AdamW#BETA1}). */
    public ParamGroup set(String option, double value) {
        Objects.requireNonNull(option, "option");
        if (Double.isNaN(value)) {
            throw new IllegalArgumentException("option " + option + " is NaN");
        }
        options.put(option, value);
        return this;
    }

    /** Sets a flag option (e.g. {@link SGD#NESTEROV}, {@link AdamW#AMSGRAD}); stored as 1 or 0. */
    public ParamGroup set(String option, boolean flag) {
        return set(option, flag ? 1.0 : 0.0);
    }

    /** An option's value. */
    public double get(String option) {
        Double v = options.get(option);
        if (v == null) {
            throw new IllegalArgumentException("this group has no option '" + option + "'; it has " + options.keySet());
        }
        return v;
    }

    /** A flag option's value (nonzero means true). */
    public boolean flag(String option) {
        return get(option) != 0.0;
    }

    /** Whether {@code option} is set. */
    public boolean has(String option) {
        return options.containsKey(option);
    }

    /** The options set so far, in insertion order (read-only). */
    public Map<String, Double> options() {
        return Collections.unmodifiableMap(options);
    }

    // ---------------------------------------------------------------- used by Optimizer

    void fillDefaults(double defaultLr, double defaultWeightDecay, Map<String, Double> defaults) {
        for (String key : options.keySet()) {
            if (!defaults.containsKey(key)) {
                throw new IllegalArgumentException("unknown option '" + key + "' in a parameter group; this optimizer knows "
                        + defaults.keySet());
            }
        }
        if (lr == null) {
            lr = defaultLr;
        }
        if (weightDecay == null) {
            weightDecay = defaultWeightDecay;
        }
        for (Map.Entry<String, Double> e : defaults.entrySet()) {
            options.putIfAbsent(e.getKey(), e.getValue());
        }
        initialLr = lr;
    }

    void restore(double lrValue, double initialLrValue, double weightDecayValue, Map<String, Double> opts) {
        lr = lrValue;
        initialLr = initialLrValue;
        weightDecay = weightDecayValue;
        options.clear();
        options.putAll(opts);
    }

    private static double checkNonNegative(String what, double v) {
        if (!(v >= 0) || Double.isInfinite(v)) {
            throw new IllegalArgumentException(String.format(Locale.ROOT, "invalid %s: %s (must be finite and >= 0)", what, v));
        }
        return v;
    }

    @Override
    public String toString() {
        return "ParamGroup(" + params.size() + " params, lr=" + lr + ", weight_decay=" + weightDecay + ", " + options + ")";
    }
}
