package radapter.models.tokenizer;

/**
 * GPT-2/CLIP's reversible byte-to-character table: the 188 printable bytes (33..126, 161..172,
 * 174..255) stand for themselves, the other 68 bytes map in increasing order to U+0100..U+0143,
 * so every byte string becomes a string without whitespace or control characters.
 */
final class ByteUnicode {
    private ByteUnicode() {
    }

    /** Number of distinct stand-in characters (and of base vocabulary symbols). */
    static final int SIZE = 256;

    private static final char[] BYTE_TO_CHAR = new char[256];
    /** Indexed by character (all are below U+0144); -1 where the character stands for no byte. */
    private static final int[] CHAR_TO_BYTE = new int[0x144];
    /** The base vocabulary order: printable bytes ascending, then the others ascending. */
    private static final int[] VOCAB_ORDER = new int[256];

    static {
        java.util.Arrays.fill(CHAR_TO_BYTE, -1);
        int printable = 0;
        for (int b = 0; b < 256; b++) {
            if (isPrintable(b)) {
                VOCAB_ORDER[printable++] = b;
            }
        }
        int shifted = 0;
        for (int b = 0; b < 256; b++) {
            char c;
            if (isPrintable(b)) {
                c = (char) b;
            } else {
                c = (char) (256 + shifted);
                VOCAB_ORDER[printable + shifted] = b;
                shifted++;
            }
            BYTE_TO_CHAR[b] = c;
            CHAR_TO_BYTE[c] = b;
        }
    }

    private static boolean isPrintable(int b) {
        return (b >= 33 && b <= 126) || (b >= 161 && b <= 172) || (b >= 174 && b <= 255);
    }

    /** The stand-in character of byte {@code b} (0..255). */
    static char charOf(int b) {
        return BYTE_TO_CHAR[b];
    }

    /** The byte a stand-in character represents, or -1. */
    static int byteOf(char c) {
        return c < CHAR_TO_BYTE.length ? CHAR_TO_BYTE[c] : -1;
    }

    /** The byte whose symbol has base vocabulary id {@code id} (0..255). */
    static int byteAtVocabIndex(int id) {
        return VOCAB_ORDER[id];
    }

    /** Maps every byte to its stand-in character. */
    static String encode(byte[] bytes) {
        char[] cs = new char[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            cs[i] = BYTE_TO_CHAR[bytes[i] & 0xFF];
        }
        return new String(cs);
    }
}
