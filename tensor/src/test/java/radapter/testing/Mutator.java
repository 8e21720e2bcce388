package radapter.testing;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Seeded random mutations of a valid input, the poor man's fuzzer the parser fuzz tests share:
 * truncations, byte flips, inserted and deleted runs, duplicated slices and "interesting" values
 * (0, 0xFF, 0x7F, 0x80) — a coverage-guided fuzzer (Jazzer) cannot instrument Java 25 class
 * files yet, so these run as plain JUnit tests, reproducible from their seed.
 */
public final class Mutator {
    private static final byte[] INTERESTING = {0, (byte) 0xFF, 0x7F, (byte) 0x80, '{', '}', '"', '\n', '\t', ',', '\\', '-', '9'};

    private final SplittableRandom rng;

    public Mutator(long seed) {
        this.rng = new SplittableRandom(seed);
    }

    /** A mutated copy of {@code in} (1-4 mutations; never longer than twice the input). */
    public byte[] mutate(byte[] in) {
        byte[] b = in.clone();
        int n = 1 + rng.nextInt(4);
        for (int i = 0; i < n && b.length > 0; i++) {
            int at = rng.nextInt(b.length);
            b = switch (rng.nextInt(7)) {
                case 0 -> Arrays.copyOf(b, rng.nextInt(b.length)); // truncate
                case 1 -> { // flip one bit
                    b[at] ^= (byte) (1 << rng.nextInt(8));
                    yield b;
                }
                case 2 -> { // a random byte
                    b[at] = (byte) rng.nextInt(256);
                    yield b;
                }
                case 3 -> { // an interesting byte
                    b[at] = INTERESTING[rng.nextInt(INTERESTING.length)];
                    yield b;
                }
                case 4 -> { // delete a run
                    int len = Math.min(b.length - at, 1 + rng.nextInt(16));
                    byte[] c = new byte[b.length - len];
                    System.arraycopy(b, 0, c, 0, at);
                    System.arraycopy(b, at + len, c, at, b.length - at - len);
                    yield c;
                }
                case 5 -> { // duplicate a slice in place
                    int len = Math.min(b.length - at, 1 + rng.nextInt(32));
                    if (b.length + len > 2 * in.length + 64) {
                        yield b;
                    }
                    byte[] c = new byte[b.length + len];
                    System.arraycopy(b, 0, c, 0, at + len);
                    System.arraycopy(b, at, c, at + len, b.length - at);
                    yield c;
                }
                default -> { // random bytes inserted
                    int len = 1 + rng.nextInt(8);
                    byte[] c = new byte[b.length + len];
                    System.arraycopy(b, 0, c, 0, at);
                    for (int k = 0; k < len; k++) {
                        c[at + k] = (byte) rng.nextInt(256);
                    }
                    System.arraycopy(b, at, c, at + len, b.length - at);
                    yield c;
                }
            };
        }
        return b;
    }

    /** A random string of {@code maxLen} code points at most, from ASCII, Latin, CJK, emoji and controls. */
    public String text(int maxLen) {
        StringBuilder s = new StringBuilder();
        int n = rng.nextInt(maxLen + 1);
        for (int i = 0; i < n; i++) {
            int cp = switch (rng.nextInt(6)) {
                case 0 -> 0x20 + rng.nextInt(0x5F);
                case 1 -> 0xA0 + rng.nextInt(0x200);
                case 2 -> 0x4E00 + rng.nextInt(0x5000);
                case 3 -> 0x1F300 + rng.nextInt(0x300);
                case 4 -> rng.nextInt(0x20);
                default -> rng.nextInt(0x110000);
            };
            if (cp >= 0xD800 && cp <= 0xDFFF) {
                cp = '?';
            }
            s.appendCodePoint(cp);
        }
        return s.toString();
    }

    public int nextInt(int bound) {
        return rng.nextInt(bound);
    }
}
