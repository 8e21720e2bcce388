package radapter.autograd;

import radapter.tensor.Tensor;

/**
 * A node of the graph: one differentiable op application. A subclass computes its forward result
 * when constructed through {@link #record}, keeps only what its backward needs, and turns the
 * gradient of its output into gradients of its inputs in {@link #backward}. Forward and backward
 * of each op sit side by side in one small class.
 */
public abstract class Function {
    /** The inputs this node was applied to, in order; gradients come back in the same order. */
    Variable[] inputs;

    /** Short op name for error messages and graph dumps. */
    public String name() {
        return getClass().getSimpleName();
    }

    /**
     * Gradients with respect to each input, given the gradient of the output. An entry may be
     * null when that input needs none ({@link #needsGrad(int)} is false) or gets none.
     * Returned gradients may be broadcast views; the engine reduces them to the input's shape.
     */
    protected abstract Tensor[] backward(Tensor gradOutput);

    /** Whether input {@code i} wants a gradient (saves work in backward). */
    protected final boolean needsGrad(int i) {
        return inputs[i].requiresGrad();
    }

    /** Drops saved tensors after backward so their memory can go; subclasses null their fields. */
    protected void release() {
    }

    /**
     * Wires up the graph: returns {@code output} as a variable produced by {@code fn} applied to
     * {@code inputs} when grad mode is on and any input requires a gradient; otherwise a plain
     * constant, with nothing recorded.
     */
    protected static Variable record(Function fn, Tensor output, Variable... inputs) {
        if (!GradMode.isEnabled()) {
            return Variable.constant(output);
        }
        boolean any = false;
        for (Variable v : inputs) {
            any |= v.requiresGrad();
        }
        if (!any) {
            return Variable.constant(output);
        }
        fn.inputs = inputs;
        return Variable.fromFunction(output, fn);
    }

    /** True when recording would happen for these inputs (lets forward skip saving tensors). */
    protected static boolean recording(Variable... inputs) {
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
}
