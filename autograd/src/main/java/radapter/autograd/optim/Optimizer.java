package radapter.autograd.optim;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Supplier;
import radapter.autograd.Variable;
import radapter.tensor.MemoryScope;
import radapter.tensor.Shapes;
import radapter.tensor.Tensor;

/**
 * Base of the optimizers: parameter groups, per-parameter state, {@link #step()},
 * {@link #zeroGrad()} and {@link #stateDict()} / {@link #loadStateDict}, after
 * {@code torch.optim.Optimizer}.
 *
 * <p><b>Memory.</b> The {@link MemoryScope} current when the optimizer is built (the scope the
 * parameters normally live in) owns its state; when none was open the state is GC-owned. State is
 * created lazily on a parameter's first update, as in PyTorch. Each {@link #step()} runs in a
 * private scope of its own, so its temporaries are freed before it returns whatever scope the
 * caller has open: after the first step an optimizer allocates nothing that outlives a step.
 *
 * <p><b>Order.</b> Parameters are numbered in a flat order, groups first to last and each group's
 * parameters in order; a state dict refers to them by that index.
 */
public abstract class Optimizer {
    private final List<ParamGroup> groups = new ArrayList<>();
    private final List<Variable> params = new ArrayList<>();
    private final Map<Variable, ParamState> state = new IdentityHashMap<>();
    private final MemoryScope stateScope;
    private final double defaultLr;
    private final double defaultWeightDecay;
    private final Map<String, Double> defaultOptions;
    private final Consumer<ParamGroup> validator;

    /**
     * @param groups             the parameter groups (copied; unset settings take the defaults)
     * @param defaultLr          lr of groups that set none
     * @param defaultWeightDecay weight decay of groups that set none
     * @param defaultOptions     every option this optimizer knows, with its default
     * @param validator          checks a group once its defaults are filled in (throws on bad values)
     */
    protected Optimizer(List<ParamGroup> groups, double defaultLr, double defaultWeightDecay,
            Map<String, Double> defaultOptions, Consumer<ParamGroup> validator) {
        this.stateScope = MemoryScope.current();
        this.defaultLr = defaultLr;
        this.defaultWeightDecay = defaultWeightDecay;
        this.defaultOptions = Collections.unmodifiableMap(new LinkedHashMap<>(defaultOptions));
        this.validator = Objects.requireNonNull(validator, "validator");
        Objects.requireNonNull(groups, "groups");
        for (ParamGroup g : groups) {
            addGroup(g);
        }
        if (params.isEmpty()) {
            throw new IllegalArgumentException("optimizer got an empty parameter list");
        }
    }

    /** Adds a group (PyTorch's {@code add_param_group}); its unset settings take this optimizer's defaults. */
    public void addParamGroup(ParamGroup group) {
        addGroup(group);
    }

    private void addGroup(ParamGroup group) {
        Objects.requireNonNull(group, "group");
        ParamGroup g = group.copy();
        g.fillDefaults(defaultLr, defaultWeightDecay, defaultOptions);
        validator.accept(g);
        Set<Variable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        for (Variable p : g.params()) {
            int index = params.size() + seen.size();
            if (!p.isLeaf()) {
                throw new IllegalArgumentException("can't optimize a non-leaf variable: parameter " + describe(index, p)
                        + " was computed by " + p.gradFn().name());
            }
            if (!seen.add(p) || indexOf(p) >= 0) {
                throw new IllegalArgumentException("parameter " + describe(index, p) + " appears more than once"
                        + " (some parameters appear in more than one parameter group, or twice in one)");
            }
        }
        params.addAll(g.params());
        groups.add(g);
    }

    private int indexOf(Variable p) {
        for (int i = 0; i < params.size(); i++) {
            if (params.get(i) == p) {
                return i;
            }
        }
        return -1;
    }

    static String describe(int index, Variable p) {
        return index + (p.name() != null ? " ('" + p.name() + "')" : "");
    }

    // ---------------------------------------------------------------- the public surface

    /** The live parameter groups, in order (change their lr directly or through an {@link LrSchedule}). */
    public List<ParamGroup> paramGroups() {
        return Collections.unmodifiableList(groups);
    }

    /** Every parameter in flat index order. */
    public List<Variable> params() {
        return Collections.unmodifiableList(params);
    }

    /** The lr given to the builder, which groups without their own lr started with. */
    public double defaultLr() {
        return defaultLr;
    }

    /** How many updates {@code p} has had (0 before its first, or for a parameter not in this optimizer). */
    public long stepCount(Variable p) {
        ParamState s = state.get(p);
        return s == null ? 0 : s.step;
    }

    /**
     * One update of every parameter that has a gradient; parameters whose {@link Variable#grad()}
     * is null are skipped (their state is untouched), as in PyTorch.
     */
    public final void step() {
        try (MemoryScope _ = MemoryScope.open()) {
            for (ParamGroup g : groups) {
                for (Variable p : g.params()) {
                    Tensor grad = p.grad();
                    if (grad == null) {
                        continue;
                    }
                    ParamState s = state.computeIfAbsent(p, k -> new ParamState());
                    s.step++;
                    update(g, p, grad, s);
                }
            }
        }
    }

    /** Clears every parameter's gradient to null (PyTorch's default {@code set_to_none=True}). */
    public void zeroGrad() {
        zeroGrad(true);
    }

    /**
     * Clears gradients: to null when {@code setToNone}, else fills the existing buffers with 0.
     * Either way no memory is allocated on the next backward: a variable keeps its cleared
     * buffer aside and the engine reuses it (see {@link Variable#zeroGrad()}).
     */
    public void zeroGrad(boolean setToNone) {
        for (Variable p : params) {
            if (setToNone) {
                p.zeroGrad();
            } else if (p.grad() != null) {
                p.grad().fill_(0.0);
            }
        }
    }

    // ---------------------------------------------------------------- for subclasses

    /**
     * Updates {@code p} in place from {@code grad}. Runs inside the step's private scope, so
     * temporaries may be allocated freely; state that must persist is made with {@link #newState}.
     * {@code state.step()} has already been incremented (it is 1 on the first update).
     */
    protected abstract void update(ParamGroup group, Variable p, Tensor grad, ParamState state);

    /** The state buffer names a parameter of {@code group} has after its first update (checked on load). */
    protected abstract List<String> stateNames(ParamGroup group);

    /**
     * A persistent state buffer for {@code p} (its dtype and shape) in the optimizer's memory scope,
     * zero or a copy of {@code init} when it is not null.
     */
    protected final Tensor newState(Variable p, Tensor init) {
        // State lives where the parameter lives, so a GPU-resident model keeps its moments there too.
        Tensor t = inStateScope(() -> Tensor.zeros(p.data().device(), p.data().dtype(), p.data().shape()));
        if (init != null) {
            t.copy_(init);
        }
        return t;
    }

    private <T> T inStateScope(Supplier<T> body) {
        return stateScope != null ? stateScope.within(body) : MemoryScope.outsideScopes(body);
    }

    /** Per-parameter state: the step count and named buffers. */
    protected static final class ParamState {
        private long step;
        private final Map<String, Tensor> buffers = new LinkedHashMap<>();

        ParamState() {
        }

        /** Updates so far, counting the one in progress. */
        public long step() {
            return step;
        }

        /** The buffer called {@code name}, or null before it was created. */
        public Tensor buffer(String name) {
            return buffers.get(name);
        }

        /** Stores a buffer (made with {@link Optimizer#newState}). */
        public void put(String name, Tensor t) {
            buffers.put(name, t);
        }
    }

    // ---------------------------------------------------------------- state dict

    /** A snapshot of the hyper-parameters and state (copied out; no off-heap memory). */
    public OptimizerState stateDict() {
        List<OptimizerState.Group> gs = new ArrayList<>();
        int next = 0;
        for (ParamGroup g : groups) {
            int[] indices = new int[g.params().size()];
            for (int i = 0; i < indices.length; i++) {
                indices[i] = next++;
            }
            gs.add(new OptimizerState.Group(g.lr(), g.initialLr(), g.weightDecay(), g.options(), indices));
        }
        List<OptimizerState.Param> ps = new ArrayList<>();
        for (int i = 0; i < params.size(); i++) {
            Variable p = params.get(i);
            ParamState s = state.get(p);
            if (s == null) {
                continue;
            }
            Map<String, double[]> bufs = new LinkedHashMap<>();
            for (Map.Entry<String, Tensor> e : s.buffers.entrySet()) {
                bufs.put(e.getKey(), e.getValue().toDoubleArray());
            }
            ps.add(new OptimizerState.Param(i, p.name(), p.shape(), s.step, bufs));
        }
        return new OptimizerState(getClass().getSimpleName(), gs, ps);
    }

    /**
     * Restores a {@link #stateDict()}: group hyper-parameters (lr, initial lr, weight decay,
     * options) and per-parameter state. Everything is checked before anything changes; a mismatch
     * (optimizer kind, group layout, parameter index, name or shape, state buffers) throws an
     * {@link IllegalArgumentException} naming the parameter and the shapes.
     */
    public void loadStateDict(OptimizerState saved) {
        Objects.requireNonNull(saved, "saved");
        String kind = getClass().getSimpleName();
        if (!saved.optimizer().equals(kind)) {
            throw new IllegalArgumentException("the state was saved by " + saved.optimizer() + " but this optimizer is " + kind);
        }
        if (saved.groups().size() != groups.size()) {
            throw new IllegalArgumentException("the saved state has " + saved.groups().size() + " parameter groups but this optimizer has "
                    + groups.size());
        }
        int next = 0;
        for (int gi = 0; gi < groups.size(); gi++) {
            OptimizerState.Group sg = saved.groups().get(gi);
            int n = groups.get(gi).params().size();
            int[] expected = new int[n];
            for (int i = 0; i < n; i++) {
                expected[i] = next++;
            }
            if (!Arrays.equals(expected, sg.paramIndices())) {
                throw new IllegalArgumentException("parameter group " + gi + " has " + n + " parameters " + Arrays.toString(expected)
                        + " here but the saved group has " + sg.paramIndices().length + " " + Arrays.toString(sg.paramIndices()));
            }
            if (!sg.options().keySet().equals(defaultOptions.keySet())) {
                throw new IllegalArgumentException("parameter group " + gi + " was saved with options " + sg.options().keySet()
                        + " but this optimizer has " + defaultOptions.keySet());
            }
            ParamGroup probe = ParamGroup.of(List.of());
            probe.restore(sg.lr(), sg.initialLr(), sg.weightDecay(), sg.options());
            validator.accept(probe);
        }
        int previous = -1;
        for (OptimizerState.Param sp : saved.params()) {
            int i = sp.index();
            if (i < 0 || i >= params.size()) {
                throw new IllegalArgumentException("the saved state has parameter index " + i + " but this optimizer has "
                        + params.size() + " parameters");
            }
            if (i <= previous) {
                throw new IllegalArgumentException("the saved state lists parameter " + i + " twice or out of order");
            }
            previous = i;
            Variable p = params.get(i);
            if (sp.name() != null && p.name() != null && !sp.name().equals(p.name())) {
                throw new IllegalArgumentException("parameter " + describe(i, p) + " was saved as '" + sp.name() + "'");
            }
            if (!Arrays.equals(sp.shape(), p.shape())) {
                throw new IllegalArgumentException("parameter " + describe(i, p) + " has shape " + Shapes.str(p.shape())
                        + " but the saved state has shape " + Shapes.str(sp.shape()));
            }
            if (sp.step() < 0) {
                throw new IllegalArgumentException("parameter " + describe(i, p) + " has a negative saved step count " + sp.step());
            }
            ParamGroup probe = ParamGroup.of(List.of());
            OptimizerState.Group sg = saved.groups().get(groupOf(i));
            probe.restore(sg.lr(), sg.initialLr(), sg.weightDecay(), sg.options());
            List<String> want = stateNames(probe);
            if (!sp.buffers().keySet().equals(Set.copyOf(want))) {
                throw new IllegalArgumentException("parameter " + describe(i, p) + " has saved state " + sp.buffers().keySet()
                        + " but " + kind + " with these settings keeps " + want);
            }
            long numel = Shapes.numel(p.shape());
            for (Map.Entry<String, double[]> e : sp.buffers().entrySet()) {
                if (e.getValue().length != numel) {
                    throw new IllegalArgumentException("parameter " + describe(i, p) + " of shape " + Shapes.str(p.shape())
                            + " has a saved '" + e.getKey() + "' of " + e.getValue().length + " values, expected " + numel);
                }
            }
        }
        // Checked: now apply.
        for (int gi = 0; gi < groups.size(); gi++) {
            OptimizerState.Group sg = saved.groups().get(gi);
            groups.get(gi).restore(sg.lr(), sg.initialLr(), sg.weightDecay(), sg.options());
        }
        state.clear();
        try (MemoryScope _ = MemoryScope.open()) {
            for (OptimizerState.Param sp : saved.params()) {
                Variable p = params.get(sp.index());
                ParamState s = new ParamState();
                s.step = sp.step();
                for (Map.Entry<String, double[]> e : sp.buffers().entrySet()) {
                    Tensor t = newState(p, null);
                    t.view(e.getValue().length).copy_(Tensor.of(e.getValue()));
                    s.put(e.getKey(), t);
                }
                state.put(p, s);
            }
        }
    }

    private int groupOf(int index) {
        int start = 0;
        for (int gi = 0; gi < groups.size(); gi++) {
            start += groups.get(gi).params().size();
            if (index < start) {
                return gi;
            }
        }
        throw new IllegalStateException("parameter index " + index + " is in no group");
    }
}
