package radapter.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import radapter.tensor.Backends;
import radapter.tensor.LinearAlgebra;
import radapter.tensor.MemoryScope;
import radapter.tensor.NN;
import radapter.tensor.Rng;
import radapter.tensor.Tensor;

/**
 * {@code radapter demo}: the built-in demo. Today it tours the tensor core (backends, parity of the
 * fast backend against the reference one, GEMM throughput, a transformer-block-shaped chain of
 * ops). The full R-Adapter story (synthetic data, pre-training, fine-tuning, merging) replaces it
 * as the later modules land; the README's status table says what exists.
 */
@Command(name = "demo", mixinStandardHelpOptions = true, description = "Run the built-in demo (no downloads).")
final class DemoCommand implements Callable<Integer> {
    @Option(names = "--quick", description = "Smaller sizes, for CI.")
    boolean quick;

    @Option(names = "--seed", defaultValue = "0", description = "Random seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Override
    public Integer call() {
        Rng rng = new Rng(seed);
        String fast = Backends.current().name();
        System.out.println("radapter demo — tensor core tour (backend: " + fast + ")");
        System.out.println("note: the R-Adapter fine-tuning demo is not built yet; see README, 'Status'.");

        try (MemoryScope scope = MemoryScope.open()) {
            // 1. Parity: the fast backend against the scalar reference on a small transformer-like chain.
            Tensor x = Tensor.randn(rng, 8, 17, 64);
            Tensor w = Tensor.randn(rng, 96, 64).mul(0.1);
            Tensor b = Tensor.randn(rng, 96);
            Tensor lnW = Tensor.rand(rng, 64);
            double maxDiff = 0;
            float[] ref;
            float[] got;
            try (var ignored = Backends.use("reference")) {
                ref = chain(x, w, b, lnW).toFloatArray();
            }
            got = chain(x, w, b, lnW).toFloatArray();
            for (int i = 0; i < ref.length; i++) {
                maxDiff = Math.max(maxDiff, Math.abs(ref[i] - got[i]) / Math.max(1, Math.abs(ref[i])));
            }
            System.out.printf("parity    layer_norm -> linear -> quick_gelu -> softmax, %s vs reference: max rel diff %.2e over %d values%n",
                    fast, maxDiff, ref.length);

            // 2. GEMM throughput on the current backend.
            int n = quick ? 256 : 1024;
            Tensor a = Tensor.randn(rng, n, n);
            Tensor c = Tensor.randn(rng, n, n);
            LinearAlgebra.matmul(a, c); // warm-up
            int reps = quick ? 5 : 10;
            long best = Long.MAX_VALUE;
            for (int r = 0; r < reps; r++) {
                long t0 = System.nanoTime();
                try (MemoryScope step = MemoryScope.open()) {
                    LinearAlgebra.matmul(a, c);
                }
                best = Math.min(best, System.nanoTime() - t0);
            }
            System.out.printf("sgemm     %d^3 on %s: %.1f GFLOP/s (best of %d, %d threads)%n", n, fast,
                    2.0 * n * n * n / best, reps, Runtime.getRuntime().availableProcessors());
            System.out.printf("memory    off-heap live %d KiB, peak %d KiB%n", MemoryScope.liveBytes() / 1024, MemoryScope.peakBytes() / 1024);
        }
        System.out.printf("memory    after the scope closed: %d KiB live%n", MemoryScope.liveBytes() / 1024);
        return 0;
    }

    private static Tensor chain(Tensor x, Tensor w, Tensor b, Tensor lnW) {
        Tensor h = NN.layerNorm(x, lnW, null, 1e-5);
        return NN.softmax(NN.quickGelu(LinearAlgebra.linear(h, w, b)), -1);
    }
}
