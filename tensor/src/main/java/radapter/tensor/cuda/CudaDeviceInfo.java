package radapter.tensor.cuda;

/**
 * What radapter knows about one CUDA device, read once when its {@link CudaDriver} opens.
 *
 * @param ordinal         the device's ordinal ({@code cuda:N})
 * @param name            the marketing name, e.g. {@code "NVIDIA H100 80GB HBM3"}
 * @param major           compute capability, major ({@code 9} for sm_90)
 * @param minor           compute capability, minor
 * @param multiprocessors number of streaming multiprocessors
 * @param totalMemory     device memory in bytes
 * @param driverVersion   {@code cuDriverGetVersion}, e.g. {@code 13000} for CUDA 13.0
 */
public record CudaDeviceInfo(int ordinal, String name, int major, int minor, int multiprocessors, long totalMemory,
        int driverVersion) {

    /** The compute capability as PTX spells its targets, e.g. {@code 90}. */
    public int computeCapability() {
        return major * 10 + minor;
    }

    /** {@code "13.0"} for driver version 13000. */
    public String driverVersionString() {
        return driverVersion / 1000 + "." + driverVersion % 1000 / 10;
    }

    /**
     * The newest PTX ISA this driver loads, as {@code major * 10 + minor} (90 for ISA 9.0), or 0
     * when the driver is newer than this table (then nothing needs lowering). From the PTX ISA
     * release history: CUDA 11.x loads 7.x, 12.0–12.5 load 8.0–8.5, 12.6 loads 8.5, 12.7–12.9 load
     * 8.6–8.8, 13.x loads 9.x.
     */
    public int maxPtxIsa() {
        int major = driverVersion / 1000;
        int minor = driverVersion % 1000 / 10;
        return switch (major) {
            case 11 -> 70 + Math.min(minor, 8);
            case 12 -> minor <= 5 ? 80 + minor : minor == 6 ? 85 : 80 + Math.min(minor - 1, 8);
            case 13 -> 90 + minor;
            default -> major < 11 ? 60 : 0;
        };
    }
}
