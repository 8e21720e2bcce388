package radapter.autograd.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static radapter.autograd.optim.OptimTesting.GRADS;
import static radapter.autograd.optim.OptimTesting.P0;
import static radapter.autograd.optim.OptimTesting.assertClose;
import static radapter.autograd.optim.OptimTesting.grad;
import static radapter.autograd.optim.OptimTesting.param;

import java.util.List;
import org.junit.jupiter.api.Test;
import radapter.autograd.Pointwise;
import radapter.autograd.Reductions;
import radapter.autograd.Variable;
import radapter.tensor.Tensor;

class ParamGroupTest {

    private static final double[] Q0 = {-0.3, 0.8};
    private static final double[][] QGRADS = {{1.0, -0.5}, {0.25, 0.5}, {-0.75, 0.1}, {0.6, -0.2}, {0.3, 0.3}};

    /** Steps both parameters together for all five gradients; returns each one's trajectory. */
    private static double[][][] runBoth(Optimizer opt, Variable p, Variable q) {
        double[][][] out = new double[2][GRADS.length][];
        for (int t = 0; t < GRADS.length; t++) {
            p.setGrad(grad(p, GRADS[t]));
            q.setGrad(grad(q, QGRADS[t]));
            opt.step();
            out[0][t] = p.data().toDoubleArray();
            out[1][t] = q.data().toDoubleArray();
        }
        return out;
    }

    @Test
    void adamWGroupsUseTheirOwnHyperParameters() {
        Variable p = param(P0, true);
        Variable q = param(Q0, true);
        AdamW opt = AdamW.builder().lr(0.1).weightDecay(0.1)
                .group(ParamGroup.of(p))
                .group(ParamGroup.of(q).lr(0.01).weightDecay(0).set(AdamW.BETA1, 0.5))
                .build();
        double[][][] r = runBoth(opt, p, q);
        assertClose(TorchReference.adamw(P0, GRADS, 0.1, 0.9, 0.999, 1e-8, 0.1, false), r[0], 1e-12);
        assertClose(TorchReference.adamw(Q0, QGRADS, 0.01, 0.5, 0.999, 1e-8, 0.0, false), r[1], 1e-12);
    }

    @Test
    void sgdGroupsUseTheirOwnHyperParameters() {
        Variable p = param(P0, true);
        Variable q = param(Q0, true);
        SGD opt = SGD.builder().lr(0.1).momentum(0.9).dampening(0.1).weightDecay(0.01)
                .group(ParamGroup.of(p))
                .group(ParamGroup.of(q).lr(0.2).weightDecay(0).set(SGD.DAMPENING, 0.0).set(SGD.NESTEROV, true))
                .build();
        double[][][] r = runBoth(opt, p, q);
        assertClose(TorchReference.sgd(P0, GRADS, 0.1, 0.9, 0.1, false, 0.01), r[0], 1e-12);
        assertClose(TorchReference.sgd(Q0, QGRADS, 0.2, 0.9, 0.0, true, 0.0), r[1], 1e-12);
    }

    @Test
    void unsetSettingsTakeTheDefaultsAndTheCallersGroupIsCopied() {
        Variable p = param(P0, true);
        ParamGroup mine = ParamGroup.of(p).lr(0.5);
        AdamW opt = AdamW.builder().lr(0.1).weightDecay(0.2).group(mine).build();
        ParamGroup live = opt.paramGroups().getFirst();
        assertEquals(0.5, live.lr());
        assertEquals(0.5, live.initialLr());
        assertEquals(0.2, live.weightDecay());
        assertEquals(0.999, live.get(AdamW.BETA2));
        assertTrue(!mine.hasWeightDecay() && Double.isNaN(mine.initialLr()), "the caller's group is left as it was");
        live.lr(0.0);
        // lr 0: neither the decoupled decay nor the Adam term moves the parameter.
        p.setGrad(grad(p, GRADS[0]));
        opt.step();
        assertArrayEquals(P0, p.data().toDoubleArray());
        assertEquals(0.5, live.initialLr());
    }

    @Test
    void misuseIsReportedClearly() {
        Variable p = param(P0, true).named("w");
        Variable q = param(Q0, true);
        IllegalArgumentException dup = assertThrows(IllegalArgumentException.class,
                () -> AdamW.builder().group(ParamGroup.of(q, p)).group(ParamGroup.of(p)).build());
        assertTrue(dup.getMessage().contains("2 ('w')") && dup.getMessage().contains("more than one"), dup.getMessage());
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class,
                () -> SGD.builder().group(ParamGroup.of(p).set(AdamW.BETA1, 0.5)).build());
        assertTrue(unknown.getMessage().contains("beta1"), unknown.getMessage());
        Variable computed = Reductions.sum(Pointwise.mul(p, p));
        IllegalArgumentException nonLeaf = assertThrows(IllegalArgumentException.class,
                () -> SGD.builder().params(List.of(computed)).build());
        assertTrue(nonLeaf.getMessage().contains("non-leaf"), nonLeaf.getMessage());
        IllegalArgumentException empty = assertThrows(IllegalArgumentException.class,
                () -> SGD.builder().params(List.of()).build());
        assertTrue(empty.getMessage().contains("empty"), empty.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ParamGroup.of(p).lr(-1));
        assertThrows(IllegalArgumentException.class, () -> ParamGroup.of(p).get("momentum"));
    }

    @Test
    void addParamGroupJoinsTheFlatOrder() {
        Variable p = param(P0, true);
        Variable q = param(Q0, true);
        SGD opt = SGD.builder().lr(0.1).params(List.of(p)).build();
        opt.addParamGroup(ParamGroup.of(q).lr(0.01));
        assertEquals(List.of(p, q), opt.params());
        assertEquals(0.01, opt.paramGroups().get(1).lr());
        assertThrows(IllegalArgumentException.class, () -> opt.addParamGroup(ParamGroup.of(p)));
    }

    @Test
    void weightDecaySplitFollowsTheReferenceRule() {
        Variable proj = Variable.parameter(Tensor.zeros(4, 3)).named("visual.proj");
        Variable adapter = Variable.parameter(Tensor.zeros(3, 3)).named("adapter.down.weight");
        Variable lnWeight = Variable.parameter(Tensor.zeros(3)).named("ln_post.weight");
        Variable bias = Variable.parameter(Tensor.zeros(3, 1)).named("adapter.down.bias");
        Variable bnMatrix = Variable.parameter(Tensor.zeros(2, 2)).named("bn1.weight");
        Variable unnamedVector = Variable.parameter(Tensor.zeros(5));
        List<ParamGroup> groups = ParamGroup.weightDecaySplit(List.of(proj, lnWeight, adapter, bias, bnMatrix, unnamedVector), 0.1);
        assertEquals(List.of(proj, adapter), groups.get(0).params());
        assertEquals(0.1, groups.get(0).weightDecay());
        assertEquals(List.of(lnWeight, bias, bnMatrix, unnamedVector), groups.get(1).params());
        assertEquals(0.0, groups.get(1).weightDecay());
        AdamW opt = AdamW.builder().groups(groups).build();
        assertEquals(2, opt.paramGroups().size());
    }
}
