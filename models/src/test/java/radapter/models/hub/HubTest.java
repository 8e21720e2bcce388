package radapter.models.hub;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import radapter.testing.FakeHub;

/** {@link Hub} and {@link Pretrained} against a local hub server: cache layout, resume, checksums, auth, offline. */
class HubTest {
    private static final String REPO = "openai/clip-tiny";

    @TempDir
    Path cacheDir;

    private FakeHub server;
    private byte[] weights;
    private byte[] config;

    @BeforeEach
    void start() throws IOException {
        weights = new byte[300_000];
        new Random(7).nextBytes(weights);
        config = "{\"vision_config\":{},\"text_config\":{}}".getBytes(StandardCharsets.UTF_8);
        Map<String, byte[]> files = new LinkedHashMap<>();
        files.put(".gitattributes", "*.safetensors filter=lfs".getBytes(StandardCharsets.UTF_8));
        files.put("config.json", config);
        files.put("model.safetensors", weights);
        files.put("pytorch_model.bin", new byte[2000]);
        files.put("vocab.json", "{}".getBytes(StandardCharsets.UTF_8));
        files.put("merges.txt", "#version: 0.2\n".getBytes(StandardCharsets.UTF_8));
        server = FakeHub.start().repo(REPO, files);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private Hub hub() {
        return new Hub(new HubSettings(server.endpoint(), cacheDir, null, false, Duration.ofSeconds(10)));
    }

    private List<String> fileGets() {
        return server.requests().stream().filter(r -> r.startsWith("GET /lfs/") || r.startsWith("GET /" + REPO)).toList();
    }

    @Test
    void downloadsIntoTheHuggingFaceCacheLayout() throws IOException {
        List<String> events = new ArrayList<>();
        Hub hub = hub().withListener(new DownloadListener() {
            @Override
            public void started(String file, long size, long resumedFrom) {
                events.add("start " + file + " " + size + " " + resumedFrom);
            }

            @Override
            public void finished(String file) {
                events.add("done " + file);
            }
        });
        Pretrained.Resolved r = Pretrained.resolve(REPO, null, hub);
        String commit = server.commit(REPO);
        Path repoDir = cacheDir.resolve("models--openai--clip-tiny");
        assertEquals(repoDir.resolve("snapshots").resolve(commit), r.snapshot());
        assertEquals(r.snapshot(), r.weights());
        assertEquals(r.snapshot().resolve("config.json"), r.config());
        assertEquals(r.snapshot(), r.vocabulary());
        assertEquals(commit, Files.readString(repoDir.resolve("refs/main")));
        Path blob = repoDir.resolve("blobs").resolve(FakeHub.sha256(weights));
        assertArrayEquals(weights, Files.readAllBytes(blob));
        assertTrue(Files.isSymbolicLink(r.snapshot().resolve("model.safetensors")));
        assertEquals(Path.of("../../blobs/" + FakeHub.sha256(weights)), Files.readSymbolicLink(r.snapshot().resolve("model.safetensors")));
        assertArrayEquals(config, Files.readAllBytes(r.snapshot().resolve("config.json")));
        assertTrue(Files.isRegularFile(repoDir.resolve("blobs").resolve(FakeHub.gitSha1(config))));
        assertFalse(Files.exists(r.snapshot().resolve("pytorch_model.bin")), "pickles are not fetched");
        assertTrue(events.contains("start model.safetensors 300000 0"), events::toString);
        assertTrue(events.contains("done model.safetensors"), events::toString);

        // A second resolve asks for the listing only: everything is in the snapshot.
        server.clearRequests();
        Pretrained.resolve(REPO, null, hub());
        assertEquals(List.of(), fileGets());
        // No token configured: none sent.
        assertTrue(server.requests().stream().noneMatch(x -> x.endsWith(" auth")));
    }

    @Test
    void resumesAfterADroppedConnection() throws IOException {
        server.dropConnectionOnce("model.safetensors", 100_000);
        Path p = hub().download(REPO, "main", "model.safetensors");
        assertArrayEquals(weights, Files.readAllBytes(p));
        List<String> gets = fileGets().stream().filter(g -> g.startsWith("GET /lfs/")).toList();
        assertEquals(2, gets.size(), gets::toString);
        assertFalse(gets.get(0).contains("Range"));
        assertTrue(gets.get(1).endsWith("Range: bytes=100000-"), gets::toString);
    }

    @Test
    void resumesAnIncompleteFileFromAnEarlierRun() throws IOException {
        Path blobs = cacheDir.resolve("models--openai--clip-tiny/blobs");
        Files.createDirectories(blobs);
        Files.write(blobs.resolve(FakeHub.sha256(weights) + ".incomplete"), java.util.Arrays.copyOf(weights, 123_456));
        Path p = hub().download(REPO, "main", "model.safetensors");
        assertArrayEquals(weights, Files.readAllBytes(p));
        assertTrue(fileGets().stream().anyMatch(g -> g.endsWith("Range: bytes=123456-")), fileGets()::toString);
        assertFalse(Files.exists(blobs.resolve(FakeHub.sha256(weights) + ".incomplete")));
    }

    @Test
    void aChecksumMismatchIsAnErrorAndLeavesNothingBehind() throws IOException {
        server.corrupt("model.safetensors");
        ChecksumMismatchException e = assertThrows(ChecksumMismatchException.class, () -> hub().download(REPO, "main", "model.safetensors"));
        assertTrue(e.getMessage().contains("openai/clip-tiny/model.safetensors: checksum mismatch (sha256 expected "
                + FakeHub.sha256(weights)), e.getMessage());
        try (var s = Files.walk(cacheDir)) {
            assertTrue(s.filter(f -> !f.toString().contains(".locks"))
                    .noneMatch(f -> f.getFileName().toString().startsWith(FakeHub.sha256(weights))), "no blob, no partial");
        }
        server.corrupt("config.json");
        e = assertThrows(ChecksumMismatchException.class, () -> hub().download(REPO, "main", "config.json"));
        assertTrue(e.getMessage().contains("git blob sha1 expected " + FakeHub.gitSha1(config)), e.getMessage());
    }

    @Test
    void aTokenIsSentToTheHubButNotToTheStorageHost() throws IOException {
        server.requireToken("hf_secret");
        HubException e = assertThrows(HubException.class, () -> Pretrained.resolve(REPO, null, hub()));
        assertTrue(e.getMessage().contains("401") && e.getMessage().contains("HF_TOKEN"), e.getMessage());
        assertFalse(e.getMessage().contains("\n"));

        HubException wrong = assertThrows(HubException.class,
                () -> new Hub(hub().settings().withToken("hf_wrong")).download(REPO, "main", "config.json"));
        assertTrue(wrong.getMessage().contains("refused the token"), wrong.getMessage());

        Pretrained.Resolved r = Pretrained.resolve(REPO, null, new Hub(hub().settings().withToken("hf_secret")));
        assertArrayEquals(weights, Files.readAllBytes(r.snapshot().resolve("model.safetensors")));
        assertTrue(server.requests().stream().filter(x -> x.startsWith("GET /lfs/")).noneMatch(x -> x.endsWith(" auth")),
                "the token stays with the hub");
        assertTrue(server.requests().stream().filter(x -> x.startsWith("HEAD /" + REPO)).allMatch(x -> x.endsWith(" auth")));
    }

    @Test
    void offlineUsesTheCacheOrSaysWhatIsMissing() throws IOException {
        Hub offline = new Hub(hub().settings().withOffline(true));
        HubException e = assertThrows(HubException.class, () -> Pretrained.resolve(REPO, null, offline));
        assertTrue(e.getMessage().startsWith("HF_HUB_OFFLINE is set and openai/clip-tiny@main is not in the cache"), e.getMessage());
        assertTrue(server.requests().isEmpty());

        Pretrained.Resolved online = Pretrained.resolve(REPO, null, hub());
        server.clearRequests();
        Pretrained.Resolved r = Pretrained.resolve(REPO, null, offline);
        assertEquals(online, r);
        assertTrue(server.requests().isEmpty(), server.requests()::toString);

        // An unreachable endpoint falls back to the cache too.
        Hub down = new Hub(hub().settings().withEndpoint(URI.create("http://127.0.0.1:1")));
        assertEquals(online, Pretrained.resolve(REPO, null, down));
        HubException none = assertThrows(HubException.class, () -> Pretrained.resolve("openai/other", null, down));
        assertTrue(none.getMessage().startsWith("cannot reach http://127.0.0.1:1"), none.getMessage());
    }

    @Test
    void openClipNamesResolveToTheirRepositories() throws IOException {
        byte[] ocWeights = new byte[5000];
        new Random(3).nextBytes(ocWeights);
        server.repo("timm/vit_base_patch16_clip_224.openai", Map.of(
                "open_clip_config.json", "{\"model_cfg\":{\"quick_gelu\":true}}".getBytes(StandardCharsets.UTF_8),
                "open_clip_model.safetensors", ocWeights,
                "model.safetensors", new byte[3000], // timm's vision-only weights: not for radapter
                "config.json", "{\"architecture\":\"vit_base_patch16_clip_224\"}".getBytes(StandardCharsets.UTF_8)));
        server.repo(Pretrained.CLIP_TOKENIZER_REPO, Map.of("vocab.json", "{\"a\":0}".getBytes(StandardCharsets.UTF_8),
                "merges.txt", "#version: 0.2\n".getBytes(StandardCharsets.UTF_8), "model.safetensors", new byte[4000]));
        Pretrained.Resolved r = Pretrained.resolve("ViT-B-16", "openai", hub());
        assertEquals(r.snapshot().resolve("open_clip_model.safetensors"), r.weights());
        assertEquals(r.snapshot().resolve("open_clip_config.json"), r.config());
        assertArrayEquals(ocWeights, Files.readAllBytes(r.weights()));
        assertFalse(Files.exists(r.snapshot().resolve("model.safetensors")));
        assertNull(r.vocabulary());
        Path vocab = Pretrained.vocabulary(r, hub());
        assertTrue(Files.isRegularFile(vocab.resolve("vocab.json")) && Files.isRegularFile(vocab.resolve("merges.txt")));
        assertFalse(Files.exists(vocab.resolve("model.safetensors")), "only the tokenizer of " + Pretrained.CLIP_TOKENIZER_REPO);

        IllegalArgumentException tag = assertThrows(IllegalArgumentException.class, () -> Pretrained.resolve("ViT-B-16", "laion5b", hub()));
        assertTrue(tag.getMessage().contains("known tags: openai, laion2b_s34b_b88k"), tag.getMessage());
        IllegalArgumentException noTag = assertThrows(IllegalArgumentException.class, () -> Pretrained.resolve("ViT-B-16", null, hub()));
        assertTrue(noTag.getMessage().contains("--pretrained openai|"), noTag.getMessage());
        assertEquals("timm/vit_base_patch16_clip_224.openai", OpenClipNames.require("ViT-B-16", "OpenAI"));
    }

    @Test
    void namesAndErrors() throws IOException {
        Path local = Files.createDirectory(cacheDir.resolve("local"));
        assertEquals(local, Pretrained.resolve(local.toString(), null, hub()).weights());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Pretrained.resolve("no-such-thing", null, hub()));
        assertTrue(e.getMessage().startsWith("no-such-thing: no such file or folder"), e.getMessage());
        HubException missing = assertThrows(HubException.class, () -> Pretrained.resolve("openai/missing", null, hub()));
        assertTrue(missing.getMessage().contains("openai/missing: not found"), missing.getMessage());
        HubException noFile = assertThrows(HubException.class, () -> hub().download(REPO, "main", "nope.json"));
        assertTrue(noFile.getMessage().contains("no such file in the repository (404)"), noFile.getMessage());
        HubException rev = assertThrows(HubException.class, () -> hub().download(REPO, "v9", "config.json"));
        assertTrue(rev.getMessage().contains("@v9: no such revision"), rev.getMessage());
        server.repo("org/pickles", Map.of("pytorch_model.bin", new byte[10], "config.json", new byte[2]));
        IllegalArgumentException pick = assertThrows(IllegalArgumentException.class, () -> Pretrained.resolve("org/pickles", null, hub()));
        assertTrue(pick.getMessage().contains("does not read PyTorch pickles"), pick.getMessage());
        // A pinned commit and hf-hub: spelling.
        Pretrained.Resolved pinned = Pretrained.resolve("hf-hub:" + REPO + "@" + server.commit(REPO), null, hub());
        assertEquals(server.commit(REPO), pinned.snapshot().getFileName().toString());
    }

    @Test
    void settingsFollowHuggingFaceHub() throws IOException {
        Path home = cacheDir.resolve("home");
        HubSettings d = HubSettings.fromEnvironment(Map.of(), home);
        assertEquals(HubSettings.DEFAULT_ENDPOINT, d.endpoint());
        assertEquals(home.resolve(".cache/huggingface/hub"), d.cacheDir());
        assertNull(d.token());
        assertFalse(d.offline());
        HubSettings s = HubSettings.fromEnvironment(Map.of("HF_HOME", "/x/hf", "HF_ENDPOINT", "https://mirror.example/", "HF_HUB_OFFLINE", "yes",
                "HF_TOKEN", "hf_abc"), home);
        assertEquals(URI.create("https://mirror.example"), s.endpoint());
        assertEquals(Path.of("/x/hf/hub"), s.cacheDir());
        assertEquals("hf_abc", s.token());
        assertTrue(s.offline());
        assertFalse(s.toString().contains("hf_abc"), "the token is never printed");
        assertEquals(Path.of("/c"), HubSettings.fromEnvironment(Map.of("HF_HOME", "/x", "HF_HUB_CACHE", "/c"), home).cacheDir());
        assertEquals(Path.of("/xdg/huggingface/hub"), HubSettings.fromEnvironment(Map.of("XDG_CACHE_HOME", "/xdg"), home).cacheDir());
        Path hfHome = Files.createDirectories(cacheDir.resolve("hfhome"));
        Files.writeString(hfHome.resolve("token"), "hf_saved\n");
        assertEquals("hf_saved", HubSettings.fromEnvironment(Map.of("HF_HOME", hfHome.toString()), home).token());
    }
}
