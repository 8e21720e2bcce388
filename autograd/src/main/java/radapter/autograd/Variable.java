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
    private Tensor data;
    private Tensor grad;
    /** The buffer of a gradient cleared by {@link #zeroGrad()}, reused by the next backward. */
    private Tensor spareGrad;
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

    /**
     * Replaces a leaf's value, like assigning {@code param.data} in PyTorch: checkpoint loading
     * swaps in zero-copy views this way. The shape must stay the same.
     */
    public void setData(Tensor newData) {
        if (!isLeaf()) {
            throw new IllegalStateException("setData is only allowed on leaves");
        }
        if (!java.util.Arrays.equals(newData.shape(), data.shape())) {
            throw new IllegalArgumentException("new data of shape " + java.util.Arrays.toString(newData.shape())
                    + " does not match the variable's shape " + java.util.Arrays.toString(data.shape())
                    + (name != null ? " (" + name + ")" : ""));
        }
        if (requiresGrad && !newData.dtype().isFloating()) {
            throw new IllegalArgumentException("a variable that requires a gradient needs floating data, got " + newData.dtype().pyName());
        }
        this.data = newData;
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

    /**
     * Sets the gradient to null (PyTorch's default {@code set_to_none=True}). The buffer is kept
     * aside and reused by the next backward, so a training loop does not allocate a fresh gradient
     * in the parameter's long-lived memory scope every step. A tensor obtained from {@link #grad()}
     * before this call may therefore be overwritten by a later backward: clone it to keep it.
     */
    public void zeroGrad() {
        if (grad != null) {
            spareGrad = grad;
        }
        grad = null;
    }

    /** Takes the spare buffer left by {@link #zeroGrad()}, if any. */
    Tensor takeSpareGrad() {
        Tensor s = spareGrad;
        spareGrad = null;
        return s;
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

    /** {@link Pointwise#add(Variable, Variable)}. */
    public Variable add(Variable o) {
        return Pointwise.add(this, o);
    }

    /** {@link Pointwise#add(Variable, double)}. */
    public Variable add(double s) {
        return Pointwise.add(this, s);
    }

    /** {@link Pointwise#sub(Variable, Variable)}. */
    public Variable sub(Variable o) {
        return Pointwise.sub(this, o);
    }

    /** {@link Pointwise#sub(Variable, double)}. */
    public Variable sub(double s) {
        return Pointwise.sub(this, s);
    }

    /** {@link Pointwise#rsub(double, Variable)}: {@code s − this}. */
    public Variable rsub(double s) {
        return Pointwise.rsub(s, this);
    }

    /** {@link Pointwise#mul(Variable, Variable)}. */
    public Variable mul(Variable o) {
        return Pointwise.mul(this, o);
    }

    /** {@link Pointwise#mul(Variable, double)}. */
    public Variable mul(double s) {
        return Pointwise.mul(this, s);
    }

    /** {@link Pointwise#div(Variable, Variable)}. */
    public Variable div(Variable o) {
        return Pointwise.div(this, o);
    }

    /** {@link Pointwise#div(Variable, double)}. */
    public Variable div(double s) {
        return Pointwise.div(this, s);
    }

    /** {@link Pointwise#pow(Variable, double)}. */
    public Variable pow(double p) {
        return Pointwise.pow(this, p);
    }

    /** {@link Pointwise#pow(Variable, Variable)} (positive base). */
    public Variable pow(Variable p) {
        return Pointwise.pow(this, p);
    }

    /** {@link Pointwise#neg(Variable)}. */
    public Variable neg() {
        return Pointwise.neg(this);
    }

    /** {@link Pointwise#maximum(Variable, Variable)}. */
    public Variable maximum(Variable o) {
        return Pointwise.maximum(this, o);
    }

    /** {@link Pointwise#minimum(Variable, Variable)}. */
    public Variable minimum(Variable o) {
        return Pointwise.minimum(this, o);
    }

    /** {@link Pointwise#clamp(Variable, double, double)}. */
    public Variable clamp(double lo, double hi) {
        return Pointwise.clamp(this, lo, hi);
    }

    /** {@link Pointwise#maskedFill(Variable, Tensor, double)}. */
    public Variable maskedFill(Tensor mask, double value) {
        return Pointwise.maskedFill(this, mask, value);
    }

    /** {@link Pointwise#exp(Variable)}. */
    public Variable exp() {
        return Pointwise.exp(this);
    }

    /** {@link Pointwise#log(Variable)}. */
    public Variable log() {
        return Pointwise.log(this);
    }

    /** {@link Pointwise#sqrt(Variable)}. */
    public Variable sqrt() {
        return Pointwise.sqrt(this);
    }

    /** {@link Pointwise#rsqrt(Variable)}. */
    public Variable rsqrt() {
        return Pointwise.rsqrt(this);
    }

    /** {@link Pointwise#square(Variable)}. */
    public Variable square() {
        return Pointwise.square(this);
    }

    /** {@link Pointwise#reciprocal(Variable)}. */
    public Variable reciprocal() {
        return Pointwise.reciprocal(this);
    }

    /** {@link Pointwise#abs(Variable)}. */
    public Variable abs() {
        return Pointwise.abs(this);
    }

    /** {@link Pointwise#tanh(Variable)}. */
    public Variable tanh() {
        return Pointwise.tanh(this);
    }

    /** {@link Pointwise#sigmoid(Variable)}. */
    public Variable sigmoid() {
        return Pointwise.sigmoid(this);
    }

    /** {@link NN#relu(Variable)}. */
    public Variable relu() {
        return NN.relu(this);
    }

    /** {@link NN#gelu(Variable)} (exact). */
    public Variable gelu() {
        return NN.gelu(this);
    }

    /** {@link NN#quickGelu(Variable)}. */
    public Variable quickGelu() {
        return NN.quickGelu(this);
    }

    /** {@link Reductions#sum(Variable)}. */
    public Variable sum() {
        return Reductions.sum(this);
    }

    /** {@link Reductions#sum(Variable, int[], boolean)}. */
    public Variable sum(int[] dims, boolean keepdim) {
        return Reductions.sum(this, dims, keepdim);
    }

    /** {@link Reductions#mean(Variable)}. */
    public Variable mean() {
        return Reductions.mean(this);
    }

    /** {@link Reductions#mean(Variable, int[], boolean)}. */
    public Variable mean(int[] dims, boolean keepdim) {
        return Reductions.mean(this, dims, keepdim);
    }

    /** {@link Reductions#max(Variable, int, boolean)}. */
    public Variable max(int dim, boolean keepdim) {
        return Reductions.max(this, dim, keepdim);
    }

    /** {@link Reductions#min(Variable, int, boolean)}. */
    public Variable min(int dim, boolean keepdim) {
        return Reductions.min(this, dim, keepdim);
    }

    /** {@link Reductions#logsumexp(Variable, int, boolean)}. */
    public Variable logsumexp(int dim, boolean keepdim) {
        return Reductions.logsumexp(this, dim, keepdim);
    }

    /** {@link Views#reshape(Variable, long...)}. */
    public Variable reshape(long... shape) {
        return Views.reshape(this, shape);
    }

    /** {@link Views#view(Variable, long...)}. */
    public Variable view(long... shape) {
        return Views.view(this, shape);
    }

    /** {@link Views#flatten(Variable, int, int)}. */
    public Variable flatten(int start, int end) {
        return Views.flatten(this, start, end);
    }

    /** {@link Views#permute(Variable, int...)}. */
    public Variable permute(int... order) {
        return Views.permute(this, order);
    }

    /** {@link Views#transpose(Variable, int, int)}. */
    public Variable transpose(int d0, int d1) {
        return Views.transpose(this, d0, d1);
    }

    /** {@link Views#mT(Variable)}. */
    public Variable mT() {
        return Views.mT(this);
    }

    /** {@link Views#narrow(Variable, int, long, long)}. */
    public Variable narrow(int dim, long start, long length) {
        return Views.narrow(this, dim, start, length);
    }

    /** {@link Views#slice(Variable, int, long, long, long)}. */
    public Variable slice(int dim, long start, long end, long step) {
        return Views.slice(this, dim, start, end, step);
    }

    /** {@link Views#select(Variable, int, long)}. */
    public Variable select(int dim, long index) {
        return Views.select(this, dim, index);
    }

    /** {@link Views#expand(Variable, long...)}. */
    public Variable expand(long... shape) {
        return Views.expand(this, shape);
    }

    /** {@link Views#squeeze(Variable, int)}. */
    public Variable squeeze(int dim) {
        return Views.squeeze(this, dim);
    }

    /** {@link Views#unsqueeze(Variable, int)}. */
    public Variable unsqueeze(int dim) {
        return Views.unsqueeze(this, dim);
    }

    /** {@link Views#contiguous(Variable)}. */
    public Variable contiguous() {
        return Views.contiguous(this);
    }

    /** {@link LinearAlgebra#matmul(Variable, Variable)}. */
    public Variable matmul(Variable o) {
        return LinearAlgebra.matmul(this, o);
    }

    /** {@link NN#softmax(Variable, int)}. */
    public Variable softmax(int dim) {
        return NN.softmax(this, dim);
    }

    /** {@link NN#logSoftmax(Variable, int)}. */
    public Variable logSoftmax(int dim) {
        return NN.logSoftmax(this, dim);
    }

    @Override
    public String toString() {
        return "Variable(" + (name != null ? name + ", " : "") + data + (gradFn != null ? ", grad_fn=" + gradFn.name() : "")
                + (isLeaf() && requiresGrad ? ", requires_grad=True" : "") + ")";
    }
}
