package radapter.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import radapter.cli.demo.Demo;

/**
 * {@code radapter demo}: the built-in demo (no downloads). Pre-trains a small CLIP on synthetic
 * shapes, fine-tunes it with R-Adapter and the baselines (full fine-tuning, WiSE-FT, LP-FT, a
 * linear probe), evaluates on in-distribution and shifted sets, sweeps α, merges, and writes a
 * report folder.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Run the built-in R-Adapter demo on synthetic data (no downloads) and write a report folder.")
final class DemoCommand implements Callable<Integer> {
    @Mixin
    Console console;

    @Mixin
    JsonOption json;

    @Option(names = "--quick", description = "A CI-sized run (about half a minute on 2 idle cores).")
    boolean quick;

    @Option(names = "--seed", defaultValue = "0", description = "Random seed.")
    long seed;

    @Option(names = "--out", paramLabel = "DIR", description = "Run folder (default: runs/demo or runs/demo-quick).")
    Path out;

    @Option(names = "--pretrain-steps", defaultValue = "0", description = "Override the pre-training step count.")
    int pretrainSteps;

    @Option(names = "--finetune-steps", defaultValue = "0", description = "Override the fine-tuning step count.")
    int finetuneSteps;

    @Override
    public Integer call() throws Exception {
        Path dir = out != null ? out : Path.of("runs", quick ? "demo-quick" : "demo");
        console.jsonOutput(json);
        console.info("radapter demo: %s run, seed %d, writing to %s", quick ? "quick" : "full", seed, dir);
        try (ConsoleProgress progress = console.progress()) {
            List<Demo.Scores> table = new Demo(Demo.Settings.of(quick, seed, dir).withSteps(pretrainSteps, finetuneSteps), progress).run();
            progress.close();
            console.result("");
            console.result("%s", java.nio.file.Files.readString(dir.resolve("report.md")));
            console.info("wrote %s (%d methods)", dir.toAbsolutePath(), table.size());
            console.json(radapter.tensor.io.Json.parse(java.nio.file.Files.readString(dir.resolve("results.json"))));
        }
        return 0;
    }
}
