package radapter.data.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.color.ColorSpace;
import java.awt.color.ICC_Profile;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import radapter.data.image.ImageDecodeException.Reason;
import radapter.data.image.JpegSamples.Options;
import radapter.data.image.JpegSamples.Sampling;
import radapter.testing.Shared;

/**
 * {@link BaselineJpeg} against the ImageIO path it replaces for common files: the decoded bytes must
 * be identical (vector and scalar kernels alike), and everything it does not handle must reach the
 * ImageIO path unchanged.
 */
class BaselineJpegTest {
    @TempDir
    Path tmp;

    /** Decodes through both paths and requires the fast path to accept and to agree bit for bit. */
    private static void assertSameAsImageIo(byte[] jpeg, String what) {
        RgbImage reference = ImageDecoder.strict().readWithImageIo(jpeg, what);
        assertNull(BaselineJpeg.declineReason(jpeg), what + ": declined");
        RgbImage simd = BaselineJpeg.decode(jpeg, true);
        RgbImage scalar = BaselineJpeg.decode(jpeg, false);
        assertNotNull(simd, what);
        assertEquals(reference.width(), simd.width(), what);
        assertEquals(reference.height(), simd.height(), what);
        assertArrayEquals(reference.pixels(), simd.pixels(), what + " (vector kernels)");
        assertArrayEquals(reference.pixels(), scalar.pixels(), what + " (scalar kernels)");
        assertArrayEquals(reference.pixels(), ImageDecoder.decode(jpeg, what).pixels(), what + " (ImageDecoder)");
    }

    @Test
    void vectorKernelsAreInUse() {
        assertTrue(BaselineJpeg.SIMD_AVAILABLE, "the Vector API kernels should load under jvm.options");
    }

    @Test
    void fixtureJpegIsIdentical() throws IOException {
        assertSameAsImageIo(Files.readAllBytes(Shared.fixtures("preprocess/pattern_64x74.jpg")), "pattern_64x74.jpg");
    }

    @Test
    void generatedJpegsAreIdentical() throws IOException {
        // Every sampling layout (fancy h2v1 / h2v2, replication, chroma at different rates, luma
        // below the maximum factor) at sizes that are and are not multiples of the MCU, 1x1 to
        // larger than one restart interval, with default and optimised Huffman tables, quality
        // 0.3 to 1.0, restart intervals of 1 and 3 MCUs, and with no JFIF marker.
        int[][] sizes = {{1, 1}, {2, 2}, {3, 5}, {7, 9}, {8, 8}, {9, 17}, {16, 16}, {17, 3}, {33, 31}, {64, 74},
            {123, 77}, {250, 171}};
        long seed = 1;
        int files = 0;
        for (Sampling s : Sampling.ALL) {
            Options[] options = {
                Options.plain(s),
                Options.plain(s).restart(3),
                Options.plain(s).quality(1.0f).optimized(),
                Options.plain(s).quality(0.3f).restart(1),
                Options.plain(s).noJfif(),
            };
            for (int o = 0; o < options.length; o++) {
                // A rotating third of the sizes per option keeps the test quick yet covers them all.
                for (int i = o % 3; i < sizes.length; i += 3) {
                    int[] wh = sizes[i];
                    byte[] jpeg = JpegSamples.write(JpegSamples.content(wh[0], wh[1], seed++, false), options[o]);
                    assertSameAsImageIo(jpeg, wh[0] + "x" + wh[1] + " " + options[o]);
                    files++;
                }
            }
        }
        for (int[] wh : sizes) {
            Options o = Options.plain(null).restart(wh[0] % 2 == 0 ? 0 : 2);
            assertSameAsImageIo(JpegSamples.write(JpegSamples.content(wh[0], wh[1], seed++, true), o),
                    wh[0] + "x" + wh[1] + " gray " + o);
            files++;
        }
        assertEquals(Sampling.ALL.length * 20 + sizes.length, files);
    }

    @Test
    void colourSpaceMarkersAndComponentIds() throws IOException {
        byte[] noJfif = JpegSamples.write(JpegSamples.content(37, 29, 5, false), Options.plain(Sampling.S420).noJfif());
        byte[] jfif = JpegSamples.segment(0xE0, new byte[] {'J', 'F', 'I', 'F', 0, 1, 1, 0, 0, 1, 0, 1, 0, 0});
        byte[] exif = JpegSamples.segment(0xE1, new byte[] {'E', 'x', 'i', 'f', 0, 0, 'M', 'M', 0, 42, 0, 0, 0, 8});
        byte[] adobeYcc = JpegSamples.segment(0xEE, new byte[] {'A', 'd', 'o', 'b', 'e', 0, 100, 0, 0, 0, 0, 1});
        byte[] adobeRgb = JpegSamples.segment(0xEE, new byte[] {'A', 'd', 'o', 'b', 'e', 0, 100, 0, 0, 0, 0, 0});
        // Ids 1,2,3 and 0,1,2 are YCbCr for the JDK with or without JFIF / Exif markers.
        assertSameAsImageIo(noJfif, "ids 1,2,3, no JFIF");
        assertSameAsImageIo(JpegSamples.withComponentIds(noJfif, 0, 1, 2), "ids 0,1,2, no JFIF");
        assertSameAsImageIo(JpegSamples.insertAfterSoi(noJfif, exif), "Exif, no JFIF");
        assertSameAsImageIo(JpegSamples.insertAfterSoi(noJfif, adobeYcc), "Adobe transform 1");
        assertSameAsImageIo(JpegSamples.insertAfterSoi(JpegSamples.withComponentIds(noJfif, 'R', 'G', 'B'), jfif),
                "ids R,G,B with JFIF");
        // Read as RGB / PhotoYCC / untransformed by the JDK: left to it, also when the Adobe marker
        // only comes after the frame header.
        int sos = JpegSamples.find(noJfif, 0xDA, 2);
        byte[] lateAdobe = new byte[noJfif.length + adobeRgb.length];
        System.arraycopy(noJfif, 0, lateAdobe, 0, sos);
        System.arraycopy(adobeRgb, 0, lateAdobe, sos, adobeRgb.length);
        System.arraycopy(noJfif, sos, lateAdobe, sos + adobeRgb.length, noJfif.length - sos);
        for (byte[] declined : List.of(JpegSamples.withComponentIds(noJfif, 'R', 'G', 'B'),
                JpegSamples.withComponentIds(noJfif, 'Y', 'C', 'c'), JpegSamples.withComponentIds(noJfif, 5, 6, 7),
                JpegSamples.insertAfterSoi(noJfif, adobeRgb), lateAdobe)) {
            assertEquals("3 components not known to be YCbCr", BaselineJpeg.declineReason(declined));
            assertNull(BaselineJpeg.decode(declined));
            assertNotNull(ImageDecoder.decode(declined, "declined.jpg"));
        }
    }

    @Test
    void iccProfilesGoToImageIo() throws IOException {
        // ImageIO colour-converts a non-sRGB profile (Pillow does not), so any profile is left to
        // it to keep today's pixels.
        byte[] jpeg = JpegSamples.write(JpegSamples.content(30, 20, 6, false), Options.plain(Sampling.S420));
        byte[] profile = ICC_Profile.getInstance(ColorSpace.CS_LINEAR_RGB).getData();
        byte[] payload = new byte[14 + profile.length];
        System.arraycopy("ICC_PROFILE\0".getBytes(StandardCharsets.ISO_8859_1), 0, payload, 0, 12);
        payload[12] = 1;
        payload[13] = 1;
        System.arraycopy(profile, 0, payload, 14, profile.length);
        byte[] tagged = JpegSamples.insertAfterSoi(jpeg, JpegSamples.segment(0xE2, payload));
        assertEquals("embedded ICC profile", BaselineJpeg.declineReason(tagged));
        assertArrayEquals(ImageDecoder.strict().readWithImageIo(tagged, "icc").pixels(),
                ImageDecoder.decode(tagged, "icc.jpg").pixels());
    }

    @Test
    void unsupportedCodingsGoToImageIo() throws IOException {
        byte[] base = JpegSamples.write(JpegSamples.content(40, 24, 7, false), Options.plain(Sampling.S420));
        byte[] progressive = JpegSamples.write(JpegSamples.content(40, 24, 7, false),
                Options.plain(Sampling.S420).progressiveMode());
        assertEquals("marker 0xC2", BaselineJpeg.declineReason(progressive));
        assertArrayEquals(ImageDecoder.strict().readWithImageIo(progressive, "p").pixels(),
                ImageDecoder.decode(progressive, "p.jpg").pixels());

        int sof = JpegSamples.find(base, 0xC0, 2);
        byte[] arithmetic = base.clone();
        arithmetic[sof + 1] = (byte) 0xC9;
        assertEquals("marker 0xC9", BaselineJpeg.declineReason(arithmetic));
        byte[] twelveBit = base.clone();
        twelveBit[sof + 4] = 12;
        assertEquals("12-bit samples", BaselineJpeg.declineReason(twelveBit));
        byte[] dnl = base.clone();
        dnl[sof + 5] = 0;
        dnl[sof + 6] = 0;
        assertEquals("zero or DNL-defined size", BaselineJpeg.declineReason(dnl));
        byte[] huge = base.clone();
        huge[sof + 5] = (byte) 0xFF;
        huge[sof + 6] = (byte) 0xFF;
        huge[sof + 7] = (byte) 0xFF;
        huge[sof + 8] = (byte) 0xFF;
        assertEquals("too large", BaselineJpeg.declineReason(huge));
        assertEquals(Reason.TOO_LARGE, assertThrows(ImageDecodeException.class,
                () -> ImageDecoder.decode(huge, "huge.jpg")).reason());
    }

    @Test
    void restartMarkers() throws IOException {
        byte[] jpeg = JpegSamples.write(JpegSamples.content(90, 50, 8, false), Options.plain(Sampling.S420).restart(2));
        assertSameAsImageIo(jpeg, "DRI 2");
        // Renumber the second restart marker: libjpeg resynchronises with a warning; the fast path
        // leaves such files to it, so the output stays whatever ImageIO makes of them.
        int first = JpegSamples.find(jpeg, 0xD0, JpegSamples.find(jpeg, 0xDA, 2));
        int second = JpegSamples.find(jpeg, 0xD1, first);
        byte[] misnumbered = jpeg.clone();
        misnumbered[second + 1] = (byte) 0xD5;
        assertEquals("restart marker missing or out of sequence", BaselineJpeg.declineReason(misnumbered));
        assertArrayEquals(ImageDecoder.strict().readWithImageIo(misnumbered, "m").pixels(),
                ImageDecoder.decode(misnumbered, "m.jpg").pixels());
    }

    @Test
    void truncatedAndUnterminatedDataFailAsBefore() throws IOException {
        byte[] jpeg = JpegSamples.write(JpegSamples.content(120, 90, 9, false), Options.plain(Sampling.S420));
        byte[] cut = Arrays.copyOf(jpeg, jpeg.length * 2 / 3);
        byte[] noEoi = Arrays.copyOf(jpeg, jpeg.length - 2);
        assertEquals("no EOI", BaselineJpeg.declineReason(cut));
        assertEquals("no EOI", BaselineJpeg.declineReason(noEoi));
        for (byte[] bad : List.of(cut, noEoi)) {
            Path f = tmp.resolve("bad.jpg");
            Files.write(f, bad);
            ImageDecodeException e = assertThrows(ImageDecodeException.class, () -> ImageDecoder.decode(f));
            assertEquals(Reason.TRUNCATED, e.reason());
            assertTrue(e.getMessage().contains(f.toString()), e.getMessage());
        }
        // EOI right after a scan that runs out of data: libjpeg pads with zeros and warns.
        int eoiAt = jpeg.length - 2;
        byte[] shortScan = new byte[eoiAt - 200 + 2];
        System.arraycopy(jpeg, 0, shortScan, 0, eoiAt - 200);
        shortScan[shortScan.length - 2] = (byte) 0xFF;
        shortScan[shortScan.length - 1] = (byte) 0xD9;
        assertEquals("entropy-coded data ends early", BaselineJpeg.declineReason(shortScan));
    }

    /**
     * Random damage (overwritten, flipped and cut bytes, in headers and in entropy-coded data):
     * decoding never fails with anything but an {@link ImageDecodeException} naming the source,
     * and whenever the fast path accepts a damaged file, ImageIO decodes it to the same bytes.
     */
    @Test
    void damagedFilesDecodeAsImageIoDoesOrFailCleanly() throws IOException {
        List<byte[]> bases = new ArrayList<>();
        bases.add(JpegSamples.write(JpegSamples.content(61, 45, 1, false), Options.plain(Sampling.S420)));
        bases.add(JpegSamples.write(JpegSamples.content(40, 33, 2, false), Options.plain(Sampling.S444).restart(2)));
        bases.add(JpegSamples.write(JpegSamples.content(35, 20, 3, true), Options.plain(Sampling.S444).restart(1)));
        bases.add(JpegSamples.write(JpegSamples.content(50, 30, 4, false), Options.plain(Sampling.S422).optimized()));
        SplittableRandom r = new SplittableRandom(2);
        int accepted = 0;
        int failed = 0;
        for (int t = 0; t < 1500; t++) {
            byte[] j = bases.get(t % bases.size()).clone();
            switch (r.nextInt(4)) {
                case 0 -> {
                    for (int i = 1 + r.nextInt(4); i > 0; i--) {
                        j[2 + r.nextInt(j.length - 2)] = (byte) r.nextInt(256);
                    }
                }
                case 1 -> j[2 + r.nextInt(j.length - 2)] ^= (byte) (1 << r.nextInt(8));
                case 2 -> j = Arrays.copyOf(j, 2 + r.nextInt(j.length - 2));
                default -> j[2 + r.nextInt(Math.min(j.length - 2, 700))] = (byte) r.nextInt(256); // headers
            }
            String name = "damaged-" + t + ".jpg";
            RgbImage fast = BaselineJpeg.decode(j);
            RgbImage decoded;
            try {
                decoded = ImageDecoder.decode(j, name);
            } catch (ImageDecodeException e) {
                assertTrue(e.getMessage().contains(name), e.getMessage());
                assertNull(fast, name + ": the fast path accepted a file ImageIO rejects (" + e.getMessage() + ")");
                failed++;
                continue;
            }
            if (fast != null) {
                accepted++;
                assertArrayEquals(ImageDecoder.strict().readWithImageIo(j, name).pixels(), decoded.pixels(), name);
            }
        }
        assertTrue(accepted > 300 && failed > 100, accepted + " accepted, " + failed + " failed");
    }
}
