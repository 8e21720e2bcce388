package radapter.tensor.gpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import radapter.tensor.Backends;
import radapter.tensor.BinaryOp;
import radapter.tensor.DType;
import radapter.tensor.MemoryScope;
import radapter.tensor.ReduceOp;
import radapter.tensor.Rng;
import radapter.tensor.Shapes;
import radapter.tensor.Tensor;
import radapter.tensor.UnaryOp;
import radapter.tensor.opencl.OpenClBackend;
import radapter.tensor.opencl.OpenClDriver;

/**
 * What the parity suite does not see: device memory accounting (temporaries released, scopes
 * freeing device outputs, nothing else held), host outputs written back without touching the bytes
 * between a strided view's elements, and device-side conversions the front-ends never route to a
 * GPU (float to integer with NaN and overflow). Runs on a private backend instance over its own
 * OpenCL driver, so its counts see no other test's tensors. Skipped without OpenCL.
 */
class GpuBackendTest {

    /** Runs {@code body} on a fresh backend over its own driver, closing the driver afterwards. */
    private static void withPrivateBackend(Consumer<GpuBackend> body) {
        GpuTestSupport.backend();
        OpenClDriver driver = OpenClDriver.openDefault();
        try {
            GpuBackend be = new OpenClBackend(driver);
            assertTrue(be.isAvailable(), be.unavailableReason());
            body.accept(be);
            assertEquals(driver.liveBytes(), be.liveDeviceBytes() + be.cachedDeviceBytes(),
                    "every driver buffer is either counted as live or is one of the backend's caches");
        } finally {
            driver.close();
        }
    }

    private static Tensor deviceEmpty(GpuBackend be, DType dtype, long... shape) {
        long bytes = Shapes.numel(shape) * dtype.byteSize();
        return new Tensor(dtype, shape, Shapes.contiguousStrides(shape), 0, be.allocate(bytes, false));
    }

    private static Tensor download(GpuBackend be, Tensor device) {
        Tensor host = Tensor.empty(device.dtype(), device.shape());
        be.copy(device, host);
        return host;
    }

    @Test
    void temporariesAreReleasedAndScopesFreeDeviceOutputs() {
        withPrivateBackend(be -> {
            Rng rng = new Rng(3);
            long base = be.liveDeviceBytes();
            try (MemoryScope ignored = MemoryScope.open()) {
                Tensor a = Tensor.randn(rng, 33, 17);
                Tensor b = Tensor.randn(rng, 17, 33);
                Tensor out = deviceEmpty(be, DType.F32, 33, 17);
                long held = base + out.numel() * 4;
                assertEquals(held, be.liveDeviceBytes(), "an output is all that is allocated");
                be.binary(BinaryOp.ADD, a, b.mT(), out); // both inputs staged from the host
                assertEquals(held, be.liveDeviceBytes(), "staged inputs are released when the call returns");
                Tensor big = Tensor.randn(rng, 3, 70_000);
                Tensor total = deviceEmpty(be, DType.F32, 1, 1);
                be.reduce(ReduceOp.SUM, big, new boolean[] {true, true}, total); // partial sums in a temporary
                held += 4;
                assertEquals(held, be.liveDeviceBytes(), "a reduction's partial sums are released");
                assertEquals(big.sum().item(), download(be, total).item(), 1e-5 * big.abs().sum().item());
                Tensor prod = deviceEmpty(be, DType.F32, 33, 33);
                be.matmul(a, b.mT().mT(), prod);
                held += prod.numel() * 4;
                Tensor f64 = deviceEmpty(be, DType.F64, 33, 17);
                be.copy(out, f64); // converted on the host in between
                held += f64.numel() * 8;
                assertEquals(held, be.liveDeviceBytes(), "conversions through the host leave nothing behind");
                assertArrayEquals(download(be, out).toDoubleArray(), download(be, f64).toDoubleArray(), 0.0);
                assertTrue(be.cachedDeviceBytes() > 0, "layouts are cached apart from the live count");
            }
            assertEquals(base, be.liveDeviceBytes(), "closing the scope freed every device output");
        });
    }

    @Test
    void hostOutputsAreWrittenBackAroundTheirGaps() {
        withPrivateBackend(be -> {
            try (MemoryScope ignored = MemoryScope.open()) {
                Tensor src = Tensor.arange(12).view(3, 4);
                Tensor dev = deviceEmpty(be, DType.F32, 3, 4);
                be.copy(src, dev);
                Tensor host = Tensor.full(-1, 4, 8);
                Tensor view = host.slice(1, 1, 8, 2).mT(); // [4, 4]: every other column, transposed
                be.copy(dev.narrow(0, 0, 3).mT().narrow(1, 0, 3), view.narrow(1, 0, 3));
                double[] got = host.toDoubleArray();
                for (int r = 0; r < 4; r++) {
                    for (int c = 0; c < 8; c++) {
                        boolean written = c % 2 == 1 && r < 3;
                        double expected = written ? src.get(r, (c - 1) / 2) : -1;
                        assertEquals(expected, got[r * 8 + c], "host[" + r + ", " + c + "]");
                    }
                }
                Tensor x = Tensor.randn(new Rng(5), 6, 5);
                Tensor y = x.clone();
                be.unary(UnaryOp.TANH, y, y); // in place on a host tensor: staged once, written back
                try (var ref = Backends.use("reference")) {
                    assertArrayEquals(x.tanh().toDoubleArray(), y.toDoubleArray(), 1e-6);
                }
            }
        });
    }

    @Test
    void floatToIntegerConversionsFollowJavaCasts() {
        withPrivateBackend(be -> {
            try (MemoryScope ignored = MemoryScope.open()) {
                float[] values = {0f, -0.5f, 2.9f, -2.9f, Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 3e9f, -3e9f, 1e19f,
                    -1e19f, 2147483520f};
                Tensor x = Tensor.of(values);
                Tensor dx = deviceEmpty(be, DType.F32, values.length);
                be.copy(x, dx);
                for (DType dt : new DType[] {DType.I32, DType.I64}) {
                    Tensor d = deviceEmpty(be, dt, values.length);
                    be.copy(dx, d);
                    Tensor expected = Tensor.empty(dt, values.length);
                    Backends.reference().copy(x, expected);
                    assertArrayEquals(expected.toLongArray(), download(be, d).toLongArray(), "float32 to " + dt);
                    Tensor back = deviceEmpty(be, DType.F32, values.length);
                    be.copy(d, back);
                    Tensor expectedBack = Tensor.empty(DType.F32, values.length);
                    Backends.reference().copy(expected, expectedBack);
                    assertArrayEquals(expectedBack.toDoubleArray(), download(be, back).toDoubleArray(), 0.0, dt + " to float32");
                }
                float[] halves = {0f, -0f, 1.5f, -65504f, 6e-8f, 1e-5f, Float.POSITIVE_INFINITY, Float.NaN, 3.14159f};
                for (DType half : new DType[] {DType.F16, DType.BF16}) {
                    Tensor h = Tensor.of(halves).to(half);
                    Tensor dh = deviceEmpty(be, half, halves.length);
                    be.copy(h, dh);
                    Tensor f = deviceEmpty(be, DType.F32, halves.length);
                    be.copy(dh, f);
                    assertArrayEquals(h.toDoubleArray(), download(be, f).toDoubleArray(), 0.0, half + " widened on the device");
                    Tensor narrowed = deviceEmpty(be, half, halves.length);
                    be.copy(f, narrowed); // no kernel narrows: through the host
                    assertArrayEquals(h.toDoubleArray(), download(be, narrowed).toDoubleArray(), 0.0, "float32 to " + half);
                }
            }
        });
    }

    @Test
    void zeroedAllocationsAndEmptyTensors() {
        withPrivateBackend(be -> {
            try (MemoryScope ignored = MemoryScope.open()) {
                Tensor dirty = deviceEmpty(be, DType.F32, 1000);
                be.fill(dirty, 3.5);
                for (long bytes : new long[] {6, 7, 4000}) {
                    Tensor z = new Tensor(DType.F16, new long[] {bytes / 2}, new long[] {1}, 0, be.allocate(bytes, true));
                    for (double v : download(be, z).toDoubleArray()) {
                        assertEquals(0.0, v);
                    }
                }
                Tensor empty = deviceEmpty(be, DType.F32, 0, 5);
                be.unary(UnaryOp.EXP, empty, empty);
                be.fill(empty, 1);
                Tensor sum = deviceEmpty(be, DType.F32, 1, 1);
                be.reduce(ReduceOp.SUM, empty, new boolean[] {true, true}, sum);
                assertEquals(0.0, download(be, sum).item());
            }
        });
    }

    @Test
    void integerComputeIsRefusedWithAClearMessage() {
        GpuBackend be = GpuTestSupport.backend();
        try (MemoryScope ignored = MemoryScope.open()) {
            Tensor ids = Tensor.ofLongs(new long[] {1, 2, 3}).to(be.device());
            assertEquals(DType.I64, ids.dtype());
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ids.to(DType.I32));
            assertTrue(e.getMessage().contains("not supported on " + be.device()), e.getMessage());
            assertArrayEquals(new double[] {1, 2, 3}, ids.to(DType.F32).cpu().toDoubleArray(), "conversions to float32 run");
        }
    }
}
