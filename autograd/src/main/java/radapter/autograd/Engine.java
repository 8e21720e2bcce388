package radapter.autograd;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import radapter.tensor.MemoryScope;
import radapter.tensor.Shapes;
import radapter.tensor.Tensor;

/**
 * Reverse-mode traversal: topological order from the output, then gradients flow back node by
 * node.
 *
 * <p>Memory: each node's backward runs in its own detached {@link MemoryScope}, and the engine
 * counts how many pending gradients still live in each such scope (a gradient may be a view of
 * the one it came from, so it is counted against the scope that owns its bytes). A scope is
 * freed as soon as nothing pending lives in it, so backward holds the current frontier of
 * gradients instead of every gradient and temporary it ever made.
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
        Map<Variable, Tensor> pending = new IdentityHashMap<>();
        pending.put(root, gradRoot);
        Liveness live = new Liveness();
        // Gradients are computed without recording a graph of their own.
        try (GradMode.Guard ignored = GradMode.noGrad()) {
            for (int i = order.size() - 1; i >= 0; i--) {
                Variable v = order.get(i);
                Tensor g = pending.remove(v);
                if (g == null) {
                    continue;
                }
                Function fn = v.gradFn();
                if (fn == null) {
                    accumulateLeaf(v, g);
                    live.release(g);
                    continue;
                }
                if (fn.inputs == null) {
                    throw new IllegalStateException("trying to backward through " + fn.name()
                            + " a second time: its saved tensors were freed (pass retainGraph = true the first time)");
                }
                MemoryScope nodeScope = live.newScope();
                nodeScope.within(() -> {
                    Tensor[] grads = fn.backward(g);
                    Variable[] inputs = fn.inputs;
                    for (int k = 0; k < inputs.length; k++) {
                        Variable in = inputs[k];
                        if (!in.requiresGrad() || grads[k] == null) {
                            continue;
                        }
                        Tensor gk = sumToShape(grads[k], in.shape());
                        Tensor prev = pending.get(in);
                        Tensor next = prev == null ? gk : prev.add(gk);
                        live.retain(next);
                        if (prev != null) {
                            live.release(prev);
                        }
                        pending.put(in, next);
                    }
                    return null;
                });
                live.release(g);
                live.closeIfUnused(nodeScope);
                if (!retainGraph) {
                    fn.release();
                    fn.inputs = null;
                }
            }
        } finally {
            // An exception (or gradients nobody consumed) must not strand the node scopes.
            live.closeAll();
        }
    }

    /**
     * Reference counts of the node scopes this backward pass made. Scopes it did not make (an
     * outer pass's, when a checkpointed segment runs a backward of its own) are never counted
     * or closed here.
     */
    private static final class Liveness {
        private final Map<MemoryScope, Integer> refs = new IdentityHashMap<>();
        private final Map<MemoryScope, Boolean> mine = new IdentityHashMap<>();

        MemoryScope newScope() {
            MemoryScope s = MemoryScope.detached();
            mine.put(s, Boolean.TRUE);
            return s;
        }

        void retain(Tensor t) {
            MemoryScope s = MemoryScope.ownerOf(t);
            if (s != null && mine.containsKey(s)) {
                refs.merge(s, 1, Integer::sum);
            }
        }

        void release(Tensor t) {
            MemoryScope s = MemoryScope.ownerOf(t);
            if (s != null && mine.containsKey(s) && refs.merge(s, -1, Integer::sum) == 0) {
                free(s);
            }
        }

        void closeIfUnused(MemoryScope s) {
            if (!refs.containsKey(s)) {
                free(s);
            }
        }

        private void free(MemoryScope s) {
            refs.remove(s);
            mine.remove(s);
            s.close();
        }

        void closeAll() {
            for (MemoryScope s : mine.keySet()) {
                s.close();
            }
            mine.clear();
            refs.clear();
        }
    }

    /** Leaves accumulate: their buffer lives in the scope the leaf was created in. */
    private static void accumulateLeaf(Variable leaf, Tensor g) {
        Tensor grad = leaf.grad();
        if (grad == null) {
            Tensor spare = leaf.takeSpareGrad();
            if (spare != null && spare.isContiguous() && java.util.Arrays.equals(spare.shape(), leaf.shape())
                    && spare.device().equals(leaf.data().device())) {
                leaf.setGrad(spare.copy_(g));
                return;
            }
            MemoryScope home = leaf.homeScope();
            // GC-owned leaf (created outside any scope): its gradient must be GC-owned too.
            Tensor fresh = home != null
                    ? home.within(() -> g.to(leaf.data().dtype()).clone())
                    : MemoryScope.outsideScopes(() -> g.to(leaf.data().dtype()).clone());
            leaf.setGrad(fresh);
        } else {
            grad.add_(g);
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
        // 'order' is post-order (inputs before users); reversed iteration visits users first.
        return order;
    }
}
