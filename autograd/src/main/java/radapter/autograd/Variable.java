package radapter.autograd;

import radapter.tensor.DType;
import radapter.tensor.MemoryScope;
import radapter.tensor.Tensor;

/**
 * A tensor that takes part in differentiation: its {@link #data()}, its accumulated
 * {@link #grad()}, and the {@link Function} that produced it (null for leaves). Parameters are
 * leaves with {@code requiresGrad = true}; everything computed from them records its producer,
 * and {@link #backward()} walks those producers in reverse topological order.
 *
 * <p>A leaf's gradient buffer is allocated in the memory scope that was current when the leaf was
 * created, so gradients survive the per-step scopes that hold the graph's temporaries.
 */
public final class Variable {
    private final Tensor data;
    private Tensor grad;
    private Function gradFn;
    private boolean requiresGrad;
    private final MemoryScope homeScope;
    private String name;

    private Variable(Tensor data, Function gradFn, boolean requiresGrad) {
        this.data = data;
        this.gradFn = gradFn;
        this.requiresGrad = requiresGrad;
        this.homeScope = MemoryScope.current();
    }

    /** A leaf that does not require a gradient (an input, a frozen weight, a result under no-grad). */
    public static Variable constant(Tensor data) {
        return new Variable(data, null, false);
    }

    /** A leaf whose gradient is accumulated by {@link #backward()} (a trainable parameter). */
    public static Variable parameter(Tensor data) {
        if (!data.dtype().isFloating()) {
            throw new IllegalArgumentException("only floating tensors can require gradients, got " + data.dtype().pyName());
        }
        return new Variable(data, null, true);
    }

    static Variable fromFunction(Tensor data, Function fn) {
        return new Variable(data, fn, true);
    }

    /** The value. */
    public Tensor data() {
        return data;
    }

    /** The accumulated gradient of a leaf, or null before any backward reached it. */
    public Tensor grad() {
        return grad;
    }

    /** Replaces the gradient buffer (optimizers and gradient clipping use this; null clears it). */
    public void setGrad(Tensor g) {
        if (g != null && !java.util.Arrays.equals(g.shape(), data.shape())) {
            throw new IllegalArgumentException("gradient shape " + java.util.Arrays.toString(g.shape())
                    + " does not match the variable's shape " + java.util.Arrays.toString(data.shape()));
        }
        this.grad = g;
    }

    /** The op that produced this variable, or null for a leaf. */
    public Function gradFn() {
        return gradFn;
    }

    void clearGradFn() {
        gradFn = null;
    }

    /** True for variables not produced by a recorded op. */
    public boolean isLeaf() {
        return gradFn == null;
    }

    /** Whether gradients flow to (or through) this variable. */
    public boolean requiresGrad() {
        return requiresGrad;
    }

    /** Freezes or unfreezes a leaf; a frozen leaf records nothing and receives no gradient. */
    public Variable requiresGrad(boolean on) {
        if (!isLeaf()) {
            throw new IllegalStateException("requiresGrad can only be changed on leaves; use detach() for computed values");
        }
        if (on && !data.dtype().isFloating()) {
            throw new IllegalArgumentException("only floating tensors can require gradients, got " + data.dtype().pyName());
        }
        requiresGrad = on;
        return this;
    }

    /** Same data, cut from the graph. */
    public Variable detach() {
        return constant(data);
    }

    /** Sets the gradient to null (PyTorch's default {@code set_to_none=True}). */
    public void zeroGrad() {
        grad = null;
    }

    /** Optional name shown in messages (parameter names). */
    public String name() {
        return name;
    }

    public Variable named(String n) {
        this.name = n;
        return this;
    }

    MemoryScope homeScope() {
        return homeScope;
    }

    /** Back-propagates from this scalar: {@code d this / d leaf} accumulates into each leaf's grad. */
    public void backward() {
        if (data.numel() != 1) {
            throw new IllegalStateException("backward() without a gradient needs a single-element output; shape is "
                    + java.util.Arrays.toString(data.shape()) + " (pass the output gradient explicitly)");
        }
        backward(Tensor.full(data.dtype() == DType.F64 ? DType.F64 : DType.F32, 1.0, data.shape()), false);
    }

    /** Back-propagates {@code gradOutput} (shape of this variable); keeps saved tensors when {@code retainGraph}. */
    public void backward(Tensor gradOutput, boolean retainGraph) {
        Engine.backward(this, gradOutput, retainGraph);
    }

    // ---------------------------------------------------------------- convenience

    public long[] shape() {
        return data.shape();
    }

    public long size(int d) {
        return data.size(d);
    }

    public int dim() {
        return data.dim();
    }

    public double item() {
        return data.item();
    }

    @Override
    public String toString() {
        return "Variable(" + (name != null ? name + ", " : "") + data + (gradFn != null ? ", grad_fn=" + gradFn.name() : "")
                + (isLeaf() && requiresGrad ? ", requires_grad=True" : "") + ")";
    }
}
