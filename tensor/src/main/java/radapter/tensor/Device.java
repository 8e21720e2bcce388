package radapter.tensor;

/**
 * Where a tensor's bytes live. Only the host exists in the tensor core; GPU backends add device
 * storages and transfer between them explicitly.
 *
 * @param kind  backend family owning the memory ("cpu" for host memory)
 * @param index device ordinal within that family
 */
public record Device(String kind, int index) {
    /** Host memory, shared by the {@code reference} and {@code cpu} backends. */
    public static final Device CPU = new Device("cpu", 0);

    @Override
    public String toString() {
        return index == 0 && kind.equals("cpu") ? "cpu" : kind + ":" + index;
    }
}
