package radapter.data.image;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.SplittableRandom;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.ImageWriter;
import javax.imageio.metadata.IIOMetadata;
import javax.imageio.metadata.IIOMetadataNode;
import javax.imageio.plugins.jpeg.JPEGImageWriteParam;
import javax.imageio.stream.MemoryCacheImageOutputStream;
import org.w3c.dom.Node;

/**
 * JPEG test files written by the JDK's ImageIO writer with chosen chroma sampling, restart interval,
 * quality, optimised Huffman tables or progressive mode (through the writer's native metadata
 * tree), and photo-like or adversarial pixel content.
 */
final class JpegSamples {
    private JpegSamples() {
    }

    /** Sampling factors of Y, Cb, Cr as {h, v} pairs; {@code null} entries keep the writer's default. */
    record Sampling(String name, int[] y, int[] cb, int[] cr) {
        static final Sampling S444 = new Sampling("4:4:4", new int[] {1, 1}, new int[] {1, 1}, new int[] {1, 1});
        static final Sampling S422 = new Sampling("4:2:2", new int[] {2, 1}, new int[] {1, 1}, new int[] {1, 1});
        static final Sampling S420 = new Sampling("4:2:0", new int[] {2, 2}, new int[] {1, 1}, new int[] {1, 1});
        static final Sampling S440 = new Sampling("4:4:0", new int[] {1, 2}, new int[] {1, 1}, new int[] {1, 1});
        static final Sampling S411 = new Sampling("4:1:1", new int[] {4, 1}, new int[] {1, 1}, new int[] {1, 1});
        static final Sampling S410 = new Sampling("4:1:0 (4x2)", new int[] {4, 2}, new int[] {1, 1}, new int[] {1, 1});
        /** Chroma at a different rate each: Cb 2x2-subsampled, Cr only horizontally. */
        static final Sampling MIXED = new Sampling("Y2x2 Cb1x1 Cr1x2", new int[] {2, 2}, new int[] {1, 1}, new int[] {1, 2});
        /** Luma below the maximum factor: Y is the upsampled one. */
        static final Sampling LUMA_SMALL = new Sampling("Y1x1 Cb2x2 Cr2x2", new int[] {1, 1}, new int[] {2, 2}, new int[] {2, 2});

        static final Sampling[] ALL = {S444, S422, S420, S440, S411, S410, MIXED, LUMA_SMALL};

        @Override
        public String toString() {
            return name;
        }
    }

    /** Options for {@link #write}. */
    record Options(Sampling sampling, int restartInterval, float quality, boolean optimizeHuffman, boolean progressive,
                   boolean jfif) {
        static Options plain(Sampling s) {
            return new Options(s, 0, 0.9f, false, false, true);
        }

        Options restart(int n) {
            return new Options(sampling, n, quality, optimizeHuffman, progressive, jfif);
        }

        Options quality(float q) {
            return new Options(sampling, restartInterval, q, optimizeHuffman, progressive, jfif);
        }

        Options optimized() {
            return new Options(sampling, restartInterval, quality, true, progressive, jfif);
        }

        Options progressiveMode() {
            return new Options(sampling, restartInterval, quality, optimizeHuffman, true, jfif);
        }

        Options noJfif() {
            return new Options(sampling, restartInterval, quality, optimizeHuffman, progressive, false);
        }

        @Override
        public String toString() {
            return sampling + (restartInterval > 0 ? " DRI " + restartInterval : "") + " q" + quality
                    + (optimizeHuffman ? " optimised" : "") + (progressive ? " progressive" : "") + (jfif ? "" : " no JFIF");
        }
    }

    /**
     * Photo-like content: smooth colour fields, noise, hard edges and saturated patches (to drive the
     * IDCT and the colour conversion into their clamps). {@code gray} gives a one-channel image.
     */
    static BufferedImage content(int w, int h, long seed, boolean gray) {
        BufferedImage img = new BufferedImage(w, h, gray ? BufferedImage.TYPE_BYTE_GRAY : BufferedImage.TYPE_3BYTE_BGR);
        SplittableRandom rnd = new SplittableRandom(seed);
        double fx = 10 + rnd.nextDouble() * 40;
        double fy = 10 + rnd.nextDouble() * 40;
        int[] px = new int[3];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                double n = rnd.nextDouble() * 40 - 20;
                boolean patch = ((x / 13) + (y / 11)) % 7 == 0;
                px[0] = patch ? 255 : clamp(128 + 110 * Math.sin(x / fx) * Math.cos(y / fy) + n);
                px[1] = patch ? 0 : clamp(120 + 120 * Math.sin((x + 2 * y) / (fx + fy)) + n);
                px[2] = patch ? 255 : clamp(((x / 7 + y / 5) % 2) * 230 + 10 + n);
                if (gray) {
                    img.getRaster().setSample(x, y, 0, px[0]);
                } else {
                    img.getRaster().setPixel(x, y, px);
                }
            }
        }
        return img;
    }

    private static int clamp(double v) {
        return (int) Math.max(0, Math.min(255, Math.round(v)));
    }

    /** Encodes {@code img} with ImageIO's JPEG writer and the given options. */
    static byte[] write(BufferedImage img, Options o) throws IOException {
        ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
        try {
            JPEGImageWriteParam p = (JPEGImageWriteParam) writer.getDefaultWriteParam();
            p.setCompressionMode(JPEGImageWriteParam.MODE_EXPLICIT);
            p.setCompressionQuality(o.quality);
            if (o.optimizeHuffman) {
                p.setOptimizeHuffmanTables(true);
            }
            if (o.progressive) {
                p.setProgressiveMode(JPEGImageWriteParam.MODE_DEFAULT);
            }
            IIOMetadata meta = writer.getDefaultImageMetadata(ImageTypeSpecifier.createFromRenderedImage(img), p);
            String format = "javax_imageio_jpeg_image_1.0";
            IIOMetadataNode root = (IIOMetadataNode) meta.getAsTree(format);
            IIOMetadataNode seq = child(root, "markerSequence");
            if (img.getRaster().getNumBands() == 3 && o.sampling != null) {
                IIOMetadataNode sof = child(seq, "sof");
                int[][] f = {o.sampling.y, o.sampling.cb, o.sampling.cr};
                int i = 0;
                for (Node n = sof.getFirstChild(); n != null; n = n.getNextSibling(), i++) {
                    IIOMetadataNode spec = (IIOMetadataNode) n;
                    spec.setAttribute("HsamplingFactor", Integer.toString(f[i][0]));
                    spec.setAttribute("VsamplingFactor", Integer.toString(f[i][1]));
                }
            }
            if (o.restartInterval > 0) {
                IIOMetadataNode dri = new IIOMetadataNode("dri");
                dri.setAttribute("interval", Integer.toString(o.restartInterval));
                seq.insertBefore(dri, seq.getFirstChild());
            }
            if (!o.jfif) {
                IIOMetadataNode variety = child(root, "JPEGvariety");
                while (variety.getFirstChild() != null) {
                    variety.removeChild(variety.getFirstChild());
                }
            }
            meta.setFromTree(format, root);
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (MemoryCacheImageOutputStream out = new MemoryCacheImageOutputStream(bytes)) {
                writer.setOutput(out);
                writer.write(null, new IIOImage(img, null, meta), p);
            }
            return bytes.toByteArray();
        } finally {
            writer.dispose();
        }
    }

    /** {@code jpeg} with {@code segment} (marker, length, payload) inserted right after SOI. */
    static byte[] insertAfterSoi(byte[] jpeg, byte[] segment) {
        byte[] out = new byte[jpeg.length + segment.length];
        System.arraycopy(jpeg, 0, out, 0, 2);
        System.arraycopy(segment, 0, out, 2, segment.length);
        System.arraycopy(jpeg, 2, out, 2 + segment.length, jpeg.length - 2);
        return out;
    }

    /** A marker segment {@code FF marker len payload}. */
    static byte[] segment(int marker, byte[] payload) {
        byte[] s = new byte[4 + payload.length];
        s[0] = (byte) 0xFF;
        s[1] = (byte) marker;
        s[2] = (byte) ((payload.length + 2) >> 8);
        s[3] = (byte) (payload.length + 2);
        System.arraycopy(payload, 0, s, 4, payload.length);
        return s;
    }

    /** Offset of the first {@code FF marker} at or after {@code from}, or -1. */
    static int find(byte[] jpeg, int marker, int from) {
        for (int p = from; p + 1 < jpeg.length; p++) {
            if ((jpeg[p] & 0xFF) == 0xFF && (jpeg[p + 1] & 0xFF) == marker) {
                return p;
            }
        }
        return -1;
    }

    /** A copy of the 3-component {@code jpeg} whose SOF and SOS give the components these ids. */
    static byte[] withComponentIds(byte[] jpeg, int... ids) {
        byte[] j = jpeg.clone();
        int sof = find(j, 0xC0, 2);
        int sos = find(j, 0xDA, 2);
        for (int c = 0; c < 3; c++) {
            j[sof + 10 + 3 * c] = (byte) ids[c];
            j[sos + 5 + 2 * c] = (byte) ids[c];
        }
        return j;
    }

    private static IIOMetadataNode child(IIOMetadataNode parent, String name) {
        for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n.getNodeName().equals(name)) {
                return (IIOMetadataNode) n;
            }
        }
        throw new IllegalStateException("no " + name + " node in the JPEG metadata");
    }
}
