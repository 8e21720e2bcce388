package radapter.cli;

import java.io.IOException;
import java.nio.file.Path;
import picocli.CommandLine.Option;
import radapter.models.clip.ClipLoader;
import radapter.models.clip.LoadedClip;
import radapter.models.hub.Pretrained;
import radapter.models.tokenizer.ClipTokenizer;
import radapter.tensor.Backends;
import radapter.tensor.Device;

/** The options every model-using command shares. */
final class ModelOptions {
    @Option(names = "--model", required = true, paramLabel = "MODEL",
            description = "A .safetensors file, a Hugging Face folder, a hub id (openai/clip-vit-base-patch16, found in or fetched into "
                    + "the Hugging Face cache) or an open_clip name with --pretrained.")
    Path model;

    @Option(names = "--pretrained", paramLabel = "TAG",
            description = "open_clip pretrained tag for an open_clip --model name (e.g. --model ViT-B-16 --pretrained openai).")
    String pretrained;

    /** What {@code --model} named, once resolved (a hub model is fetched on first use). */
    private Pretrained.Resolved resolved;

    @Option(names = "--config", paramLabel = "FILE", description = "HF config.json or open_clip model config (default: found beside the weights).")
    Path config;

    @Option(names = "--vocab", paramLabel = "FILE", description = "CLIP vocabulary (bpe_simple_vocab_16e6.txt.gz or an HF folder; default: beside the model, else CLIP's built-in one).")
    Path vocab;

    @Option(names = "--device", defaultValue = "cpu", paramLabel = "DEVICE",
            description = "Where the model runs: cpu (default), opencl[:N] or cuda[:N]; weights are uploaded once.")
    String device;

    /** The requested device, checked against the backends that can run here. */
    Device device() {
        return checkedDevice(device);
    }

    /** Parses a {@code --device} value and checks a backend can run there (else one clear error). */
    static Device checkedDevice(String text) {
        Device d = Device.parse(text);
        if (!d.equals(Device.CPU)) {
            Backends.forDevice(d); // fails with the list of what is available
        }
        return d;
    }

    /** {@code --model} (and {@code --pretrained}) as files: local as given, or from the hub cache. */
    Pretrained.Resolved resolved() throws IOException {
        if (resolved == null) {
            resolved = Pretrained.resolve(model.toString(), pretrained, HubDownloads.hub());
        }
        return resolved;
    }

    /** Loads the model and moves it to {@code --device}. */
    LoadedClip load() throws IOException {
        Device d = device();
        Pretrained.Resolved r = resolved();
        LoadedClip m = ClipLoader.load(r.weights(), config != null ? config : r.config());
        m.clip().to(d);
        return m;
    }

    /** The tokenizer: {@code --vocab}, else the model's own (from the hub when the model came from there), else CLIP's built-in one. */
    ClipTokenizer tokenizer(LoadedClip m) {
        Path v = vocab;
        try {
            if (v == null) {
                v = Pretrained.vocabulary(resolved(), HubDownloads.hub());
            }
            return Vocab.forModel(resolved().weights(), v, m.config());
        } catch (IOException e) {
            // Callers sit in lambdas; the message is the one line the user sees either way.
            throw new IllegalStateException(e.getMessage(), e);
        }
    }
}
