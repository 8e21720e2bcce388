package radapter.models.nn;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import radapter.autograd.Variable;
import radapter.tensor.Device;
import radapter.tensor.Rng;
import radapter.tensor.Shapes;
import radapter.tensor.Tensor;

/**
 * A node of a model: named parameters, named sub-modules, and a train/eval mode. Names compose
 * with dots into the checkpoint keys ({@code transformer.resblocks.3.attn.in_proj_weight}), so the
 * state dict of a module tree is exactly the checkpoint layout it was built for.
 */
public abstract class Module {
    private final Map<String, Variable> params = new LinkedHashMap<>();
    private final Map<String, Module> children = new LinkedHashMap<>();
    private boolean training = true;

    /** Registers a parameter (trainable unless frozen later) and returns it. */
    public final Variable addParameter(String name, Tensor init) {
        checkName(name);
        Variable v = Variable.parameter(init).named(name);
        params.put(name, v);
        return v;
    }

    /** Registers (or replaces) a sub-module and returns it. */
    public final <M extends Module> M addModule(String name, M module) {
        checkName(name);
        children.put(name, module);
        return module;
    }

    /** Removes a sub-module, if present (e.g. taking adapters out after merging). */
    public final void removeModule(String name) {
        children.remove(name);
    }

    private static void checkName(String name) {
        if (name.isEmpty() || name.contains(".")) {
            throw new IllegalArgumentException("invalid parameter or module name '" + name + "'");
        }
    }

    /** The direct sub-modules by name. */
    public final Map<String, Module> children() {
        return Collections.unmodifiableMap(children);
    }

    /** The direct sub-module {@code name}, or null. */
    public final Module child(String name) {
        return children.get(name);
    }

    /** This module's own parameters (not its children's) by name. */
    public final Map<String, Variable> directParameters() {
        return Collections.unmodifiableMap(params);
    }

    /**
     * Registers {@code other}'s own parameters and children on this module under the same names,
     * sharing the objects. CLIP's text tower uses it: its tensors sit at the checkpoint's root
     * ({@code token_embedding.weight}, {@code transformer.resblocks...}) next to {@code visual.*}.
     */
    public final void adoptMembers(Module other) {
        other.params.forEach((n, v) -> {
            checkName(n);
            params.put(n, v);
        });
        other.children.forEach(this::addModule);
    }

    /** Every parameter of the tree under its dotted name, in registration order. */
    public final Map<String, Variable> namedParameters() {
        Map<String, Variable> out = new LinkedHashMap<>();
        collect("", out);
        return out;
    }

    private void collect(String prefix, Map<String, Variable> out) {
        params.forEach((n, v) -> out.put(prefix + n, v));
        children.forEach((n, m) -> m.collect(prefix + n + ".", out));
    }

    /** Every parameter of the tree. */
    public final List<Variable> parameters() {
        return new ArrayList<>(namedParameters().values());
    }

    /** The parameters that currently require gradients. */
    public final List<Variable> trainableParameters() {
        return parameters().stream().filter(Variable::requiresGrad).toList();
    }

    /** Number of scalar parameters (all, or only trainable ones). */
    public final long parameterCount(boolean trainableOnly) {
        long n = 0;
        for (Variable v : parameters()) {
            if (!trainableOnly || v.requiresGrad()) {
                n += v.data().numel();
            }
        }
        return n;
    }

    /** Freezes (or unfreezes) every parameter of the tree. */
    public final Module requiresGrad(boolean on) {
        for (Variable v : parameters()) {
            v.requiresGrad(on);
        }
        return this;
    }

    /** {@code requiresGrad(false)}. */
    public final Module freeze() {
        return requiresGrad(false);
    }

    /**
     * Copies every parameter into fresh memory of the current scope. Loaded weights are views of
     * a read-only memory-mapped checkpoint; call this before training them in place (full
     * fine-tuning).
     */
    public final Module materialize() {
        for (Variable v : parameters()) {
            v.setData(v.data().clone());
        }
        return this;
    }

    /**
     * The random generators this module tree draws from in training (dropout, adapter dropping),
     * each once. Activation checkpointing replays them to recompute a block exactly.
     */
    public final List<Rng> randomSources() {
        Map<Rng, Boolean> seen = new IdentityHashMap<>();
        collectRandomSources(seen);
        return List.copyOf(seen.keySet());
    }

    /** Adds this module's own generators; overridden by modules that draw random numbers. */
    protected void collectRandomSources(Map<Rng, Boolean> into) {
        children.values().forEach(m -> m.collectRandomSources(into));
    }

    /**
     * Moves every parameter of the tree to {@code device} (like {@code nn.Module.to}): the data of
     * each variable is replaced by a copy there, allocated in the current memory scope; gradients
     * are dropped. Ops on the parameters then run on that device's backend.
     */
    public final Module to(Device device) {
        for (Variable v : parameters()) {
            if (!v.data().device().equals(device)) {
                v.setData(v.data().to(device));
                v.setGrad(null);
            }
        }
        return this;
    }

    /** Sets train mode on the whole tree (dropout and adapter dropping are active in training). */
    public Module train(boolean on) {
        training = on;
        children.values().forEach(m -> m.train(on));
        return this;
    }

    /** {@code train(false)}. */
    public final Module eval() {
        return train(false);
    }

    public final boolean isTraining() {
        return training;
    }

    /** Current values of every parameter by dotted name (views, not copies). */
    public final Map<String, Tensor> stateDict() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        namedParameters().forEach((n, v) -> out.put(n, v.data()));
        return out;
    }

    /** What a state-dict load found. */
    public record LoadReport(List<String> missing, List<String> unexpected) {
        public boolean clean() {
            return missing.isEmpty() && unexpected.isEmpty();
        }
    }

    /**
     * Replaces parameter values with the tensors in {@code state} (zero-copy: the module then
     * shares their memory). A shape mismatch is always an error naming the key and both shapes;
     * with {@code strict}, missing and unexpected keys are an error listing them all.
     */
    public final LoadReport loadStateDict(Map<String, Tensor> state, boolean strict) {
        Map<String, Variable> named = namedParameters();
        List<String> missing = new ArrayList<>();
        for (Map.Entry<String, Variable> e : named.entrySet()) {
            Tensor t = state.get(e.getKey());
            if (t == null) {
                missing.add(e.getKey());
                continue;
            }
            if (!Arrays.equals(t.shape(), e.getValue().shape())) {
                throw new IllegalArgumentException("size mismatch for " + e.getKey() + ": the checkpoint has shape "
                        + Shapes.str(t.shape()) + ", the model expects " + Shapes.str(e.getValue().shape()));
            }
        }
        List<String> unexpected = new ArrayList<>(new TreeSet<>(state.keySet()));
        unexpected.removeAll(named.keySet());
        if (strict && (!missing.isEmpty() || !unexpected.isEmpty())) {
            throw new IllegalArgumentException("state dict does not match the model: missing keys " + abbreviate(missing)
                    + ", unexpected keys " + abbreviate(unexpected));
        }
        for (Map.Entry<String, Variable> e : named.entrySet()) {
            Tensor t = state.get(e.getKey());
            if (t != null) {
                e.getValue().setData(t.dtype() == radapter.tensor.DType.F32 ? t : t.to(radapter.tensor.DType.F32));
            }
        }
        return new LoadReport(List.copyOf(missing), List.copyOf(unexpected));
    }

    private static String abbreviate(List<String> keys) {
        if (keys.size() <= 12) {
            return keys.toString();
        }
        return keys.subList(0, 12) + " and " + (keys.size() - 12) + " more";
    }
}
