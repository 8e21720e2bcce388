package radapter.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import radapter.data.synthetic.Split;
import radapter.data.synthetic.SyntheticShapes;
import radapter.tensor.Tensor;
import radapter.tensor.io.SafeTensors;
import radapter.testing.Shared;

/** The model commands on the tiny fixture CLIP: info, embed, finetune, merge, eval, zeroshot, tokenize. */
class CommandsTest {
    @TempDir
    Path tmp;

    static String run(String... args) {
        PrintStream saved = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buf));
        int code;
        try {
            code = Main.execute(args);
        } finally {
            System.setOut(saved);
        }
        String out = buf.toString();
        assertEquals(0, code, () -> String.join(" ", args) + " failed:\n" + out);
        return out;
    }

    @Test
    void infoDescribesBothLayouts() {
        String o = run("info", Shared.fixtures("tiny_clip/model_openai.safetensors").toString());
        assertTrue(o.contains("OPENAI") && o.contains("width 128, layers 2, heads 2"), o);
        String h = run("info", Shared.fixtures("tiny_clip/model_hf.safetensors").toString(), "--config",
                Shared.fixtures("tiny_clip/hf_config.json").toString());
        assertTrue(h.contains("HUGGING_FACE") && h.contains("width 16, layers 2, heads 2"), h);
    }

    @Test
    void embedWritesTheFixtureFeatures() throws Exception {
        Path io = Shared.fixtures("tiny_clip/io.safetensors");
        Path out = tmp.resolve("features.safetensors");
        run("embed", "--model", Shared.fixtures("tiny_clip/model_hf.safetensors").toString(), "--config",
                Shared.fixtures("tiny_clip/hf_config.json").toString(), "--pixels", io + ":input.pixel_values", "--tokens",
                io + ":input.token_ids", "--out", out.toString());
        try (SafeTensors got = SafeTensors.open(out); SafeTensors exp = SafeTensors.open(io)) {
            assertClose(exp.get("expected.image_features"), got.get("image_features"));
            assertClose(exp.get("expected.text_features"), got.get("text_features"));
        }
    }

    @Test
    void embedOnAnOpenClDeviceWritesTheSameFeatures() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(radapter.tensor.Backends.available().stream().anyMatch(b -> b.name().equals("opencl")),
                "no OpenCL platform here (install pocl-opencl-icd to run this)");
        Path io = Shared.fixtures("tiny_clip/io.safetensors");
        Path out = tmp.resolve("features-opencl.safetensors");
        run("embed", "--model", Shared.fixtures("tiny_clip/model_hf.safetensors").toString(), "--config",
                Shared.fixtures("tiny_clip/hf_config.json").toString(), "--device", "opencl", "--pixels", io + ":input.pixel_values",
                "--tokens", io + ":input.token_ids", "--out", out.toString());
        try (SafeTensors got = SafeTensors.open(out); SafeTensors exp = SafeTensors.open(io)) {
            assertClose(exp.get("expected.image_features"), got.get("image_features"));
            assertClose(exp.get("expected.text_features"), got.get("text_features"));
        }
    }

    @Test
    void anUnknownDeviceIsOneLineAndExitCodeTwo() {
        PrintStream saved = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setErr(new PrintStream(err));
        int code;
        try {
            code = Main.execute("info", Shared.fixtures("tiny_clip/model_openai.safetensors").toString());
            assertEquals(0, code);
            code = Main.execute("embed", "--model", Shared.fixtures("tiny_clip/model_openai.safetensors").toString(), "--device", "tpu:3",
                    "--texts", tmp.resolve("none.txt").toString(), "--out", tmp.resolve("x.safetensors").toString());
        } finally {
            System.setErr(saved);
        }
        assertEquals(2, code, err.toString());
        String msg = err.toString().strip();
        assertTrue(msg.contains("tpu:3") && msg.lines().count() == 1, msg);
    }

    static void assertClose(Tensor e, Tensor a) {
        float[] x = e.toFloatArray();
        float[] y = a.toFloatArray();
        double max = 0;
        for (float v : x) {
            max = Math.max(max, Math.abs(v));
        }
        for (int i = 0; i < x.length; i++) {
            assertEquals(x[i], y[i], 1e-4 * max);
        }
    }

    @Test
    void finetuneMergeEvalAndZeroShotRunOnACsvDataset() throws Exception {
        Path data = tmp.resolve("shapes");
        SyntheticShapes.builder().seed(1).imageSize(32).sizeAll(24).build().writeTo(data, Split.TRAIN, Split.TEST, Split.SKETCH);
        Path vocab = Shared.path("clip/bpe_simple_vocab_16e6.txt.gz");
        String model = Shared.fixtures("tiny_clip/model_openai.safetensors").toString();
        Path out = tmp.resolve("ft");
        String ft = run("finetune", "--model", model, "--vocab", vocab.toString(), "--train", data.resolve("train.csv").toString(),
                "--adapter", "128,16", "--epochs", "2", "--batch-size", "12", "--grad-accum", "2", "--warmup", "1",
                "--checkpoint-every", "2", "--out", out.toString());
        assertTrue(ft.contains("training"), ft);
        for (String f : new String[] {"adapters.safetensors", "adapter_config.json", "model.safetensors", "checkpoints/latest", "losses.csv", "loss.png"}) {
            assertTrue(Files.exists(out.resolve(f)), f);
        }
        Path merged = tmp.resolve("merged.safetensors");
        String mg = run("merge", "--model", model, "--adapters", out.toString(), "--alpha", "0.5", "--out", merged.toString());
        assertTrue(mg.contains("α = 0.500"), mg);
        Path classes = data.resolve("classnames.txt");
        String ev = run("eval", "--model", model, "--vocab", vocab.toString(), "--adapters", out.toString(), "--classes", classes.toString(),
                "--templates", "simple", "--data", "test=" + data.resolve("test.csv"), "--data", "sketch=" + data.resolve("sketch.csv"));
        assertTrue(ev.contains("test (ID)") && ev.contains("OOD average"), ev);
        String zs = run("zeroshot", "--model", merged.toString(), "--config", Shared.fixtures("tiny_clip/open_clip_config.json").toString(),
                "--vocab", vocab.toString(), "--classes", classes.toString(), "--templates", "simple", "--data", data.resolve("test.csv").toString());
        assertTrue(zs.contains("top-1"), zs);
        String tk = run("tokenize", "--vocab", vocab.toString(), "a photo of a cat");
        assertTrue(tk.contains("[49406, 320, 1125, 539, 320, 2368, 49407]"), tk);
    }
}
