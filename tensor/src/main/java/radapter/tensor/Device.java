package radapter.tensor;

/**
 * Where a tensor's bytes live: the host, or an accelerator whose backend allocates the device
 * memory ({@link Storage#onDevice}). {@link Tensor#to(Device)} moves bytes explicitly; an op runs
 * on the backend owning its inputs' device.
 *
 * @param kind  backend family owning the memory ("cpu" for host memory)
 * @param index device ordinal within that family
 */
public record Device(String kind, int index) {
    /** Host memory, shared by the {@code reference} and {@code cpu} backends. */
    public static final Device CPU = new Device("cpu", 0);

    /**
     * Parses {@code "cpu"}, {@code "opencl"}, {@code "cuda:1"} and the like (no index means 0),
     * PyTorch's device-string form.
     */
    public static Device parse(String text) {
        String t = text.trim().toLowerCase(java.util.Locale.ROOT);
        int colon = t.indexOf(':');
        String kind = colon < 0 ? t : t.substring(0, colon);
        if (kind.isEmpty() || !kind.chars().allMatch(Character::isLetterOrDigit)) {
            throw new IllegalArgumentException("not a device: '" + text + "' (expected e.g. cpu, opencl, cuda:0)");
        }
        int index = 0;
        if (colon >= 0) {
            try {
                index = Integer.parseInt(t.substring(colon + 1));
            } catch (NumberFormatException e) {
                index = -1;
            }
            if (index < 0) {
                throw new IllegalArgumentException("not a device index in '" + text + "' (expected e.g. cuda:0)");
            }
        }
        return kind.equals("cpu") ? CPU : new Device(kind, index);
    }

    @Override
    public String toString() {
        return index == 0 && kind.equals("cpu") ? "cpu" : kind + ":" + index;
    }
}
