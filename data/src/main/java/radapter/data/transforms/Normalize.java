package radapter.data.transforms;

import java.util.Arrays;
import radapter.tensor.Tensor;

/**
 * torchvision's {@code Normalize(mean, std)}: {@code (x - mean[c]) / std[c]} per channel, in
 * float32 (mean and std are rounded to float first, as torch does when it makes them tensors of the
 * input's dtype).
 */
public final class Normalize {
    /** CLIP's RGB mean. */
    public static final double[] CLIP_MEAN = {0.48145466, 0.4578275, 0.40821073};
    /** CLIP's RGB standard deviation. */
    public static final double[] CLIP_STD = {0.26862954, 0.26130258, 0.27577711};
    /** Normalisation with CLIP's constants. */
    public static final Normalize CLIP = new Normalize(CLIP_MEAN, CLIP_STD);

    private final float[] mean;
    private final float[] std;

    /** Per-channel mean and std (same length, std nonzero). */
    public Normalize(double[] mean, double[] std) {
        if (mean.length != std.length || mean.length == 0) {
            throw new IllegalArgumentException("mean and std need the same, nonzero length; got " + mean.length + " and " + std.length);
        }
        this.mean = new float[mean.length];
        this.std = new float[std.length];
        for (int c = 0; c < mean.length; c++) {
            if (std[c] == 0) {
                throw new IllegalArgumentException("std[" + c + "] is zero");
            }
            this.mean[c] = (float) mean[c];
            this.std[c] = (float) std[c];
        }
    }

    /** Number of channels. */
    public int channels() {
        return mean.length;
    }

    /** The float32 mean. */
    public float[] mean() {
        return mean.clone();
    }

    /** The float32 std. */
    public float[] std() {
        return std.clone();
    }

    /** One normalised value. */
    public float apply(int channel, float x) {
        return (x - mean[channel]) / std[channel];
    }

    /** A new F32 tensor: normalises {@code [C, H, W]} or {@code [N, C, H, W]} along C. */
    public Tensor apply(Tensor t) {
        long[] shape = t.shape();
        if (shape.length != 3 && shape.length != 4 || shape[shape.length - 3] != mean.length) {
            throw new IllegalArgumentException("Normalize expects [C,H,W] or [N,C,H,W] with C = " + mean.length
                    + ", got " + Arrays.toString(shape));
        }
        float[] x = t.contiguous().toFloatArray();
        int plane = (int) (shape[shape.length - 1] * shape[shape.length - 2]);
        int images = shape.length == 4 ? (int) shape[0] : 1;
        for (int n = 0; n < images; n++) {
            applyInPlace(x, n * mean.length * plane, plane);
        }
        return Tensor.of(x, shape);
    }

    /** Normalises one CHW image stored at {@code chw[offset ..]} with {@code plane = H·W}, in place. */
    public void applyInPlace(float[] chw, int offset, int plane) {
        for (int c = 0; c < mean.length; c++) {
            float m = mean[c];
            float s = std[c];
            int base = offset + c * plane;
            for (int i = 0; i < plane; i++) {
                chw[base + i] = (chw[base + i] - m) / s;
            }
        }
    }

    /** For 3 channels: the table {@code v ↦ ((float) v / 255f - mean[c]) / std[c]} per channel. */
    float[][] u8Tables() {
        float[][] t = new float[mean.length][256];
        for (int c = 0; c < mean.length; c++) {
            for (int v = 0; v < 256; v++) {
                t[c][v] = apply(c, (float) v / 255f);
            }
        }
        return t;
    }

    @Override
    public String toString() {
        return "Normalize(mean=" + Arrays.toString(mean) + ", std=" + Arrays.toString(std) + ")";
    }
}
