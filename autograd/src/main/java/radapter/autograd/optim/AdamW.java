package radapter.autograd.optim;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import radapter.autograd.Variable;
import radapter.tensor.BinaryOp;
import radapter.tensor.Tensor;

/**
 * Adam with decoupled weight decay, with {@code torch.optim.AdamW}'s semantics (its single-tensor
 * path), step {@code t} counting from 1:
 *
 * <pre>
 * p = p · (1 − lr · weight_decay)                  (decoupled decay, applied first)
 * m = m + (1 − β1) · (g − m)                       (PyTorch's lerp_, = β1·m + (1 − β1)·g)
 * v = β2 · v + (1 − β2) · g²
 * v̂ = amsgrad ? (vmax = max(vmax, v)) : v
 * denom = sqrt(v̂) / sqrt(1 − β2^t) + eps          (eps outside the square root)
 * p = p − lr / (1 − β1^t) · m / denom
 * </pre>
 *
 * Defaults as in PyTorch: lr 1e-3, betas (0.9, 0.999), eps 1e-8, weight decay 1e-2, no AMSGrad.
 * State per parameter: {@code exp_avg}, {@code exp_avg_sq} and, with AMSGrad,
 * {@code max_exp_avg_sq} (all zero-initialised, in the parameter's dtype), plus the step count.
 * {@code maximize}, {@code capturable}, {@code foreach} and {@code fused} are not offered.
 */
public final class AdamW extends Optimizer {
    /** Option name: β1, the first moment's decay. */
    public static final String BETA1 = "beta1";
    /** Option name: β2, the second moment's decay. */
    public static final String BETA2 = "beta2";
    /** Option name: the denominator's epsilon. */
    public static final String EPS = "eps";
    /** Option name: AMSGrad (flag). */
    public static final String AMSGRAD = "amsgrad";
    /** State name of the first moment. */
    public static final String EXP_AVG = "exp_avg";
    /** State name of the second moment. */
    public static final String EXP_AVG_SQ = "exp_avg_sq";
    /** State name of AMSGrad's running maximum of the second moment. */
    public static final String MAX_EXP_AVG_SQ = "max_exp_avg_sq";

    private AdamW(List<ParamGroup> groups, double lr, double weightDecay, Map<String, Double> defaults) {
        super(groups, lr, weightDecay, defaults, AdamW::validate);
    }

    /** A builder with PyTorch's defaults. */
    public static Builder builder() {
        return new Builder();
    }

    private static void validate(ParamGroup g) {
        double eps = g.get(EPS);
        if (!(eps >= 0) || Double.isInfinite(eps)) {
            throw new IllegalArgumentException("invalid epsilon value: " + eps);
        }
        for (int i = 0; i < 2; i++) {
            double b = g.get(i == 0 ? BETA1 : BETA2);
            if (!(b >= 0 && b < 1)) {
                throw new IllegalArgumentException("invalid beta parameter at index " + i + ": " + b + " (must be in [0, 1))");
            }
        }
    }

    @Override
    protected void update(ParamGroup group, Variable p, Tensor grad, ParamState state) {
        double lr = group.lr();
        double weightDecay = group.weightDecay();
        double beta1 = group.get(BETA1);
        double beta2 = group.get(BETA2);
        double eps = group.get(EPS);
        boolean amsgrad = group.flag(AMSGRAD);
        Tensor param = p.data();

        Tensor m = stateBuffer(p, state, EXP_AVG);
        Tensor v = stateBuffer(p, state, EXP_AVG_SQ);
        long t = state.step();

        if (weightDecay != 0) {
            param.mul_(1 - lr * weightDecay);
        }
        m.add_(grad.sub(m).mul_(1 - beta1));
        v.mul_(beta2).add_(grad.mul(grad).mul_(1 - beta2));

        double biasCorrection1 = 1 - Math.pow(beta1, t);
        double biasCorrection2 = 1 - Math.pow(beta2, t);
        double stepSize = lr / biasCorrection1;
        double biasCorrection2Sqrt = Math.sqrt(biasCorrection2);

        Tensor second = v;
        if (amsgrad) {
            second = stateBuffer(p, state, MAX_EXP_AVG_SQ);
            second.apply_(BinaryOp.MAXIMUM, v);
        }
        Tensor denom = second.sqrt();
        denom.apply_(BinaryOp.DIV, Tensor.full(denom.dtype(), biasCorrection2Sqrt)).add_(eps);
        param.add_(m.div(denom).mul_(-stepSize));
    }

    /** The named buffer, created as zeros (PyTorch's initial moments) the first time it is needed. */
    private Tensor stateBuffer(Variable p, ParamState state, String name) {
        Tensor b = state.buffer(name);
        if (b == null) {
            b = newState(p, null);
            state.put(name, b);
        }
        return b;
    }

    @Override
    protected List<String> stateNames(ParamGroup group) {
        return group.flag(AMSGRAD) ? List.of(EXP_AVG, EXP_AVG_SQ, MAX_EXP_AVG_SQ) : List.of(EXP_AVG, EXP_AVG_SQ);
    }

    /** Settings for {@link AdamW}; per-group values override them. */
    public static final class Builder extends GroupsBuilder<Builder> {
        private double beta1 = 0.9;
        private double beta2 = 0.999;
        private double eps = 1e-8;
        private boolean amsgrad = false;

        private Builder() {
            super(1e-3, 1e-2);
        }

        public Builder betas(double b1, double b2) {
            beta1 = b1;
            beta2 = b2;
            return this;
        }

        public Builder eps(double v) {
            eps = v;
            return this;
        }

        public Builder amsgrad(boolean v) {
            amsgrad = v;
            return this;
        }

        public AdamW build() {
            validate();
            Map<String, Double> defaults = new LinkedHashMap<>();
            defaults.put(BETA1, beta1);
            defaults.put(BETA2, beta2);
            defaults.put(EPS, eps);
            defaults.put(AMSGRAD, amsgrad ? 1.0 : 0.0);
            return new AdamW(groups, lr, weightDecay, defaults);
        }
    }
}
