package radapter.tensor.cpu;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;
import java.util.concurrent.ForkJoinWorkerThread;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntConsumer;

/**
 * The compute pool shared by the {@code cpu} backend's kernels (GEMM, and anything else that splits
 * work across cores).
 *
 * <p>One {@link ForkJoinPool} of daemon threads, sized to {@link Runtime#availableProcessors()}
 * unless the system property {@code radapter.threads} is set to a positive integer. With a
 * parallelism of 1 kernels run on the calling thread and the pool is never started.
 */
public final class CpuThreads {

    private static final int PARALLELISM = readParallelism();

    private CpuThreads() {}

    private static int readParallelism() {
        String prop = System.getProperty("radapter.threads");
        if (prop != null && !prop.isBlank()) {
            try {
                int n = Integer.parseInt(prop.trim());
                if (n > 0) {
                    return n;
                }
            } catch (NumberFormatException ignored) {
                // fall through to the default
            }
            throw new IllegalArgumentException(
                    "radapter.threads must be a positive integer, got '" + prop + "'");
        }
        return Math.max(1, Runtime.getRuntime().availableProcessors());
    }

    /** Lazily created so that single-threaded configurations and tools never start threads. */
    private static final class Holder {
        static final ForkJoinPool POOL = create();

        private static ForkJoinPool create() {
            AtomicInteger counter = new AtomicInteger();
            ForkJoinPool.ForkJoinWorkerThreadFactory factory = pool -> {
                ForkJoinWorkerThread t = new ForkJoinWorkerThread(pool) {};
                t.setName("radapter-cpu-" + counter.getAndIncrement());
                t.setDaemon(true);
                return t;
            };
            return new ForkJoinPool(PARALLELISM, factory, null, false);
        }
    }

    /** Number of threads the compute pool runs (the target degree of parallelism for kernels). */
    public static int parallelism() {
        return PARALLELISM;
    }

    /** The shared compute pool. */
    public static ForkJoinPool pool() {
        return Holder.POOL;
    }

    /** True when the current thread is one of the compute pool's workers. */
    public static boolean inPool() {
        return ForkJoinTask.inForkJoinPool() && ForkJoinTask.getPool() == pool();
    }

    /**
     * Runs {@code task} in the compute pool and waits for it: directly when the caller already is
     * a pool worker (so nested parallel kernels share the pool instead of blocking a thread), else
     * through {@link ForkJoinPool#invoke}.
     */
    public static void invoke(ForkJoinTask<?> task) {
        if (ForkJoinTask.inForkJoinPool() && ForkJoinTask.getPool() == pool()) {
            task.invoke();
        } else {
            pool().invoke(task);
        }
    }

    /**
     * Runs {@code body.accept(i)} for every {@code i} in {@code [0, n)} on the calling thread plus
     * up to {@code parallelism() - 1} pool workers, each claiming the next index as it becomes
     * free (so uneven items balance themselves). The caller starts working at once instead of
     * waiting for a worker to wake up, and returns as soon as every index has run: helpers that
     * start late find nothing left and exit. Exceptions thrown by {@code body} are rethrown (the
     * first one; the remaining indices still run).
     */
    public static void parallelFor(int n, IntConsumer body) {
        if (n <= 0) {
            return;
        }
        int helpers = Math.min(PARALLELISM - 1, n - 1);
        if (helpers <= 0) {
            for (int i = 0; i < n; i++) {
                body.accept(i);
            }
            return;
        }
        ParallelFor job = new ParallelFor(n, body, Thread.currentThread());
        ForkJoinPool pool = pool();
        boolean inPool = ForkJoinTask.inForkJoinPool() && ForkJoinTask.getPool() == pool;
        for (int h = 0; h < helpers; h++) {
            ForkJoinTask<?> task = ForkJoinTask.adapt(job::work);
            if (inPool) {
                task.fork();
            } else {
                pool.execute(task);
            }
        }
        job.work();
        job.awaitAll();
    }

    /** Shared state of one {@link #parallelFor} call. */
    private static final class ParallelFor {
        private final int n;
        private final IntConsumer body;
        private final Thread caller;
        private final AtomicInteger next = new AtomicInteger();
        private final AtomicInteger done = new AtomicInteger();
        private final AtomicReference<Throwable> failure = new AtomicReference<>();

        ParallelFor(int n, IntConsumer body, Thread caller) {
            this.n = n;
            this.body = body;
            this.caller = caller;
        }

        void work() {
            for (int i; (i = next.getAndIncrement()) < n; ) {
                try {
                    body.accept(i);
                } catch (Throwable t) {
                    failure.compareAndSet(null, t);
                } finally {
                    if (done.incrementAndGet() == n) {
                        LockSupport.unpark(caller);
                    }
                }
            }
        }

        /** Waits (spinning briefly, then parking) until every index has finished. */
        void awaitAll() {
            for (int spins = 0; done.get() < n; spins++) {
                if (spins < 2_000) {
                    Thread.onSpinWait();
                } else {
                    LockSupport.parkNanos(this, 200_000L);
                }
            }
            Throwable t = failure.get();
            if (t instanceof RuntimeException re) {
                throw re;
            }
            if (t instanceof Error e) {
                throw e;
            }
            if (t != null) {
                throw new RuntimeException(t);
            }
        }
    }
}
