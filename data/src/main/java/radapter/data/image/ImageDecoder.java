package radapter.data.image;

import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.ComponentColorModel;
import java.awt.image.ComponentSampleModel;
import java.awt.image.DataBuffer;
import java.awt.image.DataBufferByte;
import java.awt.image.DataBufferInt;
import java.awt.image.DataBufferUShort;
import java.awt.image.DirectColorModel;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.awt.image.SinglePixelPackedSampleModel;
import java.awt.color.ColorSpace;
import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;
import radapter.data.image.ImageDecodeException.Reason;

/**
 * Decodes JPEG (baseline, progressive, grayscale, CMYK/YCCK through the TwelveMonkeys reader), PNG
 * (gray, gray+alpha, RGB, RGBA, palette, 1-16 bit), GIF (first frame), BMP and WebP (TwelveMonkeys)
 * to an {@link RgbImage}, following Pillow's {@code Image.open(f).convert("RGB")}:
 * <ul>
 *   <li>gray is replicated to R = G = B, with no gamma or colour-space conversion;</li>
 *   <li>alpha is <b>dropped</b>, not composited (the stored colour values are kept);</li>
 *   <li>palette images take their palette colours (palette transparency is ignored);</li>
 *   <li>16-bit samples keep their high byte ({@code v >> 8}) — Pillow's rule for 16-bit RGB(A);
 *       for 16-bit <em>grayscale</em> Pillow 9.4 instead clips to 255 on {@code convert}, which is
 *       not reproduced;</li>
 *   <li>embedded ICC profiles and EXIF orientation are ignored, as Pillow does, with two JPEG
 *       exceptions: CMYK/YCCK is converted to RGB by TwelveMonkeys (profile-based), so it can differ
 *       from Pillow's naive CMYK conversion; and a YCbCr JPEG with a non-sRGB ICC profile comes out
 *       colour-converted by the ImageIO reader, where Pillow keeps the raw values.</li>
 * </ul>
 *
 * <p>JPEG files of the common kind (baseline Huffman, 8-bit, one scan, YCbCr or gray, no ICC
 * profile) are decoded by a pure-Java decoder that reproduces the ImageIO path's libjpeg arithmetic
 * bit for bit and is 2-3x faster; every other JPEG, and any file it finds irregular, goes through
 * ImageIO as before, so results and error messages do not depend on which path ran.
 *
 * <p>The format is taken from the leading bytes, never from the file name. Truncated data is an
 * error (Pillow's default, {@code LOAD_TRUNCATED_IMAGES = False}) unless the decoder was made with
 * {@link #lenient()}. Every failure is an {@link ImageDecodeException} naming the source and the
 * reason; ImageIO's own exception is kept as its cause.
 *
 * <p>Samples are copied straight out of the decoded raster ({@code DataBufferByte} /
 * {@code DataBufferUShort} / packed ints); {@link BufferedImage#getRGB} is only a last resort for
 * exotic layouts (it colour-manages, which Pillow does not). Input is read through an in-memory
 * stream, never ImageIO's temporary-file cache.
 * Thread safe.
 */
public final class ImageDecoder {
    /** Largest accepted pixel count, Pillow's decompression-bomb error threshold (2 × 89,478,485). */
    public static final long MAX_PIXELS = 2L * 89_478_485L;

    /**
     * Above this pixel count (Pillow's {@code Image.MAX_IMAGE_PIXELS}) an image still decodes but a
     * warning is logged, as Pillow's {@code DecompressionBombWarning}: it costs gigabytes.
     */
    public static final long WARN_PIXELS = 89_478_485L;

    private static final System.Logger LOG = System.getLogger(ImageDecoder.class.getName());

    /** Largest image file read (1 GiB): the file is read whole before decoding. */
    public static final long MAX_FILE_BYTES = 1L << 30;

    private static final ImageDecoder STRICT = new ImageDecoder(false);
    private static final ImageDecoder LENIENT = new ImageDecoder(true);

    static {
        // Picks up plugin jars (TwelveMonkeys) that the context class loader sees but the system
        // class loader may not (application servers, plugin class loaders).
        ImageIO.scanForPlugins();
    }

    private final boolean allowTruncated;

    private ImageDecoder(boolean allowTruncated) {
        this.allowTruncated = allowTruncated;
    }

    /** The default decoder: truncated data is an error. */
    public static ImageDecoder strict() {
        return STRICT;
    }

    /** A decoder that returns what a truncated file holds (like {@code LOAD_TRUNCATED_IMAGES = True}). */
    public static ImageDecoder lenient() {
        return LENIENT;
    }

    /** Reads and decodes {@code file} with the strict decoder (usable as {@code ImageDecoder::decode}). */
    public static RgbImage decode(Path file) {
        return STRICT.read(file);
    }

    /** Decodes in-memory bytes with the strict decoder; {@code name} appears in error messages. */
    public static RgbImage decode(byte[] data, String name) {
        return STRICT.read(data, name);
    }

    /** Reads and decodes {@code file} with this decoder's truncation policy. */
    public RgbImage read(Path file) {
        Objects.requireNonNull(file, "file");
        String source = "'" + file + "'";
        byte[] data;
        try {
            // Regular files only: a FIFO would block the reader forever, a device never end.
            BasicFileAttributes attrs = Files.readAttributes(file, BasicFileAttributes.class);
            if (attrs.isDirectory()) {
                throw new ImageDecodeException(source, Reason.UNREADABLE, "is a directory");
            }
            if (!attrs.isRegularFile()) {
                throw new ImageDecodeException(source, Reason.UNREADABLE, "not a regular file (a FIFO, socket or device)");
            }
            if (attrs.size() > MAX_FILE_BYTES) {
                throw new ImageDecodeException(source, Reason.TOO_LARGE, attrs.size() + " bytes, more than the " + MAX_FILE_BYTES
                        + " an image file may have");
            }
            data = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new ImageDecodeException(source, Reason.NOT_FOUND, null, e);
        } catch (AccessDeniedException e) {
            throw new ImageDecodeException(source, Reason.UNREADABLE, "access denied", e);
        } catch (IOException | OutOfMemoryError e) {
            throw new ImageDecodeException(source, Reason.UNREADABLE, Files.isDirectory(file) ? "is a directory" : e.toString(), e);
        }
        return decodeBytes(data, source);
    }

    /**
     * Decodes in-memory bytes with this decoder's truncation policy; {@code name} (a path, a URL, an
     * archive entry) appears in error messages.
     */
    public RgbImage read(byte[] data, String name) {
        Objects.requireNonNull(data, "data");
        return decodeBytes(data, "'" + (name == null ? "<memory>" : name) + "'");
    }

    /**
     * Decodes through ImageIO only, never {@link BaselineJpeg}: the reference the fast path is tested
     * against, with this decoder's truncation policy.
     */
    RgbImage readWithImageIo(byte[] data, String name) {
        return decodeBytes(data, "'" + name + "'", false);
    }

    private RgbImage decodeBytes(byte[] data, String source) {
        return decodeBytes(data, source, true);
    }

    private RgbImage decodeBytes(byte[] data, String source, boolean fastJpeg) {
        if (data.length == 0) {
            throw new ImageDecodeException(source, Reason.EMPTY, "0 bytes");
        }
        ImageFormat format = ImageFormat.detect(data);
        if (format == null) {
            // The leading bytes are not echoed: the file may be anything (a link to a private file).
            throw new ImageDecodeException(source, Reason.UNKNOWN_FORMAT, "not JPEG, PNG, GIF, BMP or WebP; " + data.length + " bytes");
        }
        if (format == ImageFormat.WEBP && !allowTruncated) {
            // The RIFF header states the payload size; TwelveMonkeys' lossless decoder does not
            // notice a short payload by itself.
            long riffSize = (data[4] & 0xFFL) | (data[5] & 0xFFL) << 8 | (data[6] & 0xFFL) << 16 | (data[7] & 0xFFL) << 24;
            if (data.length < riffSize + 8) {
                throw new ImageDecodeException(source, Reason.TRUNCATED, "WEBP: RIFF header announces " + (riffSize + 8)
                        + " bytes, file has " + data.length);
            }
        }
        if (fastJpeg && format == ImageFormat.JPEG) {
            // The common case (baseline YCbCr or gray, one scan) in pure Java, bit-identical to the
            // ImageIO path below and 2-3x faster; null for everything else, which goes on below.
            RgbImage fast = BaselineJpeg.decode(data);
            if (fast != null) {
                return fast;
            }
        }
        ImageReader reader = readerFor(format);
        if (reader == null) {
            throw new ImageDecodeException(source, Reason.UNSUPPORTED, "no ImageIO reader for " + format + " is installed");
        }
        List<String> warnings = new ArrayList<>();
        try (ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(data))) {
            reader.setInput(in, true, true);
            reader.addIIOReadWarningListener((r, warning) -> warnings.add(warning));
            long w = reader.getWidth(0);
            long h = reader.getHeight(0);
            if (w <= 0 || h <= 0) {
                throw new ImageDecodeException(source, Reason.CORRUPT, format + " header gives size " + w + "x" + h);
            }
            if (w * h > MAX_PIXELS) {
                throw new ImageDecodeException(source, Reason.TOO_LARGE, w + "x" + h + " " + format + " exceeds " + MAX_PIXELS + " pixels");
            }
            if (w * h > WARN_PIXELS) {
                LOG.log(System.Logger.Level.WARNING, source + ": " + w + "x" + h + " = " + (w * h) + " pixels is more than " + WARN_PIXELS
                        + " (Pillow's decompression-bomb warning limit); decoding it anyway, which takes gigabytes of memory");
            }
            BufferedImage image = reader.read(0, reader.getDefaultReadParam());
            if (!allowTruncated) {
                for (String warning : warnings) {
                    if (looksTruncated(warning)) {
                        throw new ImageDecodeException(source, Reason.TRUNCATED, format + ": " + warning);
                    }
                }
            }
            return toRgb(image);
        } catch (ImageDecodeException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw failure(source, format, e, format == ImageFormat.JPEG && !endsWithJpegEoi(data));
        } catch (OutOfMemoryError e) {
            throw new ImageDecodeException(source, Reason.TOO_LARGE, format + ": out of memory while decoding", e);
        } finally {
            reader.dispose();
        }
    }

    private static ImageReader readerFor(ImageFormat format) {
        Iterator<ImageReader> it = ImageIO.getImageReadersByFormatName(format.imageIoName());
        ImageReader first = null;
        while (it.hasNext()) {
            ImageReader r = it.next();
            // TwelveMonkeys' JPEG reader handles CMYK/YCCK and bad metadata and delegates plain
            // YCbCr/gray decoding to the JDK's libjpeg, so it is never worse than the JDK reader.
            if (format == ImageFormat.JPEG && r.getClass().getName().startsWith("com.twelvemonkeys.")) {
                if (first != null) {
                    first.dispose();
                }
                return r;
            }
            if (first == null) {
                first = r;
            } else {
                r.dispose();
            }
        }
        return first;
    }

    private static boolean looksTruncated(String text) {
        if (text == null) {
            return false;
        }
        String t = text.toLowerCase(Locale.ROOT);
        // Not libjpeg's "Corrupt JPEG data: premature end of data segment": a recoverable warning
        // that Pillow ignores as well.
        return t.contains("premature end of jpeg file") || t.contains("unexpected end") || t.contains("truncated")
                || t.contains("missing eoi") || t.contains("end of stream") || t.contains("end of file");
    }

    /** Whether the last marker is EOI ({@code FF D9}), allowing trailing zero padding. */
    private static boolean endsWithJpegEoi(byte[] data) {
        int end = data.length;
        while (end > 2 && data[end - 1] == 0) {
            end--;
        }
        return end >= 2 && (data[end - 2] & 0xFF) == 0xFF && (data[end - 1] & 0xFF) == 0xD9;
    }

    /** Wraps a reader failure; {@code cutShort}: the container itself shows the data ends early. */
    private static ImageDecodeException failure(String source, ImageFormat format, Exception e, boolean cutShort) {
        boolean truncated = cutShort;
        StringBuilder detail = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            String m = t.getMessage();
            if (t instanceof EOFException || looksTruncated(m)) {
                truncated = true;
            }
            if (m != null && !m.isBlank() && detail.indexOf(m) < 0) {
                detail.append(detail.isEmpty() ? "" : ": ").append(m);
            } else if (m == null && detail.isEmpty()) {
                detail.append(t.getClass().getSimpleName());
            }
            if (t.getCause() == t) {
                break;
            }
        }
        Reason reason = truncated ? Reason.TRUNCATED : Reason.CORRUPT;
        return new ImageDecodeException(source, reason, format + ": " + detail, e);
    }

    // ------------------------------------------------------------------ raster → RGB

    /**
     * Converts a decoded image to 8-bit RGB with the rules in the class comment (raw samples, gray
     * replicated, alpha dropped, 16-bit → high byte). Public so that callers holding a
     * {@code BufferedImage} (e.g. from other ImageIO plugins) get the same conversion.
     */
    public static RgbImage toRgb(BufferedImage image) {
        int w = image.getWidth();
        int h = image.getHeight();
        Raster raster = image.getRaster();
        ColorModel cm = image.getColorModel();
        byte[] out = new byte[Math.multiplyExact(Math.multiplyExact(w, h), 3)];
        boolean untranslated = raster.getSampleModelTranslateX() == 0 && raster.getSampleModelTranslateY() == 0
                && raster.getMinX() == 0 && raster.getMinY() == 0;
        if (cm instanceof IndexColorModel icm) {
            fromIndexed(raster, icm, w, h, out);
        } else if (untranslated && cm instanceof ComponentColorModel && !cm.isAlphaPremultiplied()
                && raster.getSampleModel() instanceof ComponentSampleModel csm && singleBank(csm, raster.getDataBuffer())
                && isRgbOrGray(cm)) {
            fromComponents(raster, csm, cm.getNumColorComponents(), w, h, out);
        } else if (untranslated && cm instanceof DirectColorModel dcm && dcm.getColorSpace().isCS_sRGB()
                && raster.getSampleModel() instanceof SinglePixelPackedSampleModel sppsm
                && raster.getDataBuffer() instanceof DataBufferInt dbi && dbi.getNumBanks() == 1
                && is8BitMask(dcm.getRedMask()) && is8BitMask(dcm.getGreenMask()) && is8BitMask(dcm.getBlueMask())) {
            fromPackedInts(dbi, sppsm, dcm, w, h, out);
        } else {
            fromArgb(image, w, h, out);
        }
        return new RgbImage(w, h, out);
    }

    private static boolean isRgbOrGray(ColorModel cm) {
        int type = cm.getColorSpace().getType();
        int n = cm.getNumColorComponents();
        return (type == ColorSpace.TYPE_RGB && n == 3) || (type == ColorSpace.TYPE_GRAY && n == 1);
    }

    private static boolean singleBank(ComponentSampleModel csm, DataBuffer db) {
        if (!(db instanceof DataBufferByte || db instanceof DataBufferUShort)) {
            return false;
        }
        for (int b : csm.getBankIndices()) {
            if (b != 0) {
                return false;
            }
        }
        return csm.getSampleSize(0) == (db instanceof DataBufferByte ? 8 : 16);
    }

    private static boolean is8BitMask(int mask) {
        return mask != 0 && Integer.bitCount(mask) == 8 && (mask >>> Integer.numberOfTrailingZeros(mask)) == 0xFF;
    }

    private static void fromComponents(Raster raster, ComponentSampleModel csm, int colors, int w, int h, byte[] out) {
        DataBuffer db = raster.getDataBuffer();
        int[] bandOffsets = csm.getBandOffsets();
        int ps = csm.getPixelStride();
        int scan = csm.getScanlineStride();
        int base = db.getOffset();
        int b0 = bandOffsets[0];
        int b1 = colors == 3 ? bandOffsets[1] : b0;
        int b2 = colors == 3 ? bandOffsets[2] : b0;
        int o = 0;
        if (db instanceof DataBufferByte dbb) {
            byte[] d = dbb.getData();
            if (colors == 3 && ps == 3 && b0 == 0 && b1 == 1 && b2 == 2 && scan == w * 3) {
                System.arraycopy(d, base, out, 0, out.length);
                return;
            }
            for (int y = 0; y < h; y++) {
                int p = base + y * scan;
                for (int x = 0; x < w; x++, p += ps) {
                    out[o++] = d[p + b0];
                    out[o++] = d[p + b1];
                    out[o++] = d[p + b2];
                }
            }
        } else {
            short[] d = ((DataBufferUShort) db).getData();
            for (int y = 0; y < h; y++) {
                int p = base + y * scan;
                for (int x = 0; x < w; x++, p += ps) {
                    out[o++] = (byte) ((d[p + b0] & 0xFFFF) >>> 8);
                    out[o++] = (byte) ((d[p + b1] & 0xFFFF) >>> 8);
                    out[o++] = (byte) ((d[p + b2] & 0xFFFF) >>> 8);
                }
            }
        }
    }

    private static void fromIndexed(Raster raster, IndexColorModel icm, int w, int h, byte[] out) {
        int size = icm.getMapSize();
        byte[] r = new byte[size];
        byte[] g = new byte[size];
        byte[] b = new byte[size];
        icm.getReds(r);
        icm.getGreens(g);
        icm.getBlues(b);
        int[] row = new int[w];
        int o = 0;
        int x0 = raster.getMinX();
        int y0 = raster.getMinY();
        for (int y = 0; y < h; y++) {
            raster.getSamples(x0, y0 + y, w, 1, 0, row);
            for (int x = 0; x < w; x++) {
                int i = row[x];
                if (i >= size) {
                    // Out-of-palette index: Pillow reads its zero-filled palette tail, i.e. black.
                    out[o++] = 0;
                    out[o++] = 0;
                    out[o++] = 0;
                    continue;
                }
                out[o++] = r[i];
                out[o++] = g[i];
                out[o++] = b[i];
            }
        }
    }

    private static void fromPackedInts(DataBufferInt db, SinglePixelPackedSampleModel sm, DirectColorModel cm,
                                       int w, int h, byte[] out) {
        int[] d = db.getData();
        int base = db.getOffset();
        int scan = sm.getScanlineStride();
        int rs = Integer.numberOfTrailingZeros(cm.getRedMask());
        int gs = Integer.numberOfTrailingZeros(cm.getGreenMask());
        int bs = Integer.numberOfTrailingZeros(cm.getBlueMask());
        int o = 0;
        for (int y = 0; y < h; y++) {
            int p = base + y * scan;
            for (int x = 0; x < w; x++) {
                int v = d[p + x];
                out[o++] = (byte) (v >>> rs);
                out[o++] = (byte) (v >>> gs);
                out[o++] = (byte) (v >>> bs);
            }
        }
    }

    private static void fromArgb(BufferedImage image, int w, int h, byte[] out) {
        int[] row = new int[w];
        int o = 0;
        for (int y = 0; y < h; y++) {
            image.getRGB(0, y, w, 1, row, 0, w);
            for (int x = 0; x < w; x++) {
                int v = row[x];
                out[o++] = (byte) (v >>> 16);
                out[o++] = (byte) (v >>> 8);
                out[o++] = (byte) v;
            }
        }
    }
}
