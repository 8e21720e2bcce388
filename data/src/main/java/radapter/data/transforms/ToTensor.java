package radapter.data.transforms;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import radapter.data.image.RgbImage;
import radapter.tensor.Tensor;

/**
 * torchvision's {@code ToTensor} for 8-bit RGB: {@code (float) u8 / 255f} (a float32 division, as
 * torch does it), HWC → CHW, giving an F32 tensor {@code [3, H, W]} in the current memory scope.
 */
public final class ToTensor {
    private ToTensor() {
    }

    /** The F32 {@code [3, H, W]} tensor of {@code image}. */
    public static Tensor apply(RgbImage image) {
        float[] chw = new float[3 * image.width() * image.height()];
        write(image, chw, 0);
        return Tensor.of(chw, 3, image.height(), image.width());
    }

    /** Writes the CHW floats of {@code image} to {@code dst[offset ..]}. */
    public static void write(RgbImage image, float[] dst, int offset) {
        float[][] luts = {LUT, LUT, LUT};
        writeMapped(image, luts, dst, offset);
    }

    private static final float[] LUT = new float[256];

    static {
        for (int v = 0; v < 256; v++) {
            LUT[v] = (float) v / 255f;
        }
    }

    /**
     * {@link #writeMapped(RgbImage, float[][], float[], int)} into memory: the CHW floats go to
     * {@code dst} from float index {@code offset} (e.g. a batch tensor's storage).
     */
    static void writeMapped(RgbImage image, float[][] lutPerChannel, MemorySegment dst, long offset) {
        byte[] px = image.pixels();
        int plane = image.width() * image.height();
        if (dst.byteSize() / Float.BYTES - offset < 3L * plane) {
            throw new IllegalArgumentException("destination holds " + (dst.byteSize() / Float.BYTES - offset)
                    + " floats from offset " + offset + ", need " + 3 * plane);
        }
        float[] l0 = lutPerChannel[0];
        float[] l1 = lutPerChannel[1];
        float[] l2 = lutPerChannel[2];
        long o1 = offset + plane;
        long o2 = offset + 2L * plane;
        for (int i = 0, p = 0; i < plane; i++, p += 3) {
            dst.setAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, offset + i, l0[px[p] & 0xFF]);
            dst.setAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, o1 + i, l1[px[p + 1] & 0xFF]);
            dst.setAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, o2 + i, l2[px[p + 2] & 0xFF]);
        }
    }

    /** HWC → CHW through a per-channel 256-entry table (the fused ToTensor + Normalize path). */
    static void writeMapped(RgbImage image, float[][] lutPerChannel, float[] dst, int offset) {
        byte[] px = image.pixels();
        int plane = image.width() * image.height();
        if (dst.length - offset < 3 * plane) {
            throw new IllegalArgumentException("destination holds " + (dst.length - offset) + " floats, need " + 3 * plane);
        }
        float[] l0 = lutPerChannel[0];
        float[] l1 = lutPerChannel[1];
        float[] l2 = lutPerChannel[2];
        int o1 = offset + plane;
        int o2 = offset + 2 * plane;
        for (int i = 0, p = 0; i < plane; i++, p += 3) {
            dst[offset + i] = l0[px[p] & 0xFF];
            dst[o1 + i] = l1[px[p + 1] & 0xFF];
            dst[o2 + i] = l2[px[p + 2] & 0xFF];
        }
    }
}
