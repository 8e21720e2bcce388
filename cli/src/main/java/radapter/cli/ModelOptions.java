package radapter.cli;

import java.io.IOException;
import java.nio.file.Path;
import picocli.CommandLine.Option;
import radapter.models.clip.ClipLoader;
import radapter.models.clip.LoadedClip;
import radapter.models.tokenizer.ClipTokenizer;
import radapter.tensor.Backends;
import radapter.tensor.Device;

/** The options every model-using command shares. */
final class ModelOptions {
    @Option(names = "--model", required = true, paramLabel = "MODEL", description = "A .safetensors file or a Hugging Face folder.")
    Path model;

    @Option(names = "--config", paramLabel = "FILE", description = "HF config.json or open_clip model config (default: found beside the weights).")
    Path config;

    @Option(names = "--vocab", paramLabel = "FILE", description = "CLIP vocabulary (bpe_simple_vocab_16e6.txt.gz or an HF folder; default: beside the model).")
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

    /** Loads the model and moves it to {@code --device}. */
    LoadedClip load() throws IOException {
        Device d = device();
        LoadedClip m = ClipLoader.load(model, config);
        m.clip().to(d);
        return m;
    }

    ClipTokenizer tokenizer(LoadedClip m) {
        return Vocab.forModel(model, vocab).withContextLength(m.config().text().contextLength());
    }
}
