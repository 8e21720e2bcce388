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
