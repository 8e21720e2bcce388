package radapter.models.tokenizer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/**
 * HTML unescaping, whitespace and case handling. Expected values are what CPython 3.11's
 * {@code html.unescape}, {@code re.sub(r'\s+', ' ', ...)}, {@code strip} and {@code lower} give.
 */
class CleaningTest {
    private static String unescape(String s) {
        return HtmlUnescape.unescape(s);
    }

    private static String clean(String s) {
        return TextCleaner.clean(s, true);
    }

    @Test
    void numericReferences() {
        assertEquals("A", unescape("&#65"));
        assertEquals("A", unescape("&#X41;"));
        assertEquals("Ax", unescape("&#x41x"));
        assertEquals("\uFFFDx41;", unescape("&#0x41;"));
        assertEquals("\uFFFD", unescape("&#0;"));
        assertEquals("\uFFFD", unescape("&#x110000;"));
        assertEquals("\uFFFD", unescape("&#xD800;"));
        assertEquals("\uFFFD", unescape("&#99999999999999999999;"));
        assertEquals("", unescape("&#1;"));
        assertEquals("", unescape("&#xFDD0;&#x1FFFF;"));
        assertEquals("\r", unescape("&#13;"));
        assertEquals("\u20AC", unescape("&#128;"));
        assertEquals("\u0178\u0081", unescape("&#x9F;&#x81;"));
        assertEquals("\uD83D\uDE42", unescape("&#128578;"));
        assertEquals("&#;", unescape("&#;"));
        assertEquals("&#x;", unescape("&#x;"));
    }

    @Test
    void namedReferences() {
        assertEquals("&", unescape("&amp;"));
        assertEquals("&", unescape("&AMP;"));
        assertEquals("&amp;", unescape("&amp;amp;"));
        assertEquals("&foo", unescape("&ampfoo"));
        assertEquals("\u00ACit;", unescape("&notit;"));
        assertEquals("\u00A9", unescape("&copy"));
        assertEquals("\u00C9\u00E9x", unescape("&Eacute&eacutex"));
        assertEquals("'", unescape("&apos;"));
        assertEquals("\u00A0", unescape("&nbsp;"));
        assertEquals("\u27E8", unescape("&lang;"));
        assertEquals("\u2026\u2014\u20AC\u2122", unescape("&hellip;&mdash;&euro;&trade;"));
        assertEquals("caf\u00E9 cr\u00E8me", unescape("caf&eacute; cr&egrave;me"));
        assertEquals("\"quoted\" and 'single' and A", unescape("&quot;quoted&quot; and &#39;single&#39; and &#x41;"));
        // not entities, or not covered: left as written
        assertEquals("& amp;", unescape("& amp;"));
        assertEquals("&unknownentity;", unescape("&unknownentity;"));
        assertEquals("&apos", unescape("&apos")); // apos is not a legacy name
        assertEquals("a & b &", unescape("a & b &"));
    }

    @Test
    void twoPassesAsInBasicClean() {
        assertEquals("<", clean("&amp;lt;"));
        assertEquals("&amp;", clean("&amp;amp;amp;"));
        assertEquals("fish & chips", clean("fish &amp;amp; chips"));
    }

    @Test
    void unicodeWhitespace() {
        assertEquals("a b c d e\u200Bf", clean("a\u3000b\u00A0c\u2028d\u001Ce\u200Bf"));
        assertEquals("x", clean("\u0085x\u0085"));
        assertEquals("", clean("&nbsp;")); // unescaped to NBSP, then stripped
        assertEquals("", clean(" \t\r\n "));
        assertEquals("tabs and newlines mixed", clean("tabs\tand\nnewlines\r\nmixed"));
        assertEquals("a b", TextCleaner.collapseWhitespace("  a \u2003\u2003 b\u205F"));
        assertEquals("ab", TextCleaner.collapseWhitespace("ab"));
    }

    @Test
    void pythonLowerCase() {
        assertEquals("\u03BF\u03B4\u03BF\u03C2 \u03C3\u03B1", clean("\u039F\u0394\u039F\u03A3 \u03A3\u0391")); // final sigma
        assertEquals("i\u0307stanbul", clean("\u0130stanbul"));
        assertEquals("stra\u00DFe \u00E9cole", clean("STRA\u00DFE \u00C9COLE"));
    }

    @Test
    void finalSigmaFollowsPythonNotJavaWordBoundaries() {
        // String.toLowerCase gets the first two wrong (it looks at word boundaries)
        assertEquals("f\u03B50\u03C3", TextCleaner.pythonLower("F\u03950\u03A3"));
        assertEquals("\u0469\u03C2\"e", TextCleaner.pythonLower("\u0468\u03A3\"E"));
        assertEquals("a\u03C3.b", TextCleaner.pythonLower("A\u03A3.B"));
        assertEquals("a\u03C2.", TextCleaner.pythonLower("A\u03A3."));
        assertEquals("\u03B1\u03C3'\u03C2", TextCleaner.pythonLower("\u0391\u03A3'\u03A3"));
        assertEquals("0\u03C3", TextCleaner.pythonLower("0\u03A3"));
        assertEquals("\u02B0\u03C3", TextCleaner.pythonLower("\u02B0\u03A3"));
        assertEquals("i\u0307\u03C2", TextCleaner.pythonLower("\u0130\u03A3"));
    }

    @Test
    void nfcIsOptional() {
        assertEquals("caf\u00E9", TextCleaner.clean("cafe\u0301", true));
        assertEquals("cafe\u0301", TextCleaner.clean("cafe\u0301", false));
    }
}
