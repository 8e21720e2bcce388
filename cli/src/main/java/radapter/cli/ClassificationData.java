package radapter.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import radapter.data.dataset.ClassFolderDataset;
import radapter.data.dataset.ClassNames;
import radapter.data.dataset.CsvDataset;
import radapter.data.dataset.Dataset;
import radapter.data.dataset.PromptTemplates;
import radapter.data.image.ImageDecodeException;
import radapter.data.image.ImageDecoder;
import radapter.data.transforms.ClipPreprocess;
import radapter.tensor.MemoryScope;
import radapter.tensor.Rng;
import radapter.tensor.Tensor;

/** Opening labelled image datasets and prompt templates named on the command line. */
final class ClassificationData {
    private static final System.Logger LOG = System.getLogger(ClassificationData.class.getName());

    private ClassificationData() {
    }

    /** A CSV/TSV (filepath, title, class columns) or an ImageNet-style class-folder tree. */
    static Dataset open(Path p) throws IOException {
        return open(p, ClassNames.NONE);
    }

    /**
     * Like {@link #open(Path)}, with every label checked against {@code names} (unless
     * {@link ClassNames#NONE}): a CSV row whose class is outside the list fails as
     * {@code file:line: class N is outside ...}, a class folder beyond the list names the folder.
     */
    static Dataset open(Path p, ClassNames names) throws IOException {
        if (Files.isDirectory(p)) {
            ClassFolderDataset ds = ClassFolderDataset.open(p);
            int folders = ds.classNames().size();
            if (!names.isEmpty() && folders > names.size()) {
                throw new IllegalArgumentException(p.resolve(ds.classNames().get(names.size())) + ": class folder " + names.size()
                        + " (of " + folders + ") is outside the " + names.size() + " class names given");
            }
            return ds;
        }
        if (!Files.isRegularFile(p)) {
            throw new IllegalArgumentException(p + ": no such dataset (give a CSV/TSV file or a class-folder directory)");
        }
        return CsvDataset.builder(p).classNames(names).read();
    }

    /**
     * {@link #open} for classification: every image must have a class (a CSV without a
     * {@code class} column is an error naming the file, not labels of -1 read as indices).
     */
    static Dataset openLabelled(Path p) throws IOException {
        return openLabelled(p, ClassNames.NONE);
    }

    /** {@link #openLabelled(Path)} with every label also checked against {@code names} (see {@link #open(Path, ClassNames)}). */
    static Dataset openLabelled(Path p, ClassNames names) throws IOException {
        Dataset ds = open(p, names);
        for (int i = 0; i < ds.size(); i++) {
            if (!ds.get(i).hasLabel()) {
                throw new IllegalArgumentException(p + ": " + (i == 0 ? "no 'class' column" : "row of " + ds.get(i).path().getFileName() + " has no class")
                        + "; classification needs the class (an integer label) of every image");
            }
        }
        return ds;
    }

    /** Class names from a file (one per line), else the dataset's own (class folders). */
    static ClassNames classNames(Path file, Dataset ds) throws IOException {
        if (file != null) {
            return ClassNames.fromFile(file);
        }
        if (!ds.classNames().isEmpty()) {
            return ds.classNames();
        }
        throw new IllegalArgumentException("the dataset does not name its classes; give --classes FILE (one class name per line, in label order)");
    }

    /** {@code openai} (the 80 ImageNet templates), {@code simple}, or a file with one template per line. */
    static PromptTemplates templates(String spec) throws IOException {
        return switch (spec) {
            case "openai" -> PromptTemplates.openAiImageNet();
            case "simple" -> PromptTemplates.simple();
            default -> PromptTemplates.fromFile(Path.of(spec));
        };
    }

    /** Decoded, preprocessed pixels of samples {@code indices}; unreadable images are counted and skipped. */
    static Tensor pixels(Dataset ds, int[] indices, ClipPreprocess pre, Rng rng, List<Integer> kept, AtomicInteger skipped) {
        long[] seeds = new long[indices.length];
        for (int i = 0; i < indices.length; i++) {
            seeds[i] = rng == null ? 0 : rng.nextLong();
        }
        return pixels(ds, indices, pre, rng == null ? null : i -> new Rng(seeds[i]), kept, skipped, false);
    }

    /**
     * Decoded, preprocessed pixels of samples {@code indices}, row {@code i} augmented with
     * {@code rngOf.apply(i)} (no augmentation randomness when {@code rngOf} is null). Unreadable
     * images are counted and skipped, or, when {@code strict}, fail with the sample's path.
     */
    static Tensor pixels(Dataset ds, int[] indices, ClipPreprocess pre, java.util.function.IntFunction<Rng> rngOf, List<Integer> kept,
            AtomicInteger skipped, boolean strict) {
        float[][] rows = new float[indices.length][];
        String[] failures = new String[indices.length];
        int n = pre.size();
        IntStream.range(0, indices.length).parallel().forEach(i -> {
            try {
                float[] buf = new float[3 * n * n];
                pre.applyInto(ds.image(indices[i], ImageDecoder::decode), rngOf == null ? null : rngOf.apply(i), buf, 0);
                rows[i] = buf;
            } catch (ImageDecodeException e) {
                failures[i] = e.getMessage();
            } catch (Exception e) {
                failures[i] = ds.get(indices[i]).path() + ": " + e.getMessage();
            }
        });
        for (int i = 0; i < indices.length; i++) {
            if (failures[i] == null) {
                continue;
            }
            if (strict) {
                throw new IllegalArgumentException(failures[i] + " (a data-parallel run cannot skip an unreadable image: every process "
                        + "must train on the same number of pairs; fix or remove it)");
            }
            LOG.log(System.Logger.Level.WARNING, "radapter: skipped " + failures[i]);
        }
        List<float[]> ok = new ArrayList<>();
        for (int i = 0; i < rows.length; i++) {
            if (rows[i] != null) {
                ok.add(rows[i]);
                kept.add(i);
            } else {
                skipped.incrementAndGet();
            }
        }
        float[] all = new float[ok.size() * 3 * n * n];
        for (int i = 0; i < ok.size(); i++) {
            System.arraycopy(ok.get(i), 0, all, i * 3 * n * n, 3 * n * n);
        }
        return MemoryScope.outsideScopes(() -> Tensor.of(all, ok.size(), 3, n, n));
    }

    /**
     * Image features [N, E] of every readable sample of {@code ds} (eval preprocessing, batches of
     * {@code batch}, on the host), shown as {@code stage} on {@code console}; {@code labels}
     * receives the classes of the rows, {@code skipped} counts unreadable images. {@code source}
     * names the data in the error when nothing is readable.
     */
    static Tensor imageFeatures(radapter.models.clip.LoadedClip m, Dataset ds, int batch, List<Long> labels, AtomicInteger skipped,
            Console console, String stage, Object source) {
        ClipPreprocess pre = ClipPreprocess.eval(m.config().vision().imageSize());
        m.clip().eval();
        List<Tensor> parts = new java.util.ArrayList<>();
        try (ConsoleProgress progress = console.progress()) {
            progress.stage(stage, ds.size());
            for (int from = 0; from < ds.size(); from += batch) {
                int n = Math.min(batch, ds.size() - from);
                int[] idx = new int[n];
                for (int i = 0; i < n; i++) {
                    idx[i] = from + i;
                }
                List<Integer> kept = new java.util.ArrayList<>();
                Tensor px = pixels(ds, idx, pre, null, kept, skipped);
                if (!kept.isEmpty()) {
                    try (radapter.tensor.MemoryScope s = radapter.tensor.MemoryScope.open()) {
                        parts.add(s.keep(m.clip().encodeImage(px).cpu()));
                    }
                    for (int k : kept) {
                        labels.add((long) ds.get(idx[k]).label());
                    }
                }
                progress.step(from + n, "");
            }
        }
        if (parts.isEmpty()) {
            throw new IllegalArgumentException(source + ": no readable images");
        }
        return radapter.tensor.Join.cat(0, parts);
    }
}
