package radapter.data.dataset;

/** A row or entry that cannot be used, with the reason; readers skip or fail on it by policy. */
final class BadEntry extends Exception {
    BadEntry(String reason) {
        super(reason, null, false, false);
    }
}
