package radapter.data.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HexFormat;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ResamplerTest {
    /**
     * A 7x5 image; the expected outputs below were produced by Pillow 9.4.0 from the same bytes with
     * {@code Image.fromarray(a, "RGB").resize(size, filter, box=box)}.
     */
    private static final String SRC = "00ff0028e1ff50c30078a5ffa08700c869fff04b0007ebff2fcd0057afff7f9100a773ffcf5500f737ff"
            + "0ed70036b9ff5e9b00867dffae5f00d641fffe230015c3ff3da5006587ff8d6900b54bffdd2d00050fff1caf004491ff6c73009455ff"
            + "bc3700e419ff0cfb00";

    private static RgbImage source() {
        return new RgbImage(7, 5, HexFormat.of().parseHex(SRC));
    }

    private static void assertPillow(String expectedHex, RgbImage actual) {
        assertEquals(expectedHex, HexFormat.of().formatHex(actual.pixels()));
    }

    @Test
    void bicubicDownscaleMatchesPillow() {
        assertPillow("23d87e7e9480d94d7e33aa7e9463809e447e", Resampler.resize(source(), 3, 2, Interpolation.BICUBIC));
    }

    @Test
    void bicubicUpscaleMatchesPillow() {
        assertPillow("00ff000df6762be0ff44cd225eba4577a7ff909445aa8122c36effe15876f24b0001fb4f10ef7c2ed9ae47c66161b36c7aa0b0"
                + "938d6cad7a61c667aee4517cf5444f03eff614e28732cc0e4bb9cb65a6af7e93099780afb16dcbca5a0ee84487f937f607e49518d7"
                + "8136c16b4fae8d699b8882886a9b7588b5628dce4f6bf43981ff2c950bd9001ccc773ab6f953a32f6d904d867dff9f6a4db9572fd2"
                + "44f9f02e77ff21000fce9520c1813eab6b57988d7185888a726aa35f88c14c8ddc3a6b9e19816e049513c3f624b68742a00e5b8dcb"
                + "757aaf8e6709a754afc840cbe42d0e5b2387001ff617b64f28a97c4693ae5f8061796d6c925ab0ab476ccd2f61e91aae61777c00bc"
                + "4f1aaf002ba276498cff6279227c66459553ffae4045cf2622eb10ff69a77600ff00",
                Resampler.resize(source(), 11, 9, Interpolation.BICUBIC));
    }

    @Test
    void bilinearMatchesPillow() {
        assertPillow("15ef6d53c17a9d897adb5b6d1ae08958b282a27a82e04c8920cf7c5ea17fa8697fe63b7c26bf7c64917fae597fb42b7c2cae8"
                + "96a8082b448826c3c89319f6d6f717ab9397a71916d", Resampler.resize(source(), 4, 6, Interpolation.BILINEAR));
    }

    @Test
    void boxMatchesPillow() {
        assertPillow("31d47051bc9070a475908c81b07589d05d6f39bd9a59a562788d9398757eb85e6fd9469b41a8546190af807860a06082c549"
                + "9ad330524991b069794a8861a3a8497cd02b62d428b3",
                Resampler.resize(source(), 6, 4, Interpolation.BICUBIC, 1.25, 0.5, 6.0, 4.75));
    }

    @Test
    void verticalOnlyMatchesPillow() {
        assertPillow("02f86a2ada9552bc6a7a9e95a2806aca6295fa446a0ed77e36b9815e9b7e867d81ae5f7ed64181c8197e1ab66a4298956a"
                + "7a6a925c95ba3e6ae2209502986a", Resampler.resize(source(), 7, 3, Interpolation.BICUBIC));
    }

    @Test
    void sameSizeIsACopy() {
        RgbImage src = source();
        RgbImage out = Resampler.resize(src, 7, 5, Interpolation.BICUBIC);
        assertArrayEquals(src.pixels(), out.pixels());
        assertNotSame(src.pixels(), out.pixels());
    }

    @Test
    void bilinearHalvingRoundsHalfUp() {
        // Two pixels with equal weights 1/2: (10 + 21) / 2 = 15.5 rounds to 16 in fixed point.
        RgbImage src = new RgbImage(2, 1, new byte[] {10, 0, (byte) 255, 21, 0, (byte) 255});
        RgbImage out = Resampler.resize(src, 1, 1, Interpolation.BILINEAR);
        assertArrayEquals(new byte[] {16, 0, (byte) 255}, out.pixels());
    }

    @Test
    void constantImageStaysConstant() {
        RgbImage src = RgbImage.blank(13, 9);
        for (int y = 0; y < 9; y++) {
            for (int x = 0; x < 13; x++) {
                src.set(x, y, 0, 200);
                src.set(x, y, 1, 7);
                src.set(x, y, 2, 255);
            }
        }
        for (int[] wh : new int[][] {{5, 3}, {29, 40}, {13, 2}, {1, 1}}) {
            RgbImage out = Resampler.resize(src, wh[0], wh[1], Interpolation.BICUBIC);
            for (int y = 0; y < wh[1]; y++) {
                for (int x = 0; x < wh[0]; x++) {
                    assertEquals(200, out.get(x, y, 0));
                    assertEquals(7, out.get(x, y, 1));
                    assertEquals(255, out.get(x, y, 2));
                }
            }
        }
    }

    @Test
    void resizeCroppedEqualsCropOfResize() {
        SplittableRandom r = new SplittableRandom(5);
        for (int trial = 0; trial < 40; trial++) {
            int w = 1 + r.nextInt(60);
            int h = 1 + r.nextInt(60);
            byte[] px = new byte[w * h * 3];
            for (int i = 0; i < px.length; i++) {
                px[i] = (byte) r.nextInt(256);
            }
            RgbImage src = new RgbImage(w, h, px);
            int ow = 1 + r.nextInt(80);
            int oh = 1 + r.nextInt(80);
            if (trial % 5 == 0) {
                ow = w; // exercises the vertical-only path
            }
            Interpolation f = trial % 2 == 0 ? Interpolation.BICUBIC : Interpolation.BILINEAR;
            int cw = 1 + r.nextInt(ow);
            int ch = 1 + r.nextInt(oh);
            int left = r.nextInt(ow - cw + 1);
            int top = r.nextInt(oh - ch + 1);
            RgbImage full = Resampler.resize(src, ow, oh, f);
            RgbImage expected = ImageOps.crop(full, left, top, cw, ch);
            RgbImage actual = Resampler.resizeCropped(src, ow, oh, f, left, top, cw, ch);
            assertArrayEquals(expected.pixels(), actual.pixels(), "trial " + trial);
        }
    }

    @Test
    void vectorPassesEqualScalarPasses() {
        // The golden Pillow cases above run on whichever passes this JVM uses; this pins the vector
        // passes to the scalar ones on random images, sizes, filters, boxes and windows.
        assertTrue(Resampler.SIMD_AVAILABLE, "the Vector API passes should load under jvm.options");
        SplittableRandom r = new SplittableRandom(77);
        for (int trial = 0; trial < 150; trial++) {
            int w = 1 + r.nextInt(trial < 100 ? 70 : 600);
            int h = 1 + r.nextInt(trial < 100 ? 70 : 400);
            byte[] px = new byte[w * h * 3];
            for (int i = 0; i < px.length; i++) {
                px[i] = (byte) (trial % 3 == 0 ? (i % 3 == 0 ? 255 : 0) : r.nextInt(256)); // saturated or noise
            }
            RgbImage src = new RgbImage(w, h, px);
            int ow = 1 + r.nextInt(trial < 100 ? 90 : 300);
            int oh = 1 + r.nextInt(trial < 100 ? 90 : 300);
            Interpolation f = trial % 2 == 0 ? Interpolation.BICUBIC : Interpolation.BILINEAR;
            double x0 = r.nextDouble() * w / 3;
            double y0 = r.nextDouble() * h / 3;
            double x1 = w - r.nextDouble() * (w - x0);
            double y1 = h - r.nextDouble() * (h - y0);
            String what = "trial " + trial + ": " + w + "x" + h + " -> " + ow + "x" + oh + " " + f;
            assertArrayEquals(Resampler.resizeScalar(src, ow, oh, f, x0, y0, x1, y1).pixels(),
                    Resampler.resize(src, ow, oh, f, x0, y0, x1, y1).pixels(), what + " box");
            int cw = 1 + r.nextInt(ow);
            int ch = 1 + r.nextInt(oh);
            int left = r.nextInt(ow - cw + 1);
            int top = r.nextInt(oh - ch + 1);
            assertArrayEquals(Resampler.resizeCroppedScalar(src, ow, oh, f, left, top, cw, ch).pixels(),
                    Resampler.resizeCropped(src, ow, oh, f, left, top, cw, ch).pixels(), what + " window");
        }
    }

    @Test
    void rejectsBadArguments() {
        assertThrows(IllegalArgumentException.class, () -> Resampler.resize(source(), 0, 3, Interpolation.BICUBIC));
        assertThrows(IllegalArgumentException.class,
                () -> Resampler.resize(source(), 3, 3, Interpolation.BICUBIC, 0, 0, 8, 5));
        assertThrows(IllegalArgumentException.class,
                () -> Resampler.resizeCropped(source(), 4, 4, Interpolation.BICUBIC, 2, 0, 3, 3));
    }
}
