package radapter.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import radapter.adapters.eval.FeatureEncoder;
import radapter.data.dataset.Dataset;
import radapter.data.dataset.ErrorPolicy;
import radapter.data.dataset.Sample;
import radapter.data.image.ImageDecoder;
import radapter.data.loader.Batch;
import radapter.data.loader.DataLoadException;
import radapter.data.loader.DataLoader;
import radapter.data.transforms.ClipPreprocess;
import radapter.models.clip.Clip;
import radapter.models.clip.ClipLoader;
import radapter.models.clip.LoadedClip;
import radapter.models.hub.Pretrained;
import radapter.models.tokenizer.ClipTokenizer;
import radapter.tensor.Device;
import radapter.tensor.Join;
import radapter.tensor.MemoryScope;
import radapter.tensor.Tensor;
import radapter.tensor.io.AtomicFiles;
import radapter.tensor.io.SafeTensors;
import radapter.tensor.io.TextFiles;

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

    @Option(names = "--vocab", paramLabel = "FILE", description = "CLIP vocabulary for --texts (default: beside the model, else CLIP's built-in one).")
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

    @Option(names = "--batch-size", defaultValue = "64", description = "Images or texts encoded at once; memory stays bounded by it (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Override
    public Integer call() throws Exception {
        console.jsonOutput(json);
        if (images == null && texts == null) {
            throw new IllegalArgumentException("nothing to embed: give --pixels/--images and/or --texts/--tokens");
        }
        OptionChecks.count("--batch-size", batchSize, 1, 1 << 16);
        AtomicFiles.checkReplaceable(out);
        Device d = ModelOptions.checkedDevice(device);
        // Inputs are opened (and refused) before the model loads: a typo costs nothing.
        Dataset imageSet = images != null && images.images != null ? ImageInputs.open(images.images) : null;
        List<String> lines = texts != null && texts.texts != null ? textLines(texts.texts) : null;
        // A local file or folder as given, or a hub id / open_clip name from the Hugging Face cache (as --model elsewhere).
        Pretrained.Resolved resolved = Pretrained.resolve(model.toString(), null, HubDownloads.hub());
        try (MemoryScope scope = MemoryScope.open(); LoadedClip m = ClipLoader.load(resolved.weights(), config != null ? config : resolved.config())) {
            Clip clip = m.clip();
            clip.to(d);
            Map<String, Tensor> result = new LinkedHashMap<>();
            Map<Path, String> sidecars = new LinkedHashMap<>();
            if (images != null) {
                if (imageSet != null) {
                    FeatureRows rows = encodeImages(clip, imageSet);
                    result.put("image_features", rows.features());
                    if (rows.labels() != null) {
                        result.put("image_labels", rows.labels());
                    }
                    sidecars.put(sidecar(out, "images"), rows.csv());
                } else {
                    Tensor px = readTensor(images.pixels, "pixel_values");
                    result.put("image_features", FeatureEncoder.images(clip, px, batchSize));
                }
            }
            if (texts != null) {
                if (lines != null) {
                    Path v = vocab != null ? vocab : Pretrained.vocabulary(resolved, HubDownloads.hub());
                    ClipTokenizer tok = Vocab.forModel(resolved.weights(), v, clip.config());
                    result.put("text_features", FeatureEncoder.texts(clip, tok, lines, batchSize));
                    sidecars.put(sidecar(out, "texts"), textRows(lines));
                } else {
                    Tensor ids = readTensor(texts.tokens, "token_ids");
                    result.put("text_features", FeatureEncoder.tokens(clip, ids, batchSize));
                }
            }
            if (normalize) {
                result.replaceAll((k, v) -> k.endsWith("_features") ? Clip.normalize(v) : v);
            }
            for (Map.Entry<Path, String> e : sidecars.entrySet()) {
                AtomicFiles.writeString(e.getKey(), e.getValue());
            }
            SafeTensors.write(out, result, Map.of("producer", "radapter embed", "model", RunRecord.relative(out.toAbsolutePath().getParent(), model)));
            result.forEach((k, v) -> console.info("%s %s -> %s", k, java.util.Arrays.toString(v.shape()), out));
            sidecars.keySet().forEach(p -> console.info("rows -> %s", p));
            Map<String, Object> j = new LinkedHashMap<>();
            result.forEach((k, v) -> j.put(k, java.util.Arrays.stream(v.shape()).boxed().toList()));
            j.put("out", out.toString());
            j.put("rows", sidecars.keySet().stream().map(Path::toString).toList());
            console.json(j);
        }
        return 0;
    }

    /** Features of every image, streamed through the data loader batch by batch, and which file each row is. */
    private FeatureRows encodeImages(Clip clip, Dataset ds) {
        ClipPreprocess pre = ClipPreprocess.eval(clip.config().vision().imageSize());
        List<Tensor> parts = new ArrayList<>();
        StringBuilder csv = new StringBuilder("row,filepath,label\n");
        long[] labels = new long[ds.size()];
        boolean anyLabel = false;
        Path base = images.images.toAbsolutePath().normalize();
        Path root = Files.isDirectory(base) ? base : base.getParent();
        int row = 0;
        try (DataLoader loader = DataLoader.builder(ds).images(ImageDecoder::decode).preprocess(pre).batchSize(batchSize)
                .shuffle(false).onError(ErrorPolicy.FAIL).build()) {
            for (Batch b : loader.epoch(0)) {
                try (MemoryScope s = MemoryScope.open()) {
                    Tensor f = clip.encodeImage(b.images());
                    parts.add(MemoryScope.outsideScopes(() -> f.cpu().contiguous().clone()));
                }
                for (int i = 0; i < b.size(); i++) {
                    Sample smp = ds.get(b.indices()[i]);
                    Path p = smp.path().toAbsolutePath().normalize();
                    String shown = p.startsWith(root) ? root.relativize(p).toString() : p.toString();
                    csv.append(row).append(',').append(csvField(shown)).append(',').append(smp.hasLabel() ? Integer.toString(smp.label()) : "")
                            .append('\n');
                    labels[row] = smp.label();
                    anyLabel |= smp.hasLabel();
                    row++;
                }
            }
        } catch (DataLoadException e) {
            // The cause names the file and the reason; the loader's own wording is about its options.
            Throwable why = e;
            for (Throwable c = e; c != null; c = c.getCause()) {
                if (c instanceof radapter.data.image.ImageDecodeException || c instanceof radapter.data.dataset.DatasetException
                        || c instanceof IOException) {
                    why = c;
                    break;
                }
            }
            throw new IllegalArgumentException(why.getMessage() + "; embed writes one row per image: fix or remove the file", e);
        }
        Tensor features = MemoryScope.outsideScopes(() -> Join.cat(0, parts));
        int rowCount = row;
        Tensor labelTensor = anyLabel ? MemoryScope.outsideScopes(() -> Tensor.ofLongs(java.util.Arrays.copyOf(labels, rowCount))) : null;
        return new FeatureRows(features, labelTensor, csv.toString());
    }

    /** Image features, their labels (null without a class column) and the rows file's text. */
    private record FeatureRows(Tensor features, Tensor labels, String csv) {
    }

    /** {@code op} applied to {@code input} in slices of {@code --batch-size} rows. */
    /**
     * The texts, one per line: row k of the output is line k, so a blank line is refused (naming
     * it) rather than skipped, which would shift every later row.
     */
    static List<String> textLines(Path file) throws IOException {
        List<String> lines = TextFiles.readLines(file);
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).isBlank()) {
                throw new IllegalArgumentException(file + ":" + (i + 1) + ": blank line; row k of text_features is line k of the file, "
                        + "so every line must hold a text (remove the line)");
            }
        }
        if (lines.isEmpty()) {
            throw new IllegalArgumentException(file + ": no texts (the file is empty)");
        }
        return lines;
    }

    private static String textRows(List<String> lines) {
        StringBuilder csv = new StringBuilder("row,line,text\n");
        for (int i = 0; i < lines.size(); i++) {
            csv.append(i).append(',').append(i + 1).append(',').append(csvField(lines.get(i))).append('\n');
        }
        return csv.toString();
    }

    /** {@code features.safetensors} → {@code features.images.csv}: which input each row is. */
    static Path sidecar(Path out, String what) {
        String name = out.getFileName().toString();
        String stem = name.endsWith(".safetensors") ? name.substring(0, name.length() - ".safetensors".length()) : name;
        return out.resolveSibling(stem + "." + what + ".csv");
    }

    /** RFC 4180 quoting where needed. */
    private static String csvField(String s) {
        if (s.indexOf(',') < 0 && s.indexOf('"') < 0 && s.indexOf('\n') < 0 && s.indexOf('\r') < 0) {
            return s;
        }
        return '"' + s.replace("\"", "\"\"") + '"';
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
