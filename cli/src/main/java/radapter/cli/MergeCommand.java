package radapter.cli;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import radapter.adapters.AdaptedClip;
import radapter.models.clip.CheckpointLayout;
import radapter.models.clip.LoadedClip;
import radapter.models.tokenizer.ClipTokenizer;
import radapter.tensor.MemoryScope;

/** {@code radapter merge}: fold trained adapters into the base weights at α and export a plain CLIP. */
@Command(name = "merge", mixinStandardHelpOptions = true, description = "Merge R-Adapters into a CLIP checkpoint at scale alpha.")
final class MergeCommand implements Callable<Integer> {
    @Mixin
    ModelOptions model;

    @Mixin
    Console console;

    @Mixin
    JsonOption json;

    @Spec
    CommandSpec spec;

    @Option(names = "--adapters", required = true, paramLabel = "DIR", description = "A finetune output folder (adapter_config.json, adapters.safetensors).")
    Path adapters;

    @Option(names = "--alpha", paramLabel = "A", description = "Merge scale α (default: the eval scale the adapters were trained with).")
    Double alpha;

    @Option(names = "--layout", description = "OPENAI or HUGGING_FACE (default: the base checkpoint's layout).")
    CheckpointLayout layout;

    @Option(names = "--out", required = true, paramLabel = "DIR|FILE.safetensors", description = "A folder that Hugging Face, open_clip and "
            + "radapter load as it is (model.safetensors, open_clip_model.safetensors, config.json, open_clip_config.json, tokenizer files, run.json), "
            + "or one .safetensors file in --layout.")
    Path out;

    @Option(names = "--open-clip", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "In a folder, also write open_clip_model.safetensors for open_clip's local-dir: (default: on).")
    boolean openClip;

    @Override
    public Integer call() throws Exception {
        console.jsonOutput(json);
        if (alpha != null) {
            OptionChecks.between("--alpha", alpha, 0, 10);
        }
        if (out.getFileName().toString().endsWith(".safetensors")) {
            radapter.tensor.io.AtomicFiles.checkReplaceable(out); // a folder --out gets its files written one by one
        }
        try (MemoryScope scope = MemoryScope.open(); LoadedClip m = model.load()) {
            AdaptedClip a = AdapterFiles.load(adapters, m.clip());
            double al = alpha != null ? alpha : a.evalScale();
            a.merge(al);
            boolean folder = !out.getFileName().toString().endsWith(".safetensors");
            Path base = folder ? out : out.toAbsolutePath().getParent();
            Map<String, String> meta = Map.of("radapter.adapters", RunRecord.relative(base, adapters), "radapter.source", RunRecord.relative(base, model.model));
            if (folder) {
                if (layout != null) {
                    throw new IllegalArgumentException("--layout applies to a single .safetensors --out; a folder holds both layouts");
                }
                ClipTokenizer tok = Vocab.forModelOrNull(model.model, model.vocab, m.config());
                if (tok == null) {
                    console.warn("no vocabulary beside %s and it is not CLIP's: the folder gets no tokenizer files (give --vocab)", model.model);
                }
                a.exportPretrained(out, tok, openClip, meta);
                RunRecord record = new RunRecord(spec, out);
                record.put("alpha", al).put("data", Map.of("adapters", adapters));
                record.write();
                console.info("merged %d adapters at α = %.3f into %s (model.safetensors%s, configs, run.json)", a.sites().size(), al, out,
                        openClip ? ", open_clip_model.safetensors" : "");
            } else {
                a.exportMerged(out, layout != null ? layout : m.layout(), meta);
                console.info("merged %d adapters at α = %.3f into %s (%s layout)", a.sites().size(), al, out, layout != null ? layout : m.layout());
            }
            Map<String, Object> j = new java.util.LinkedHashMap<>();
            j.put("alpha", al);
            j.put("adapters", (long) a.sites().size());
            j.put("out", out.toString());
            console.json(j);
        }
        return 0;
    }
}
