package radapter.tensor.cpu;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntConsumer;

/**
 * The compute threads shared by the {@code cpu} backend's kernels (GEMM, and anything else that
 * splits work across cores).
 *
 * <p>A team of {@code parallelism() − 1} daemon helper threads; the thread that calls a kernel is
 * the last member and always works too. The team size is {@link Runtime#availableProcessors()}
 * unless the system property {@code radapter.threads} is set to a positive integer; with 1 the
 * helpers are never started.
 *
 * <p><b>Why a team and not a {@code ForkJoinPool}.</b> A training step of a small model is
 * thousands of kernels of a few to a few hundred microseconds each. A pool worker that parks
 * between kernels needs tens of microseconds to be woken, by which time the caller has often
 * finished the kernel alone: the machine then runs one core busy, the other mostly waking up and
 * going back to sleep (hundreds of thousands of context switches a minute). Helpers here keep
 * polling for the next job for a short while ({@code radapter.threads.spinMicros}, default 500 µs)
 * before they park, so a sequence of kernels finds them awake, and the caller hands out work with
 * one volatile write.
 */
public final class CpuThreads {

    private static final int PARALLELISM = readParallelism();

    /** How long an idle helper keeps polling for the next job before it parks. */
    private static final long SPIN_NANOS = 1000L * Long.getLong("radapter.threads.spinMicros", 500L);

    /** How long a caller spins for the last items of its job before it parks (the helper unparks it). */
    private static final long CALLER_SPIN_NANOS = 50_000L;

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
                // fall through to the error
            }
            throw new IllegalArgumentException(
                    "radapter.threads must be a positive integer, got '" + prop + "'");
        }
        return Math.max(1, Runtime.getRuntime().availableProcessors());
    }

    /** Number of threads kernels run on, the caller included (the target degree of parallelism). */
    public static int parallelism() {
        return PARALLELISM;
    }

    /** True when the current thread is one of the helper threads. */
    public static boolean inPool() {
        return Thread.currentThread() instanceof Helper;
    }

    /**
     * Runs {@code body.accept(i)} for every {@code i} in {@code [0, n)} on the calling thread plus
     * up to {@code parallelism() - 1} helpers, each claiming the next index as it becomes free (so
     * uneven items balance themselves). The caller starts working at once and returns as soon as
     * every index has run: helpers that arrive late find nothing left. A call from a helper (a
     * kernel inside a kernel), or while another thread's call holds the team, runs on the calling
     * thread alone. Exceptions thrown by {@code body} are rethrown (the first one; the remaining
     * indices still run).
     */
    public static void parallelFor(int n, IntConsumer body) {
        if (n <= 0) {
            return;
        }
        if (PARALLELISM == 1 || n == 1 || inPool() || !Team.INSTANCE.busy.compareAndSet(false, true)) {
            Job serial = new Job(n, body, null);
            serial.work();
            serial.rethrow();
            return;
        }
        Team team = Team.INSTANCE;
        try {
            Job job = new Job(n, body, Thread.currentThread());
            team.publish(job);
            job.work();
            job.awaitAll();
            job.rethrow();
        } finally {
            team.busy.set(false);
        }
    }

    /** One {@link #parallelFor} call: its items, who claimed what, and the first failure. */
    private static final class Job {
        private final int n;
        private final IntConsumer body;
        private final Thread caller;
        private final AtomicInteger next = new AtomicInteger();
        private final AtomicInteger done = new AtomicInteger();
        private final AtomicReference<Throwable> failure = new AtomicReference<>();

        Job(int n, IntConsumer body, Thread caller) {
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
                    if (done.incrementAndGet() == n && caller != null && Thread.currentThread() != caller) {
                        LockSupport.unpark(caller);
                    }
                }
            }
        }

        /** Waits (spinning briefly, then parking until the last helper unparks it) for every index. */
        void awaitAll() {
            long start = 0;
            while (done.get() < n) {
                if (start == 0) {
                    start = System.nanoTime();
                }
                if (System.nanoTime() - start < CALLER_SPIN_NANOS) {
                    Thread.onSpinWait();
                } else {
                    LockSupport.parkNanos(this, 1_000_000L);
                }
            }
        }

        void rethrow() {
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

    /** The helper threads, started on first use. */
    private static final class Team {
        static final Team INSTANCE = new Team(PARALLELISM - 1);

        /** Held by the one caller whose job the helpers work on. */
        final AtomicBoolean busy = new AtomicBoolean();
        private final Helper[] helpers;
        /** The latest job; helpers remember the last one they saw. */
        private volatile Job current;

        private Team(int size) {
            helpers = new Helper[size];
            for (int i = 0; i < size; i++) {
                helpers[i] = new Helper(this, "radapter-cpu-" + i);
                helpers[i].start();
            }
        }

        void publish(Job job) {
            current = job;
            // Pairs with the helper's "parked = true, then re-read current": either it sees the
            // job, or we see it parked and wake it.
            for (Helper h : helpers) {
                if (h.parked) {
                    LockSupport.unpark(h);
                }
            }
        }
    }

    /** A helper: runs every job it sees, polls for the next one for a while, then parks. */
    private static final class Helper extends Thread {
        private final Team team;
        volatile boolean parked;

        Helper(Team team, String name) {
            super(name);
            this.team = team;
            setDaemon(true);
        }

        @Override
        public void run() {
            Job seen = null;
            while (true) {
                Job j = team.current;
                if (j != seen) {
                    seen = j;
                    j.work();
                    continue;
                }
                long start = System.nanoTime();
                while (team.current == seen && System.nanoTime() - start < SPIN_NANOS) {
                    Thread.onSpinWait();
                }
                if (team.current == seen) {
                    parked = true;
                    if (team.current == seen) {
                        LockSupport.park(this);
                    }
                    parked = false;
                }
            }
        }
    }
}
