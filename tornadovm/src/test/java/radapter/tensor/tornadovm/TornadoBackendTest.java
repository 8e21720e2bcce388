package radapter.tensor.tornadovm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import radapter.tensor.Backend;
import radapter.tensor.Backends;
import radapter.tensor.BinaryOp;
import radapter.tensor.DType;
import radapter.tensor.NN;
import radapter.tensor.Pointwise;
import radapter.tensor.Rng;
import radapter.tensor.Shapes;
import radapter.tensor.Storage;
import radapter.tensor.Tensor;
import radapter.tensor.UnaryOp;

/**
 * The {@code tornadovm} backend against {@code reference}. The first tests hold on any JVM (the
 * backend is registered, and probing it never throws); the rest need a working TornadoVM and are
 * skipped, with the probe's reason, everywhere else. The full parity suite
 * ({@code BackendParityTest}, from the tensor module's test jar) runs beside this class in this
 * module and covers the backend the same way as soon as it is available.
 */
class TornadoBackendTest {
    private static final Backend FOUND = Backends.all().stream().filter(b -> b.name().equals(TornadoBackend.NAME)).findFirst()
            .orElse(null);

    private static TornadoBackend backend() {
        assertTrue(FOUND instanceof TornadoBackend, () -> "no 'tornadovm' backend among " + Backends.all().stream().map(Backend::name).toList());
        return (TornadoBackend) FOUND;
    }

    private static void assumeAvailable() {
        TornadoBackend b = backend();
        assumeTrue(b.isAvailable(), () -> "TornadoVM is not usable here: " + b.unavailableReason());
    }

    // ================================================================ on any JVM

    @Test
    void isRegisteredWithTheServiceLoaderBelowCpu() {
        TornadoBackend b = backend();
        assertEquals(TornadoBackend.PRIORITY, b.priority());
        Backends.all().stream().filter(x -> x.name().equals("cpu")).findFirst()
                .ifPresent(cpu -> assertTrue(b.priority() < cpu.priority(), "tornadovm must never be the default over cpu"));
        assertTrue(b.priority() > Backends.reference().priority());
    }

    @Test
    void probingNeverThrowsAndExplainsUnavailabilityInOneLine() {
        TornadoBackend b = backend();
        boolean available = b.isAvailable();
        String reason = b.unavailableReason();
        if (available) {
            assertEquals("", reason);
            assertFalse(b.deviceDescription().isBlank());
        } else {
            assertFalse(reason.isBlank(), "an unavailable backend must say why");
            assertFalse(reason.contains("\n"), () -> "the reason must be one line: " + reason);
        }
    }

    @Test
    void computesOnlyF32() {
        TornadoBackend b = backend();
        assertTrue(b.supports(DType.F32));
        for (DType t : new DType[] {DType.F64, DType.F16, DType.BF16, DType.I32, DType.I64}) {
            assertFalse(b.supports(t), t::toString);
        }
    }

    @Test
    void readOnlyAndMarkedStoragesCountAsImmutable() {
        Tensor writable = Tensor.zeros(4);
        assertFalse(TornadoBackend.isImmutable(writable));
        Tensor mapped = new Tensor(DType.F32, new long[] {4}, new long[] {1}, 0, Storage.wrap(writable.segment().asReadOnly()));
        assertTrue(TornadoBackend.isImmutable(mapped));
        Tensor marked = Tensor.zeros(3);
        TornadoBackend.markImmutable(marked);
        assertTrue(TornadoBackend.isImmutable(marked.narrow(0, 1, 2)), "a view shares its storage's mark");
    }

    // ================================================================ on a TornadoVM device

    @Test
    void matmulMatchesReferenceForTransposedBatchedAndBroadcastOperands() {
        assumeAvailable();
        Rng rng = new Rng(11);
        Tensor a = Tensor.randn(rng, 5, 7);
        Tensor b = Tensor.randn(rng, 7, 3);
        same("a·b", () -> a.matmul(b), 1e-4);
        same("bᵀ·aᵀ (both transposed views)", () -> b.mT().matmul(a.mT()), 1e-4);
        Tensor q = Tensor.randn(rng, 2, 3, 6, 4);
        same("batched q·kᵀ", () -> q.matmul(q.transpose(-1, -2)), 1e-4);
        Tensor w = Tensor.randn(rng, 4, 5);
        same("batch against one broadcast matrix", () -> q.matmul(w), 1e-4);
        Tensor big = Tensor.randn(rng, 40, 500);
        same("a narrow slice of a larger matrix (gathered)", () -> big.narrow(0, 3, 2).narrow(1, 5, 4).matmul(big.narrow(0, 0, 4).narrow(1, 0, 3)),
                1e-4);
        same("k = 0 gives zeros", () -> Tensor.zeros(3, 0).matmul(Tensor.zeros(0, 2)), 0);
    }

    @Test
    void elementwiseOpsMatchReference() {
        assumeAvailable();
        Rng rng = new Rng(12);
        Tensor x = Tensor.randn(rng, 3, 17);
        Tensor positive = x.abs().add(0.5);
        for (UnaryOp op : UnaryOp.values()) {
            Tensor in = op == UnaryOp.LOG || op == UnaryOp.SQRT || op == UnaryOp.RSQRT ? positive : x;
            same(op.pyName() + " of a transposed view", () -> Pointwise.unary(op, in.mT()), 1e-5);
        }
        Tensor y = Tensor.randn(rng, 17);
        for (BinaryOp op : BinaryOp.values()) {
            Tensor left = op == BinaryOp.POW ? positive : x;
            same(op.name() + " with a broadcast row", () -> Pointwise.binary(op, left, y), 1e-5);
        }
        Tensor nan = Tensor.of(new float[] {1, Float.NaN, -3});
        same("maximum keeps NaN", () -> nan.maximum(Tensor.zeros(3)), 0);
        same("relu keeps NaN", nan::relu, 0);
        same("in-place add", () -> {
            Tensor t = x.clone();
            return t.add_(y);
        }, 1e-6);
    }

    @Test
    void softmaxAlongEveryDimension() {
        assumeAvailable();
        Rng rng = new Rng(13);
        Tensor x = Tensor.randn(rng, 3, 5, 7).mul(4);
        for (int d = 0; d < 3; d++) {
            int dim = d;
            same("softmax over " + dim, () -> x.softmax(dim), 1e-5);
            same("log_softmax over " + dim, () -> x.logSoftmax(dim), 1e-5);
            same("softmax over " + dim + " of a permuted view", () -> x.permute(2, 0, 1).softmax(dim), 1e-5);
        }
        same("softmax of a row holding -inf", () -> Tensor.of(new float[] {0, Float.NEGATIVE_INFINITY, 1}).softmax(0), 1e-6);
    }

    @Test
    void layerNormWithAndWithoutAffineParameters() {
        assumeAvailable();
        Rng rng = new Rng(14);
        Tensor x = Tensor.randn(rng, 4, 6, 33).add(3);
        Tensor g = Tensor.randn(rng, 33);
        Tensor b = Tensor.randn(rng, 33);
        same("layer_norm with weight and bias", () -> NN.layerNorm(x, g, b, 1e-5), 1e-4);
        same("layer_norm without affine parameters", () -> NN.layerNorm(x, null, null, 1e-5), 1e-4);
        same("layer_norm of a transposed input", () -> NN.layerNorm(x.transpose(0, 1), g, null, 1e-6), 1e-4);
        // The statistics a backward pass needs, through the backend directly.
        long[] rows = {4, 6};
        for (Backend on : new Backend[] {Backends.reference(), backend()}) {
            Tensor out = Tensor.empty(DType.F32, x.shape());
            Tensor mean = Tensor.empty(DType.F32, rows);
            Tensor rstd = Tensor.empty(DType.F32, rows);
            on.layerNorm(x, g, b, 1e-5, out, mean, rstd);
            Tensor expectedMean = x.mean(new int[] {2}, false);
            assertClose("mean on " + on.name(), expectedMean.toFloatArray(), mean.toFloatArray(), 1e-4);
            assertTrue(rstd.toFloatArray()[0] > 0, "rstd is positive");
        }
    }

    @Test
    void weightsStayResidentAndPlansAreReused() {
        assumeAvailable();
        TornadoBackend b = backend();
        Rng rng = new Rng(15);
        // A "checkpoint" weight: read-only memory, as SafeTensors maps it.
        Tensor source = Tensor.randn(rng, 6, 8);
        MemorySegment copy = Arena.ofAuto().allocate(source.numel() * Float.BYTES, 4);
        MemorySegment.copy(source.segment(), 0, copy, 0, copy.byteSize());
        Tensor weight = new Tensor(DType.F32, source.shape(), Shapes.contiguousStrides(source.shape()), 0, Storage.wrap(copy.asReadOnly()));
        TornadoBackend.Stats before = b.stats();
        for (int step = 0; step < 3; step++) {
            Tensor x = Tensor.randn(rng, 5, 8);
            same("x·Wᵀ step " + step, () -> x.matmul(weight.mT()), 1e-4);
        }
        TornadoBackend.Stats after = b.stats();
        assertEquals(before.residentArrays() + 1, after.residentArrays(), "the weight is copied into one resident array");
        assertEquals(before.plansBuilt() + 1, after.plansBuilt(), "one plan for this kernel and shape, reused by every step");
        assertEquals(before.executions() + 3, after.executions());
    }

    @Test
    void evictedPlansAreClosedAndRebuiltOnDemand() {
        assumeAvailable();
        TornadoBackend small = new TornadoBackend(System.getProperty(TornadoBackend.DEVICE_PROPERTY, "0:0"), 2);
        assertTrue(small.isAvailable(), small::unavailableReason);
        Rng rng = new Rng(16);
        try (Backends.Selection ignored = Backends.use(small)) {
            for (int n = 1; n <= 4; n++) {
                Tensor x = Tensor.randn(rng, n, 3);
                assertClose("exp of " + n + " rows", referenceOf(x::exp), x.exp().toFloatArray(), 1e-5);
            }
            assertTrue(small.stats().plansCached() <= 2, () -> "plans kept: " + small.stats());
            Tensor again = Tensor.randn(rng, 1, 3);
            assertClose("exp after eviction", referenceOf(again::exp), again.exp().toFloatArray(), 1e-5);
        }
    }

    // ================================================================ helpers

    /** {@code op} on reference and on tornadovm: same shape, values within {@code tol · max(1, |r|)}. */
    private static void same(String what, Supplier<Tensor> op, double tol) {
        Tensor expected;
        try (Backends.Selection ignored = Backends.use(Backends.reference())) {
            expected = op.get();
        }
        Tensor actual;
        try (Backends.Selection ignored = Backends.use(backend())) {
            actual = op.get();
        }
        assertEquals(Shapes.str(expected.shape()), Shapes.str(actual.shape()), what + ": shape");
        assertClose(what, expected.toFloatArray(), actual.toFloatArray(), tol);
    }

    private static float[] referenceOf(Supplier<Tensor> op) {
        try (Backends.Selection ignored = Backends.use(Backends.reference())) {
            return op.get().toFloatArray();
        }
    }

    private static void assertClose(String what, float[] expected, float[] actual, double tol) {
        assertEquals(expected.length, actual.length, what + ": length");
        for (int i = 0; i < expected.length; i++) {
            float e = expected[i];
            float a = actual[i];
            boolean ok = Float.isNaN(e) ? Float.isNaN(a) : (Float.isInfinite(e) ? e == a : Math.abs(a - e) <= tol * Math.max(1, Math.abs(e)));
            if (!ok) {
                fail(what + ": element " + i + " is " + a + ", reference " + e);
            }
        }
    }
}
