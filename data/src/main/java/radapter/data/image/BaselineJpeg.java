package radapter.data.image;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A pure-Java decoder for the JPEG files that make up nearly every photo data set: baseline or
 * extended sequential Huffman coding, 8-bit samples, one interleaved scan of YCbCr (JFIF/Exif) or
 * one grayscale component, optional restart markers.
 *
 * <p>It reproduces what {@link ImageDecoder}'s ImageIO path returns for the same file <em>bit for
 * bit</em>: that path ends in the JDK's bundled IJG libjpeg 6b with its defaults, so this class
 * uses the same arithmetic: the "islow" integer IDCT of {@code jidctint.c} (13 fraction bits, 2
 * extra bits kept between the passes, the 10-bit wrap-around range-limit table),
 * "fancy" triangular chroma upsampling for h2v1 / h2v2 (replication for other integral ratios and
 * for components at most 2 samples wide, as {@code jdsample.c} decides) with the first and last
 * sample rows repeated as context, and the 16-bit fixed-point YCbCr→RGB tables of
 * {@code jdcolor.c}. libjpeg-turbo (Pillow) shares those three algorithms, which is why the results
 * also equal Pillow's for these files.
 *
 * <p>It is a fast path, never the only path: {@link #decode} returns {@code null} for anything it
 * does not handle exactly like libjpeg would without a warning, and the caller then runs the
 * general decoder, which also produces every error message. Declined: progressive, lossless,
 * arithmetic-coded or 12-bit frames, several scans, Adobe markers other than YCbCr, CMYK/YCCK or any
 * component count but 1 and 3, embedded ICC profiles (the general path colour-converts some), 3
 * components with unusual ids and no JFIF marker (the JDK reads some as RGB), 16-bit quantisation
 * tables, unknown or misplaced markers, bad Huffman codes, missing or misnumbered restart markers,
 * data that ends early or misses its EOI marker, and images over {@link ImageDecoder#WARN_PIXELS} (the ImageIO path warns about or refuses those).
 * Any exception inside (a malformed segment that slipped past the checks) also means "declined".
 *
 * <p>One instance decodes one image; not thread safe.
 */
final class BaselineJpeg {
    /** Bits resolved by one Huffman table lookup. */
    private static final int FAST_BITS = 9;

    /**
     * Zig-zag position → natural (row-major) position, with 16 extra entries pointing at 63 as in
     * libjpeg, so that a corrupt run length that overshoots the block writes coefficient 63 exactly
     * like libjpeg does.
     */
    private static final int[] NATURAL = new int[80];

    private static final VarHandle LONG_BE = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle LONG_LE = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle INT_LE = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);

    /** libjpeg's post-IDCT range limit: a 10-bit wrap-around value, re-centred on 128 and clamped. */
    private static final byte[] IDCT_RANGE = new byte[1024];

    /** jdcolor.c's tables, indexed by the unsigned chroma sample. */
    private static final int[] CR_R = new int[256];
    private static final int[] CB_B = new int[256];
    private static final int[] CR_G = new int[256];
    private static final int[] CB_G = new int[256];

    static {
        int[] zigzag = {
            0, 1, 8, 16, 9, 2, 3, 10, 17, 24, 32, 25, 18, 11, 4, 5,
            12, 19, 26, 33, 40, 48, 41, 34, 27, 20, 13, 6, 7, 14, 21, 28,
            35, 42, 49, 56, 57, 50, 43, 36, 29, 22, 15, 23, 30, 37, 44, 51,
            58, 59, 52, 45, 38, 31, 39, 46, 53, 60, 61, 54, 47, 55, 62, 63};
        System.arraycopy(zigzag, 0, NATURAL, 0, 64);
        Arrays.fill(NATURAL, 64, 80, 63);
        for (int i = 0; i < 1024; i++) {
            int signed = (i ^ 512) - 512;
            IDCT_RANGE[i] = (byte) Math.max(0, Math.min(255, signed + 128));
        }
        // FIX(x) = (int) (x * 65536 + 0.5), ONE_HALF = 1 << 15, as in jdcolor.c's build_ycc_rgb_table.
        for (int i = 0; i < 256; i++) {
            int x = i - 128;
            CR_R[i] = (91881 * x + 32768) >> 16;
            CB_B[i] = (116130 * x + 32768) >> 16;
            CR_G[i] = -46802 * x;
            CB_G[i] = -22554 * x + 32768;
        }
    }

    /**
     * Whether {@link JpegSimd} loaded and passed its self-test (the Vector API module is present).
     * Declared after the tables: the self-test compares against the scalar IDCT, which reads them.
     */
    static final boolean SIMD_AVAILABLE = probeSimd();

    private static boolean probeSimd() {
        try {
            JpegSimd.probe();
            return true;
        } catch (Throwable e) {
            // No jdk.incubator.vector (NoClassDefFoundError) or a broken one: scalar code only.
            return false;
        }
    }

    /** Thrown to abandon the fast path; carries no stack trace because it is control flow. */
    private static final class Declined extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Declined(String why) {
            super(why, null, false, false);
        }
    }

    /** One DHT table: a {@value #FAST_BITS}-bit lookahead table plus canonical-code limits. */
    private static final class Huffman {
        /** {@code length << 8 | symbol} for codes of at most FAST_BITS bits, else 0. */
        final int[] fast = new int[1 << FAST_BITS];
        /**
         * For AC tables: when a code and its extra bits fit in FAST_BITS together, {@code value << 16
         * | run << 4 | total length}; else 0.
         */
        final int[] fastAc = new int[1 << FAST_BITS];
        /** Largest code of each length (1..16), -1 when there is none. */
        final int[] maxCode = new int[18];
        /** Added to a code of length l to index {@link #symbols}. */
        final int[] offset = new int[17];
        final int[] symbols;

        Huffman(int[] counts, int[] symbols) {
            this.symbols = symbols;
            int code = 0;
            int k = 0;
            int first = 1;
            while (first <= 16 && counts[first] == 0) {
                first++;
            }
            int last = 16;
            while (last >= 1 && counts[last] == 0) {
                last--;
            }
            for (int len = 1; len <= 16; len++) {
                offset[len] = k - code;
                for (int i = 0; i < counts[len]; i++, k++, code++) {
                    if (len <= FAST_BITS) {
                        int shift = FAST_BITS - len;
                        int entry = len << 8 | symbols[k];
                        Arrays.fill(fast, code << shift, (code + 1) << shift, entry);
                        int run = symbols[k] >> 4;
                        int size = symbols[k] & 15;
                        if (size != 0 && len + size <= FAST_BITS) {
                            for (int idx = code << shift; idx < (code + 1) << shift; idx++) {
                                int extra = (idx >> (shift - size)) & ((1 << size) - 1);
                                fastAc[idx] = extend(extra, size) << 16 | run << 4 | (len + size);
                            }
                        }
                    }
                }
                maxCode[len] = counts[len] == 0 ? -1 : code - 1;
                // libjpeg's jpeg_make_d_derived_tbl rejects a table whose codes of some length run
                // into the all-ones code (checked from the shortest to the longest used length).
                if (len >= first && len <= last && code >= 1 << len) {
                    throw new Declined("bad Huffman table");
                }
                code <<= 1;
            }
            maxCode[17] = Integer.MAX_VALUE;
        }
    }

    private final byte[] data;
    private final boolean simd;
    private int pos;

    private final int[][] quant = new int[4][];
    private final Huffman[] dcTables = new Huffman[4];
    private final Huffman[] acTables = new Huffman[4];
    private int restartInterval;
    private boolean sawJfif;
    private boolean sawAdobe;
    private int adobeTransform;

    // Frame.
    private int width;
    private int height;
    private int ncomp;
    private int[] compId;
    private int[] hs;
    private int[] vs;
    private int[] tq;
    private int hmax;
    private int vmax;

    // Decoded component planes (full blocks, dummy blocks included) and their row stride.
    private byte[][] planes;
    private int[] stride;

    // The scan's entropy-coded data, unstuffed, and where each restart interval ends in it.
    private byte[] ecs;
    private int[] segmentEnd;
    // Bit reader over ecs, kept in locals inside decodeBlock and parked here between blocks: the
    // top `avail` bits of `window` are the next bits of the stream (the bits below them are either
    // zero or the stream's following bits), `next` is the first byte not yet in the window.
    private long window;
    private int avail;
    private int next;

    private BaselineJpeg(byte[] data, boolean simd) {
        this.data = data;
        this.simd = simd;
    }

    /**
     * Decodes {@code data} (which starts with SOI) to RGB, or returns {@code null} when the file
     * needs the general decoder (see the class comment).
     */
    static RgbImage decode(byte[] data) {
        return decode(data, SIMD_AVAILABLE);
    }

    /** {@link #decode(byte[])}, with the vector kernels or without them (for tests). */
    static RgbImage decode(byte[] data, boolean simd) {
        try {
            return new BaselineJpeg(data, simd && SIMD_AVAILABLE).run();
        } catch (RuntimeException | OutOfMemoryError e) {
            // Declined, or an index out of bounds on a malformed segment and the like, or a
            // header asking for more memory than there is: the general decoder reports it properly.
            return null;
        }
    }

    /** Why {@link #decode} declines {@code data}, or {@code null} when it decodes it (for tests). */
    static String declineReason(byte[] data) {
        try {
            new BaselineJpeg(data, SIMD_AVAILABLE).run();
            return null;
        } catch (Declined e) {
            return e.getMessage();
        } catch (RuntimeException e) {
            return e.toString();
        }
    }

    // ------------------------------------------------------------------ markers

    private RgbImage run() {
        if (data.length < 4 || (data[0] & 0xFF) != 0xFF || (data[1] & 0xFF) != 0xD8) {
            throw new Declined("no SOI");
        }
        pos = 2;
        boolean sawFrame = false;
        while (true) {
            int m = nextMarker();
            switch (m) {
                case 0xC0, 0xC1 -> {
                    if (sawFrame) {
                        throw new Declined("second frame header");
                    }
                    readFrame(segment());
                    sawFrame = true;
                }
                case 0xC4 -> readHuffmanTables(segment());
                case 0xDB -> readQuantTables(segment());
                case 0xDD -> {
                    int start = segment();
                    if (segmentLength(start) != 4) {
                        throw new Declined("bad DRI length");
                    }
                    restartInterval = u16(start + 2);
                }
                case 0xE0 -> {
                    int start = segment();
                    // libjpeg's examine_app0: at least 14 data bytes starting "JFIF\0".
                    sawJfif |= segmentLength(start) - 2 >= 14 && startsWith(start + 2, "JFIF\0");
                }
                case 0xE2 -> {
                    int start = segment();
                    if (segmentLength(start) - 2 >= 12 && startsWith(start + 2, "ICC_PROFILE\0")) {
                        throw new Declined("embedded ICC profile");
                    }
                }
                case 0xEE -> {
                    int start = segment();
                    // libjpeg's examine_app14: at least 12 data bytes starting "Adobe".
                    if (segmentLength(start) - 2 >= 12 && startsWith(start + 2, "Adobe")) {
                        sawAdobe = true;
                        adobeTransform = data[start + 2 + 11] & 0xFF;
                    }
                }
                case 0xDA -> {
                    if (!sawFrame) {
                        throw new Declined("scan before frame header");
                    }
                    return decodeScan(segment());
                }
                default -> {
                    if ((m >= 0xE1 && m <= 0xEF) || m == 0xFE) {
                        segment(); // other APPn (Exif...), COM: skipped, as libjpeg does
                    } else {
                        // SOF2/3/5-15 (progressive, lossless, hierarchical, arithmetic), DAC, DNL,
                        // EOI before any scan, RSTn or TEM out of place, reserved markers.
                        throw new Declined(String.format("marker 0x%02X", m));
                    }
                }
            }
        }
    }

    /** Reads the marker at {@code pos} (fill bytes allowed, no garbage) and returns its code. */
    private int nextMarker() {
        if ((data[pos] & 0xFF) != 0xFF) {
            throw new Declined("bytes between markers");
        }
        while ((data[pos] & 0xFF) == 0xFF) {
            pos++;
        }
        int m = data[pos++] & 0xFF;
        if (m == 0) {
            throw new Declined("stuffed zero between markers");
        }
        return m;
    }

    /** Skips the segment at {@code pos}, returning the offset of its length field. */
    private int segment() {
        int start = pos;
        int len = segmentLength(start);
        if (len < 2 || start + len > data.length) {
            throw new Declined("segment runs past the data");
        }
        pos = start + len;
        return start;
    }

    private int segmentLength(int start) {
        return u16(start);
    }

    private int u16(int at) {
        return (data[at] & 0xFF) << 8 | data[at + 1] & 0xFF;
    }

    private boolean startsWith(int at, String text) {
        byte[] t = text.getBytes(StandardCharsets.ISO_8859_1);
        if (at + t.length > data.length) {
            return false;
        }
        for (int i = 0; i < t.length; i++) {
            if (data[at + i] != t[i]) {
                return false;
            }
        }
        return true;
    }

    private void readQuantTables(int start) {
        int end = start + segmentLength(start);
        int p = start + 2;
        while (p < end) {
            int pq = (data[p] & 0xFF) >> 4;
            int id = data[p] & 0x0F;
            p++;
            if (pq != 0 || id > 3) {
                throw new Declined("16-bit or misnumbered quantisation table");
            }
            if (p + 64 > end) {
                throw new Declined("short DQT");
            }
            int[] q = new int[64];
            for (int k = 0; k < 64; k++) {
                q[NATURAL[k]] = data[p + k] & 0xFF;
            }
            quant[id] = q;
            p += 64;
        }
    }

    private void readHuffmanTables(int start) {
        int end = start + segmentLength(start);
        int p = start + 2;
        while (p < end) {
            int tc = (data[p] & 0xFF) >> 4;
            int th = data[p] & 0x0F;
            p++;
            if (tc > 1 || th > 3 || p + 16 > end) {
                throw new Declined("bad DHT");
            }
            int[] counts = new int[17];
            int total = 0;
            for (int l = 1; l <= 16; l++) {
                counts[l] = data[p + l - 1] & 0xFF;
                total += counts[l];
            }
            p += 16;
            if (total > 256 || p + total > end) {
                throw new Declined("bad DHT");
            }
            int[] symbols = new int[total];
            for (int i = 0; i < total; i++) {
                symbols[i] = data[p + i] & 0xFF;
                if (tc == 0 && symbols[i] > 15) {
                    throw new Declined("DC symbol over 15");
                }
            }
            p += total;
            Huffman h = new Huffman(counts, symbols);
            if (tc == 0) {
                dcTables[th] = h;
            } else {
                acTables[th] = h;
            }
        }
    }

    private void readFrame(int start) {
        int len = segmentLength(start);
        int p = start + 2;
        int precision = data[p] & 0xFF;
        height = u16(p + 1);
        width = u16(p + 3);
        ncomp = data[p + 5] & 0xFF;
        if (precision != 8) {
            throw new Declined(precision + "-bit samples");
        }
        if (width == 0 || height == 0) {
            throw new Declined("zero or DNL-defined size");
        }
        if ((long) width * height > ImageDecoder.WARN_PIXELS) {
            throw new Declined("too large"); // the ImageIO path gives the decompression-bomb warning or error
        }
        if (ncomp != 1 && ncomp != 3) {
            throw new Declined(ncomp + " components");
        }
        if (len != 8 + 3 * ncomp) {
            throw new Declined("bad SOF length");
        }
        compId = new int[ncomp];
        hs = new int[ncomp];
        vs = new int[ncomp];
        tq = new int[ncomp];
        for (int c = 0; c < ncomp; c++) {
            int q = p + 6 + 3 * c;
            compId[c] = data[q] & 0xFF;
            hs[c] = (data[q + 1] & 0xFF) >> 4;
            vs[c] = data[q + 1] & 0x0F;
            tq[c] = data[q + 2] & 0xFF;
            if (hs[c] < 1 || hs[c] > 4 || vs[c] < 1 || vs[c] > 4 || tq[c] > 3) {
                throw new Declined("bad sampling factor or table number");
            }
            for (int d = 0; d < c; d++) {
                if (compId[d] == compId[c]) {
                    throw new Declined("duplicate component id");
                }
            }
            hmax = Math.max(hmax, hs[c]);
            vmax = Math.max(vmax, vs[c]);
        }
        for (int c = 0; c < ncomp; c++) {
            if (hmax % hs[c] != 0 || vmax % vs[c] != 0) {
                throw new Declined("fractional sampling ratio");
            }
        }
    }

    // ------------------------------------------------------------------ entropy-coded data

    /**
     * Colour space as the JDK reader decides it (checked against it in the tests), from the markers
     * seen up to the scan. An Adobe marker wins: transform 1 is YCbCr, anything else is left
     * unconverted. Then a JFIF marker means YCbCr whatever the ids. Without either, ids 1,2,3 or
     * 0,1,2 (what encoders write, Exif cameras included) are YCbCr, while 'R','G','B' and 'Y','C','c'
     * are read as RGB and PhotoYCC; other ids are left to the JDK's own guess.
     */
    private void checkYcc() {
        if (ncomp != 3) {
            return;
        }
        boolean ycc;
        if (sawAdobe) {
            ycc = adobeTransform == 1;
        } else {
            ycc = sawJfif || (compId[0] == 1 && compId[1] == 2 && compId[2] == 3)
                    || (compId[0] == 0 && compId[1] == 1 && compId[2] == 2);
        }
        if (!ycc) {
            throw new Declined("3 components not known to be YCbCr");
        }
    }


    private RgbImage decodeScan(int start) {
        checkYcc();
        int len = segmentLength(start);
        int p = start + 2;
        int ns = data[p] & 0xFF;
        if (ns != ncomp || len != 6 + 2 * ns) {
            throw new Declined("scan does not hold every component");
        }
        int[] order = new int[ns];
        Huffman[] dc = new Huffman[ns];
        Huffman[] ac = new Huffman[ns];
        for (int s = 0; s < ns; s++) {
            int id = data[p + 1 + 2 * s] & 0xFF;
            int tables = data[p + 2 + 2 * s] & 0xFF;
            int c = 0;
            while (c < ncomp && compId[c] != id) {
                c++;
            }
            if (c == ncomp) {
                throw new Declined("scan names an unknown component");
            }
            for (int t = 0; t < s; t++) {
                if (order[t] == c) {
                    throw new Declined("component twice in a scan");
                }
            }
            order[s] = c;
            dc[s] = dcTables[tables >> 4 & 0x0F];
            ac[s] = acTables[tables & 0x0F];
            if ((tables >> 4) > 3 || (tables & 0x0F) > 3 || dc[s] == null || ac[s] == null || quant[tq[c]] == null) {
                throw new Declined("missing table");
            }
        }
        int q = p + 1 + 2 * ns;
        if ((data[q] & 0xFF) != 0 || (data[q + 1] & 0xFF) != 63 || (data[q + 2] & 0xFF) != 0) {
            throw new Declined("not a sequential scan");
        }
        int mcusX;
        int mcusY;
        if (ncomp == 1) {
            // A single-component scan is not interleaved: one block per MCU over the component.
            int cw = ceilDiv(width * hs[0], hmax);
            int ch = ceilDiv(height * vs[0], vmax);
            mcusX = ceilDiv(cw, 8);
            mcusY = ceilDiv(ch, 8);
        } else {
            mcusX = ceilDiv(width, 8 * hmax);
            mcusY = ceilDiv(height, 8 * vmax);
        }
        int blocksPerMcu = 0;
        planes = new byte[ncomp][];
        stride = new int[ncomp];
        for (int c = 0; c < ncomp; c++) {
            int bh = ncomp == 1 ? 1 : hs[c];
            int bv = ncomp == 1 ? 1 : vs[c];
            blocksPerMcu += bh * bv;
            stride[c] = mcusX * bh * 8;
            planes[c] = new byte[Math.multiplyExact(stride[c], mcusY * bv * 8)];
        }
        if (blocksPerMcu > 10) {
            throw new Declined("more than 10 blocks per MCU");
        }
        pos = q + 3;
        entropyDecode(order, dc, ac, mcusX, mcusY);
        return ncomp == 1 ? gray() : ycc();
    }

    private void entropyDecode(int[] order, Huffman[] dc, Huffman[] ac, int mcusX, int mcusY) {
        int ns = order.length;
        int mcus = mcusX * mcusY;
        int segments = restartInterval == 0 ? 1 : ceilDiv(mcus, restartInterval);
        unstuff(segments);
        int[] pred = new int[ns];
        int[] block = new int[64];
        int[] work = new int[64];
        int restartsLeft = restartInterval;
        int segment = 0;
        window = 0;
        avail = 0;
        next = 0;
        for (int my = 0; my < mcusY; my++) {
            for (int mx = 0; mx < mcusX; mx++) {
                if (restartInterval != 0) {
                    if (restartsLeft == 0) {
                        // libjpeg drops the rest of the interval's last byte and restarts the
                        // predictions.
                        next = segmentEnd[segment];
                        window = 0;
                        avail = 0;
                        segment++;
                        Arrays.fill(pred, 0);
                        restartsLeft = restartInterval;
                    }
                    restartsLeft--;
                }
                for (int s = 0; s < ns; s++) {
                    int c = order[s];
                    int bh = ns == 1 ? 1 : hs[c];
                    int bv = ns == 1 ? 1 : vs[c];
                    int[] qt = quant[tq[c]];
                    byte[] plane = planes[c];
                    int st = stride[c];
                    for (int v = 0; v < bv; v++) {
                        for (int h = 0; h < bh; h++) {
                            int flags = decodeBlock(block, dc[s], ac[s], qt, pred, s);
                            int at = ((my * bv + v) * 8) * st + (mx * bh + h) * 8;
                            if ((flags & HAS_AC) != 0) {
                                // The vector IDCT is 32-bit: only for blocks it provably cannot
                                // overflow on (always, for valid data); the scalar one is exact.
                                if (simd && (flags & LARGE) == 0 && JpegSimd.idctColumns(block, work)) {
                                    JpegSimd.idctRows(work, plane, at, st);
                                } else {
                                    idctIslowScalar(block, work, plane, at, st);
                                }
                                Arrays.fill(block, 0);
                            } else {
                                fillDc(block[0], plane, at, st);
                                block[0] = 0;
                            }
                        }
                    }
                }
                // Reading past the interval's data is what libjpeg reports as "premature end of
                // data segment" (and then decodes zeros): leave such files to it, and stop early.
                if (bitsRead() > segmentEnd[segment] * 8L) {
                    throw new Declined("entropy-coded data ends early");
                }
            }
        }
    }

    /** Bits of {@link #ecs} consumed so far. */
    private long bitsRead() {
        return next * 8L - avail;
    }

    /**
     * Copies the scan's entropy-coded data from {@code pos} into {@link #ecs} without its byte
     * stuffing: {@code FF 00} (and {@code FF FF .. 00}, which libjpeg reads the same way) become one
     * {@code FF} byte. Each of the {@code segments} restart intervals must end in the next RSTn in
     * sequence, the last one in EOI; {@link #segmentEnd} records where each ends in {@code ecs}.
     * Zero bytes follow the data so that the bit window can be read past its end.
     */
    private void unstuff(int segments) {
        int n = data.length - pos;
        if (n > 1 << 27) {
            throw new Declined("entropy-coded data over 128 MiB"); // bit positions must fit an int
        }
        // Zero padding beyond the data: the bit window reads 8 bytes ahead, and a damaged MCU can
        // run on for up to 10 blocks of 63 codes of 32 bits before the per-MCU check stops it.
        byte[] out = new byte[n + 4096];
        segmentEnd = new int[segments];
        int o = 0;
        int p = pos;
        int seg = 0;
        int end = data.length;
        while (true) {
            // Copy runs free of FF eight bytes at a time.
            while (p + 8 <= end) {
                long w = (long) LONG_LE.get(data, p);
                long t = ~w;
                if (((t - 0x0101010101010101L) & ~t & 0x8080808080808080L) != 0) {
                    break;
                }
                LONG_LE.set(out, o, w);
                p += 8;
                o += 8;
            }
            if (p >= end) {
                throw new Declined("no EOI");
            }
            int b = data[p++] & 0xFF;
            if (b != 0xFF) {
                out[o++] = (byte) b;
                continue;
            }
            int m;
            do {
                if (p >= end) {
                    throw new Declined("no EOI");
                }
                m = data[p++] & 0xFF;
            } while (m == 0xFF);
            if (m == 0) {
                out[o++] = (byte) 0xFF;
                continue;
            }
            if (seg < segments - 1) {
                // Between intervals: the marker must be the next restart marker in sequence.
                if (m != 0xD0 + (seg & 7)) {
                    throw new Declined("restart marker missing or out of sequence");
                }
                segmentEnd[seg++] = o;
                continue;
            }
            if (m != 0xD9) {
                throw new Declined(String.format("marker 0x%02X after the scan", m));
            }
            segmentEnd[seg] = o;
            pos = p;
            ecs = out;
            return;
        }
    }

    /**
     * Decodes one block's coefficients, dequantised, into {@code block} (natural order, all zero on
     * entry). Returns {@link #HAS_AC} when any AC coefficient was present, plus {@link #LARGE} when
     * some coefficient's magnitude exceeds {@link JpegSimd#SAFE_MAGNITUDE}.
     */
    private int decodeBlock(int[] block, Huffman dc, Huffman ac, int[] qt, int[] pred, int s) {
        byte[] in = ecs;
        long w = window;
        int n = avail;
        int p = next;
        // Refill: OR in the next 8 bytes below the valid bits, then count the whole bytes that fit.
        // At least 56 valid bits afterwards: one code (16) plus its extra bits (16) always fit.
        if (n < 32) {
            w |= (long) LONG_BE.get(in, p) >>> n;
            p += (63 - n) >>> 3;
            n |= 56;
        }
        int e = dc.fast[(int) (w >>> (64 - FAST_BITS))];
        int len;
        int t;
        if (e != 0) {
            len = e >> 8;
            t = e & 0xFF;
        } else {
            len = slowLength(dc, w);
            t = dc.symbols[(int) (w >>> (64 - len)) + dc.offset[len]];
        }
        int diff = 0;
        if (t != 0) {
            diff = extend((int) ((w << len) >>> (64 - t)), t);
        }
        w <<= len + t;
        n -= len + t;
        int dcv = pred[s] + diff;
        pred[s] = dcv;
        // libjpeg stores coefficients as 16-bit JCOEF, then multiplies by the table value in int.
        int c0 = (short) dcv * qt[0];
        block[0] = c0;
        int flags = c0 > JpegSimd.SAFE_MAGNITUDE || c0 < -JpegSimd.SAFE_MAGNITUDE ? LARGE : 0;
        int[] fastAc = ac.fastAc;
        int[] fast = ac.fast;
        for (int k = 1; k < 64; k++) {
            if (n < 32) {
                w |= (long) LONG_BE.get(in, p) >>> n;
                p += (63 - n) >>> 3;
                n |= 56;
            }
            int idx = (int) (w >>> (64 - FAST_BITS));
            int fa = fastAc[idx];
            if (fa != 0) {
                // Short code and its value resolved together.
                k += (fa >> 4) & 15;
                int used = fa & 15;
                w <<= used;
                n -= used;
                int z = NATURAL[k];
                int cv = (fa >> 16) * qt[z];
                block[z] = cv;
                flags |= cv > JpegSimd.SAFE_MAGNITUDE || cv < -JpegSimd.SAFE_MAGNITUDE ? LARGE | HAS_AC : HAS_AC;
                continue;
            }
            e = fast[idx];
            int rs;
            if (e != 0) {
                len = e >> 8;
                rs = e & 0xFF;
            } else {
                len = slowLength(ac, w);
                rs = ac.symbols[(int) (w >>> (64 - len)) + ac.offset[len]];
            }
            int r = rs >> 4;
            int size = rs & 15;
            if (size != 0) {
                k += r;
                int v = extend((int) ((w << len) >>> (64 - size)), size);
                w <<= len + size;
                n -= len + size;
                int z = NATURAL[k];
                int cv = (short) v * qt[z];
                block[z] = cv;
                flags |= cv > JpegSimd.SAFE_MAGNITUDE || cv < -JpegSimd.SAFE_MAGNITUDE ? LARGE | HAS_AC : HAS_AC;
            } else {
                w <<= len;
                n -= len;
                if (r != 15) {
                    break;
                }
                k += 15;
            }
        }
        window = w;
        avail = n;
        next = p;
        return flags;
    }

    /** {@link #decodeBlock} flag: the block has AC terms. */
    private static final int HAS_AC = 1;
    /** {@link #decodeBlock} flag: a coefficient is too large for the 32-bit vector IDCT. */
    private static final int LARGE = 2;

    /** Length of a code longer than FAST_BITS at the top of {@code w}; declines a bad code. */
    private static int slowLength(Huffman h, long w) {
        for (int len = FAST_BITS + 1; len <= 16; len++) {
            if ((int) (w >>> (64 - len)) <= h.maxCode[len]) {
                return len;
            }
        }
        throw new Declined("bad Huffman code");
    }

    /** JPEG's sign extension of an {@code n}-bit magnitude (HUFF_EXTEND). */
    private static int extend(int v, int n) {
        return v < 1 << (n - 1) ? v - (1 << n) + 1 : v;
    }

    // ------------------------------------------------------------------ IDCT

    /** A block with only a DC term: jidctint's two zero-AC shortcuts give one flat value. */
    private static void fillDc(int dcq, byte[] plane, int at, int st) {
        int ws = dcq << 2;
        byte v = IDCT_RANGE[((ws + 16) >> 5) & 1023];
        for (int r = 0; r < 8; r++) {
            int o = at + r * st;
            for (int i = 0; i < 8; i++) {
                plane[o + i] = v;
            }
        }
    }

    /**
     * libjpeg 6b's {@code jpeg_idct_islow}: the Loeffler–Ligtenberg–Moschytz 1-D IDCT on columns
     * then rows, with libjpeg's constants, rounding and zero-column / zero-row shortcuts, and an int
     * workspace between the passes. The products and sums are 64-bit: with absurd coefficients
     * (corrupt tables or data) they exceed 32 bits, and the JDK's compiled libjpeg does not wrap
     * them (found by fuzzing against it); valid 8-bit data never gets near that.
     */
    static void idctIslowScalar(int[] in, int[] ws, byte[] out, int at, int st) {
        for (int c = 0; c < 8; c++) {
            long d1 = in[8 + c];
            long d2 = in[16 + c];
            long d3 = in[24 + c];
            long d4 = in[32 + c];
            long d5 = in[40 + c];
            long d6 = in[48 + c];
            long d7 = in[56 + c];
            if ((d1 | d2 | d3 | d4 | d5 | d6 | d7) == 0) {
                int dc = in[c] << 2;
                for (int r = 0; r < 8; r++) {
                    ws[r * 8 + c] = dc;
                }
                continue;
            }
            long z1 = (d2 + d6) * 4433;
            long tmp2 = z1 + d6 * -15137;
            long tmp3 = z1 + d2 * 6270;
            long tmp0 = (in[c] + d4) << 13;
            long tmp1 = (in[c] - d4) << 13;
            long tmp10 = tmp0 + tmp3;
            long tmp13 = tmp0 - tmp3;
            long tmp11 = tmp1 + tmp2;
            long tmp12 = tmp1 - tmp2;

            long o0 = d7;
            long o1 = d5;
            long o2 = d3;
            long o3 = d1;
            long y1 = o0 + o3;
            long y2 = o1 + o2;
            long y3 = o0 + o2;
            long y4 = o1 + o3;
            long z5 = (y3 + y4) * 9633;
            o0 *= 2446;
            o1 *= 16819;
            o2 *= 25172;
            o3 *= 12299;
            y1 *= -7373;
            y2 *= -20995;
            y3 = y3 * -16069 + z5;
            y4 = y4 * -3196 + z5;
            o0 += y1 + y3;
            o1 += y2 + y4;
            o2 += y2 + y3;
            o3 += y1 + y4;

            ws[c] = (int) (tmp10 + o3 + 1024) >> 11;
            ws[56 + c] = (int) (tmp10 - o3 + 1024) >> 11;
            ws[8 + c] = (int) (tmp11 + o2 + 1024) >> 11;
            ws[48 + c] = (int) (tmp11 - o2 + 1024) >> 11;
            ws[16 + c] = (int) (tmp12 + o1 + 1024) >> 11;
            ws[40 + c] = (int) (tmp12 - o1 + 1024) >> 11;
            ws[24 + c] = (int) (tmp13 + o0 + 1024) >> 11;
            ws[32 + c] = (int) (tmp13 - o0 + 1024) >> 11;
        }
        for (int r = 0; r < 8; r++) {
            int w = r * 8;
            int o = at + r * st;
            long d1 = ws[w + 1];
            long d2 = ws[w + 2];
            long d3 = ws[w + 3];
            long d4 = ws[w + 4];
            long d5 = ws[w + 5];
            long d6 = ws[w + 6];
            long d7 = ws[w + 7];
            if ((d1 | d2 | d3 | d4 | d5 | d6 | d7) == 0) {
                byte v = IDCT_RANGE[((ws[w] + 16) >> 5) & 1023];
                for (int i = 0; i < 8; i++) {
                    out[o + i] = v;
                }
                continue;
            }
            long z1 = (d2 + d6) * 4433;
            long tmp2 = z1 + d6 * -15137;
            long tmp3 = z1 + d2 * 6270;
            long tmp0 = (ws[w] + d4) << 13;
            long tmp1 = (ws[w] - d4) << 13;
            long tmp10 = tmp0 + tmp3;
            long tmp13 = tmp0 - tmp3;
            long tmp11 = tmp1 + tmp2;
            long tmp12 = tmp1 - tmp2;

            long o0 = d7;
            long o1 = d5;
            long o2 = d3;
            long o3 = d1;
            long y1 = o0 + o3;
            long y2 = o1 + o2;
            long y3 = o0 + o2;
            long y4 = o1 + o3;
            long z5 = (y3 + y4) * 9633;
            o0 *= 2446;
            o1 *= 16819;
            o2 *= 25172;
            o3 *= 12299;
            y1 *= -7373;
            y2 *= -20995;
            y3 = y3 * -16069 + z5;
            y4 = y4 * -3196 + z5;
            o0 += y1 + y3;
            o1 += y2 + y4;
            o2 += y2 + y3;
            o3 += y1 + y4;

            final long round = 1 << 17;
            out[o] = IDCT_RANGE[(int) ((tmp10 + o3 + round) >> 18) & 1023];
            out[o + 7] = IDCT_RANGE[(int) ((tmp10 - o3 + round) >> 18) & 1023];
            out[o + 1] = IDCT_RANGE[(int) ((tmp11 + o2 + round) >> 18) & 1023];
            out[o + 6] = IDCT_RANGE[(int) ((tmp11 - o2 + round) >> 18) & 1023];
            out[o + 2] = IDCT_RANGE[(int) ((tmp12 + o1 + round) >> 18) & 1023];
            out[o + 5] = IDCT_RANGE[(int) ((tmp12 - o1 + round) >> 18) & 1023];
            out[o + 3] = IDCT_RANGE[(int) ((tmp13 + o0 + round) >> 18) & 1023];
            out[o + 4] = IDCT_RANGE[(int) ((tmp13 - o0 + round) >> 18) & 1023];
        }
    }

    // ------------------------------------------------------------------ output

    private RgbImage gray() {
        byte[] y = planes[0];
        int st = stride[0];
        byte[] out = new byte[Math.multiplyExact(width * height, 3)];
        int o = 0;
        for (int r = 0; r < height; r++) {
            int p = r * st;
            for (int x = 0; x < width; x++) {
                byte v = y[p + x];
                out[o] = v;
                out[o + 1] = v;
                out[o + 2] = v;
                o += 3;
            }
        }
        return new RgbImage(width, height, out);
    }

    private RgbImage ycc() {
        if (simd && yccSimdSupported()) {
            return yccSimd();
        }
        byte[] out = new byte[Math.multiplyExact(width * height, 3)];
        byte[][] rows = new byte[3][];
        int[] rowOff = new int[3];
        byte[][] scratch = new byte[3][];
        for (int c = 0; c < 3; c++) {
            scratch[c] = new byte[width + 8];
        }
        // For h2v2 fancy upsampling: the two weighted rows' column sums.
        int[] colSum = new int[width + 8];
        for (int y = 0; y < height; y++) {
            for (int c = 0; c < 3; c++) {
                int hx = hmax / hs[c];
                int vy = vmax / vs[c];
                if (hx == 1 && vy == 1) {
                    rows[c] = planes[c];
                    rowOff[c] = y * stride[c];
                } else {
                    upsampleRow(c, hx, vy, y, scratch[c], colSum);
                    rows[c] = scratch[c];
                    rowOff[c] = 0;
                }
            }
            convertRow(rows[0], rowOff[0], rows[1], rowOff[1], rows[2], rowOff[2], out, y * width * 3, width);
        }
        return new RgbImage(width, height, out);
    }

    /** Full-size luma, and chroma that is full-size or fancy-upsampled h2v1 / h2v2. */
    private boolean yccSimdSupported() {
        if (hs[0] != hmax || vs[0] != vmax) {
            return false;
        }
        for (int c = 1; c < 3; c++) {
            int hx = hmax / hs[c];
            int vy = vmax / vs[c];
            boolean full = hx == 1 && vy == 1;
            boolean fancy = hx == 2 && vy <= 2 && ceilDiv(width * hs[c], hmax) > 2;
            if (!full && !fancy) {
                return false;
            }
        }
        return true;
    }

    /**
     * {@link #ycc()} with {@link JpegSimd}: per output row, each chroma row is widened to ints (for
     * h2v2 as 3·near + far column sums), padded with its edge values (which turns libjpeg's special
     * first and last columns into the general formula) and fancy-upsampled; then Y, Cb, Cr become
     * packed RGB ints, and those are spread into the interleaved output.
     */
    private RgbImage yccSimd() {
        byte[] out = new byte[Math.multiplyExact(width * height, 3)];
        int lanes = JpegSimd.LANES;
        int[][] chroma = new int[3][];
        int[] cs = new int[width + 2 + 2 * lanes];
        for (int c = 1; c < 3; c++) {
            chroma[c] = new int[2 * width + 4 * lanes];
        }
        int[] packed = new int[width + lanes];
        byte[] luma = planes[0];
        for (int y = 0; y < height; y++) {
            for (int c = 1; c < 3; c++) {
                byte[] in = planes[c];
                int st = stride[c];
                int[] dst = chroma[c];
                if (hs[c] == hmax && vs[c] == vmax) {
                    int p = y * st;
                    int i = JpegSimd.widen(in, p, p, width, 1, 0, dst, 0);
                    for (; i < width; i++) {
                        dst[i] = in[p + i] & 0xFF;
                    }
                    continue;
                }
                int dw = ceilDiv(width * hs[c], hmax);
                boolean v2 = vs[c] * 2 == vmax;
                int near;
                int far;
                if (v2) {
                    int cy = y >> 1;
                    int dh = ceilDiv(height * vs[c], vmax);
                    near = cy * st;
                    far = ((y & 1) == 0 ? Math.max(cy - 1, 0) : Math.min(cy + 1, dh - 1)) * st;
                } else {
                    near = y * st;
                    far = near;
                }
                int wn = v2 ? 3 : 1;
                int wf = v2 ? 1 : 0;
                int i = JpegSimd.widen(in, near, far, dw, wn, wf, cs, 1);
                for (; i < dw; i++) {
                    cs[1 + i] = (in[near + i] & 0xFF) * wn + (in[far + i] & 0xFF) * wf;
                }
                cs[0] = cs[1];
                cs[dw + 1] = cs[dw];
                if (v2) {
                    JpegSimd.fancy(cs, dw, 8, 7, 4, dst);
                } else {
                    JpegSimd.fancy(cs, dw, 1, 2, 2, dst);
                }
            }
            int yo = y * stride[0];
            int[] cb = chroma[1];
            int[] cr = chroma[2];
            int x = JpegSimd.ycc(luma, yo, cb, cr, packed, width);
            for (; x < width; x++) {
                int yy = luma[yo + x] & 0xFF;
                packed[x] = (clamp(yy + CR_R[cr[x]]) & 0xFF)
                        | (clamp(yy + ((CB_G[cb[x]] + CR_G[cr[x]]) >> 16)) & 0xFF) << 8
                        | (clamp(yy + CB_B[cb[x]]) & 0xFF) << 16;
            }
            spread(packed, width, out, y * width * 3);
        }
        return new RgbImage(width, height, out);
    }

    /**
     * Writes {@code n} packed {@code R | G << 8 | B << 16} pixels as 3-byte RGB from {@code o}: one
     * little-endian int store per pixel, each overwriting the byte its predecessor left spare.
     */
    static void spread(int[] packed, int n, byte[] out, int o) {
        for (int x = 0; x < n - 1; x++, o += 3) {
            INT_LE.set(out, o, packed[x]);
        }
        int last = packed[n - 1];
        out[o] = (byte) last;
        out[o + 1] = (byte) (last >> 8);
        out[o + 2] = (byte) (last >> 16);
    }

    /** Output row {@code y} of component {@code c}, upsampled by (hx, vy) the way jdsample.c does. */
    private void upsampleRow(int c, int hx, int vy, int y, byte[] dst, int[] colSum) {
        byte[] in = planes[c];
        int st = stride[c];
        int dw = ceilDiv(width * hs[c], hmax);
        int dh = ceilDiv(height * vs[c], vmax);
        // libjpeg only smooths components wider than 2 samples (and never at a reduced DCT size).
        boolean fancy = dw > 2;
        if (fancy && hx == 2 && vy == 1) {
            h2v1Fancy(in, y * st, dw, dst);
        } else if (fancy && hx == 2 && vy == 2) {
            int cy = y >> 1;
            // Upper output row of a pair leans on the row above, lower on the row below; the
            // image's first and last rows stand in for the missing neighbours.
            int ny = (y & 1) == 0 ? Math.max(cy - 1, 0) : Math.min(cy + 1, dh - 1);
            int p = cy * st;
            int n = ny * st;
            for (int i = 0; i < dw; i++) {
                colSum[i] = (in[p + i] & 0xFF) * 3 + (in[n + i] & 0xFF);
            }
            h2v2Fancy(colSum, dw, dst);
        } else {
            // int_upsample and the plain h2v1/h2v2 upsamplers: replication.
            int p = (y / vy) * st;
            for (int x = 0; x < width; x++) {
                dst[x] = in[p + x / hx];
            }
        }
    }

    /** jdsample.c's h2v1_fancy_upsample: each output is 3/4 its sample + 1/4 the nearer neighbour. */
    private static void h2v1Fancy(byte[] in, int p, int dw, byte[] dst) {
        int v = in[p] & 0xFF;
        dst[0] = (byte) v;
        dst[1] = (byte) ((v * 3 + (in[p + 1] & 0xFF) + 2) >> 2);
        int o = 2;
        for (int i = 1; i < dw - 1; i++) {
            int t = (in[p + i] & 0xFF) * 3;
            dst[o] = (byte) ((t + (in[p + i - 1] & 0xFF) + 1) >> 2);
            dst[o + 1] = (byte) ((t + (in[p + i + 1] & 0xFF) + 2) >> 2);
            o += 2;
        }
        v = in[p + dw - 1] & 0xFF;
        dst[o] = (byte) ((v * 3 + (in[p + dw - 2] & 0xFF) + 1) >> 2);
        dst[o + 1] = (byte) v;
    }

    /** jdsample.c's h2v2_fancy_upsample, horizontal half, on the vertical column sums. */
    private static void h2v2Fancy(int[] cs, int dw, byte[] dst) {
        int t = cs[0];
        dst[0] = (byte) ((t * 4 + 8) >> 4);
        dst[1] = (byte) ((t * 3 + cs[1] + 7) >> 4);
        int o = 2;
        for (int i = 1; i < dw - 1; i++) {
            int t3 = cs[i] * 3;
            dst[o] = (byte) ((t3 + cs[i - 1] + 8) >> 4);
            dst[o + 1] = (byte) ((t3 + cs[i + 1] + 7) >> 4);
            o += 2;
        }
        t = cs[dw - 1];
        dst[o] = (byte) ((t * 3 + cs[dw - 2] + 8) >> 4);
        dst[o + 1] = (byte) ((t * 4 + 7) >> 4);
    }

    /** jdcolor.c's ycc_rgb_convert for one row. */
    private static void convertRow(byte[] yr, int yo, byte[] cbr, int cbo, byte[] crr, int cro, byte[] out, int o, int n) {
        for (int x = 0; x < n; x++) {
            int yy = yr[yo + x] & 0xFF;
            int cb = cbr[cbo + x] & 0xFF;
            int cr = crr[cro + x] & 0xFF;
            out[o] = clamp(yy + CR_R[cr]);
            out[o + 1] = clamp(yy + ((CB_G[cb] + CR_G[cr]) >> 16));
            out[o + 2] = clamp(yy + CB_B[cb]);
            o += 3;
        }
    }

    private static byte clamp(int v) {
        return (byte) (v < 0 ? 0 : Math.min(v, 255));
    }

    private static int ceilDiv(int a, int b) {
        return (a + b - 1) / b;
    }
}
