package radapter.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import radapter.data.synthetic.Split;
import radapter.data.synthetic.SyntheticShapes;
import radapter.testing.Shared;

/** {@code finetune --method full|lp-ft} and {@code eval --wise-ft} on the tiny fixture CLIP. */
class RobustMethodsCommandTest {
    @TempDir
    Path tmp;

    Path data;
    String vocab;
    String model;
    String config;

    @BeforeEach
    void setUp() throws Exception {
        data = tmp.resolve("shapes");
        SyntheticShapes.builder().seed(2).imageSize(32).sizeAll(24).build().writeTo(data, Split.TRAIN, Split.TEST, Split.SKETCH);
        vocab = Shared.path("clip/bpe_simple_vocab_16e6.txt.gz").toString();
        model = Shared.fixtures("tiny_clip/model_openai.safetensors").toString();
        config = Shared.fixtures("tiny_clip/open_clip_config.json").toString();
    }

    private List<String> evalArgs(String modelFile, String... extra) {
        List<String> a = new ArrayList<>(List.of("eval", "--model", modelFile, "--config", config, "--vocab", vocab, "--classes",
                data.resolve("classnames.txt").toString(), "--templates", "simple", "--data", "test=" + data.resolve("test.csv"), "--data",
                "sketch=" + data.resolve("sketch.csv")));
        a.addAll(List.of(extra));
        return a;
    }

    /** The accuracy lines of an eval run (what the sets scored), without the lines that name the inputs. */
    private static String scores(String out) {
        return out.lines().filter(l -> l.contains("top-1")).reduce("", (x, y) -> x + y + "\n");
    }

    @Test
    void fullFineTuningThenWiseFtEndsReproduceBothModels() throws Exception {
        Path ft = tmp.resolve("full");
        String o = CommandsTest.run("finetune", "--method", "full", "--model", model, "--vocab", vocab, "--train",
                data.resolve("train.csv").toString(), "--epochs", "2", "--batch-size", "12", "--warmup", "1", "--lr", "1e-3", "--out", ft.toString());
        assertTrue(o.contains("full fine-tuning (FLYP)"), o);
        for (String f : List.of("model.safetensors", "losses.csv", "loss.png", "checkpoints/latest")) {
            assertTrue(Files.exists(ft.resolve(f)), f);
        }
        String ftModel = ft.resolve("model.safetensors").toString();
        String zeroShot = scores(CommandsTest.run(evalArgs(model).toArray(String[]::new)));
        String fineTuned = scores(CommandsTest.run(evalArgs(ftModel).toArray(String[]::new)));
        String wise0 = scores(CommandsTest.run(evalArgs(model, "--wise-ft", model + "," + ftModel, "--alpha", "0").toArray(String[]::new)));
        String wise1 = scores(CommandsTest.run(evalArgs(model, "--wise-ft", model + "," + ftModel, "--alpha", "1").toArray(String[]::new)));
        assertEquals(zeroShot, wise0, "WiSE-FT at α = 0 is the zero-shot model");
        assertEquals(fineTuned, wise1, "WiSE-FT at α = 1 is the fine-tuned model");
        String half = CommandsTest.run(evalArgs(model, "--wise-ft", model + "," + ftModel, "--alpha", "0.5").toArray(String[]::new));
        assertTrue(half.contains("WiSE-FT") && half.contains("α = 0.500"), half);
    }

    @Test
    void lpFtWritesAModelAndAHeadThatEvalScores() {
        Path out = tmp.resolve("lpft");
        String o = CommandsTest.run("finetune", "--method", "lp-ft", "--model", model, "--vocab", vocab, "--train",
                data.resolve("train.csv").toString(), "--classes", data.resolve("classnames.txt").toString(), "--epochs", "2", "--batch-size", "12", "--warmup", "1", "--out", out.toString());
        assertTrue(o.contains("stage 1, linear probe") && o.contains("stage 2"), o);
        for (String f : List.of("model.safetensors", LinearProbeCommand.FILE, "losses.csv", "loss.png")) {
            assertTrue(Files.exists(out.resolve(f)), f);
        }
        String ev = CommandsTest.run("eval", "--model", out.resolve("model.safetensors").toString(), "--config", config, "--probe", out.toString(),
                "--data", "test=" + data.resolve("test.csv"), "--data", "sketch=" + data.resolve("sketch.csv"));
        assertTrue(ev.contains("test (ID)") && ev.contains("OOD average"), ev);
    }

    @Test
    void mistakesAreOneLineAndNonZero() {
        PrintStream saved = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setErr(new PrintStream(err));
        try {
            assertNotEquals(0, Main.execute("finetune", "--method", "sgd", "--model", model, "--train", data.resolve("train.csv").toString(),
                    "--out", tmp.resolve("x").toString()));
            assertNotEquals(0, Main.execute("finetune", "--method", "lp-ft", "--task", "retrieval", "--model", model, "--train",
                    data.resolve("train.csv").toString(), "--out", tmp.resolve("y").toString()));
            assertNotEquals(0, Main.execute(evalArgs(model, "--wise-ft", model, "--alpha", "0.5").toArray(String[]::new)));
            assertNotEquals(0, Main.execute(evalArgs(model, "--wise-ft", model + "," + model).toArray(String[]::new)));
            assertNotEquals(0, Main.execute(evalArgs(model, "--wise-ft", model + "," + model, "--alpha", "2").toArray(String[]::new)));
        } finally {
            System.setErr(saved);
        }
        String e = err.toString();
        assertTrue(e.contains("--method must be radapter, full or lp-ft"), e);
        assertTrue(e.contains("does not apply to --task retrieval"), e);
        assertTrue(e.contains("--wise-ft takes two checkpoints"), e);
        assertTrue(e.contains("--wise-ft ZS,FT needs --alpha"), e);
        assertTrue(e.contains("[0, 1]"), e);
        assertTrue(e.lines().noneMatch(l -> l.strip().startsWith("at ")), "no stack trace:\n" + e);
    }
}
