package radapter.bench;

import java.util.concurrent.TimeUnit;
import org.ojalgo.matrix.store.R032Store;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import radapter.tensor.MemoryScope;
import radapter.tensor.NN;
import radapter.tensor.Rng;
import radapter.tensor.Tensor;

/**
 * Softmax, layer norm and an element-wise chain at CLIP ViT-B/16 shapes (batch 16): radapter's
 * {@code cpu} backend (inside a memory scope, output allocation included) against a naive
 * single-threaded Java loop over float arrays, and, for the element-wise chain, ojAlgo's
 * {@code R032Store.modifyAll} (it has no softmax or layer norm).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class NnOpsBench {
    /** softmax: attention scores [16·12·197, 197]; layernorm: [16·197, 768]; chain: MLP activations [16·197, 3072]. */
    @Param({"softmax", "layernorm", "chain"})
    public String op;

    private Tensor x;
    private Tensor gamma;
    private Tensor beta;
    private float[] xa;
    private float[] out;
    private float[] ga;
    private float[] ba;
    private int rows;
    private int cols;
    private R032Store store;
    private static final org.ojalgo.function.PrimitiveFunction.Unary QUICK_GELU = v -> v / (1 + Math.exp(-1.702 * v));

    @Setup
    public void setup() {
        switch (op) {
            case "softmax" -> {
                rows = 16 * 12 * 197;
                cols = 197;
            }
            case "layernorm" -> {
                rows = 16 * 197;
                cols = 768;
            }
            default -> {
                rows = 16 * 197;
                cols = 3072;
            }
        }
        Rng rng = new Rng(1);
        x = MemoryScope.outsideScopes(() -> Tensor.randn(rng, rows, cols));
        gamma = MemoryScope.outsideScopes(() -> Tensor.rand(rng, cols));
        beta = MemoryScope.outsideScopes(() -> Tensor.randn(rng, cols));
        xa = x.toFloatArray();
        out = new float[xa.length];
        ga = gamma.toFloatArray();
        ba = beta.toFloatArray();
        store = R032Store.FACTORY.make(rows, cols);
    }

    @Benchmark
    public double radapter() {
        try (MemoryScope s = MemoryScope.open()) {
            Tensor y = switch (op) {
                case "softmax" -> NN.softmax(x, -1);
                case "layernorm" -> NN.layerNorm(x, gamma, beta, 1e-5);
                default -> NN.quickGelu(x.mul(1.5).add(beta));
            };
            return y.get(0, 0);
        }
    }

    @Benchmark
    public double naive() {
        switch (op) {
            case "softmax" -> {
                for (int r = 0; r < rows; r++) {
                    int o = r * cols;
                    float max = Float.NEGATIVE_INFINITY;
                    for (int j = 0; j < cols; j++) {
                        max = Math.max(max, xa[o + j]);
                    }
                    float sum = 0;
                    for (int j = 0; j < cols; j++) {
                        float e = (float) Math.exp(xa[o + j] - max);
                        out[o + j] = e;
                        sum += e;
                    }
                    for (int j = 0; j < cols; j++) {
                        out[o + j] /= sum;
                    }
                }
            }
            case "layernorm" -> {
                for (int r = 0; r < rows; r++) {
                    int o = r * cols;
                    float mean = 0;
                    for (int j = 0; j < cols; j++) {
                        mean += xa[o + j];
                    }
                    mean /= cols;
                    float var = 0;
                    for (int j = 0; j < cols; j++) {
                        float d = xa[o + j] - mean;
                        var += d * d;
                    }
                    float rs = (float) (1 / Math.sqrt(var / cols + 1e-5));
                    for (int j = 0; j < cols; j++) {
                        out[o + j] = (xa[o + j] - mean) * rs * ga[j] + ba[j];
                    }
                }
            }
            default -> {
                for (int r = 0; r < rows; r++) {
                    int o = r * cols;
                    for (int j = 0; j < cols; j++) {
                        float v = xa[o + j] * 1.5f + ba[j % ba.length];
                        out[o + j] = (float) (v / (1 + Math.exp(-1.702 * v)));
                    }
                }
            }
        }
        return out[0];
    }

    @Benchmark
    public double ojalgo() {
        if (!op.equals("chain")) {
            return 0; // ojAlgo has no softmax or layer norm
        }
        for (int r = 0; r < rows; r += 1) {
            int o = r * cols;
            for (int j = 0; j < cols; j++) {
                store.set(r, j, xa[o + j] * 1.5f + ba[j]);
            }
        }
        store.modifyAll(QUICK_GELU);
        return store.get(0, 0);
    }
}
