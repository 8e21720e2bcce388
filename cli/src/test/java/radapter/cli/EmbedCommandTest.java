package radapter.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import radapter.data.synthetic.Split;
import radapter.data.synthetic.SyntheticShapes;
import radapter.tensor.io.SafeTensors;
import radapter.testing.Shared;

/** {@code embed} at dataset scale: streamed in batches (same features at any batch size), rows named beside the features. */
class EmbedCommandTest {
    @TempDir
    Path tmp;

    @Test
    void imagesStreamInBatchesAndEachRowIsNamed() throws Exception {
        Path data = tmp.resolve("shapes");
        SyntheticShapes.builder().seed(4).imageSize(32).sizeAll(5).build().writeTo(data, Split.TEST);
        String model = Shared.fixtures("tiny_clip/model_openai.safetensors").toString();
        Path small = tmp.resolve("small.safetensors");
        Path big = tmp.resolve("big.safetensors");
        CommandsTest.run("embed", "--model", model, "--images", data.resolve("test").toString(), "--batch-size", "2", "--out", small.toString());
        CommandsTest.run("embed", "--model", model, "--images", data.resolve("test").toString(), "--batch-size", "64", "--out", big.toString());
        List<Path> files;
        try (Stream<Path> s = Files.walk(data.resolve("test"))) {
            files = s.filter(p -> p.toString().endsWith(".png")).sorted().toList();
        }
        try (SafeTensors a = SafeTensors.open(small); SafeTensors b = SafeTensors.open(big)) {
            assertEquals(files.size(), a.get("image_features").size(0));
            assertArrayEquals(b.get("image_features").toFloatArray(), a.get("image_features").toFloatArray(), 1e-5f);
        }
        List<String> rows = Files.readAllLines(tmp.resolve("small.images.csv"));
        assertEquals("row,filepath,label", rows.get(0));
        assertEquals(files.size() + 1, rows.size());
        for (int i = 0; i < files.size(); i++) {
            assertEquals(i + "," + data.resolve("test").relativize(files.get(i)) + ",", rows.get(i + 1));
        }
    }

    @Test
    void aCsvGivesLabelsAndTextsKeepTheirLines() throws Exception {
        Path data = tmp.resolve("shapes");
        SyntheticShapes.builder().seed(4).imageSize(32).sizeAll(5).build().writeTo(data, Split.TEST);
        String model = Shared.fixtures("tiny_clip/model_openai.safetensors").toString();
        Path texts = tmp.resolve("captions.txt");
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 1000; i++) {
            sb.append("a photo of shape number ").append(i).append(", with a comma\n");
        }
        Files.writeString(texts, sb);
        Path out = tmp.resolve("f.safetensors");
        CommandsTest.run("embed", "--model", model, "--vocab", Shared.path("clip/bpe_simple_vocab_16e6.txt.gz").toString(), "--images",
                data.resolve("test.csv").toString(), "--texts", texts.toString(), "--batch-size", "256", "--out", out.toString());
        try (SafeTensors st = SafeTensors.open(out)) {
            long n = st.get("image_features").size(0);
            assertEquals(n, st.get("image_labels").size(0));
            assertEquals(1000, st.get("text_features").size(0));
        }
        List<String> rows = Files.readAllLines(tmp.resolve("f.texts.csv"));
        assertEquals("row,line,text", rows.get(0));
        assertEquals("999,1000,\"a photo of shape number 999, with a comma\"", rows.get(1000));
        assertTrue(Files.readAllLines(tmp.resolve("f.images.csv")).get(1).matches("0,[^,]+,\\d+"));
    }
}
