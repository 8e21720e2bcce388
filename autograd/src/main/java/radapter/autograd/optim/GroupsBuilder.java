package radapter.autograd.optim;

import java.util.ArrayList;
import java.util.List;
import radapter.autograd.Variable;

/**
 * What every optimizer builder shares: the default learning rate and weight decay, and the
 * parameter groups. {@code B} is the concrete builder, so chained calls keep its type.
 */
public abstract class GroupsBuilder<B extends GroupsBuilder<B>> {
    protected double lr;
    protected double weightDecay;
    protected final List<ParamGroup> groups = new ArrayList<>();

    protected GroupsBuilder(double lr, double weightDecay) {
        this.lr = lr;
        this.weightDecay = weightDecay;
    }

    @SuppressWarnings("unchecked")
    private B self() {
        return (B) this;
    }

    /** Default learning rate of groups that do not set their own. */
    public B lr(double v) {
        lr = v;
        return self();
    }

    /** Default weight decay of groups that do not set their own. */
    public B weightDecay(double v) {
        weightDecay = v;
        return self();
    }

    /** Adds one group holding {@code params}. */
    public B params(List<Variable> params) {
        groups.add(ParamGroup.of(params));
        return self();
    }

    /** Adds one group. */
    public B group(ParamGroup group) {
        groups.add(group);
        return self();
    }

    /** Adds groups. */
    public B groups(List<ParamGroup> gs) {
        groups.addAll(gs);
        return self();
    }

    /** Rejects a negative or NaN lr or weight decay, with PyTorch's messages. */
    protected void validate() {
        if (!(lr >= 0)) {
            throw new IllegalArgumentException("invalid learning rate: " + lr);
        }
        if (!(weightDecay >= 0)) {
            throw new IllegalArgumentException("invalid weight_decay value: " + weightDecay);
        }
    }
}
