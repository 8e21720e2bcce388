package radapter.adapters;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import radapter.autograd.GradMode;
import radapter.autograd.Variable;
import radapter.models.nn.Activation;
import radapter.models.nn.ResidualAttentionBlock;
import radapter.tensor.Rng;
import radapter.tensor.Tensor;
import radapter.tensor.io.SafeTensors;
import radapter.testing.Shared;

/** R-Adapter forward, merge and EMA against the official PyTorch code (fixtures/adapter). */
class AdapterFixturesTest {
    static SafeTensors fx;

    @BeforeAll
    static void open() throws IOException {
        if (Shared.rootOrNull() != null) {
            fx = SafeTensors.open(Shared.rootOrNull().resolve("fixtures/adapter/adapter.safetensors"));
        }
    }

    @AfterAll
    static void close() {
        if (fx != null) {
            fx.close();
        }
    }

    static void assertAbs(Tensor expected, Tensor actual, double tol, String what) {
        float[] e = expected.toFloatArray();
        float[] a = actual.toFloatArray();
        assertEquals(e.length, a.length, what + " size");
        double worst = 0;
        for (int i = 0; i < e.length; i++) {
            worst = Math.max(worst, Math.abs(e[i] - a[i]));
        }
        double w = worst;
        assertTrue(worst <= tol, () -> what + ": max abs diff " + w + " > " + tol);
    }

    static AdapterRuntime runtime(RankRule rule, double ema) {
        AdapterConfig cfg = AdapterConfig.builder().rankRule(rule).dropPath(0).ema(ema).evalScale(0.5).build();
        return new AdapterRuntime(cfg, new Rng(1));
    }

    static void load(radapter.models.nn.Module m, String prefix) throws IOException {
        for (Map.Entry<String, Variable> e : m.namedParameters().entrySet()) {
            e.getValue().data().copy_(fx.get(prefix + e.getKey()));
        }
    }

    static Tensor apply(RAdapter a, Tensor x) {
        try (var ignored = GradMode.noGrad()) {
            return a.apply(Variable.constant(x)).data();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"adapter_full", "adapter_lowrank_branch"})
    void adapterForwardInEvalAndTrainMode(String name) throws IOException {
        Shared.root();
        long r = name.equals("adapter_full") ? 4 : 32;
        // The official rank rule: r = 4 < D builds the full-rank f, r = 32 > D the d/u pair.
        RAdapter a = new RAdapter(16, r, runtime(RankRule.OFFICIAL, 0), new Rng(3));
        assertEquals(name.equals("adapter_lowrank_branch"), a.factored());
        load(a, name + ".");
        Tensor x = fx.get(name + ".x");
        a.train(false);
        assertAbs(fx.get(name + ".out_eval"), apply(a, x), 1e-5, name + " eval");
        a.train(true);
        assertAbs(fx.get(name + ".out_train"), apply(a, x), 1e-5, name + " train");
    }

    @Test
    void paperRankRuleMakesLowRankBelowTheWidth() {
        AdapterRuntime rt = runtime(RankRule.PAPER, 0);
        RAdapter low = new RAdapter(16, 4, rt, new Rng(3));
        assertTrue(low.factored());
        assertEquals(java.util.Set.of("s", "d.weight", "u.weight"), low.namedParameters().keySet());
        RAdapter full = new RAdapter(16, 16, rt, new Rng(3));
        assertEquals(java.util.Set.of("s", "f.weight"), full.namedParameters().keySet());
        // Zero-initialised output side: a fresh adapter is the identity.
        Tensor x = Tensor.randn(new Rng(5), 2, 3, 16);
        low.train(false);
        assertEquals(0.0, apply(low, x).sub(x).abs().max().item(), 0.0);
    }

    /** A block with adapters loaded from {@code case.block.*} (sequence-first fixtures, batch-first here). */
    static ResidualAttentionBlock block(String c, boolean ema) throws IOException {
        ResidualAttentionBlock b = new ResidualAttentionBlock(16, 2, 64, Activation.QUICK_GELU, 1e-5);
        AdapterRuntime rt = runtime(RankRule.PAPER, ema ? 0.999 : 0);
        RAdapter attn = new RAdapter(16, 16, rt, new Rng(1));
        RAdapter mlp = new RAdapter(16, 16, rt, new Rng(1));
        b.setAttnAdapter(attn);
        b.setMlpAdapter(mlp);
        if (ema) {
            attn.setEma(b.addModule("adapter_attn_cache", attn.copyFrozen()));
            mlp.setEma(b.addModule("adapter_mlp_cache", mlp.copyFrozen()));
        }
        load(b, c + ".block.");
        return b;
    }

    static Tensor forward(ResidualAttentionBlock b, Tensor xLnd) {
        try (var ignored = GradMode.noGrad()) {
            Tensor x = xLnd.permute(1, 0, 2);
            return b.forward(Variable.constant(x), null).data().permute(1, 0, 2);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"rep_noema", "rep_ema"})
    void blockEvalTrainAndMergeMatchTheOfficialCode(String c) throws IOException {
        Shared.root();
        ResidualAttentionBlock b = block(c, c.equals("rep_ema"));
        Tensor x = fx.get(c + ".x");
        b.train(false);
        assertAbs(fx.get(c + ".out_unmerged_eval"), forward(b, x), 1e-5, c + " eval");
        b.train(true);
        assertAbs(fx.get(c + ".out_train"), forward(b, x), 1e-5, c + " train");
        b.train(false);
        RAdapter attn = (RAdapter) b.attnAdapter();
        RAdapter mlp = (RAdapter) b.mlpAdapter();
        AdaptedClip.fold(b.attn().outProj(), attn.evalSource(), 0.5);
        AdaptedClip.fold(b.mlp().cProj(), mlp.evalSource(), 0.5);
        attn.setMerged(true);
        mlp.setMerged(true);
        assertAbs(fx.get(c + ".merged.attn.out_proj.weight"), b.attn().outProj().weight().data(), 1e-5, "merged out_proj.weight");
        assertAbs(fx.get(c + ".merged.attn.out_proj.bias"), b.attn().outProj().bias().data(), 1e-5, "merged out_proj.bias");
        assertAbs(fx.get(c + ".merged.mlp.c_proj.weight"), b.mlp().cProj().weight().data(), 1e-5, "merged c_proj.weight");
        assertAbs(fx.get(c + ".merged.mlp.c_proj.bias"), b.mlp().cProj().bias().data(), 1e-5, "merged c_proj.bias");
        assertAbs(fx.get(c + ".out_merged"), forward(b, x), 1e-5, c + " merged forward");
        assertAbs(fx.get(c + ".out_unmerged_eval"), forward(b, x), 1e-5, c + " merged equals unmerged eval");
    }

    @ParameterizedTest
    @ValueSource(strings = {"0.9", "0.999"})
    void emaUpdatesMatchBitForBit(String m) throws IOException {
        Shared.root();
        String c = "ema_m" + m;
        AdapterRuntime rt = runtime(RankRule.PAPER, Double.parseDouble(m));
        for (String branch : new String[] {"adapter_attn", "adapter_mlp"}) {
            RAdapter live = new RAdapter(16, 16, rt, new Rng(1));
            RAdapter cache = live.copyFrozen();
            live.setEma(cache);
            load(cache, c + ".step0." + branch + "_cache.");
            for (int k = 1; k <= 3; k++) {
                load(live, c + ".step" + k + "." + branch + ".");
                AdaptedClip.emaStep(live, Double.parseDouble(m));
                for (String p : new String[] {"s", "f.weight"}) {
                    assertAbs(fx.get(c + ".step" + k + "." + branch + "_cache." + p), cache.namedParameters().get(p).data(), 1e-7,
                            c + " step " + k + " " + branch + " " + p);
                }
            }
        }
    }
}
