package radapter.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import radapter.models.hub.Hub;
import radapter.models.hub.Pretrained;

/**
 * {@code radapter download NAME}: fetch a pretrained model into the Hugging Face cache without
 * running anything, so later commands (or an offline machine sharing the cache) find it.
 */
@Command(name = "download", mixinStandardHelpOptions = true,
        description = {"Fetch a pretrained CLIP into the Hugging Face cache (HF_HUB_CACHE, default ~/.cache/huggingface/hub).",
                "NAME is a hub id (openai/clip-vit-base-patch16, optionally @REVISION) or an open_clip name with --pretrained.",
                "Honours HF_ENDPOINT, HF_TOKEN and HF_HUB_OFFLINE; an interrupted download resumes."})
final class DownloadCommand implements Callable<Integer> {
    @Mixin
    Console console;

    @Mixin
    JsonOption json;

    @Parameters(index = "0", paramLabel = "NAME", description = "Hub id (org/name[@revision]) or open_clip model name.")
    String name;

    @Option(names = "--pretrained", paramLabel = "TAG", description = "open_clip pretrained tag (e.g. openai, laion2b_s34b_b88k).")
    String pretrained;

    @Override
    public Integer call() throws Exception {
        console.jsonOutput(json);
        if (pretrained == null && Files.exists(Path.of(name))) {
            throw new IllegalArgumentException(name + " is a local path; download takes a hub id (org/name) or an open_clip name");
        }
        Hub hub = HubDownloads.hub();
        Pretrained.Resolved r = Pretrained.resolve(name, pretrained, hub);
        Path vocab = Pretrained.vocabulary(r, hub);
        console.result("%s is in %s", r.name(), r.snapshot());
        java.util.Map<String, Object> j = new java.util.LinkedHashMap<>();
        j.put("name", r.name());
        j.put("snapshot", r.snapshot().toString());
        java.util.Map<String, Object> sizes = new java.util.LinkedHashMap<>();
        try (Stream<Path> files = Files.list(r.snapshot())) {
            for (Path f : files.sorted().toList()) {
                console.result("  %-32s %,14d bytes", f.getFileName(), Files.size(f));
                sizes.put(f.getFileName().toString(), Files.size(f));
            }
        }
        j.put("files", sizes);
        if (vocab != null && !vocab.equals(r.snapshot())) {
            console.result("  tokenizer (vocab.json, merges.txt) from %s: %s", Pretrained.CLIP_TOKENIZER_REPO, vocab);
            j.put("tokenizer", vocab.toString());
        }
        console.info("use it with: --model %s%s", name, pretrained != null ? " --pretrained " + pretrained : "");
        console.json(j);
        return 0;
    }
}
