package radapter.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestReporter;
import org.junit.jupiter.api.Timeout;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Scoped off-heap memory: op-heavy loops return {@link MemoryScope#liveBytes()} to its baseline
 * after every scope, scopes nest, {@link MemoryScope#keep} survives, misuse fails loudly, and
 * allocations outside any scope are owned (and eventually released) by the garbage collector.
 *
 * <p>GC-owned storage left behind by other tests is released asynchronously by a {@code Cleaner},
 * which can only lower {@code liveBytes()}; the checks below therefore require "never above the
 * baseline" where such a release could interleave, and settle the collector first.
 */
@SuppressWarnings("try") // try-with-resources used only for its close()
class MemoryScopeTest {

    @BeforeEach
    void noScopeIsOpen() {
        assertNull(MemoryScope.current(), "a previous test leaked an open scope on this thread");
    }

    @AfterEach
    void closeLeftovers() {
        // A failed assertion inside a test must not leave scopes open for the next test.
        while (MemoryScope.current() != null) {
            MemoryScope.current().close();
        }
    }

    /** Collects garbage until GC-owned storage from earlier tests stops being released (at most ~2 s). */
    private static long settle() throws InterruptedException {
        long last = MemoryScope.liveBytes();
        for (int i = 0; i < 20; i++) {
            System.gc();
            Thread.sleep(i < 3 ? 20 : 100);
            long now = MemoryScope.liveBytes();
            if (now == last && i >= 2) {
                return now;
            }
            last = now;
        }
        return last;
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void opHeavyIterationsReturnToTheBaseline(TestReporter reporter) throws InterruptedException {
        settle();
        try (MemoryScope model = MemoryScope.open()) {
            Rng rng = new Rng(2024);
            Tensor w = Tensor.randn(rng, 16, 24);
            Tensor x = Tensor.randn(rng, 2, 8, 24);
            Tensor gamma = Tensor.rand(rng, 16);
            Tensor beta = Tensor.randn(rng, 16);
            Tensor bias = Tensor.randn(rng, 16);
            Tensor ids = Tensor.ofInts(new int[] {3, 1, 4, 1, 5});

            int iterations = 3000;
            long baseline = MemoryScope.liveBytes();
            MemoryScope.resetPeak();
            long maxPerIteration = 0;
            long exact = 0;
            long checksum = 0;
            long start = System.nanoTime();
            for (int it = 0; it < iterations; it++) {
                long before = MemoryScope.liveBytes();
                try (MemoryScope step = MemoryScope.open()) {
                    assertSame(step, MemoryScope.current());
                    assertSame(model, step.parent());
                    Tensor h = LinearAlgebra.linear(x, w, bias);                        // [2, 8, 16]
                    Tensor a = h.matmul(h.mT()).softmax(-1);                            // [2, 8, 8]
                    Tensor n = NN.layerNorm(a.matmul(h).add(h), gamma, beta, 1e-5);     // [2, 8, 16]
                    Tensor c = Join.cat(1, n, h.gelu());                                // [2, 16, 16]
                    Tensor r = c.transpose(1, 2).reshape(2, -1);                        // a copy
                    Tensor e = NN.embedding(w, ids).mul(2).sum(new int[] {1}, false);
                    Tensor loss = r.mean().add(e.sum()).add(r.var(new int[] {1}, false).max());
                    checksum += Double.isFinite(loss.item()) ? 1 : 0;
                    assertTrue(step.allocatedBytes() > 0);
                    maxPerIteration = Math.max(maxPerIteration, step.allocatedBytes());
                    assertTrue(MemoryScope.liveBytes() <= before + step.allocatedBytes(),
                            "live bytes grew by more than this scope allocated");
                }
                long after = MemoryScope.liveBytes();
                assertTrue(after <= before, "iteration " + it + " leaked " + (after - before) + " bytes");
                if (after == before) {
                    exact++;
                }
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            long end = MemoryScope.liveBytes();
            long peak = MemoryScope.peakBytes();
            assertEquals(iterations, checksum, "every loss was finite");
            assertTrue(end <= baseline, "live bytes grew from " + baseline + " to " + end);
            assertTrue(exact >= iterations * 9L / 10,
                    "live bytes returned exactly to the baseline in only " + exact + " of " + iterations + " iterations");
            assertTrue(peak - baseline <= maxPerIteration,
                    "peak " + peak + " exceeds the baseline " + baseline + " by more than one iteration (" + maxPerIteration + ")");
            String summary = String.format("%d iterations in %.2f s on backend '%s': %d bytes per iteration, peak %d bytes"
                    + " above baseline (absolute peakBytes %d), %d/%d iterations exactly back at baseline",
                    iterations, seconds, Backends.current().name(), maxPerIteration, peak - baseline, peak, exact, iterations);
            reporter.publishEntry("memory", summary);
            System.out.println("MemoryScopeTest: " + summary);
        }
    }

    @Test
    void nestedScopes() throws InterruptedException {
        settle();
        long base = MemoryScope.liveBytes();
        try (MemoryScope outer = MemoryScope.open()) {
            Tensor a = Tensor.ones(100);
            assertEquals(400, outer.allocatedBytes());
            assertNull(outer.parent());
            try (MemoryScope inner = MemoryScope.open()) {
                assertSame(inner, MemoryScope.current());
                assertSame(outer, inner.parent());
                Tensor b = Tensor.ones(50).add(a.narrow(0, 0, 50));
                assertEquals(2, b.get(7));
                assertEquals(400, outer.allocatedBytes(), "the inner scope's allocations are not the outer's");
                assertTrue(inner.allocatedBytes() >= 400, "ones(50) and the sum: " + inner.allocatedBytes());
                assertTrue(MemoryScope.liveBytes() <= base + 400 + inner.allocatedBytes());
                // a scope made current by within() and then left
                Tensor viaWithin = outer.within(() -> Tensor.zeros(25));
                assertSame(inner, MemoryScope.current());
                assertEquals(500, outer.allocatedBytes());
                assertEquals(0, viaWithin.get(3));
            }
            assertSame(outer, MemoryScope.current());
            assertTrue(MemoryScope.liveBytes() <= base + 500);
            assertEquals(1, a.get(99), "the outer scope's tensors survive the inner close");
        }
        assertNull(MemoryScope.current());
        assertTrue(MemoryScope.liveBytes() <= base);
    }

    @Test
    void keepCopiesIntoTheParentAndSurvivesClose() {
        Tensor kept;
        Tensor dead;
        try (MemoryScope outer = MemoryScope.open()) {
            try (MemoryScope inner = MemoryScope.open()) {
                Tensor t = Tensor.arange(12).view(3, 4).mT(); // a non-contiguous view
                long outerBefore = outer.allocatedBytes();
                kept = inner.keep(t);
                assertSame(inner, MemoryScope.current(), "keep does not change the current scope");
                assertNotSame(t.storage(), kept.storage());
                assertTrue(kept.isContiguous());
                assertEquals(outerBefore + 48, outer.allocatedBytes(), "the copy lands in the parent");
                dead = t;
            }
            assertArrayEquals(new double[] {0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11}, kept.toDoubleArray());
            assertThrows(IllegalStateException.class, () -> dead.get(0, 0), "memory of a closed scope is unreachable");
            Tensor top = outer.keep(kept.sum()); // outermost: kept as GC-owned memory
            assertEquals(66, top.item());
            outer.close();
            assertEquals(66, top.item(), "GC-owned memory outlives every scope");
            assertThrows(IllegalStateException.class, kept::item);
        }
    }

    @Test
    void closingOutOfOrderThrows() {
        MemoryScope outer = MemoryScope.open();
        MemoryScope inner = MemoryScope.open();
        IllegalStateException e = assertThrows(IllegalStateException.class, outer::close);
        assertTrue(e.getMessage().contains("innermost first"), e.getMessage());
        assertSame(inner, MemoryScope.current(), "a refused close changes nothing");
        Tensor stillFine = Tensor.ones(3);
        assertEquals(3, stillFine.sum().item());
        inner.close();
        outer.close();
        assertNull(MemoryScope.current());
        outer.close(); // closing twice is a no-op
        inner.close();
    }

    @Test
    void allocationAfterCloseThrows() {
        MemoryScope s = MemoryScope.open();
        Tensor t = Tensor.ones(4);
        s.close();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> s.within(() -> Tensor.zeros(4)));
        assertTrue(e.getMessage().contains("already closed"), e.getMessage());
        assertNull(MemoryScope.current(), "within() restored the previous (no) scope after failing");
        assertThrows(IllegalStateException.class, () -> t.get(0));
        assertThrows(IllegalStateException.class, () -> t.add(t));
    }

    @Test
    void closeFromAnotherThreadThrows() throws InterruptedException {
        MemoryScope s = MemoryScope.open();
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        Thread other = new Thread(() -> {
            try {
                s.close();
            } catch (Throwable t) {
                thrown.set(t);
            }
        });
        other.start();
        other.join();
        assertTrue(thrown.get() instanceof IllegalStateException, String.valueOf(thrown.get()));
        assertSame(s, MemoryScope.current());
        s.close();
    }

    @Test
    void scopesArePerThread() throws InterruptedException {
        try (MemoryScope mine = MemoryScope.open()) {
            AtomicReference<MemoryScope> seen = new AtomicReference<>(mine);
            Thread other = new Thread(() -> seen.set(MemoryScope.current()));
            other.start();
            other.join();
            assertNull(seen.get(), "another thread does not see this thread's scope");
        }
    }

    @Test
    @Timeout(value = 20, unit = TimeUnit.SECONDS)
    void gcOwnedAllocationsOutsideAnyScope() throws InterruptedException {
        assertNull(MemoryScope.current());
        long base = settle();
        long bytes = 4L << 20;
        Tensor big = Tensor.zeros(bytes / 4);
        long withBig = MemoryScope.liveBytes();
        assertTrue(withBig >= base + bytes - (1 << 20), "GC-owned storage is counted as live: " + base + " -> " + withBig);
        big.fill_(1);
        assertEquals(1, big.get(12345));
        // outsideScopes: GC-owned even while a scope is open
        try (MemoryScope s = MemoryScope.open()) {
            Tensor free = MemoryScope.outsideScopes(() -> Tensor.ones(10));
            assertEquals(0, s.allocatedBytes());
            assertSame(s, MemoryScope.current());
            s.close();
            assertEquals(10, free.sum().item(), "still readable after the scope closed");
        }
        big = null;
        long now = MemoryScope.liveBytes();
        for (int i = 0; i < 100 && now > withBig - bytes; i++) {
            System.gc();
            Thread.sleep(50);
            now = MemoryScope.liveBytes();
        }
        assertTrue(now <= withBig - bytes, "the Cleaner released the unreachable storage: live " + now + ", with it " + withBig);
    }
}
