package radapter.autograd;

import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import radapter.tensor.MemoryScope;
import radapter.tensor.Rng;
import radapter.tensor.Tensor;

/**
 * Activation checkpointing ({@code torch.utils.checkpoint}): trades one extra forward pass for
 * not keeping a segment's intermediate activations alive until backward.
 *
 * <p>The forward runs the segment without recording a graph, in its own memory scope, and keeps
 * only the output. When backward reaches the segment, it runs it again with recording on, in a
 * fresh scope, back-propagates the incoming gradient through that small graph (the trainable
 * parameters inside accumulate their gradients as usual) and keeps only the input's gradient.
 * So a transformer holds one block's graph at a time instead of the whole tower's.
 *
 * <p>Random draws inside the segment (dropout, adapter dropping) must repeat exactly in the
 * second run: the caller passes the generators the segment uses; their states are recorded before
 * the forward, restored for the recomputation and put back afterwards, so the rest of training
 * sees the same random stream as without checkpointing. The segment must be deterministic
 * otherwise and must not change state it reads (no in-place updates of its inputs).
 */
public final class Checkpoint {
    private Checkpoint() {
    }

    /**
     * {@code segment.apply(input)}, checkpointed when a graph would be recorded: {@code params}
     * are the trainable variables the segment uses (so the node is recorded even when the input
     * itself needs no gradient), {@code rngs} the generators it draws from.
     */
    public static Variable apply(UnaryOperator<Variable> segment, Variable input, List<Variable> params, List<Rng> rngs) {
        Variable[] inputs = new Variable[params.size() + 1];
        inputs[0] = input;
        for (int i = 0; i < params.size(); i++) {
            inputs[i + 1] = params.get(i);
        }
        if (!Function.wouldRecord(inputs)) {
            // Nothing will be differentiated, so there is nothing to recompute later.
            return segment.apply(input);
        }
        return new Recompute(segment, rngs).apply(inputs);
    }

    private static List<Rng> copies(List<Rng> rngs) {
        List<Rng> out = new ArrayList<>(rngs.size());
        for (Rng r : rngs) {
            out.add(r.copy());
        }
        return out;
    }

    private static void restore(List<Rng> targets, List<Rng> states) {
        for (int i = 0; i < targets.size(); i++) {
            targets.get(i).restore(states.get(i));
        }
    }

    /**
     * The graph node standing for a whole checkpointed segment. Its inputs are the segment's
     * input and then its parameters; only the input's tensor is saved.
     */
    private static final class Recompute extends Function {
        private final UnaryOperator<Variable> segment;
        private final List<Rng> rngs;
        /** The generators' states before the forward, replayed by the recomputation. */
        private List<Rng> before;

        Recompute(UnaryOperator<Variable> segment, List<Rng> rngs) {
            this.segment = segment;
            this.rngs = rngs;
        }

        @Override
        public String name() {
            return "Checkpoint";
        }

        @Override
        protected Tensor forward(Tensor... in) {
            before = copies(rngs);
            saveForBackward(in[0]);
            try (MemoryScope scope = MemoryScope.open(); GradMode.Guard ignored = GradMode.noGrad()) {
                return scope.keep(segment.apply(Variable.constant(in[0])).data());
            }
        }

        @Override
        protected Tensor[] backward(Tensor gradOutput) {
            Tensor[] grads = new Tensor[inputCount()];
            List<Rng> after = copies(rngs);
            restore(rngs, before);
            boolean wantInput = needsGrad(0);
            try (MemoryScope scope = MemoryScope.open(); GradMode.Guard ignored = GradMode.enableGrad()) {
                Variable in = wantInput ? Variable.parameter(saved(0)) : Variable.constant(saved(0));
                Variable out = segment.apply(in);
                // The parameters are leaves of this inner graph too: they accumulate here, so the
                // outer engine gets no gradient for them from this node (null entries below).
                out.backward(gradOutput, false);
                if (wantInput) {
                    grads[0] = scope.keep(in.grad());
                }
            } finally {
                restore(rngs, after);
            }
            return grads;
        }
    }
}
