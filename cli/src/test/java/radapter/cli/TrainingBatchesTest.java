package radapter.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import radapter.adapters.train.BatchShard;
import radapter.adapters.train.TrainBatch;
import radapter.data.dataset.Dataset;
import radapter.data.dataset.PromptTemplates;
import radapter.data.synthetic.Split;
import radapter.data.synthetic.SyntheticShapes;
import radapter.data.transforms.ClipPreprocess;
import radapter.models.tokenizer.ClipTokenizer;
import radapter.tensor.MemoryScope;
import radapter.tensor.Tensor;

/**
 * The shards of a data-parallel run are exactly the rows of the single-process batch: the same
 * pixels (augmented), the same prompts, the same labels, whatever the process count.
 */
class TrainingBatchesTest {
    @TempDir
    static Path tmp;

    static SyntheticShapes shapes;
    static Dataset data;
    static ClipTokenizer tok;

    @BeforeAll
    static void write() throws Exception {
        shapes = SyntheticShapes.builder().seed(4).imageSize(32).sizeAll(24).build();
        shapes.writeTo(tmp.resolve("shapes"), Split.TRAIN);
        data = ClassificationData.openLabelled(tmp.resolve("shapes/train.csv"));
        tok = ClipTokenizer.fromDefaultBpe();
    }

    /** Random crops and random prompt templates, so every pair's randomness shows. */
    static TrainingBatches batches(Dataset ds, boolean retrieval) {
        return new TrainingBatches(ds, tok, ClipPreprocess.train(32, 0.5), PromptTemplates.simple(), shapes.classNames(), retrieval, 7, 12,
                tmp.resolve("shapes/train.csv"));
    }

    @Test
    void theShardsOfEveryProcessCountMakeUpTheBatch() {
        for (boolean retrieval : new boolean[] {false, true}) {
            TrainingBatches source = batches(data, retrieval);
            for (long step = 0; step < 3; step++) {
                try (MemoryScope s = MemoryScope.open()) {
                    TrainBatch whole = source.batch(step);
                    for (int ranks : new int[] {1, 2, 3, 4, 6}) {
                        int n = 12 / ranks;
                        for (int rank = 0; rank < ranks; rank++) {
                            BatchShard shard = source.shard(step, rank, ranks);
                            String where = "step " + step + ", rank " + rank + " of " + ranks + (retrieval ? ", retrieval" : "");
                            assertEquals(rank * n, shard.first(), where);
                            assertArrayEquals(whole.labels(), shard.labels(), where);
                            TrainBatch expected = whole.slice(rank * n, n);
                            assertArrayEquals(expected.images().contiguous().toFloatArray(), shard.rows().images().contiguous().toFloatArray(), where);
                            assertArrayEquals(expected.tokenIds().contiguous().toLongArray(), shard.rows().tokenIds().contiguous().toLongArray(), where);
                            assertArrayEquals(expected.labels(), shard.rows().labels(), where);
                        }
                    }
                }
            }
        }
    }

    @Test
    void everyPairGetsItsOwnRandomnessAndTheSameStepTheSameBatch() {
        TrainingBatches source = batches(data, false);
        try (MemoryScope s = MemoryScope.open()) {
            Tensor a = source.batch(1).images();
            Tensor b = source.batch(1).images();
            assertArrayEquals(a.toFloatArray(), b.toFloatArray());
            // Step 0 and step 2 of this 2-step epoch show other pairs, or the same pairs cropped anew.
            assertFalse(Arrays.equals(source.batch(0).images().toFloatArray(), source.batch(2).images().toFloatArray()));
        }
    }

    @Test
    void aShardWithAnUnreadableImageNamesItWhileTheSingleProcessBatchSkipsIt() throws Exception {
        Dataset ds = ClassificationData.openLabelled(tmp.resolve("shapes/train.csv"));
        TrainingBatches source = batches(ds, false);
        int[] idx = source.indices(0);
        Path victim = ds.get(idx[1]).path();
        byte[] saved = Files.readAllBytes(victim);
        try {
            Files.write(victim, new byte[] {1, 2, 3, 4});
            try (MemoryScope s = MemoryScope.open()) {
                assertEquals(11, source.batch(0).size());
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> source.shard(0, 0, 2));
                assertTrue(e.getMessage().contains(victim.getFileName().toString()) && e.getMessage().contains("data-parallel"), e.getMessage());
                assertEquals(6, source.shard(0, 1, 2).rows().size(), "the other process's rows are readable");
            }
        } finally {
            Files.write(victim, saved);
        }
    }

    @Test
    void aBatchThatDoesNotSplitOverTheProcessesIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> batches(data, false).shard(0, 0, 5));
        assertTrue(e.getMessage().contains("12") && e.getMessage().contains("5 processes"), e.getMessage());
    }
}
