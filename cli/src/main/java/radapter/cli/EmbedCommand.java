package radapter.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import radapter.models.clip.Clip;
import radapter.models.clip.ClipLoader;
import radapter.models.clip.LoadedClip;
import radapter.tensor.Device;
import radapter.tensor.MemoryScope;
import radapter.tensor.Tensor;
import radapter.tensor.io.SafeTensors;

/**
 * {@code radapter embed}: image and/or text features of a CLIP checkpoint written to safetensors
 * ({@code image_features}, {@code text_features}; F32, after projection, unnormalised unless
 * {@code --normalize}).
 */
@Command(name = "embed", mixinStandardHelpOptions = true, description = "Write CLIP image and/or text features to a .safetensors file.")
final class EmbedCommand implements Callable<Integer> {
    @Mixin
    Console console;

    @Mixin
    JsonOption json;

    @Option(names = "--model", required = true, paramLabel = "MODEL", description = "A .safetensors file or a Hugging Face folder.")
    Path model;

    @Option(names = "--config", paramLabel = "FILE", description = "HF config.json or open_clip model config.")
    Path config;

    @Option(names = "--vocab", paramLabel = "FILE", description = "CLIP vocabulary for --texts (default: beside the model).")
    Path vocab;

    @Option(names = "--device", defaultValue = "cpu", paramLabel = "DEVICE", description = "cpu (default), opencl[:N] or cuda[:N].")
    String device;

    @ArgGroup(exclusive = true)
    ImageInput images;

    static final class ImageInput {
        @Option(names = "--pixels", paramLabel = "FILE[:NAME]", description = "Preprocessed [N,3,H,W] F32 pixels in a .safetensors file.")
        String pixels;

        @Option(names = "--images", paramLabel = "DIR|CSV", description = "Image files to preprocess and encode.")
        Path images;
    }

    @ArgGroup(exclusive = true)
    TextInput texts;

    static final class TextInput {
        @Option(names = "--texts", paramLabel = "FILE", description = "One text per line.")
        Path texts;

        @Option(names = "--tokens", paramLabel = "FILE[:NAME]", description = "[N,L] I32/I64 token ids in a .safetensors file.")
        String tokens;
    }

    @Option(names = "--normalize", description = "Write L2-normalised features.")
    boolean normalize;

    @Option(names = "--out", required = true, paramLabel = "OUT", description = "Output .safetensors file (written atomically).")
    Path out;

    @Override
    public Integer call() throws Exception {
        console.jsonOutput(json);
        if (images == null && texts == null) {
            throw new IllegalArgumentException("nothing to embed: give --pixels/--images and/or --texts/--tokens");
        }
        Device d = ModelOptions.checkedDevice(device);
        try (MemoryScope scope = MemoryScope.open(); LoadedClip m = ClipLoader.load(model, config)) {
            Clip clip = m.clip();
            clip.to(d);
            Map<String, Tensor> result = new LinkedHashMap<>();
            if (images != null) {
                Tensor px = images.pixels != null ? readTensor(images.pixels, "pixel_values") : ImageInputs.load(images.images, clip);
                Tensor f = clip.encodeImage(px.contiguous());
                result.put("image_features", normalize ? Clip.normalize(f) : f);
            }
            if (texts != null) {
                Tensor ids;
                if (texts.tokens != null) {
                    ids = readTensor(texts.tokens, "token_ids");
                } else {
                    List<String> lines = Files.readAllLines(texts.texts).stream().filter(s -> !s.isBlank()).toList();
                    ids = Vocab.forModel(model, vocab).withContextLength(clip.config().text().contextLength()).tokenizeTensor(lines);
                }
                Tensor f = clip.encodeText(ids);
                result.put("text_features", normalize ? Clip.normalize(f) : f);
            }
            SafeTensors.write(out, result, Map.of("producer", "radapter embed", "model", RunRecord.relative(out.toAbsolutePath().getParent(), model)));
            result.forEach((k, v) -> console.info("%s %s -> %s", k, java.util.Arrays.toString(v.shape()), out));
            Map<String, Object> j = new LinkedHashMap<>();
            result.forEach((k, v) -> j.put(k, java.util.Arrays.stream(v.shape()).boxed().toList()));
            j.put("out", out.toString());
            console.json(j);
        }
        return 0;
    }

    /** Reads {@code FILE[:NAME]}; without a name the file must hold one tensor or one called {@code fallback}. */
    static Tensor readTensor(String spec, String fallback) throws Exception {
        int colon = spec.lastIndexOf(':');
        Path file = colon > 1 ? Path.of(spec.substring(0, colon)) : Path.of(spec);
        String name = colon > 1 ? spec.substring(colon + 1) : null;
        try (SafeTensors st = SafeTensors.open(file)) {
            if (name == null) {
                if (st.names().size() == 1) {
                    name = st.names().iterator().next();
                } else if (st.names().contains(fallback)) {
                    name = fallback;
                } else {
                    throw new IllegalArgumentException(file + " holds " + st.names().size() + " tensors; name one with " + file + ":NAME");
                }
            }
            if (!st.names().contains(name)) {
                throw new IllegalArgumentException(file + ": no tensor '" + name + "' (has " + st.names() + ")");
            }
            return st.get(name).clone();
        }
    }
}
