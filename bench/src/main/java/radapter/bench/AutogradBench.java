package radapter.bench;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import radapter.autograd.GradMode;
import radapter.autograd.LinearAlgebra;
import radapter.autograd.NN;
import radapter.autograd.Variable;
import radapter.tensor.MemoryScope;
import radapter.tensor.Rng;
import radapter.tensor.Tensor;

/**
 * The cost of differentiation on a CLIP MLP (Linear 768→3072, GELU, Linear 3072→768) over 788
 * tokens (4 images of 197): forward alone (no-grad), forward + backward with trainable weights,
 * and forward in grad mode with frozen weights and a constant input (which must record nothing
 * and cost the same as the plain forward). Goal: forward+backward ≤ 3.5× forward.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class AutogradBench {
    private Tensor x;
    private Variable w1;
    private Variable b1;
    private Variable w2;
    private Variable b2;
    private Variable f1;
    private Variable fb1;
    private Variable f2;
    private Variable fb2;

    @Setup
    public void setup() {
        Rng rng = new Rng(3);
        x = MemoryScope.outsideScopes(() -> Tensor.randn(rng, 788, 768));
        Tensor t1 = MemoryScope.outsideScopes(() -> Tensor.randn(rng, 3072, 768).mul(0.02));
        Tensor tb1 = MemoryScope.outsideScopes(() -> Tensor.zeros(3072));
        Tensor t2 = MemoryScope.outsideScopes(() -> Tensor.randn(rng, 768, 3072).mul(0.02));
        Tensor tb2 = MemoryScope.outsideScopes(() -> Tensor.zeros(768));
        w1 = Variable.parameter(t1);
        b1 = Variable.parameter(tb1);
        w2 = Variable.parameter(t2);
        b2 = Variable.parameter(tb2);
        f1 = Variable.constant(t1);
        fb1 = Variable.constant(tb1);
        f2 = Variable.constant(t2);
        fb2 = Variable.constant(tb2);
    }

    private static Variable mlp(Variable in, Variable a, Variable ab, Variable b, Variable bb) {
        return LinearAlgebra.linear(NN.gelu(LinearAlgebra.linear(in, a, ab)), b, bb);
    }

    @Benchmark
    public double forward() {
        try (MemoryScope s = MemoryScope.open(); var g = GradMode.noGrad()) {
            return mlp(Variable.constant(x), w1, b1, w2, b2).data().get(0, 0);
        }
    }

    @Benchmark
    public double forwardBackward() {
        try (MemoryScope s = MemoryScope.open()) {
            Variable y = mlp(Variable.constant(x), w1, b1, w2, b2);
            y.backward(Tensor.ones(y.shape()), false);
            double v = w1.grad().get(0, 0);
            for (Variable p : new Variable[] {w1, b1, w2, b2}) {
                p.zeroGrad();
            }
            return v;
        }
    }

    @Benchmark
    public double frozenForward() {
        try (MemoryScope s = MemoryScope.open()) {
            Variable y = mlp(Variable.constant(x), f1, fb1, f2, fb2);
            if (!y.isLeaf()) {
                throw new IllegalStateException("a frozen layer recorded a graph");
            }
            return y.data().get(0, 0);
        }
    }
}
