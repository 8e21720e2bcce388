package radapter.models.tokenizer;

import java.text.Normalizer;
import java.util.Locale;

/**
 * The official {@code whitespace_clean(basic_clean(text)).lower()} without {@code ftfy}:
 * optional NFC, HTML unescape twice, strip, collapse whitespace runs to one space, lower-case.
 */
final class TextCleaner {
    private TextCleaner() {
    }

    static String clean(String text, boolean nfc) {
        String s = text;
        if (nfc && !Normalizer.isNormalized(s, Normalizer.Form.NFC)) {
            s = Normalizer.normalize(s, Normalizer.Form.NFC);
        }
        s = HtmlUnescape.unescape(HtmlUnescape.unescape(s));
        s = collapseWhitespace(s);
        return pythonLower(s);
    }

    private static final char CAPITAL_SIGMA = '\u03A3';

    /**
     * Python's {@code str.lower()}. {@code toLowerCase(Locale.ROOT)} agrees with it character by
     * character (including U+0130 to "i\u0307"); the one context-dependent rule, capital sigma,
     * differs: Java decides final sigma by word boundaries, Python (and the Unicode standard) by
     * "preceded by a cased letter, skipping case-ignorables, and not followed by one". So text
     * around each U+03A3 is lower-cased in pieces and the sigma decided here.
     */
    static String pythonLower(String s) {
        int sigma = s.indexOf(CAPITAL_SIGMA);
        if (sigma < 0) {
            return s.toLowerCase(Locale.ROOT);
        }
        StringBuilder out = new StringBuilder(s.length() + 8);
        int from = 0;
        while (sigma >= 0) {
            out.append(s.substring(from, sigma).toLowerCase(Locale.ROOT));
            out.append(isFinalSigma(s, sigma) ? '\u03C2' : '\u03C3');
            from = sigma + 1;
            sigma = s.indexOf(CAPITAL_SIGMA, from);
        }
        out.append(s.substring(from).toLowerCase(Locale.ROOT));
        return out.toString();
    }

    private static boolean isFinalSigma(String s, int at) {
        int i = at;
        int before = -1;
        while (i > 0) {
            int cp = s.codePointBefore(i);
            i -= Character.charCount(cp);
            if (!isCaseIgnorable(cp)) {
                before = cp;
                break;
            }
        }
        if (before < 0 || !isCased(before)) {
            return false;
        }
        int j = at + 1;
        while (j < s.length()) {
            int cp = s.codePointAt(j);
            if (!isCaseIgnorable(cp)) {
                return !isCased(cp);
            }
            j += Character.charCount(cp);
        }
        return true;
    }

    /** Unicode {@code Cased}: Lowercase, Uppercase or titlecase letter. */
    static boolean isCased(int cp) {
        return Character.isLowerCase(cp) || Character.isUpperCase(cp) || Character.isTitleCase(cp);
    }

    /**
     * Unicode {@code Case_Ignorable}: marks, format characters, modifier letters and symbols, and
     * the Word_Break MidLetter / MidNumLet / Single_Quote characters.
     */
    static boolean isCaseIgnorable(int cp) {
        switch (Character.getType(cp)) {
            case Character.NON_SPACING_MARK, Character.ENCLOSING_MARK, Character.FORMAT, Character.MODIFIER_LETTER,
                    Character.MODIFIER_SYMBOL -> {
                return true;
            }
            default -> {
                return switch (cp) {
                    case '\'', '.', ':', 0xB7, 0x387, 0x55F, 0x5F4, 0x2018, 0x2019, 0x2024, 0x2027, 0xFE13, 0xFE52,
                            0xFE55, 0xFF07, 0xFF0E, 0xFF1A -> true;
                    default -> false;
                };
            }
        }
    }

    /**
     * Python's {@code re.sub(r'\s+', ' ', s.strip()).strip()} for {@code str}: leading and
     * trailing whitespace removed, every inner run replaced by one space.
     */
    static String collapseWhitespace(String s) {
        int n = s.length();
        StringBuilder out = null;
        boolean pendingSpace = false;
        int i = 0;
        while (i < n) {
            int cp = s.codePointAt(i);
            int next = i + Character.charCount(cp);
            if (isPythonSpace(cp)) {
                if (out == null) {
                    out = new StringBuilder(n);
                    out.append(s, 0, i);
                }
                pendingSpace = out.length() > 0;
            } else if (out != null) {
                if (pendingSpace) {
                    out.append(' ');
                    pendingSpace = false;
                }
                out.appendCodePoint(cp);
            }
            i = next;
        }
        return out == null ? s : out.toString();
    }

    /**
     * {@code str.isspace()} / {@code \s} of Python's {@code re} for {@code str} patterns: Java's
     * Unicode {@code White_Space} plus the information separators U+001C..U+001F.
     */
    static boolean isPythonSpace(int cp) {
        if (cp < 0x80) {
            return cp == ' ' || (cp >= 0x09 && cp <= 0x0D) || (cp >= 0x1C && cp <= 0x1F);
        }
        return cp == 0x85 || cp == 0xA0 || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200A) || cp == 0x2028
                || cp == 0x2029 || cp == 0x202F || cp == 0x205F || cp == 0x3000;
    }
}
