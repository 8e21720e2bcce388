package radapter.cli;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import radapter.adapters.AdaptedClip;
import radapter.models.clip.CheckpointLayout;
import radapter.models.clip.LoadedClip;
import radapter.tensor.MemoryScope;

/** {@code radapter merge}: fold trained adapters into the base weights at α and export a plain CLIP. */
@Command(name = "merge", mixinStandardHelpOptions = true, description = "Merge R-Adapters into a CLIP checkpoint at scale alpha.")
final class MergeCommand implements Callable<Integer> {
    @Mixin
    ModelOptions model;

    @Option(names = "--adapters", required = true, paramLabel = "DIR", description = "A finetune output folder (adapter_config.json, adapters.safetensors).")
    Path adapters;

    @Option(names = "--alpha", paramLabel = "A", description = "Merge scale α (default: the eval scale the adapters were trained with).")
    Double alpha;

    @Option(names = "--layout", description = "OPENAI or HUGGING_FACE (default: the base checkpoint's layout).")
    CheckpointLayout layout;

    @Option(names = "--out", required = true, paramLabel = "FILE")
    Path out;

    @Override
    public Integer call() throws Exception {
        if (alpha != null) {
            OptionChecks.between("--alpha", alpha, 0, 10);
        }
        radapter.tensor.io.AtomicFiles.checkReplaceable(out);
        try (MemoryScope scope = MemoryScope.open(); LoadedClip m = model.load()) {
            AdaptedClip a = AdapterFiles.load(adapters, m.clip());
            double al = alpha != null ? alpha : a.evalScale();
            a.merge(al);
            a.exportMerged(out, layout != null ? layout : m.layout(), Map.of("radapter.adapters", adapters.toString()));
            System.out.printf("merged %d adapters at α = %.3f into %s (%s layout)%n", a.sites().size(), al, out, layout != null ? layout : m.layout());
        }
        return 0;
    }
}
