package radapter.data.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.DataBuffer;
import java.awt.image.IndexColorModel;
import java.awt.image.WritableRaster;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.MemoryCacheImageOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import radapter.data.image.ImageDecodeException.Reason;
import radapter.tensor.io.SafeTensors;
import radapter.testing.Shared;

class ImageDecoderTest {
    private static final int W = 23;
    private static final int H = 17;

    @TempDir
    Path tmp;

    // ------------------------------------------------------------------ helpers

    private static byte[] encode(BufferedImage img, String format) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertTrue(ImageIO.write(img, format, out), "no ImageIO writer for " + format + " / this image type");
        return out.toByteArray();
    }

    private static int r(int x, int y) {
        return (x * 11 + y * 3) & 0xFF;
    }

    private static int g(int x, int y) {
        return (255 - x * 7 - y * 13) & 0xFF;
    }

    private static int b(int x, int y) {
        return ((x ^ y) * 9) & 0xFF;
    }

    private static void assertPixels(RgbImage img, int w, int h, PixelRule rule) {
        assertEquals(w, img.width());
        assertEquals(h, img.height());
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int[] e = rule.rgb(x, y);
                for (int c = 0; c < 3; c++) {
                    assertEquals(e[c], img.get(x, y, c), "pixel (" + x + ", " + y + ") channel " + c);
                }
            }
        }
    }

    @FunctionalInterface
    private interface PixelRule {
        int[] rgb(int x, int y);
    }

    private static int maxAbsDiff(byte[] a, byte[] b) {
        assertEquals(a.length, b.length);
        int m = 0;
        for (int i = 0; i < a.length; i++) {
            m = Math.max(m, Math.abs((a[i] & 0xFF) - (b[i] & 0xFF)));
        }
        return m;
    }

    // ------------------------------------------------------------------ PNG variants

    @Test
    void grayPngIsReplicatedWithoutGamma() throws IOException {
        BufferedImage img = new BufferedImage(W, H, BufferedImage.TYPE_BYTE_GRAY);
        WritableRaster ras = img.getRaster();
        for (int y = 0; y < H; y++) {
            for (int x = 0; x < W; x++) {
                ras.setSample(x, y, 0, r(x, y));
            }
        }
        RgbImage out = ImageDecoder.decode(encode(img, "png"), "gray.png");
        assertPixels(out, W, H, (x, y) -> new int[] {r(x, y), r(x, y), r(x, y)});
    }

    @Test
    void gray16PngKeepsHighByte() throws IOException {
        BufferedImage img = new BufferedImage(W, H, BufferedImage.TYPE_USHORT_GRAY);
        WritableRaster ras = img.getRaster();
        for (int y = 0; y < H; y++) {
            for (int x = 0; x < W; x++) {
                ras.setSample(x, y, 0, r(x, y) << 8 | g(x, y));
            }
        }
        RgbImage out = ImageDecoder.decode(encode(img, "png"), "gray16.png");
        assertPixels(out, W, H, (x, y) -> new int[] {r(x, y), r(x, y), r(x, y)});
    }

    @Test
    void grayAlphaPngDropsAlpha() throws IOException {
        BufferedImage img = ImageTypeSpecifier.createInterleaved(ColorSpace.getInstance(ColorSpace.CS_GRAY),
                new int[] {0, 1}, DataBuffer.TYPE_BYTE, true, false).createBufferedImage(W, H);
        WritableRaster ras = img.getRaster();
        for (int y = 0; y < H; y++) {
            for (int x = 0; x < W; x++) {
                ras.setSample(x, y, 0, g(x, y));
                ras.setSample(x, y, 1, x * 10); // alpha, including 0
            }
        }
        RgbImage out = ImageDecoder.decode(encode(img, "png"), "la.png");
        assertPixels(out, W, H, (x, y) -> new int[] {g(x, y), g(x, y), g(x, y)});
    }

    @Test
    void rgbaPngDropsAlphaWithoutCompositing() throws IOException {
        BufferedImage img = new BufferedImage(W, H, BufferedImage.TYPE_4BYTE_ABGR);
        WritableRaster ras = img.getRaster(); // bands R, G, B, A
        for (int y = 0; y < H; y++) {
            for (int x = 0; x < W; x++) {
                ras.setPixel(x, y, new int[] {r(x, y), g(x, y), b(x, y), (x * 37 + y) % 3 == 0 ? 0 : 128});
            }
        }
        RgbImage out = ImageDecoder.decode(encode(img, "png"), "rgba.png");
        assertPixels(out, W, H, (x, y) -> new int[] {r(x, y), g(x, y), b(x, y)});
    }

    @Test
    void rgb16PngKeepsHighByte() throws IOException {
        BufferedImage img = ImageTypeSpecifier.createInterleaved(ColorSpace.getInstance(ColorSpace.CS_sRGB),
                new int[] {0, 1, 2}, DataBuffer.TYPE_USHORT, false, false).createBufferedImage(W, H);
        WritableRaster ras = img.getRaster();
        for (int y = 0; y < H; y++) {
            for (int x = 0; x < W; x++) {
                ras.setPixel(x, y, new int[] {r(x, y) << 8 | 0xFF, g(x, y) << 8 | 0x80, b(x, y) << 8});
            }
        }
        RgbImage out = ImageDecoder.decode(encode(img, "png"), "rgb16.png");
        assertPixels(out, W, H, (x, y) -> new int[] {r(x, y), g(x, y), b(x, y)});
    }

    private static IndexColorModel palette(int bits, int size, boolean withAlpha) {
        byte[] rr = new byte[size];
        byte[] gg = new byte[size];
        byte[] bb = new byte[size];
        byte[] aa = new byte[size];
        for (int i = 0; i < size; i++) {
            rr[i] = (byte) (i * 17 + 3);
            gg[i] = (byte) (250 - i * 9);
            bb[i] = (byte) (i * i);
            aa[i] = (byte) (i % 4 == 0 ? 0 : 255);
        }
        return withAlpha ? new IndexColorModel(bits, size, rr, gg, bb, aa) : new IndexColorModel(bits, size, rr, gg, bb);
    }

    private static int[] paletteRgb(int i) {
        return new int[] {(i * 17 + 3) & 0xFF, (250 - i * 9) & 0xFF, (i * i) & 0xFF};
    }

    @Test
    void palettePngWithTransparencyUsesPaletteColours() throws IOException {
        IndexColorModel icm = palette(8, 20, true);
        BufferedImage img = new BufferedImage(W, H, BufferedImage.TYPE_BYTE_INDEXED, icm);
        WritableRaster ras = img.getRaster();
        for (int y = 0; y < H; y++) {
            for (int x = 0; x < W; x++) {
                ras.setSample(x, y, 0, (x + 2 * y) % 20);
            }
        }
        RgbImage out = ImageDecoder.decode(encode(img, "png"), "palette.png");
        assertPixels(out, W, H, (x, y) -> paletteRgb((x + 2 * y) % 20));
    }

    @Test
    void packed4BitPaletteAnd1BitPng() throws IOException {
        IndexColorModel icm = palette(4, 16, false);
        BufferedImage img = new BufferedImage(W, H, BufferedImage.TYPE_BYTE_BINARY, icm);
        WritableRaster ras = img.getRaster();
        for (int y = 0; y < H; y++) {
            for (int x = 0; x < W; x++) {
                ras.setSample(x, y, 0, (x * 3 + y) % 16);
            }
        }
        RgbImage out = ImageDecoder.decode(encode(img, "png"), "p4.png");
        assertPixels(out, W, H, (x, y) -> paletteRgb((x * 3 + y) % 16));

        BufferedImage bw = new BufferedImage(W, H, BufferedImage.TYPE_BYTE_BINARY);
        for (int y = 0; y < H; y++) {
            for (int x = 0; x < W; x++) {
                bw.getRaster().setSample(x, y, 0, (x + y) % 3 == 0 ? 1 : 0);
            }
        }
        RgbImage one = ImageDecoder.decode(encode(bw, "png"), "1bit.png");
        assertPixels(one, W, H, (x, y) -> {
            int v = (x + y) % 3 == 0 ? 255 : 0;
            return new int[] {v, v, v};
        });
    }

    // ------------------------------------------------------------------ other formats

    private static BufferedImage rgbImage() {
        BufferedImage img = new BufferedImage(W, H, BufferedImage.TYPE_3BYTE_BGR);
        for (int y = 0; y < H; y++) {
            for (int x = 0; x < W; x++) {
                img.getRaster().setPixel(x, y, new int[] {r(x, y), g(x, y), b(x, y)});
            }
        }
        return img;
    }

    @Test
    void bmpAndGifAreExact() throws IOException {
        RgbImage bmp = ImageDecoder.decode(encode(rgbImage(), "bmp"), "rgb.bmp");
        assertPixels(bmp, W, H, (x, y) -> new int[] {r(x, y), g(x, y), b(x, y)});

        IndexColorModel icm = palette(8, 32, false);
        BufferedImage img = new BufferedImage(W, H, BufferedImage.TYPE_BYTE_INDEXED, icm);
        for (int y = 0; y < H; y++) {
            for (int x = 0; x < W; x++) {
                img.getRaster().setSample(x, y, 0, (x * y) % 32);
            }
        }
        RgbImage gif = ImageDecoder.decode(encode(img, "gif"), "p.gif");
        assertPixels(gif, W, H, (x, y) -> paletteRgb((x * y) % 32));
    }

    @Test
    void jpegBaselineProgressiveAndGray() throws IOException {
        BufferedImage src = rgbImage();
        RgbImage base = ImageDecoder.decode(encode(src, "jpeg"), "base.jpg");
        assertEquals(W, base.width());
        assertEquals(H, base.height());

        ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (MemoryCacheImageOutputStream out = new MemoryCacheImageOutputStream(bytes)) {
            writer.setOutput(out);
            ImageWriteParam p = writer.getDefaultWriteParam();
            p.setProgressiveMode(ImageWriteParam.MODE_DEFAULT);
            writer.write(null, new IIOImage(src, null, null), p);
        } finally {
            writer.dispose();
        }
        RgbImage progressive = ImageDecoder.decode(bytes.toByteArray(), "progressive.jpg");
        assertEquals(W, progressive.width());
        // Same quantisation, same decoder: progressive and baseline decode to nearly the same pixels.
        assertTrue(maxAbsDiff(base.pixels(), progressive.pixels()) <= 2);

        BufferedImage gray = new BufferedImage(W, H, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < H; y++) {
            for (int x = 0; x < W; x++) {
                gray.getRaster().setSample(x, y, 0, 40 + x * 5);
            }
        }
        RgbImage g = ImageDecoder.decode(encode(gray, "jpeg"), "gray.jpg");
        for (int y = 0; y < H; y++) {
            for (int x = 0; x < W; x++) {
                assertEquals(g.get(x, y, 0), g.get(x, y, 1));
                assertEquals(g.get(x, y, 0), g.get(x, y, 2));
                assertTrue(Math.abs(g.get(x, y, 0) - (40 + x * 5)) <= 6, "gray jpeg far from source at " + x + "," + y);
            }
        }
    }

    /** 16x12 CMYK JPEG (Adobe, inverted) written by Pillow 9.4, and Pillow's {@code convert("RGB")} of it. */
    private static final String CMYK_JPEG = "/9j/7gAOQWRvYmUAZAAAAAAA/9sAQwACAQEBAQECAQEBAgICAgIEAwICAgIFBAQDBAYFBgYGBQYGBgcJCAYHCQcG"
            + "BggLCAkKCgoKCgYICwwLCgwJCgoK/8AAFAgADAAQBEMRAE0RAFkRAEsRAP/EAB8AAAEFAQEBAQEBAAAAAAAAAAABAgMEBQYHCAkKC//EALUQ"
            + "AAIBAwMCBAMFBQQEAAABfQECAwAEEQUSITFBBhNRYQcicRQygZGhCCNCscEVUtHwJDNicoIJChYXGBkaJSYnKCkqNDU2Nzg5OkNERUZHSElKU1"
            + "RVVldYWVpjZGVmZ2hpanN0dXZ3eHl6g4SFhoeIiYqSk5SVlpeYmZqio6Slpqeoqaqys7S1tre4ubrCw8TFxsfIycrS09TV1tfY2drh4uPk5ebn"
            + "6Onq8fLz9PX29/j5+v/aAA4EQwBNAFkASwAAPwD80f8Agnd/y4/8Br4X/wCHSX/Us/8AkGv1G/aS+Lf/AB8f6V696/fyv3g/4J3f8uP/AAGj/h"
            + "0l/wBSz/5Br8//ANpL4t/8fH+leveivwf/AOCd3/Lj/wABr+hz/hm34Tf9C/8AqP8ACvef2kvEurf6R/pHrRX7wf8ABO7/AJcf+A0f8M2/Cb/o"
            + "X/1H+Ffn/wDtJeJdW/0j/SPWiv/Z";
    private static final String CMYK_PIL_RGB = "0000ff0f00f71e00ef2d00e73c00df4b00d75a00cf6900c77800bf8700b79600afa500a7b4"
            + "009fc30097d2008fe100870014fa0f14f21e14ea2d14e23c14da4b14d25a14ca6914c27814ba8714b29614aaa514a2b4149ac31492d2148a"
            + "e114820028f50f28ed1e28e42d28dd3c28d54b28cd5a28c56928bd7828b58728ad9628a4a5289db42895c3288dd22885e1287d003bf00f3b"
            + "e81e3be02d3bd83c3bd04b3bc85a3bc0693bb8783bb0873ba8963ba0a53b98b43b90c33b88d23b80e13b780051eb0f51e31e51db2d51d33c"
            + "51cb4b51c35a51bb6951b37851ab8751a396519ba55193b4518bc35183d2517be151730064e60f64de1e64d62d64ce3c64c64b64bf5a64b6"
            + "6964ae7864a687649e966496a5648eb46486c3647fd26476e1646e0078e10f78d91e78d12d78c93c78c14b78b95a78b16978a97878a18778"
            + "99967891a57889b47881c37879d27871e17869008cdc0f8cd41e8ccc2d8cc43c8cbc4b8cb45a8cac698ca4788c9c878c94968c8ca58c84b4"
            + "8c7cc38c74d28c6ce18c6400a0d70fa0cf1ea0c72da0bf3ca0b74ba0af5aa0a769a09f78a09787a08f96a087a5a07fb4a077c3a06fd2a067"
            + "e1a05f00b4d20fb4cb1eb4c22db4ba3cb4b24bb4ab5ab4a269b49a78b49287b48b96b482a5b47ab4b472c3b46bd2b462e1b45a00c8cd0fc8"
            + "c51ec8bc2dc8b53cc8ac4bc8a55ac89c69c89478c88d87c88596c87ca5c875b4c86cc3c865d2c85ce1c85400dcc90fdcc11edcb82ddcb13c"
            + "dca94bdca15adc9869dc9178dc8987dc8196dc78a5dc71b4dc69c3dc61d2dc58e1dc51";

    @Test
    void cmykJpegDecodesThroughTwelveMonkeys() {
        RgbImage img = ImageDecoder.decode(Base64.getDecoder().decode(CMYK_JPEG), "cmyk.jpg");
        assertEquals(16, img.width());
        assertEquals(12, img.height());
        // Profile-less Adobe CMYK: TwelveMonkeys' conversion agrees with Pillow's naive one here.
        int diff = maxAbsDiff(HexFormat.of().parseHex(CMYK_PIL_RGB), img.pixels());
        assertTrue(diff <= 3, "CMYK JPEG differs from Pillow by " + diff);
    }

    /** 16x12 WebP files written by Pillow 9.4 (libwebp), and Pillow's decode of the lossy one. */
    private static final String WEBP_LOSSLESS = "UklGRiwAAABXRUJQVlA4TCAAAAAvD8ACAJmM6H9sql/56H9ASEAY4f9dTZ6H/scEgFW7AA==";
    private static final String WEBP_LOSSY = "UklGRnAAAABXRUJQVlA4IGQAAAAwAwCdASoQAAwAAMASJbACdLoBRAP4B9wG8AaH+B5/g4HYAP7/QHlbzE"
            + "PuQb2GyvoDiVogwfyBbbJMhRxn//1e7sh/LhsQo3zENf8aZLpz/8xVeh//uSpYS//YIcKpV5l62zgA";
    private static final String WEBP_LOSSY_PIL_RGB = "0305f10a06f01a07ea2905e23c05d94a05d25904cc6804c57605ba8406b29106aba105"
            + "a5b3049ac10493d0048dd8058c0a15f51116f32116f02f16e73f13dc4f12d45e11cf6b12c67913bc8813b39513afa512a6b7119dc61195d5"
            + "1090dd138e0726ef0f25ed1d27e82d25e04126d85125d15e26ca6d26c27b26b78927b19727aaa726a3b92599c82492d5258cdd278b073ae8"
            + "0e3be71c3de12d3cdb3d3acf4e38c85c3ac36939bb7839b0873aa8943aa1a4399bb63890c63789d33783db39820754e20e54e01c56db2c55"
            + "d43b50c64b4fc05951ba6750b27651a98552a092529aa25193b45089c54f82d2507bda517b0465d80c67d81a68d42966ca3963bf4763b757"
            + "63b36363aa7668a485689b946896a2688eb46685c5667dd36578dc6776057ad70e7cd61c7cd02c7bc93e7abe4d79b85b7bb2697aa9767a9d"
            + "857996927a90a27989b4787ec47778d17771da7971038cd20c8cce1c8dcb298cc13b8cba4b8cb1598dae678ca479909d889094968f90a590"
            + "87b78e7ec78e76d48e71de8f6f03a2d10ca2cd1ea2ca2ca2c139a0b647a0ad59a0aa689ea0769f94859f8d929f86a29e80b49d75c39d6fd0"
            + "9e68da9f6700b3c90ab4c61db3c32bb2b93ab6b349b5ac5cb5a769b49d78b59087b58895b483a4b47ab6b372c6b269d3b265dcb46402c9c3"
            + "0ec9c31ec8bc2cc8b43ac9ab4ac8a45bc8a16ac79579c78988c88095c87ba5c773b7c66ac5c662d4c55ddcc75c07d6c50fd6c322d6bd30d5"
            + "b442dab050daa963d9a472d79a81d88d8ed9859dd97eadd878bfd76dced766dcd660e4d85f";

    @Test
    void webpLosslessAndLossy() {
        RgbImage lossless = ImageDecoder.decode(Base64.getDecoder().decode(WEBP_LOSSLESS), "lossless.webp");
        assertEquals(16, lossless.width());
        assertEquals(12, lossless.height());
        RgbImage lossy = ImageDecoder.decode(Base64.getDecoder().decode(WEBP_LOSSY), "lossy.webp");
        byte[] pil = HexFormat.of().parseHex(WEBP_LOSSY_PIL_RGB);
        // TwelveMonkeys' VP8 decoder is not libwebp: its chroma upsampling / YUV->RGB differ, so
        // lossy WebP is only close to Pillow, not equal (lossless is exact).
        long sum = 0;
        for (int i = 0; i < pil.length; i++) {
            sum += Math.abs((pil[i] & 0xFF) - (lossy.pixels()[i] & 0xFF));
        }
        double mean = (double) sum / pil.length;
        int max = maxAbsDiff(pil, lossy.pixels());
        System.out.printf("lossy WebP vs Pillow/libwebp: max abs diff %d, mean %.2f%n", max, mean);
        assertTrue(mean < 12 && max <= 64, "lossy WebP too far from libwebp: max " + max + ", mean " + mean);
    }

    // ------------------------------------------------------------------ BufferedImage conversion

    @Test
    void packedIntImagesConvert() {
        for (int type : new int[] {BufferedImage.TYPE_INT_RGB, BufferedImage.TYPE_INT_ARGB, BufferedImage.TYPE_INT_BGR}) {
            BufferedImage img = new BufferedImage(W, H, type);
            for (int y = 0; y < H; y++) {
                for (int x = 0; x < W; x++) {
                    img.setRGB(x, y, 0x7F000000 | r(x, y) << 16 | g(x, y) << 8 | b(x, y));
                }
            }
            assertPixels(ImageDecoder.toRgb(img), W, H, (x, y) -> new int[] {r(x, y), g(x, y), b(x, y)});
        }
    }

    // ------------------------------------------------------------------ golden fixture

    @Test
    void fixtureJpegMatchesPillow() throws IOException {
        Path jpg = Shared.fixtures("preprocess/pattern_64x74.jpg");
        Path expected = Shared.fixtures("preprocess/expected.safetensors");
        RgbImage img = ImageDecoder.decode(jpg);
        assertEquals(64, img.width());
        assertEquals(74, img.height());
        int[] pil;
        try (SafeTensors st = SafeTensors.open(expected)) {
            pil = st.get("pattern.decoded_rgb").toIntArray();
        }
        int max = 0;
        int differing = 0;
        for (int i = 0; i < pil.length; i++) {
            int d = Math.abs(pil[i] - (img.pixels()[i] & 0xFF));
            max = Math.max(max, d);
            differing += d > 0 ? 1 : 0;
        }
        System.out.println("JDK/TwelveMonkeys JPEG vs Pillow (libjpeg-turbo) on pattern_64x74.jpg: max abs diff " + max
                + ", " + differing + " of " + pil.length + " samples differ");
        assertTrue(max <= 3, "JPEG decode differs from Pillow by " + max);
    }

    @Test
    void fixturePngsDecode() {
        RgbImage grad = ImageDecoder.decode(Shared.fixtures("preprocess/gradient_300x200.png"));
        assertEquals(300, grad.width());
        assertEquals(200, grad.height());
        RgbImage checker = ImageDecoder.decode(Shared.fixtures("preprocess/checker_50x80.png"));
        assertEquals(50, checker.width());
        assertEquals(80, checker.height());
    }

    // ------------------------------------------------------------------ failures

    private ImageDecodeException failFile(String name, byte[] content) throws IOException {
        Path f = tmp.resolve(name);
        Files.write(f, content);
        ImageDecodeException e = assertThrows(ImageDecodeException.class, () -> ImageDecoder.decode(f));
        assertTrue(e.getMessage().contains(f.toString()), "message does not name the file: " + e.getMessage());
        assertEquals("'" + f + "'", e.source());
        return e;
    }

    private static byte[] validJpeg() throws IOException {
        return encode(rgbImage(), "jpeg");
    }

    private static byte[] validPng() throws IOException {
        return encode(rgbImage(), "png");
    }

    @Test
    void corruptJpegHeader() throws IOException {
        byte[] jpg = validJpeg();
        for (int i = 3; i < 40; i++) {
            jpg[i] = (byte) (i * 37 + 11);
        }
        ImageDecodeException e = failFile("corrupt.jpg", jpg);
        assertEquals(Reason.CORRUPT, e.reason());
        assertTrue(e.getMessage().contains("JPEG"), e.getMessage());
    }

    @Test
    void truncatedJpeg() throws IOException {
        // Big and busy enough that two thirds of the file ends inside the entropy-coded scan.
        BufferedImage big = new BufferedImage(160, 120, BufferedImage.TYPE_3BYTE_BGR);
        for (int y = 0; y < 120; y++) {
            for (int x = 0; x < 160; x++) {
                big.getRaster().setPixel(x, y, new int[] {r(x, y), g(x * 3, y), b(x, y * 5)});
            }
        }
        byte[] jpg = encode(big, "jpeg");
        ImageDecodeException e = failFile("half.jpg", Arrays.copyOf(jpg, jpg.length * 2 / 3));
        assertEquals(Reason.TRUNCATED, e.reason());
        // The lenient decoder returns what is there (Pillow's LOAD_TRUNCATED_IMAGES = True).
        RgbImage partial = ImageDecoder.lenient().read(Arrays.copyOf(jpg, jpg.length * 2 / 3), "half.jpg");
        assertEquals(160, partial.width());
        // Cut inside the headers, and cut by only the final EOI marker (Pillow also calls both truncated).
        assertEquals(Reason.TRUNCATED, failFile("head.jpg", Arrays.copyOf(jpg, 100)).reason());
        assertEquals(Reason.TRUNCATED, failFile("noeoi.jpg", Arrays.copyOf(jpg, jpg.length - 2)).reason());
    }

    @Test
    void truncatedPng() throws IOException {
        byte[] png = validPng();
        ImageDecodeException e = failFile("cut.png", Arrays.copyOf(png, png.length / 2));
        assertEquals(Reason.TRUNCATED, e.reason());
        assertTrue(e.getMessage().contains("PNG"), e.getMessage());
    }

    @Test
    void corruptPngData() throws IOException {
        byte[] png = validPng();
        // Overwrite the middle of the compressed IDAT payload.
        for (int i = 60; i < png.length - 30; i++) {
            png[i] = (byte) (i * 131 + 7);
        }
        ImageDecodeException e = failFile("garbled.png", png);
        assertTrue(e.reason() == Reason.CORRUPT || e.reason() == Reason.TRUNCATED, e.getMessage());
    }

    @Test
    void emptyFile() throws IOException {
        ImageDecodeException e = failFile("empty.jpg", new byte[0]);
        assertEquals(Reason.EMPTY, e.reason());
        assertTrue(e.getMessage().contains("empty"), e.getMessage());
    }

    @Test
    void unknownFormat() throws IOException {
        ImageDecodeException e = failFile("notes.jpg", "just some text, not an image".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        assertEquals(Reason.UNKNOWN_FORMAT, e.reason());
        assertTrue(e.getMessage().contains("unknown image format"), e.getMessage());
        // TIFF is a real format but not one we decode.
        ImageDecodeException tiff = failFile("img.tif", new byte[] {'I', 'I', 42, 0, 8, 0, 0, 0, 0, 0});
        assertEquals(Reason.UNKNOWN_FORMAT, tiff.reason());
    }

    @Test
    void truncatedWebp() throws IOException {
        byte[] webp = Base64.getDecoder().decode(WEBP_LOSSLESS);
        ImageDecodeException e = failFile("cut.webp", Arrays.copyOf(webp, webp.length - 10));
        assertEquals(Reason.TRUNCATED, e.reason());
    }

    @Test
    void missingFileAndDirectory() {
        Path missing = tmp.resolve("nope").resolve("missing.png");
        ImageDecodeException e = assertThrows(ImageDecodeException.class, () -> ImageDecoder.decode(missing));
        assertEquals(Reason.NOT_FOUND, e.reason());
        assertTrue(e.getMessage().contains(missing.toString()) && e.getMessage().contains("not found"), e.getMessage());

        ImageDecodeException dir = assertThrows(ImageDecodeException.class, () -> ImageDecoder.decode(tmp));
        assertEquals(Reason.UNREADABLE, dir.reason());
        assertTrue(dir.getMessage().contains(tmp.toString()), dir.getMessage());
    }

    @Test
    void hugeHeaderIsRejectedBeforeDecoding() throws IOException {
        // A PNG whose IHDR claims 60000 x 60000 pixels (3.6 G) with no data behind it.
        byte[] png = validPng();
        byte[] ihdrSize = {0, 0, (byte) 0xEA, 0x60};
        System.arraycopy(ihdrSize, 0, png, 16, 4);
        System.arraycopy(ihdrSize, 0, png, 20, 4);
        ImageDecodeException e = failFile("bomb.png", png);
        assertEquals(Reason.TOO_LARGE, e.reason());
    }

    @Test
    void bytesAndFileDecodeTheSame() throws IOException {
        byte[] png = validPng();
        Path f = tmp.resolve("same.png");
        Files.write(f, png);
        assertArrayEquals(ImageDecoder.decode(f).pixels(), ImageDecoder.decode(png, "same.png").pixels());
    }
}
