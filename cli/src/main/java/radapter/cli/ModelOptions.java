package radapter.cli;

import java.io.IOException;
import java.nio.file.Path;
import picocli.CommandLine.Option;
import radapter.models.clip.ClipLoader;
import radapter.models.clip.LoadedClip;
import radapter.models.tokenizer.ClipTokenizer;

/** The options every model-using command shares. */
final class ModelOptions {
    @Option(names = "--model", required = true, paramLabel = "MODEL", description = "A .safetensors file or a Hugging Face folder.")
    Path model;

    @Option(names = "--config", paramLabel = "FILE", description = "HF config.json or open_clip model config (default: found beside the weights).")
    Path config;

    @Option(names = "--vocab", paramLabel = "FILE", description = "CLIP vocabulary (bpe_simple_vocab_16e6.txt.gz or an HF folder; default: beside the model).")
    Path vocab;

    LoadedClip load() throws IOException {
        return ClipLoader.load(model, config);
    }

    ClipTokenizer tokenizer(LoadedClip m) {
        return Vocab.forModel(model, vocab).withContextLength(m.config().text().contextLength());
    }
}
