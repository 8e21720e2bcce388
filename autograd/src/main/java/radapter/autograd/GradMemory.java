package radapter.autograd;

import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.Map;
import radapter.tensor.MemoryScope;
import radapter.tensor.Tensor;

/**
 * Where one backward pass keeps its gradients, and when their memory goes: the bookkeeping that
 * {@link Engine} leaves out so that it reads as the algorithm.
 *
 * <ul>
 *   <li><b>Pending gradients.</b> The gradient flowing into each variable not yet visited,
 *       summed over the variable's users as they are visited.
 *   <li><b>Node scopes.</b> Each node's backward runs in its own detached {@link MemoryScope}.
 *       A scope is counted by how many pending gradients still live in it (a gradient may be a
 *       view of the one it came from, so it counts against the scope that owns its bytes) and is
 *       closed as soon as none does. Backward so holds the current frontier of gradients instead
 *       of every gradient and temporary it ever made. Scopes this pass did not make (an outer
 *       pass's, when a checkpointed segment runs a backward of its own) are never counted or
 *       closed here.
 *   <li><b>Saved tensors.</b> A node's saved tensors are dropped right after its backward, unless
 *       the graph is retained for another pass.
 *   <li><b>Leaf buffers.</b> A leaf's gradient lives in the scope the leaf was created in (so it
 *       survives the per-step scopes that hold the graph), and reuses the buffer that
 *       {@link Variable#zeroGrad()} set aside.
 * </ul>
 */
final class GradMemory implements AutoCloseable {
    private final boolean retainGraph;
    private final Map<Variable, Tensor> pending = new IdentityHashMap<>();
    private final Map<MemoryScope, Integer> refs = new IdentityHashMap<>();
    private final Map<MemoryScope, Boolean> mine = new IdentityHashMap<>();

    GradMemory(boolean retainGraph) {
        this.retainGraph = retainGraph;
    }

    /** Sets the gradient that starts the pass (owned by the caller, never freed here). */
    void seed(Variable root, Tensor grad) {
        pending.put(root, grad);
    }

    /** Removes and returns the summed gradient waiting for {@code v}, or null when none reached it. */
    Tensor take(Variable v) {
        return pending.remove(v);
    }

    /**
     * Runs {@code step} (one node's backward and the accumulation of its results) in a fresh
     * node scope; afterwards {@code gradOutput} is consumed and the node's saved tensors go.
     */
    void runNode(Function fn, Tensor gradOutput, Runnable step) {
        MemoryScope scope = MemoryScope.detached();
        mine.put(scope, Boolean.TRUE);
        scope.within(() -> {
            step.run();
            return null;
        });
        release(gradOutput);
        if (!refs.containsKey(scope)) {
            free(scope);
        }
        if (!retainGraph) {
            fn.free();
        }
    }

    /** Adds {@code g} to the gradient pending for {@code v}. */
    void accumulate(Variable v, Tensor g) {
        Tensor prev = pending.get(v);
        Tensor next = prev == null ? g : prev.add(g);
        retain(next);
        if (prev != null) {
            release(prev);
        }
        pending.put(v, next);
    }

    /** Adds {@code g} into the leaf's {@code grad} buffer, then lets {@code g} go. */
    void accumulateIntoLeaf(Variable leaf, Tensor g) {
        Tensor grad = leaf.grad();
        if (grad != null) {
            grad.add_(g);
        } else {
            leaf.setGrad(newLeafBuffer(leaf, g));
        }
        release(g);
    }

    /** A buffer holding a copy of {@code g}: the leaf's spare one when it fits, else a fresh one in the leaf's home scope. */
    private static Tensor newLeafBuffer(Variable leaf, Tensor g) {
        Tensor spare = leaf.takeSpareGrad();
        if (spare != null && spare.isContiguous() && Arrays.equals(spare.shape(), leaf.shape())
                && spare.device().equals(leaf.data().device())) {
            return spare.copy_(g);
        }
        MemoryScope home = leaf.homeScope();
        // A GC-owned leaf (created outside any scope) needs a GC-owned gradient.
        return home != null
                ? home.within(() -> g.to(leaf.data().dtype()).clone())
                : MemoryScope.outsideScopes(() -> g.to(leaf.data().dtype()).clone());
    }

    private void retain(Tensor t) {
        MemoryScope s = MemoryScope.ownerOf(t);
        if (s != null && mine.containsKey(s)) {
            refs.merge(s, 1, Integer::sum);
        }
    }

    private void release(Tensor t) {
        MemoryScope s = MemoryScope.ownerOf(t);
        if (s != null && mine.containsKey(s) && refs.merge(s, -1, Integer::sum) == 0) {
            free(s);
        }
    }

    private void free(MemoryScope s) {
        refs.remove(s);
        mine.remove(s);
        s.close();
    }

    /** Closes every node scope still open: after an exception, or gradients nobody consumed. */
    @Override
    public void close() {
        for (MemoryScope s : mine.keySet()) {
            s.close();
        }
        mine.clear();
        refs.clear();
        pending.clear();
    }
}
