package radapter.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/**
 * {@link Backend#softmax} and {@link Backend#layerNorm} are optional fast paths: a backend that
 * implements only the ten primitive compute methods gets them composed from those primitives.
 * This backend forwards the primitives to {@code reference} and nothing else, and must agree with
 * {@code reference}'s own fused implementations.
 */
class ComposedDefaultsTest {
    /** The smallest complete backend: ten compute methods, softmax and layer norm by default. */
    static final class PrimitivesOnly implements Backend {
        private final Backend ref = Backends.get("reference");

        @Override
        public String name() {
            return "primitives-only";
        }

        @Override
        public int priority() {
            return -1;
        }

        @Override
        public boolean supports(DType dtype) {
            return ref.supports(dtype);
        }

        @Override
        public void copy(Tensor src, Tensor dst) {
            ref.copy(src, dst);
        }

        @Override
        public void fill(Tensor dst, double value) {
            ref.fill(dst, value);
        }

        @Override
        public void unary(UnaryOp op, Tensor x, Tensor out) {
            ref.unary(op, x, out);
        }

        @Override
        public void binary(BinaryOp op, Tensor a, Tensor b, Tensor out) {
            ref.binary(op, a, b, out);
        }

        @Override
        public void where(Tensor cond, Tensor a, Tensor b, Tensor out) {
            ref.where(cond, a, b, out);
        }

        @Override
        public void reduce(ReduceOp op, Tensor x, boolean[] dims, Tensor out) {
            ref.reduce(op, x, dims, out);
        }

        @Override
        public void argReduce(boolean max, Tensor x, int dim, Tensor out) {
            ref.argReduce(max, x, dim, out);
        }

        @Override
        public void matmul(Tensor a, Tensor b, Tensor out) {
            ref.matmul(a, b, out);
        }

        @Override
        public void indexSelect(Tensor src, int dim, Tensor index, Tensor out) {
            ref.indexSelect(src, dim, index, out);
        }

        @Override
        public void indexAdd(Tensor dst, int dim, Tensor index, Tensor src) {
            ref.indexAdd(dst, dim, index, src);
        }
    }

    private static void assertClose(Tensor expected, Tensor actual, double rel, String what) {
        double[] e = expected.to(DType.F64).contiguous().toDoubleArray();
        double[] a = actual.to(DType.F64).contiguous().toDoubleArray();
        assertEquals(e.length, a.length, what);
        double scale = 1e-30;
        for (double v : e) {
            scale = Math.max(scale, Math.abs(v));
        }
        for (int i = 0; i < e.length; i++) {
            assertEquals(e[i], a[i], rel * scale, what + " [" + i + "]");
        }
    }

    @Test
    void softmaxComposedFromPrimitivesMatchesReference() {
        Backend ref = Backends.get("reference");
        Backend min = new PrimitivesOnly();
        for (DType dt : new DType[] {DType.F32, DType.F64}) {
            double tol = dt == DType.F32 ? 2e-6 : 1e-13;
            try (MemoryScope s = MemoryScope.open()) {
                Tensor x = Tensor.randn(new Rng(3), 4, 5, 7).mul(4.0).to(dt);
                for (Tensor in : new Tensor[] {x, x.transpose(0, 2)}) {
                    for (int dim = 0; dim < 3; dim++) {
                        for (boolean log : new boolean[] {false, true}) {
                            Tensor want = Tensor.zeros(dt, in.shape());
                            Tensor got = Tensor.zeros(dt, in.shape());
                            ref.softmax(in, dim, log, want);
                            min.softmax(in, dim, log, got);
                            assertClose(want, got, tol, dt + " dim " + dim + (log ? " log" : ""));
                        }
                    }
                }
            }
        }
    }

    @Test
    void layerNormComposedFromPrimitivesMatchesReference() {
        Backend ref = Backends.get("reference");
        Backend min = new PrimitivesOnly();
        for (DType dt : new DType[] {DType.F32, DType.F64}) {
            double tol = dt == DType.F32 ? 5e-6 : 1e-12;
            try (MemoryScope s = MemoryScope.open()) {
                Tensor x = Tensor.randn(new Rng(4), 3, 6, 16).mul(3.0).add(1.5).to(dt);
                Tensor w = Tensor.randn(new Rng(5), 16).to(dt);
                Tensor b = Tensor.randn(new Rng(6), 16).to(dt);
                for (Tensor in : new Tensor[] {x, x.transpose(0, 1)}) {
                    for (boolean affine : new boolean[] {false, true}) {
                        long[] rows = {in.size(0), in.size(1)};
                        Tensor want = Tensor.zeros(dt, in.shape());
                        Tensor got = Tensor.zeros(dt, in.shape());
                        Tensor wantMean = Tensor.zeros(dt, rows);
                        Tensor wantRstd = Tensor.zeros(dt, rows);
                        Tensor gotMean = Tensor.zeros(dt, rows);
                        Tensor gotRstd = Tensor.zeros(dt, rows);
                        ref.layerNorm(in, affine ? w : null, affine ? b : null, 1e-5, want, wantMean, wantRstd);
                        min.layerNorm(in, affine ? w : null, affine ? b : null, 1e-5, got, gotMean, gotRstd);
                        String what = dt + (affine ? " affine" : "");
                        assertClose(want, got, tol, what + " out");
                        assertClose(wantMean, gotMean, tol, what + " mean");
                        assertClose(wantRstd, gotRstd, tol, what + " rstd");
                    }
                    Tensor want = Tensor.zeros(dt, in.shape());
                    Tensor got = Tensor.zeros(dt, in.shape());
                    ref.layerNorm(in, w, b, 1e-5, want, null, null);
                    min.layerNorm(in, w, b, 1e-5, got, null, null);
                    assertClose(want, got, tol, dt + " without statistics");
                }
            }
        }
    }
}
