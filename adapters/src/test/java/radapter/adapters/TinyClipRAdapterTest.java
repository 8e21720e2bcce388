package radapter.adapters;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import radapter.autograd.NN;
import radapter.autograd.Variable;
import radapter.autograd.optim.AdamW;
import radapter.models.clip.CheckpointLayout;
import radapter.models.clip.Clip;
import radapter.models.clip.ClipLoader;
import radapter.models.clip.LoadedClip;
import radapter.tensor.MemoryScope;
import radapter.tensor.Rng;
import radapter.tensor.Tensor;
import radapter.tensor.io.SafeTensors;
import radapter.testing.Shared;

/** The full-model R-Adapter case of the tiny CLIP fixture, plus the properties the issue asks for. */
class TinyClipRAdapterTest {
    @TempDir
    Path tmp;

    static AdapterConfig fixtureConfig() {
        return AdapterConfig.builder().ranks(128, 16).dropPath(0).ema(0.999).evalScale(0.5).build();
    }

    static void assertAbs(Tensor expected, Tensor actual, double tol, String what) {
        float[] e = expected.toFloatArray();
        float[] a = actual.toFloatArray();
        assertEquals(e.length, a.length, what);
        double worst = 0;
        for (int i = 0; i < e.length; i++) {
            worst = Math.max(worst, Math.abs(e[i] - a[i]));
        }
        double w = worst;
        assertTrue(worst <= tol, () -> what + ": max abs diff " + w + " > " + tol);
    }

    static Map<String, Tensor> adapterTensors(SafeTensors file) throws IOException {
        Map<String, Tensor> m = new LinkedHashMap<>();
        for (String n : file.names()) {
            if (n.contains(".adapter_")) {
                m.put(n, file.get(n));
            }
        }
        return m;
    }

    @Test
    void evalTrainAndMergedFeaturesMatchTheOfficialModel() throws IOException {
        try (MemoryScope model = MemoryScope.open();
                LoadedClip m = ClipLoader.load(Shared.fixtures("tiny_clip/model_openai.safetensors"), null);
                SafeTensors io = SafeTensors.open(Shared.fixtures("tiny_clip/io.safetensors"));
                SafeTensors ra = SafeTensors.open(Shared.fixtures("tiny_clip/radapter.safetensors"))) {
            AdaptedClip ac = AdaptedClip.install(m.clip(), fixtureConfig(), new Rng(0));
            ac.loadAdapterState(adapterTensors(ra));
            Tensor pixels = io.get("input.pixel_values");
            Tensor ids = io.get("input.token_ids");
            Clip clip = m.clip();

            ac.train(false);
            Tensor img = clip.encodeImage(pixels);
            Tensor txt = clip.encodeText(ids);
            assertAbs(ra.get("eval.image_features"), img, 1e-4, "eval image features");
            assertAbs(ra.get("eval.text_features"), txt, 1e-4, "eval text features");
            assertAbs(ra.get("eval.logits_per_image"), clip.logitsPerImage(img, txt), 1e-4, "eval logits");

            ac.train(true);
            assertAbs(ra.get("train.image_features"), clip.encodeImage(pixels), 1e-4, "train image features");
            assertAbs(ra.get("train.text_features"), clip.encodeText(ids), 1e-4, "train text features");

            ac.train(false);
            ac.merge(0.5);
            Tensor mImg = clip.encodeImage(pixels);
            Tensor mTxt = clip.encodeText(ids);
            assertAbs(ra.get("merged.image_features"), mImg, 1e-4, "merged image features");
            assertAbs(ra.get("merged.text_features"), mTxt, 1e-4, "merged text features");
            assertAbs(img, mImg, 1e-4, "merged equals unmerged (image)");
            assertAbs(txt, mTxt, 1e-4, "merged equals unmerged (text)");
            for (int i = 0; i < 2; i++) {
                for (String w : new String[] {"attn.out_proj.weight", "attn.out_proj.bias", "mlp.c_proj.weight", "mlp.c_proj.bias"}) {
                    String k = "transformer.resblocks." + i + "." + w;
                    assertAbs(ra.get("merged." + k), clip.stateDict().get(k), 1e-5, k);
                }
            }
            ac.unmerge();
            assertAbs(img, clip.encodeImage(pixels), 0, "unmerge restores the adapter model exactly");
        }
    }

    @Test
    void freshAdaptersGiveTheZeroShotModelExactly() throws IOException {
        try (LoadedClip m = ClipLoader.load(Shared.fixtures("tiny_clip/model_openai.safetensors"), null);
                SafeTensors io = SafeTensors.open(Shared.fixtures("tiny_clip/io.safetensors"))) {
            Tensor pixels = io.get("input.pixel_values");
            Tensor ids = io.get("input.token_ids");
            Tensor img0 = m.clip().encodeImage(pixels);
            Tensor txt0 = m.clip().encodeText(ids);
            AdaptedClip ac = AdaptedClip.install(m.clip(), AdapterConfig.builder().ranks(128, 16).build(), new Rng(0));
            for (boolean train : new boolean[] {false, true}) {
                ac.train(train);
                assertArrayEquals(img0.toFloatArray(), m.clip().encodeImage(pixels).toFloatArray(), 0f, "image, train=" + train);
                assertArrayEquals(txt0.toFloatArray(), m.clip().encodeText(ids).toFloatArray(), 0f, "text, train=" + train);
            }
        }
    }

    @Test
    void adapterTrainingLeavesEveryBaseWeightBitIdenticalAndExportsAPlainClip() throws IOException {
        try (MemoryScope model = MemoryScope.open();
                LoadedClip m = ClipLoader.load(Shared.fixtures("tiny_clip/model_openai.safetensors"), null);
                SafeTensors io = SafeTensors.open(Shared.fixtures("tiny_clip/io.safetensors"))) {
            Map<String, float[]> before = new LinkedHashMap<>();
            m.clip().stateDict().forEach((k, v) -> before.put(k, v.toFloatArray()));
            AdaptedClip ac = AdaptedClip.install(m.clip(), AdapterConfig.builder().ranks(128, 16).dropPath(0.2).build(), new Rng(0));
            assertEquals(2 * 2 * (128 * 128 + 1) + 2 * 2 * (16 * 16 + 1), ac.trainableCount());
            AdamW opt = AdamW.builder().lr(1e-2).weightDecay(0).params(ac.trainableParameters()).build();
            Tensor pixels = io.get("input.pixel_values").narrow(0, 0, 3);
            Tensor ids = io.get("input.token_ids");
            long[] labels = {0, 1, 2};
            ac.train(true);
            for (int step = 0; step < 3; step++) {
                try (MemoryScope s = MemoryScope.open()) {
                    Variable u = NN.normalize(m.clip().imageFeatures(Variable.constant(pixels)), -1, 1e-12);
                    Variable v = NN.normalize(m.clip().textFeatures(ids), -1, 1e-12);
                    ContrastiveLoss.mpmNce(u, v, labels, m.clip().logitScaleExp(), 0.05, 0.02).backward();
                    opt.step();
                    opt.zeroGrad();
                    ac.emaUpdate();
                }
            }
            Map<String, Tensor> after = ac.plainStateDict();
            assertEquals(before.keySet(), after.keySet());
            before.forEach((k, v) -> assertArrayEquals(v, after.get(k).toFloatArray(), 0f, k + " changed"));
            assertTrue(ac.adapterStateDict().get("transformer.resblocks.0.adapter_attn.f.weight").abs().sum().item() > 0,
                    "adapters trained");

            // The merged export is a plain CLIP in both layouts and reproduces the eval model.
            ac.train(false);
            Tensor evalImg = m.clip().encodeImage(pixels);
            for (CheckpointLayout layout : CheckpointLayout.values()) {
                Path out = tmp.resolve(layout + ".safetensors");
                ac.exportMerged(out, layout, null);
                Path cfg = layout == CheckpointLayout.HUGGING_FACE ? Shared.fixtures("tiny_clip/hf_config.json")
                        : Shared.fixtures("tiny_clip/open_clip_config.json");
                try (LoadedClip back = ClipLoader.load(out, cfg)) {
                    assertEquals(layout, back.layout());
                    assertAbs(evalImg, back.clip().encodeImage(pixels), 1e-4, "exported " + layout);
                }
            }
        }
    }
}
