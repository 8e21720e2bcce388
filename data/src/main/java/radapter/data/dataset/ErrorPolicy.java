package radapter.data.dataset;

/** What to do with a bad row, entry or image: skip it (counted and reported once) or fail. */
public enum ErrorPolicy {
    /** Report one warning line, count it, leave it out and go on. */
    SKIP,
    /** Stop with an exception that names the file (and line) and the reason. */
    FAIL
}
