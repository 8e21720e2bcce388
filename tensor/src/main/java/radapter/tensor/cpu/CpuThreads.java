package radapter.tensor.cpu;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;
import java.util.concurrent.ForkJoinWorkerThread;
import java.util.concurrent.atomic.AtomicInteger;

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
}
