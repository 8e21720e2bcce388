package radapter.cli;

/** Human durations for logs: {@code 850 ms}, {@code 14 s}, {@code 3 min 05 s}, {@code 2 h 07 min}. */
final class Durations {
    private Durations() {
    }

    static String format(double seconds) {
        if (seconds < 1) {
            return Math.round(seconds * 1000) + " ms";
        }
        long s = Math.round(seconds);
        if (s < 60) {
            return s + " s";
        }
        if (s < 3600) {
            return String.format("%d min %02d s", s / 60, s % 60);
        }
        return String.format("%d h %02d min", s / 3600, (s % 3600) / 60);
    }
}
