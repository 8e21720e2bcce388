package radapter.autograd;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import radapter.tensor.Shapes;
import radapter.tensor.Tensor;

/**
 * Reverse-mode differentiation, the algorithm: order the graph topologically from the output,
 * then visit users before their inputs; at each node apply the chain rule (the node's
 * {@link Function#backward} maps the gradient of its result to gradients of its inputs) and add
 * what each input receives to the gradient already pending for it. A leaf adds its total into
 * its {@code grad}.
 *
 * <p>Where those gradients live and when their memory is freed is {@link GradMemory}'s business.
 */
final class Engine {
    private Engine() {
    }

    static void backward(Variable root, Tensor gradRoot, boolean retainGraph) {
        if (!root.requiresGrad()) {
            throw new IllegalStateException("backward on a value that does not require a gradient (nothing trainable produced it)");
        }
        if (!Arrays.equals(gradRoot.shape(), root.shape())) {
            throw new IllegalArgumentException("output gradient shape " + Shapes.str(gradRoot.shape())
                    + " does not match the output's shape " + Shapes.str(root.shape()));
        }
        List<Variable> order = topologicalOrder(root);
        // Gradients are computed without recording a graph of their own.
        try (GradMode.Guard ignored = GradMode.noGrad(); GradMemory grads = new GradMemory(retainGraph)) {
            grads.seed(root, gradRoot);
            for (Variable v : order.reversed()) {
                Tensor g = grads.take(v);
                if (g == null) {
                    continue;
                }
                Function fn = v.gradFn();
                if (fn == null) {
                    grads.accumulateIntoLeaf(v, g);
                    continue;
                }
                if (fn.isFreed()) {
                    throw new IllegalStateException("trying to backward through " + fn.name()
                            + " a second time: its saved tensors were freed (pass retainGraph = true the first time)");
                }
                grads.runNode(fn, g, () -> chainRule(fn, g, grads));
            }
        }
    }

    /** Gradients of {@code fn}'s inputs from the gradient {@code g} of its result, each added to what is pending. */
    private static void chainRule(Function fn, Tensor g, GradMemory grads) {
        Tensor[] inputGrads = fn.backward(g);
        Variable[] inputs = fn.inputs;
        for (int k = 0; k < inputs.length; k++) {
            Variable in = inputs[k];
            if (in.requiresGrad() && inputGrads[k] != null) {
                grads.accumulate(in, sumToShape(inputGrads[k], in.shape()));
            }
        }
    }

    /** Sums a broadcast gradient back to {@code shape} (over added leading dims and stretched size-1 dims). */
    static Tensor sumToShape(Tensor g, long[] shape) {
        long[] gs = g.shape();
        if (Arrays.equals(gs, shape)) {
            return g;
        }
        int extra = gs.length - shape.length;
        if (extra < 0) {
            throw new IllegalStateException("gradient of shape " + Shapes.str(gs) + " is smaller than its input " + Shapes.str(shape));
        }
        List<Integer> dims = new ArrayList<>();
        for (int i = 0; i < gs.length; i++) {
            if (i < extra || (shape[i - extra] == 1 && gs[i] != 1)) {
                dims.add(i);
            }
        }
        Tensor r = dims.isEmpty() ? g : g.sum(dims.stream().mapToInt(Integer::intValue).toArray(), true);
        if (extra > 0 || !Arrays.equals(r.shape(), shape)) {
            r = r.reshape(shape);
        }
        return r;
    }

    private static List<Variable> topologicalOrder(Variable root) {
        List<Variable> order = new ArrayList<>();
        Map<Variable, Boolean> visited = new IdentityHashMap<>();
        Deque<Object[]> stack = new ArrayDeque<>();
        stack.push(new Object[] {root, 0});
        visited.put(root, Boolean.TRUE);
        while (!stack.isEmpty()) {
            Object[] top = stack.peek();
            Variable v = (Variable) top[0];
            int next = (Integer) top[1];
            Function fn = v.gradFn();
            Variable[] ins = fn == null || fn.inputs == null ? new Variable[0] : fn.inputs;
            if (next < ins.length) {
                top[1] = next + 1;
                Variable child = ins[next];
                if (child.requiresGrad() && visited.put(child, Boolean.TRUE) == null) {
                    stack.push(new Object[] {child, 0});
                }
            } else {
                stack.pop();
                order.add(v);
            }
        }
        // Post-order: every variable comes after its inputs, so the reverse visits users first.
        return order;
    }
}
