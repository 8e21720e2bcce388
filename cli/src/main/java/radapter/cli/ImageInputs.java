package radapter.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import radapter.data.dataset.CsvDataset;
import radapter.data.image.ImageDecoder;
import radapter.data.image.RgbImage;
import radapter.data.transforms.ClipPreprocess;
import radapter.models.clip.Clip;
import radapter.tensor.Tensor;

/** Images named on the command line (a folder, or a CSV with a filepath column), preprocessed for a model. */
final class ImageInputs {
    private ImageInputs() {
    }

    static List<Path> list(Path input) throws IOException {
        if (Files.isDirectory(input)) {
            try (Stream<Path> s = Files.walk(input)) {
                return s.filter(Files::isRegularFile).filter(p -> {
                    String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
                    return n.endsWith(".jpg") || n.endsWith(".jpeg") || n.endsWith(".png") || n.endsWith(".bmp")
                            || n.endsWith(".gif") || n.endsWith(".webp");
                }).sorted().toList();
            }
        }
        if (input.getFileName().toString().endsWith(".csv") || input.getFileName().toString().endsWith(".tsv")) {
            CsvDataset ds = CsvDataset.read(input);
            List<Path> out = new ArrayList<>();
            for (int i = 0; i < ds.size(); i++) {
                out.add(ds.get(i).path());
            }
            return out;
        }
        throw new IllegalArgumentException(input + ": give a folder of images or a CSV/TSV with a 'filepath' column");
    }

    /** Decoded and CLIP-preprocessed pixels [N, 3, n, n] at the model's resolution. */
    static Tensor load(Path input, Clip clip) throws IOException {
        List<Path> files = list(input);
        if (files.isEmpty()) {
            throw new IllegalArgumentException(input + ": no images found");
        }
        ClipPreprocess pre = ClipPreprocess.eval(clip.config().vision().imageSize());
        List<RgbImage> images = new ArrayList<>();
        for (Path p : files) {
            images.add(ImageDecoder.decode(p));
        }
        return pre.batch(images, null);
    }
}
