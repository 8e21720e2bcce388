package radapter.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import radapter.data.synthetic.Split;
import radapter.data.synthetic.SyntheticShapes;
import radapter.tensor.MemoryScope;
import radapter.tensor.dist.MpiLaunch;
import radapter.tensor.io.SafeTensors;
import radapter.testing.Shared;

/**
 * {@code mpirun -np 2 radapter finetune} trains the same adapters as one process with the same
 * global batch split into two micro-batches (bit for bit: two processes sum in one order), and
 * only rank 0 writes the run folder.
 */
class DataParallelFinetuneTest {
    @TempDir
    Path tmp;

    @Test
    void twoProcessesTrainTheAdaptersOneProcessTrains() throws Exception {
        String why = MpiLaunch.unavailableReason();
        assumeTrue(why == null, why);
        Path data = tmp.resolve("shapes");
        SyntheticShapes.builder().seed(3).imageSize(32).sizeAll(24).build().writeTo(data, Split.TRAIN);
        String model = Shared.fixtures("tiny_clip/model_openai.safetensors").toString();
        String vocab = Shared.path("clip/bpe_simple_vocab_16e6.txt.gz").toString();
        List<String> common = List.of("finetune", "--model", model, "--vocab", vocab, "--train", data.resolve("train.csv").toString(),
                "--adapter", "128,16", "--drop-path", "0", "--epochs", "3", "--batch-size", "24", "--quiet");

        List<String> single = new ArrayList<>(common);
        single.addAll(List.of("--grad-accum", "2", "--out", tmp.resolve("single").toString()));
        assertEquals(0, Main.execute(single.toArray(String[]::new)));

        List<String> ddp = new ArrayList<>(common);
        ddp.addAll(List.of("--out", tmp.resolve("ddp").toString()));
        MpiLaunch.Outcome o = MpiLaunch.run(2, 300, Main.class, ddp.toArray(String[]::new));
        assertEquals(0, o.exitCode(), o.output());
        assertFalse(o.output().contains("Exception"), o.output());

        try (MemoryScope s = MemoryScope.open();
                SafeTensors a = SafeTensors.open(tmp.resolve("single/adapters.safetensors"));
                SafeTensors b = SafeTensors.open(tmp.resolve("ddp/adapters.safetensors"))) {
            assertEquals(a.names(), b.names());
            for (String k : a.names()) {
                assertArrayEquals(a.get(k).toFloatArray(), b.get(k).toFloatArray(), k);
            }
        }
        assertEquals(Files.exists(tmp.resolve("single/run.json")), Files.exists(tmp.resolve("ddp/run.json")));
    }
}
