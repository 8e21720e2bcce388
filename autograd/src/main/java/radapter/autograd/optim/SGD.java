package radapter.autograd.optim;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import radapter.autograd.Variable;
import radapter.tensor.Tensor;

/**
 * Stochastic gradient descent with {@code torch.optim.SGD}'s semantics (its single-tensor path):
 *
 * <pre>
 * d = grad + weight_decay · p                      (L2 decay, added to the gradient)
 * if momentum ≠ 0:
 *     buf = d                          on the first step (no dampening then)
 *     buf = momentum · buf + (1 − dampening) · d   afterwards
 *     d = nesterov ? d + momentum · buf : buf
 * p = p − lr · d
 * </pre>
 *
 * Defaults as in PyTorch: lr 1e-3, momentum 0, dampening 0, weight decay 0, no Nesterov. Like
 * PyTorch, Nesterov needs momentum &gt; 0 and dampening 0. {@code maximize}, {@code foreach} and
 * {@code fused} are not offered. State per parameter: {@code momentum_buffer} (when momentum ≠ 0).
 */
public final class SGD extends Optimizer {
    /** Option name: momentum factor. */
    public static final String MOMENTUM = "momentum";
    /** Option name: dampening of the momentum's gradient term. */
    public static final String DAMPENING = "dampening";
    /** Option name: Nesterov momentum (flag). */
    public static final String NESTEROV = "nesterov";
    /** State name of the momentum buffer. */
    public static final String MOMENTUM_BUFFER = "momentum_buffer";

    private SGD(List<ParamGroup> groups, double lr, double weightDecay, Map<String, Double> defaults) {
        super(groups, lr, weightDecay, defaults, SGD::validate);
    }

    /** A builder with PyTorch's defaults. */
    public static Builder builder() {
        return new Builder();
    }

    private static void validate(ParamGroup g) {
        double momentum = g.get(MOMENTUM);
        double dampening = g.get(DAMPENING);
        if (!(momentum >= 0) || Double.isInfinite(momentum)) {
            throw new IllegalArgumentException("invalid momentum value: " + momentum);
        }
        if (Double.isInfinite(dampening)) {
            throw new IllegalArgumentException("invalid dampening value: " + dampening);
        }
        if (g.flag(NESTEROV) && (momentum <= 0 || dampening != 0)) {
            throw new IllegalArgumentException("Nesterov momentum requires a momentum and zero dampening (momentum "
                    + momentum + ", dampening " + dampening + ")");
        }
    }

    @Override
    protected void update(ParamGroup group, Variable p, Tensor grad, ParamState state) {
        double lr = group.lr();
        double weightDecay = group.weightDecay();
        double momentum = group.get(MOMENTUM);
        double dampening = group.get(DAMPENING);
        Tensor d = grad;
        if (weightDecay != 0) {
            d = grad.add(p.data().mul(weightDecay));
        }
        if (momentum != 0) {
            Tensor buf = state.buffer(MOMENTUM_BUFFER);
            if (buf == null) {
                buf = newState(p, d);
                state.put(MOMENTUM_BUFFER, buf);
            } else {
                buf.mul_(momentum).add_(d.mul(1 - dampening));
            }
            d = group.flag(NESTEROV) ? d.add(buf.mul(momentum)) : buf;
        }
        p.data().add_(d.mul(-lr));
    }

    @Override
    protected List<String> stateNames(ParamGroup group) {
        return group.get(MOMENTUM) != 0 ? List.of(MOMENTUM_BUFFER) : List.of();
    }

    /** Settings for {@link SGD}; per-group values override them. */
    public static final class Builder extends GroupsBuilder<Builder> {
        private double momentum = 0;
        private double dampening = 0;
        private boolean nesterov = false;

        private Builder() {
            super(1e-3, 0);
        }

        public Builder momentum(double v) {
            momentum = v;
            return this;
        }

        public Builder dampening(double v) {
            dampening = v;
            return this;
        }

        public Builder nesterov(boolean v) {
            nesterov = v;
            return this;
        }

        public SGD build() {
            validate();
            Map<String, Double> defaults = new LinkedHashMap<>();
            defaults.put(MOMENTUM, momentum);
            defaults.put(DAMPENING, dampening);
            defaults.put(NESTEROV, nesterov ? 1.0 : 0.0);
            return new SGD(groups, lr, weightDecay, defaults);
        }
    }
}
