package radapter.tensor.cpu;

import radapter.tensor.Backend;
import radapter.tensor.BinaryOp;
import radapter.tensor.DType;
import radapter.tensor.ReduceOp;
import radapter.tensor.Tensor;
import radapter.tensor.UnaryOp;

/**
 * The {@code cpu} backend: Vector API kernels for F32, parallel on the {@link CpuThreads} team.
 * Other dtypes are routed to {@code reference} by the front-ends ({@link #supports}).
 *
 * <p>This class itself touches no {@code jdk.incubator.vector} type, so it loads (and reports
 * itself unavailable) on a JVM started without {@code --add-modules=jdk.incubator.vector}; the
 * kernel classes are only loaded once {@link #isAvailable()} has succeeded.
 */
public final class CpuBackend implements Backend {

    /** Availability probe, run once on first use. */
    private static final class Probe {
        static final String PROBLEM = probe();

        private static String probe() {
            try {
                if (ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) {
                    return "the JVM was started without --add-modules=jdk.incubator.vector (see jvm.options)";
                }
                return VectorSelfTest.run();
            } catch (Throwable t) {
                return "jdk.incubator.vector is not usable here: " + t;
            }
        }
    }

    @Override
    public String name() {
        return "cpu";
    }

    @Override
    public int priority() {
        return 10;
    }

    @Override
    public boolean isAvailable() {
        return Probe.PROBLEM.isEmpty();
    }

    @Override
    public String unavailableReason() {
        return Probe.PROBLEM;
    }

    @Override
    public boolean supports(DType dtype) {
        return dtype == DType.F32;
    }

    @Override
    public void copy(Tensor src, Tensor dst) {
        ElementwiseKernels.copy(src, dst);
    }

    @Override
    public void fill(Tensor dst, double value) {
        ElementwiseKernels.fill(dst, value);
    }

    @Override
    public void unary(UnaryOp op, Tensor x, Tensor out) {
        ElementwiseKernels.unary(op, x, out);
    }

    @Override
    public void binary(BinaryOp op, Tensor a, Tensor b, Tensor out) {
        ElementwiseKernels.binary(op, a, b, out);
    }

    @Override
    public void where(Tensor cond, Tensor a, Tensor b, Tensor out) {
        ElementwiseKernels.where(cond, a, b, out);
    }

    @Override
    public void reduce(ReduceOp op, Tensor x, boolean[] dims, Tensor out) {
        ReductionKernels.reduce(op, x, dims, out);
    }

    @Override
    public void argReduce(boolean max, Tensor x, int dim, Tensor out) {
        ReductionKernels.argReduce(max, x, dim, out);
    }

    @Override
    public void matmul(Tensor a, Tensor b, Tensor out) {
        MatmulKernels.matmul(a, b, out);
    }

    @Override
    public void indexSelect(Tensor src, int dim, Tensor index, Tensor out) {
        IndexKernels.indexSelect(src, dim, index, out);
    }

    @Override
    public void indexAdd(Tensor dst, int dim, Tensor index, Tensor src) {
        IndexKernels.indexAdd(dst, dim, index, src);
    }

    @Override
    public void softmax(Tensor x, int dim, boolean log, Tensor out) {
        SoftmaxKernels.softmax(x, dim, log, out);
    }

    @Override
    public void layerNorm(Tensor x, Tensor weight, Tensor bias, double eps, Tensor out, Tensor mean, Tensor rstd) {
        NormKernels.layerNorm(x, weight, bias, eps, out, mean, rstd);
    }

    @Override
    public String toString() {
        return "cpu backend";
    }
}
