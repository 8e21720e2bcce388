package radapter.cli.demo;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import radapter.adapters.train.BatchSource;
import radapter.adapters.train.TrainBatch;
import radapter.data.dataset.PromptTemplates;
import radapter.data.dataset.Sample;
import radapter.data.image.RgbImage;
import radapter.data.synthetic.SyntheticDataset;
import radapter.data.transforms.Normalize;
import radapter.data.transforms.ToTensor;
import radapter.models.tokenizer.Tokenizer;
import radapter.tensor.Rng;
import radapter.tensor.Tensor;

/** Turns synthetic datasets into pixel tensors and training batches for the demo. */
final class DemoData {
    private DemoData() {
    }

    /** Normalised pixels [n, 3, H, W] of samples {@code from .. from+n-1}. */
    static Tensor pixels(SyntheticDataset ds, int from, int n) {
        int s = ds.imageSize();
        int plane = s * s;
        float[] buf = new float[n * 3 * plane];
        for (int i = 0; i < n; i++) {
            RgbImage img = ds.image(from + i);
            ToTensor.write(img, buf, i * 3 * plane);
            Normalize.CLIP.applyInPlace(buf, i * 3 * plane, plane);
        }
        return Tensor.of(buf, n, 3, s, s);
    }

    /**
     * Every image of {@code ds}, drawn once (on all cores; each image is a pure function of its
     * index). Training draws each image many times over (about three passes in pre-training, 100
     * and more in fine-tuning), and drawing with Java2D cost more than a tenth of the run's CPU.
     */
    static RgbImage[] render(SyntheticDataset ds) {
        RgbImage[] images = new RgbImage[ds.size()];
        IntStream.range(0, images.length).parallel().forEach(i -> images[i] = ds.image(i));
        return images;
    }

    /** Normalised pixels [n, 3, H, W] of {@code images[indices[i]]}. */
    static Tensor pixels(RgbImage[] images, int[] indices) {
        int s = images[indices[0]].width();
        int plane = s * s;
        float[] buf = new float[indices.length * 3 * plane];
        for (int i = 0; i < indices.length; i++) {
            ToTensor.write(images[indices[i]], buf, i * 3 * plane);
            Normalize.CLIP.applyInPlace(buf, i * 3 * plane, plane);
        }
        return Tensor.of(buf, indices.length, 3, s, s);
    }

    static long[] labels(SyntheticDataset ds) {
        long[] l = new long[ds.size()];
        for (int i = 0; i < l.length; i++) {
            l[i] = ds.get(i).label();
        }
        return l;
    }

    /**
     * Pre-training batches: random images of the broad mix with their own captions; every pair is
     * its own class (plain CLIP loss).
     */
    static BatchSource captioned(SyntheticDataset ds, RgbImage[] images, Tokenizer tok, int batch, long seed) {
        return step -> {
            Rng r = new Rng(seed).fork(step);
            int[] idx = new int[batch];
            List<String> texts = new ArrayList<>();
            long[] labels = new long[batch];
            for (int i = 0; i < batch; i++) {
                idx[i] = r.nextInt(ds.size());
                Sample s = ds.get(idx[i]);
                texts.add(s.caption());
                labels[i] = idx[i];
            }
            return new TrainBatch(pixels(images, idx), tok.tokenizeTensor(texts), labels);
        };
    }

    /**
     * Classification fine-tuning batches (spec §7.1): each image paired with a random template of
     * its class name; pairs of the same class are positives.
     */
    static BatchSource classification(SyntheticDataset ds, RgbImage[] images, Tokenizer tok, PromptTemplates templates, int batch, long seed) {
        return step -> {
            Rng r = new Rng(seed).fork(step);
            int[] idx = new int[batch];
            List<String> texts = new ArrayList<>();
            long[] labels = new long[batch];
            for (int i = 0; i < batch; i++) {
                idx[i] = r.nextInt(ds.size());
                Sample s = ds.get(idx[i]);
                texts.add(templates.random(r, ds.classNames().get(s.label())));
                labels[i] = s.label();
            }
            return new TrainBatch(pixels(images, idx), tok.tokenizeTensor(texts), labels);
        };
    }
}
