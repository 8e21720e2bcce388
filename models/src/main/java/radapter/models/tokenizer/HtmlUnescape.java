package radapter.models.tokenizer;

import java.util.HashMap;
import java.util.Map;

/**
 * Python's {@code html.unescape}, with the scanning rules of the standard library and a subset of
 * the HTML5 named character references.
 *
 * <p>Covered exactly as Python does it:
 * <ul>
 *   <li>decimal {@code &#NN;} and hexadecimal {@code &#xNN;} references, the semicolon optional;
 *       0 and surrogates and values above U+10FFFF become U+FFFD, 0x80..0x9F are read as
 *       windows-1252, other control characters and non-characters disappear;</li>
 *   <li>named references of up to 32 characters, with the semicolon optional for the 106
 *       "legacy" names, including the longest-legacy-prefix rule ({@code &ampfoo} gives
 *       {@code &foo}, {@code &notit;} gives {@code ¬it;});</li>
 *   <li>anything unrecognised stays as written.</li>
 * </ul>
 * Named references covered: all of HTML 4.01 (the Latin-1 block {@code nbsp..yuml}, the
 * special set {@code quot amp lt gt OElig ... euro}, the Greek letters and the mathematical,
 * arrow and other symbols, with HTML5's values for {@code lang}/{@code rang}), {@code apos}, the
 * upper-case legacy aliases {@code AMP LT GT QUOT COPY REG}, and the HTML5 names of ASCII
 * punctuation and tab/newline ({@code comma}, {@code period}, {@code lpar}, {@code Tab},
 * {@code NewLine}, ...). The other ~1,900 HTML5 names (mostly rare mathematical symbols) are left
 * untouched, unlike Python; the CLIP data never contains them.
 */
final class HtmlUnescape {
    private HtmlUnescape() {
    }

    /** Key: name with trailing ';' for every entity, plus the bare name for legacy ones. */
    private static final Map<String, String> ENTITIES = new HashMap<>(1024);

    /** Names for U+00A0..U+00FF in code point order; all of them are legacy names. */
    private static final String LATIN1 = "nbsp iexcl cent pound curren yen brvbar sect uml copy ordf laquo not shy reg macr"
            + " deg plusmn sup2 sup3 acute micro para middot cedil sup1 ordm raquo frac14 frac12 frac34 iquest"
            + " Agrave Aacute Acirc Atilde Auml Aring AElig Ccedil Egrave Eacute Ecirc Euml Igrave Iacute Icirc Iuml"
            + " ETH Ntilde Ograve Oacute Ocirc Otilde Ouml times Oslash Ugrave Uacute Ucirc Uuml Yacute THORN szlig"
            + " agrave aacute acirc atilde auml aring aelig ccedil egrave eacute ecirc euml igrave iacute icirc iuml"
            + " eth ntilde ograve oacute ocirc otilde ouml divide oslash ugrave uacute ucirc uuml yacute thorn yuml";

    /** Legacy names outside the Latin-1 block (usable without ';'). */
    private static final String LEGACY_OTHER = "quot=34 amp=38 lt=60 gt=62 QUOT=34 AMP=38 LT=60 GT=62 COPY=169 REG=174";

    /** Names that need the ';'. Values are decimal code points. */
    private static final String OTHER = ""
            // HTML 4 special characters, plus apos
            + "apos=39 OElig=338 oelig=339 Scaron=352 scaron=353 Yuml=376 circ=710 tilde=732 ensp=8194 emsp=8195"
            + " thinsp=8201 zwnj=8204 zwj=8205 lrm=8206 rlm=8207 ndash=8211 mdash=8212 lsquo=8216 rsquo=8217"
            + " sbquo=8218 ldquo=8220 rdquo=8221 bdquo=8222 dagger=8224 Dagger=8225 permil=8240 lsaquo=8249"
            + " rsaquo=8250 euro=8364"
            // HTML 4 symbols: Latin f, Greek
            + " fnof=402 Alpha=913 Beta=914 Gamma=915 Delta=916 Epsilon=917 Zeta=918 Eta=919 Theta=920 Iota=921"
            + " Kappa=922 Lambda=923 Mu=924 Nu=925 Xi=926 Omicron=927 Pi=928 Rho=929 Sigma=931 Tau=932"
            + " Upsilon=933 Phi=934 Chi=935 Psi=936 Omega=937 alpha=945 beta=946 gamma=947 delta=948"
            + " epsilon=949 zeta=950 eta=951 theta=952 iota=953 kappa=954 lambda=955 mu=956 nu=957 xi=958"
            + " omicron=959 pi=960 rho=961 sigmaf=962 sigma=963 tau=964 upsilon=965 phi=966 chi=967 psi=968"
            + " omega=969 thetasym=977 upsih=978 piv=982"
            // punctuation, letter-like symbols, arrows
            + " bull=8226 hellip=8230 prime=8242 Prime=8243 oline=8254 frasl=8260 weierp=8472 image=8465"
            + " real=8476 trade=8482 alefsym=8501 larr=8592 uarr=8593 rarr=8594 darr=8595 harr=8596"
            + " crarr=8629 lArr=8656 uArr=8657 rArr=8658 dArr=8659 hArr=8660"
            // mathematical operators and miscellaneous technical / shapes
            + " forall=8704 part=8706 exist=8707 empty=8709 nabla=8711 isin=8712 notin=8713 ni=8715"
            + " prod=8719 sum=8721 minus=8722 lowast=8727 radic=8730 prop=8733 infin=8734 ang=8736 and=8743"
            + " or=8744 cap=8745 cup=8746 int=8747 there4=8756 sim=8764 cong=8773 asymp=8776 ne=8800"
            + " equiv=8801 le=8804 ge=8805 sub=8834 sup=8835 nsub=8836 sube=8838 supe=8839 oplus=8853"
            + " otimes=8855 perp=8869 sdot=8901 lceil=8968 rceil=8969 lfloor=8970 rfloor=8971 lang=10216"
            + " rang=10217 loz=9674 spades=9824 clubs=9827 hearts=9829 diams=9830"
            // HTML5 names for ASCII characters and a few common dashes
            + " Tab=9 NewLine=10 excl=33 num=35 dollar=36 percnt=37 lpar=40 rpar=41 ast=42 plus=43 comma=44"
            + " period=46 sol=47 colon=58 semi=59 equals=61 quest=63 commat=64 lsqb=91 lbrack=91 bsol=92"
            + " rsqb=93 rbrack=93 Hat=94 lowbar=95 grave=96 lcub=123 lbrace=123 verbar=124 vert=124"
            + " VerticalLine=124 rcub=125 rbrace=125 hyphen=8208 dash=8208";

    /** windows-1252 reading of the C1 range, as {@code html.unescape} applies it to {@code &#128;} etc. */
    private static final String CP1252_C1 = "\u20ac\u0081\u201a\u0192\u201e\u2026\u2020\u2021"
            + "\u02c6\u2030\u0160\u2039\u0152\u008d\u017d\u008f"
            + "\u0090\u2018\u2019\u201c\u201d\u2022\u2013\u2014"
            + "\u02dc\u2122\u0161\u203a\u0153\u009d\u017e\u0178";

    private static final int MAX_NAME_CODE_POINTS = 32;

    static {
        String[] latin = LATIN1.split(" ");
        if (latin.length != 96) {
            throw new AssertionError("Latin-1 entity table has " + latin.length + " names");
        }
        for (int i = 0; i < latin.length; i++) {
            putEntity(latin[i], 0xA0 + i, true);
        }
        for (String kv : LEGACY_OTHER.split(" ")) {
            int eq = kv.indexOf('=');
            putEntity(kv.substring(0, eq), Integer.parseInt(kv.substring(eq + 1)), true);
        }
        for (String kv : OTHER.split(" ")) {
            int eq = kv.indexOf('=');
            putEntity(kv.substring(0, eq), Integer.parseInt(kv.substring(eq + 1)), false);
        }
    }

    private static void putEntity(String name, int codePoint, boolean legacy) {
        String value = Character.toString(codePoint);
        ENTITIES.put(name + ';', value);
        if (legacy) {
            ENTITIES.put(name, value);
        }
    }

    /** One pass of Python's {@code html.unescape}. */
    static String unescape(String s) {
        int amp = s.indexOf('&');
        if (amp < 0) {
            return s;
        }
        StringBuilder out = new StringBuilder(s.length());
        int from = 0;
        while (amp >= 0) {
            out.append(s, from, amp);
            from = reference(s, amp, out);
            amp = s.indexOf('&', from);
        }
        out.append(s, from, s.length());
        return out.toString();
    }

    /** Handles the text at {@code amp} (an '&'); appends the replacement and returns where to go on. */
    private static int reference(String s, int amp, StringBuilder out) {
        int n = s.length();
        int p = amp + 1;
        if (p < n && s.charAt(p) == '#') {
            return numeric(s, amp, p + 1, out);
        }
        // named: 1..32 code points that are none of \t \n \f space < & # ;
        int e = p;
        int count = 0;
        while (e < n && count < MAX_NAME_CODE_POINTS) {
            int cp = s.codePointAt(e);
            if (cp == '\t' || cp == '\n' || cp == '\f' || cp == ' ' || cp == '<' || cp == '&' || cp == '#' || cp == ';') {
                break;
            }
            e += Character.charCount(cp);
            count++;
        }
        if (count == 0) {
            out.append('&');
            return p;
        }
        if (e < n && s.charAt(e) == ';') {
            e++;
        }
        String name = s.substring(p, e);
        String value = ENTITIES.get(name);
        if (value != null) {
            out.append(value);
            return e;
        }
        // longest legacy (semicolon-less) prefix of at least two characters
        for (int x = name.length() - 1; x > 1; x--) {
            value = ENTITIES.get(name.substring(0, x));
            if (value != null) {
                out.append(value).append(name, x, name.length());
                return e;
            }
        }
        out.append('&').append(name);
        return e;
    }

    private static int numeric(String s, int amp, int q, StringBuilder out) {
        int n = s.length();
        // Python tries "#[0-9]+;?" before "#[xX][0-9a-fA-F]+;?"
        boolean hex = q < n && (s.charAt(q) == 'x' || s.charAt(q) == 'X');
        int start = hex ? q + 1 : q;
        int radix = hex ? 16 : 10;
        int e = start;
        long value = 0;
        boolean huge = false;
        while (e < n) {
            int d = digit(s.charAt(e), radix);
            if (d < 0) {
                break;
            }
            if (!huge) {
                value = value * radix + d;
                huge = value > Character.MAX_CODE_POINT;
            }
            e++;
        }
        if (e == start) {
            out.append('&');
            return amp + 1;
        }
        if (e < n && s.charAt(e) == ';') {
            e++;
        }
        out.append(numericValue(huge ? -1 : (int) value));
        return e;
    }

    private static int digit(char c, int radix) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (radix == 16) {
            if (c >= 'a' && c <= 'f') {
                return c - 'a' + 10;
            }
            if (c >= 'A' && c <= 'F') {
                return c - 'A' + 10;
            }
        }
        return -1;
    }

    /** {@code cp} is -1 for values above U+10FFFF. */
    private static String numericValue(int cp) {
        if (cp == 0) {
            return "\uFFFD";
        }
        if (cp >= 0x80 && cp <= 0x9F) {
            return String.valueOf(CP1252_C1.charAt(cp - 0x80));
        }
        if (cp < 0 || (cp >= 0xD800 && cp <= 0xDFFF)) {
            return "\uFFFD";
        }
        if (isDroppedCodePoint(cp)) {
            return "";
        }
        return Character.toString(cp);
    }

    /** Control characters and non-characters that Python's unescape deletes. */
    private static boolean isDroppedCodePoint(int cp) {
        return (cp >= 0x1 && cp <= 0x8) || cp == 0xB || (cp >= 0xE && cp <= 0x1F) || (cp >= 0x7F && cp <= 0x9F)
                || (cp >= 0xFDD0 && cp <= 0xFDEF) || (cp & 0xFFFE) == 0xFFFE;
    }
}
