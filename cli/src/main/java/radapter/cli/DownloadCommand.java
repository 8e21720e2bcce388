package radapter.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
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
    @Parameters(index = "0", paramLabel = "NAME", description = "Hub id (org/name[@revision]) or open_clip model name.")
    String name;

    @Option(names = "--pretrained", paramLabel = "TAG", description = "open_clip pretrained tag (e.g. openai, laion2b_s34b_b88k).")
    String pretrained;

    @Override
    public Integer call() throws Exception {
        if (pretrained == null && Files.exists(Path.of(name))) {
            throw new IllegalArgumentException(name + " is a local path; download takes a hub id (org/name) or an open_clip name");
        }
        Hub hub = HubDownloads.hub();
        Pretrained.Resolved r = Pretrained.resolve(name, pretrained, hub);
        Path vocab = Pretrained.vocabulary(r, hub);
        System.out.println(r.name() + " is in " + r.snapshot());
        try (Stream<Path> files = Files.list(r.snapshot())) {
            for (Path f : files.sorted().toList()) {
                System.out.printf("  %-32s %,14d bytes%n", f.getFileName(), Files.size(f));
            }
        }
        if (vocab != null && !vocab.equals(r.snapshot())) {
            System.out.println("  tokenizer (vocab.json, merges.txt) from " + Pretrained.CLIP_TOKENIZER_REPO + ": " + vocab);
        }
        System.out.println("use it with: --model " + name + (pretrained != null ? " --pretrained " + pretrained : ""));
        return 0;
    }
}
