package radapter.data.transforms;

import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.Objects;
import radapter.data.image.Interpolation;
import radapter.data.image.RgbImage;
import radapter.tensor.Rng;
import radapter.tensor.Tensor;

/**
 * A whole CLIP preprocessing pipeline: geometric image steps, then ToTensor and Normalize fused
 * into one per-channel lookup (bit-identical to doing them in turn in float32). Immutable and
 * thread safe; random pipelines need an Rng per call.
 *
 * <p>Factories follow the official R-Adapter code (spec §3): {@link #eval} is
 * {@code _transform(n, is_train=False)}, {@link #train} the full fine-tune / retrieval transform,
 * {@link #fewShotTrain} the few-shot one.
 */
public final class ClipPreprocess {
    private final int size;
    private final ImageTransform image;
    private final Normalize normalize;
    private final float[][] tables;

    /** {@code image} must produce {@code size × size} images. */
    public ClipPreprocess(int size, ImageTransform image, Normalize normalize) {
        if (size <= 0) {
            throw new IllegalArgumentException("size must be positive, got " + size);
        }
        this.size = size;
        this.image = Objects.requireNonNull(image, "image");
        this.normalize = Objects.requireNonNull(normalize, "normalize");
        if (normalize.channels() != 3) {
            throw new IllegalArgumentException("RGB pipelines need a 3-channel Normalize, got " + normalize);
        }
        this.tables = normalize.u8Tables();
    }

    /** Evaluation: Resize(n, bicubic) on the shorter side, CenterCrop(n), ToTensor, Normalize(CLIP). */
    public static ClipPreprocess eval(int n) {
        return new ClipPreprocess(n, Compose.of(Resize.bicubic(n), new CenterCrop(n)), Normalize.CLIP);
    }

    /**
     * Training (ImageNet full fine-tune, COCO retrieval, base-to-novel): RandomResizedCrop(n, scale =
     * (scaleMin, 1), ratio = (3/4, 4/3), bicubic), ToTensor, Normalize(CLIP); no flip. The recipes
     * use scaleMin 0.9.
     */
    public static ClipPreprocess train(int n, double scaleMin) {
        return new ClipPreprocess(n, RandomResizedCrop.of(n, scaleMin, Interpolation.BICUBIC), Normalize.CLIP);
    }

    /**
     * Few-shot training: RandomResizedCrop(n, scale = (0.7, 1)) with torchvision's default bilinear
     * filter, RandomHorizontalFlip(0.5), ToTensor, Normalize(CLIP).
     */
    public static ClipPreprocess fewShotTrain(int n) {
        return new ClipPreprocess(n, Compose.of(RandomResizedCrop.of(n, 0.7, Interpolation.BILINEAR),
                new RandomHorizontalFlip(0.5)), Normalize.CLIP);
    }

    /** Output side. */
    public int size() {
        return size;
    }

    /** The geometric part. */
    public ImageTransform imageTransform() {
        return image;
    }

    /** The normalisation. */
    public Normalize normalize() {
        return normalize;
    }

    /** Whether calls draw from the Rng. */
    public boolean isRandom() {
        return image.isRandom();
    }

    /** The geometric steps only: the uint8 image that is turned into the tensor. */
    public RgbImage prepare(RgbImage src, Rng rng) {
        RgbImage out = image.apply(src, rng);
        if (out.width() != size || out.height() != size) {
            throw new IllegalStateException("image steps produced " + out.width() + "x" + out.height() + ", expected " + size + "x" + size);
        }
        return out;
    }

    /** The normalised F32 {@code [3, n, n]} tensor of {@code src}. */
    public Tensor apply(RgbImage src, Rng rng) {
        float[] chw = new float[3 * size * size];
        applyInto(src, rng, chw, 0);
        return Tensor.of(chw, 3, size, size);
    }

    /** Deterministic pipelines only: {@link #apply(RgbImage, Rng)} without an Rng. */
    public Tensor apply(RgbImage src) {
        return apply(src, null);
    }

    /** Writes the normalised CHW floats of {@code src} to {@code dst[offset .. offset + 3n²)}. */
    public void applyInto(RgbImage src, Rng rng, float[] dst, int offset) {
        ToTensor.writeMapped(prepare(src, rng), tables, dst, offset);
    }

    /**
     * Writes the normalised CHW floats of {@code src} into memory, from float index {@code offset}
     * of {@code dst} (e.g. one sample's slot in a batch tensor's storage): the values of
     * {@link #apply(RgbImage, Rng)} without a tensor of their own.
     */
    public void applyInto(RgbImage src, Rng rng, MemorySegment dst, long offset) {
        ToTensor.writeMapped(prepare(src, rng), tables, dst, offset);
    }

    /** The F32 {@code [N, 3, n, n]} batch of {@code images}, drawn in list order from {@code rng}. */
    public Tensor batch(List<RgbImage> images, Rng rng) {
        if (images.isEmpty()) {
            throw new IllegalArgumentException("empty batch");
        }
        int per = 3 * size * size;
        float[] all = new float[Math.multiplyExact(per, images.size())];
        for (int i = 0; i < images.size(); i++) {
            applyInto(images.get(i), rng, all, i * per);
        }
        return Tensor.of(all, images.size(), 3, size, size);
    }

    @Override
    public String toString() {
        return "ClipPreprocess(" + size + ", " + image + ", " + normalize + ")";
    }
}
