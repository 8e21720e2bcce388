package radapter.tensor.cpu;

import jdk.incubator.vector.FloatVector;

/**
 * The probe behind {@link CpuBackend#isAvailable()}: loads the Vector API and checks a few vector
 * results against scalar ones. Kept apart from {@link CpuBackend} so that a JVM without the module
 * fails here, inside the probe's catch, and nowhere else.
 */
final class VectorSelfTest {

    private VectorSelfTest() {}

    /** Empty when the Vector API works, else what went wrong. */
    static String run() {
        var species = FloatVector.SPECIES_PREFERRED;
        int n = species.length();
        if (n < 1) {
            return "FloatVector.SPECIES_PREFERRED has no lanes";
        }
        float[] in = new float[n];
        for (int i = 0; i < n; i++) {
            in[i] = 0.25f * i - 1f;
        }
        float[] sum = FloatVector.fromArray(species, in, 0).add(1f).toArray();
        float[] ex = VectorMath.exp(FloatVector.fromArray(species, in, 0)).toArray();
        for (int i = 0; i < n; i++) {
            if (sum[i] != in[i] + 1f) {
                return "Vector API self-test failed: lane " + i + " of x+1 is " + sum[i];
            }
            if (Math.abs(ex[i] - Math.exp(in[i])) > 1e-6 * Math.exp(in[i])) {
                return "Vector API self-test failed: lane " + i + " of exp(x) is " + ex[i];
            }
        }
        return "";
    }
}
