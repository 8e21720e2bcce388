package radapter.autograd;

import radapter.tensor.Tensor;

/**
 * One differentiable op, applied once: a node of the graph. A subclass writes the op's math and
 * nothing else, in two methods side by side:
 *
 * <ul>
 *   <li>{@link #forward} computes the result from the inputs' tensors and hands whatever its
 *       backward will need to {@link #saveForBackward};
 *   <li>{@link #backward} turns the gradient of the result into gradients of the inputs, reading
 *       those tensors back with {@link #saved}.
 * </ul>
 *
 * <p>Everything else is decided here. {@link #apply} looks once, before the forward runs, at grad
 * mode and at whether any input requires a gradient; when nothing will be differentiated the
 * result is a plain constant, {@code saveForBackward} keeps nothing and no node is recorded, so
 * evaluation costs what plain tensor code costs. The saved tensors belong to this base class, and
 * the engine drops them (with the links to the inputs) as soon as the node's backward has run.
 *
 * <p>Ops of one or two inputs extend {@link Unary} or {@link Binary} to receive them by name.
 * Every tensor an op reads is an input: a constant one (a mask, indices, targets) is passed as
 * {@link Variable#constant}, needs no gradient and gets a null entry from backward. Scalars,
 * dimensions and shapes are constructor arguments.
 */
public abstract class Function {
    /** The inputs of a recorded node, in order; null before {@link #apply} and after the node is freed. */
    Variable[] inputs;
    private boolean recording;
    private boolean applied;
    private Tensor[] saved;

    /** Short op name for error messages and graph dumps. */
    public String name() {
        return getClass().getSimpleName();
    }

    /**
     * The op's result, from the inputs' tensors in the order they were passed to {@link #apply}.
     * Calls {@link #saveForBackward} for whatever the backward reads.
     */
    protected abstract Tensor forward(Tensor... inputs);

    /**
     * Gradients with respect to each input, given the gradient of the result. An entry may be
     * null when that input needs none ({@link #needsGrad(int)} is false) or gets none. A returned
     * gradient may have the broadcast shape of the result; the engine sums it back to its input's
     * shape.
     */
    protected abstract Tensor[] backward(Tensor gradOutput);

    /**
     * Runs the op on {@code inputs}. When grad mode is on and any input requires a gradient, the
     * result is recorded as produced by this node; otherwise it is a constant and this object is
     * left for the garbage collector. A {@code Function} object is applied once.
     */
    public final Variable apply(Variable... inputs) {
        if (applied) {
            throw new IllegalStateException(name() + " was already applied: create one Function object per application");
        }
        applied = true;
        recording = wouldRecord(inputs);
        this.inputs = inputs;
        Tensor[] data = new Tensor[inputs.length];
        for (int i = 0; i < inputs.length; i++) {
            data[i] = inputs[i].data();
        }
        Tensor out = forward(data);
        if (!recording) {
            this.inputs = null;
            return Variable.constant(out);
        }
        return Variable.fromFunction(out, this);
    }

    /**
     * Whether input {@code i} of this application will receive a gradient: grad mode was on, and
     * the input requires one. Forward uses it to skip work only one input's gradient needs;
     * backward uses it to skip gradients nobody wants. An index below 0 (an optional input that
     * was not given) needs nothing.
     */
    protected final boolean needsGrad(int i) {
        return recording && i >= 0 && inputs[i].requiresGrad();
    }

    /** The number of inputs this op was applied to. */
    protected final int inputCount() {
        return inputs.length;
    }

    /** The shape of input {@code i} (available in backward without saving the input itself). */
    protected final long[] inputShape(int i) {
        return inputs[i].shape();
    }

    /**
     * Keeps {@code tensors} for backward, in order (null entries allowed). Does nothing when the
     * application is not recorded, so forward can call it unconditionally.
     */
    protected final void saveForBackward(Tensor... tensors) {
        if (recording) {
            saved = tensors;
        }
    }

    /** Tensor {@code i} of those given to {@link #saveForBackward}. */
    protected final Tensor saved(int i) {
        return saved[i];
    }

    /** True when this recorded node has already been back-propagated and its saved tensors dropped. */
    final boolean isFreed() {
        return recording && inputs == null;
    }

    /** Drops the saved tensors and the links to the inputs, so their memory can go. */
    final void free() {
        saved = null;
        inputs = null;
    }

    /** Whether an op applied to {@code inputs} now would be recorded. */
    static boolean wouldRecord(Variable... inputs) {
        if (!GradMode.isEnabled()) {
            return false;
        }
        for (Variable v : inputs) {
            if (v.requiresGrad()) {
                return true;
            }
        }
        return false;
    }

    /** An op of one input. */
    public abstract static class Unary extends Function {
        /** The op's result for input {@code x}. */
        protected abstract Tensor forward(Tensor x);

        @Override
        protected final Tensor forward(Tensor... inputs) {
            return forward(inputs[0]);
        }
    }

    /** An op of two inputs. */
    public abstract static class Binary extends Function {
        /** The op's result for inputs {@code a} and {@code b}. */
        protected abstract Tensor forward(Tensor a, Tensor b);

        @Override
        protected final Tensor forward(Tensor... inputs) {
            return forward(inputs[0], inputs[1]);
        }
    }
}
