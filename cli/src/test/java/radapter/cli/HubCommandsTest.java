package radapter.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import radapter.data.synthetic.Split;
import radapter.data.synthetic.SyntheticShapes;
import radapter.models.hub.HubSettings;
import radapter.models.hub.Pretrained;
import radapter.testing.FakeHub;
import radapter.testing.Shared;

/**
 * {@code --model NAME} and {@code radapter download} against a local hub serving the tiny
 * fixture CLIP under a real model's name (the HF_* settings given as JVM properties).
 */
class HubCommandsTest {
    private static final String HF_ID = "openai/clip-vit-base-patch16";
    private static final String OPEN_CLIP_REPO = "timm/vit_base_patch16_clip_224.openai";

    @TempDir
    Path tmp;

    private FakeHub hub;

    @BeforeEach
    void serve() throws IOException {
        Map<String, byte[]> hf = new LinkedHashMap<>();
        hf.put("config.json", Files.readAllBytes(Shared.fixtures("tiny_clip/hf_config.json")));
        hf.put("model.safetensors", Files.readAllBytes(Shared.fixtures("tiny_clip/model_hf.safetensors")));
        hf.put("pytorch_model.bin", new byte[64]);
        Map<String, byte[]> oc = new LinkedHashMap<>();
        oc.put("open_clip_config.json", Files.readAllBytes(Shared.fixtures("tiny_clip/open_clip_config.json")));
        oc.put("open_clip_model.safetensors", Files.readAllBytes(Shared.fixtures("tiny_clip/model_openai.safetensors")));
        // The tokenizer repository open_clip models and tokenizer-less repositories borrow from.
        Map<String, byte[]> tok = Map.of("vocab.json", "{}".getBytes(), "merges.txt", "#version: 0.2\n".getBytes());
        hub = FakeHub.start().repo(HF_ID, hf).repo(OPEN_CLIP_REPO, oc).repo(Pretrained.CLIP_TOKENIZER_REPO, tok);
        System.setProperty("HF_ENDPOINT", hub.endpoint().toString());
        System.setProperty("HF_HUB_CACHE", tmp.resolve("hf-cache").toString());
        System.setProperty("HF_HOME", tmp.resolve("hf-home").toString()); // no token file of the real user
        System.setProperty("HF_TOKEN", "");
        System.setProperty("HF_HUB_OFFLINE", "0");
    }

    @AfterEach
    void stop() {
        for (String v : HubSettings.VARIABLES) {
            System.clearProperty(v);
        }
        hub.close();
    }

    private record Result(int code, String out, String err) {
    }

    private static Result exec(String... args) {
        PrintStream out = System.out;
        PrintStream err = System.err;
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        System.setOut(new PrintStream(o));
        System.setErr(new PrintStream(e));
        try {
            int code = Main.execute(args);
            return new Result(code, o.toString(), e.toString());
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
    }

    @Test
    void downloadThenUseByNameOnlineAndOffline() throws IOException {
        Result d = exec("download", HF_ID);
        assertEquals(0, d.code(), d.err());
        Path snapshot = tmp.resolve("hf-cache/models--openai--clip-vit-base-patch16/snapshots").resolve(hub.commit(HF_ID));
        assertTrue(d.out().contains(HF_ID + " is in " + snapshot), d.out());
        assertTrue(d.out().contains("model.safetensors") && !d.out().contains("pytorch_model.bin"), d.out());
        assertTrue(Files.isRegularFile(snapshot.resolve("model.safetensors")));

        Path data = tmp.resolve("shapes");
        SyntheticShapes.builder().seed(1).imageSize(32).sizeAll(12).build().writeTo(data, Split.TEST);
        String vocab = Shared.path("clip/bpe_simple_vocab_16e6.txt.gz").toString();
        String[] zeroshot = {"zeroshot", "--model", HF_ID, "--vocab", vocab, "--classes", data.resolve("classnames.txt").toString(),
                "--templates", "simple", "--data", data.resolve("test.csv").toString()};
        hub.clearRequests();
        Result online = exec(zeroshot);
        assertEquals(0, online.code(), online.err());
        assertTrue(online.out().contains("top-1"), online.out());
        assertTrue(hub.requests().stream().noneMatch(r -> r.startsWith("GET /lfs/")), "cached: no file fetched again");

        System.setProperty("HF_HUB_OFFLINE", "1");
        hub.clearRequests();
        Result offline = exec(zeroshot);
        assertEquals(0, offline.code(), offline.err());
        assertEquals(online.out(), offline.out());
        assertEquals(List.of(), hub.requests());

        Result missing = exec("download", "openai/clip-vit-large-patch14");
        assertEquals(2, missing.code());
        assertTrue(missing.err().strip().startsWith("radapter: HF_HUB_OFFLINE is set and openai/clip-vit-large-patch14@main is not in the cache"),
                missing.err());
        assertEquals(1, missing.err().strip().lines().count(), missing.err());
    }

    @Test
    void openClipNamesAndAuthErrors() throws IOException {
        Path data = tmp.resolve("shapes");
        SyntheticShapes.builder().seed(2).imageSize(32).sizeAll(12).build().writeTo(data, Split.TEST);
        String vocab = Shared.path("clip/bpe_simple_vocab_16e6.txt.gz").toString();
        Result zs = exec("zeroshot", "--model", "ViT-B-16", "--pretrained", "openai", "--vocab", vocab, "--classes",
                data.resolve("classnames.txt").toString(), "--templates", "simple", "--data", data.resolve("test.csv").toString());
        assertEquals(0, zs.code(), zs.err());
        assertTrue(zs.out().contains("top-1"), zs.out());
        assertTrue(Files.isRegularFile(tmp.resolve("hf-cache/models--timm--vit_base_patch16_clip_224.openai/snapshots")
                .resolve(hub.commit(OPEN_CLIP_REPO)).resolve("open_clip_model.safetensors")));

        Result info = exec("info", "ViT-B-16", "--pretrained", "openai");
        assertEquals(0, info.code(), info.err());
        assertTrue(info.out().contains("open_clip_model.safetensors") || info.out().contains("OPENAI"), info.out());

        Result noTag = exec("download", "ViT-B-16");
        assertEquals(2, noTag.code());
        assertTrue(noTag.err().contains("ViT-B-16 is an open_clip architecture: say which weights with --pretrained openai|"), noTag.err());

        hub.requireToken("hf_secret");
        Result denied = exec("download", HF_ID);
        assertEquals(2, denied.code());
        assertEquals(1, denied.err().strip().lines().count(), denied.err());
        assertTrue(denied.err().contains("401") && denied.err().contains("HF_TOKEN"), denied.err());
        System.setProperty("HF_TOKEN", "hf_secret");
        Result allowed = exec("download", HF_ID);
        assertEquals(0, allowed.code(), allowed.err());
    }
}
