package radapter.data.transforms;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import radapter.data.image.Resampler;
import radapter.data.image.RgbImage;
import radapter.tensor.Rng;

/**
 * Steps applied in order (torchvision's {@code Compose} for the image part of a pipeline). Nested
 * compositions are flattened.
 *
 * <p>A {@link Resize} directly followed by a {@link CenterCrop} that fits inside the resized image
 * runs fused: only the kept window is resampled ({@link Resampler#resizeCropped}), which is
 * bit-identical to resizing everything and cropping afterwards.
 *
 * @param steps the steps, in order
 */
public record Compose(List<ImageTransform> steps) implements ImageTransform {
    public Compose {
        List<ImageTransform> flat = new ArrayList<>();
        for (ImageTransform t : steps) {
            if (t instanceof Compose c) {
                flat.addAll(c.steps());
            } else {
                flat.add(Objects.requireNonNull(t, "null step"));
            }
        }
        steps = List.copyOf(flat);
    }

    /** The steps in order. */
    public static Compose of(ImageTransform... steps) {
        return new Compose(List.of(steps));
    }

    @Override
    public RgbImage apply(RgbImage image, Rng rng) {
        RgbImage cur = image;
        for (int i = 0; i < steps.size(); i++) {
            ImageTransform t = steps.get(i);
            if (t instanceof Resize r && i + 1 < steps.size() && steps.get(i + 1) instanceof CenterCrop c) {
                RgbImage fused = fusedResizeCrop(cur, r, c);
                if (fused != null) {
                    cur = fused;
                    i++;
                    continue;
                }
            }
            cur = t.apply(cur, rng);
        }
        return cur;
    }

    private static RgbImage fusedResizeCrop(RgbImage img, Resize r, CenterCrop c) {
        int[] wh = Resize.outputSize(img.width(), img.height(), r.size());
        if (c.size() > wh[0] || c.size() > wh[1]) {
            return null; // needs padding: take the plain path
        }
        int left = CenterCrop.offset(wh[0], c.size());
        int top = CenterCrop.offset(wh[1], c.size());
        return Resampler.resizeCropped(img, wh[0], wh[1], r.interpolation(), left, top, c.size(), c.size());
    }

    @Override
    public boolean isRandom() {
        for (ImageTransform t : steps) {
            if (t.isRandom()) {
                return true;
            }
        }
        return false;
    }
}
