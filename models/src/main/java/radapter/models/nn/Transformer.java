package radapter.models.nn;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import radapter.autograd.Checkpoint;
import radapter.autograd.GradMode;
import radapter.autograd.Variable;
import radapter.tensor.MemoryScope;
import radapter.tensor.Tensor;

/** A stack of residual attention blocks, registered as {@code resblocks.0}, {@code resblocks.1}, ... */
public class Transformer extends Module {
    private final List<ResidualAttentionBlock> blocks = new ArrayList<>();
    private boolean checkpointing;

    public Transformer(long dim, int layers, int heads, long mlpHidden, Activation activation, double eps) {
        Module list = addModule("resblocks", new Module() {
        });
        for (int i = 0; i < layers; i++) {
            ResidualAttentionBlock b = new ResidualAttentionBlock(dim, heads, mlpHidden, activation, eps);
            list.addModule(Integer.toString(i), b);
            blocks.add(b);
        }
    }

    public List<ResidualAttentionBlock> blocks() {
        return Collections.unmodifiableList(blocks);
    }

    /**
     * Turns activation checkpointing on or off: when training records a graph, each block keeps
     * only its output and is recomputed during backward ({@link Checkpoint}), so peak memory holds
     * one block's activations instead of all of them, for about one extra forward pass.
     */
    public Transformer setActivationCheckpointing(boolean on) {
        this.checkpointing = on;
        return this;
    }

    public boolean activationCheckpointing() {
        return checkpointing;
    }

    public Variable forward(Variable x, Tensor mask) {
        // Without a graph nothing from inside a block is needed afterwards: run each block in its
        // own memory scope and keep only its output, so inference holds one block's temporaries
        // at a time instead of the whole tower's.
        boolean scoped = !GradMode.isEnabled() && !Trace.active();
        for (int i = 0; i < blocks.size(); i++) {
            ResidualAttentionBlock b = blocks.get(i);
            Variable in = x;
            if (scoped) {
                try (MemoryScope s = MemoryScope.open()) {
                    x = Variable.constant(s.keep(b.forward(in, mask).data()));
                }
            } else if (checkpointing && !Trace.active()) {
                x = Checkpoint.apply(v -> b.forward(v, mask), in, b.trainableParameters(), b.randomSources());
            } else {
                x = Trace.within("block" + i, () -> b.forward(in, mask));
                Trace.record("block" + i, x);
            }
        }
        return x;
    }
}
