package radapter.data.image;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Random;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import radapter.testing.Mutator;

/**
 * Seeded mutation fuzzing of the image decoders (the pure-Java baseline JPEG path, ImageIO and
 * TwelveMonkeys): every mutated PNG, JPEG, GIF and BMP decodes or fails with an
 * {@link ImageDecodeException} naming the source, never another exception or a hang.
 */
class ImageDecoderFuzzTest {
    @Test
    void aDecompressionBombIsRefusedBeforeDecoding() throws IOException {
        // 20000 x 20000 declared in a few hundred bytes: refused from the header, nothing allocated.
        java.awt.image.BufferedImage tiny = new java.awt.image.BufferedImage(1, 1, java.awt.image.BufferedImage.TYPE_BYTE_GRAY);
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        ImageIO.write(tiny, "png", b);
        byte[] png = b.toByteArray();
        // IHDR width and height live at bytes 16..23.
        java.nio.ByteBuffer.wrap(png, 16, 8).putInt(20000).putInt(20000);
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        crc.update(png, 12, 17);
        java.nio.ByteBuffer.wrap(png, 29, 4).putInt((int) crc.getValue());
        ImageDecodeException e = org.junit.jupiter.api.Assertions.assertThrows(ImageDecodeException.class, () -> ImageDecoder.decode(png, "bomb.png"));
        assertTrue(e.reason() == ImageDecodeException.Reason.TOO_LARGE && e.getMessage().contains("bomb.png"), e.getMessage());
    }

    @Test
    void mutatedImagesDecodeOrFailCleanly() throws IOException {
        BufferedImage img = new BufferedImage(24, 16, BufferedImage.TYPE_3BYTE_BGR);
        Random r = new Random(5);
        for (int y = 0; y < img.getHeight(); y++) {
            for (int x = 0; x < img.getWidth(); x++) {
                img.setRGB(x, y, r.nextInt(1 << 24));
            }
        }
        Mutator m = new Mutator(23);
        long t0 = System.nanoTime();
        int decoded = 0;
        int rejected = 0;
        for (String format : new String[] {"png", "jpg", "gif", "bmp"}) {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            assertTrue(ImageIO.write(img, format, b), format);
            byte[] seed = b.toByteArray();
            for (int i = 0; i < 400; i++) {
                try {
                    RgbImage out = ImageDecoder.decode(m.mutate(seed), "fuzz." + format);
                    assertTrue(out.width() > 0 && out.height() > 0);
                    decoded++;
                } catch (ImageDecodeException e) {
                    assertTrue(e.getMessage().contains("fuzz." + format), e.getMessage());
                    rejected++;
                }
            }
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        assertTrue(rejected > 0 && decoded + rejected == 1600, decoded + " decoded, " + rejected + " rejected");
        assertTrue(seconds < 120, "1600 small images took " + seconds + " s");
    }
}
