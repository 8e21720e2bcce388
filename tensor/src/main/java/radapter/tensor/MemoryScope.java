package radapter.tensor;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.ref.Cleaner;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Owner of off-heap memory. Every tensor allocation lands in the innermost scope opened on the
 * current thread; closing the scope frees all of it at once. Scopes nest: open one for a model's
 * lifetime, and inside it one per training step for that step's temporaries. What must outlive a
 * step is copied out with {@link #keep(Tensor)}.
 *
 * <pre>{@code
 * try (MemoryScope step = MemoryScope.open()) {
 *     Tensor loss = model.forward(batch);   // all temporaries live in 'step'
 *     result = step.keep(loss);             // copied into the enclosing scope
 * }                                          // everything else is freed here
 * }</pre>
 *
 * <p>Outside any scope, allocations are owned by the garbage collector (an automatic arena per
 * storage), so casual use needs no ceremony. A closed scope's memory goes to a bounded pool and is
 * handed to later scopes, so a training loop does not pay the OS for fresh zeroed pages every
 * step. Memory is shared, not thread-confined, because kernels run on the compute pool's threads.
 */
public final class MemoryScope implements AutoCloseable {
    private static final ThreadLocal<MemoryScope> CURRENT = new ThreadLocal<>();
    private static final AtomicLong LIVE_BYTES = new AtomicLong();
    private static final AtomicLong SCOPED_BYTES = new AtomicLong();
    private static final AtomicLong PEAK_BYTES = new AtomicLong();
    private static final Cleaner CLEANER = Cleaner.create();
    /** Alignment of every allocation: one AVX-512 vector / cache line. */
    public static final long ALIGNMENT = 64;

    /** Detached scopes by the lifetime of the segments they hand out, for {@link #ownerOf}. */
    private static final java.util.Map<MemorySegment.Scope, MemoryScope> DETACHED = new java.util.concurrent.ConcurrentHashMap<>();
    /** The same for device memory handed out while a detached scope was current. */
    private static final java.util.Map<DeviceMemory, MemoryScope> DETACHED_DEVICE =
            java.util.Collections.synchronizedMap(new java.util.IdentityHashMap<>());

    private final MemoryScope parent;
    private final Thread owner;
    private boolean detached;
    private final java.util.List<BlockPool.Block> blocks = new java.util.ArrayList<>();
    private BlockPool.Block chunk;
    private long chunkOffset;
    /**
     * The scope's own lifetime: every segment handed out is re-scoped to it, so touching a tensor
     * after its scope closed fails loudly even though the bytes went back to the pool.
     */
    private final Arena lifetime = Arena.ofShared();
    private final java.util.List<DeviceMemory> deviceMemory = new java.util.ArrayList<>();
    private long bytes;
    private boolean closed;

    private MemoryScope(MemoryScope parent) {
        this.parent = parent;
        this.owner = Thread.currentThread();
    }

    /** Opens a scope nested in the current one (if any) and makes it current on this thread. */
    public static MemoryScope open() {
        MemoryScope scope = new MemoryScope(CURRENT.get());
        CURRENT.set(scope);
        return scope;
    }

    /**
     * A scope that is not made current: allocations reach it only inside {@link #within}, and it
     * may be closed at any time by the thread that made it, in any order relative to other
     * scopes. The autograd engine gives each backward node one, so a gradient's memory can go as
     * soon as the last node that reads it has run instead of at the end of the step.
     */
    public static MemoryScope detached() {
        MemoryScope scope = new MemoryScope(CURRENT.get());
        scope.detached = true;
        DETACHED.put(scope.lifetime.scope(), scope);
        return scope;
    }

    /**
     * The detached scope holding {@code t}'s host memory, or {@code null} when it lives anywhere
     * else (a stacked scope, GC-owned memory, a mapped file, a device).
     */
    public static MemoryScope ownerOf(Tensor t) {
        Storage s = t.storage();
        return s.isHost() ? DETACHED.get(s.segment().scope()) : DETACHED_DEVICE.get(s.deviceMemory());
    }

    /** The innermost open scope on this thread, or {@code null} when allocations are GC-owned. */
    public static MemoryScope current() {
        return CURRENT.get();
    }

    /** The scope enclosing this one, or {@code null} for an outermost scope. */
    public MemoryScope parent() {
        return parent;
    }

    /** Bytes allocated in this scope so far. */
    public long allocatedBytes() {
        return bytes;
    }

    /**
     * Allocates host memory in the current scope (or GC-owned memory outside any scope). Scoped
     * memory is recycled from closed scopes and holds old bytes unless {@code zeroed}; GC-owned
     * memory is always zeroed. Kernels never allocate; the op front-ends do, on the calling thread.
     */
    static MemorySegment allocate(long byteSize, boolean zeroed) {
        MemoryScope scope = CURRENT.get();
        if (scope != null) {
            MemorySegment seg = scope.allocateHere(byteSize);
            if (zeroed) {
                seg.fill((byte) 0);
            }
            return seg;
        }
        return allocateAuto(byteSize);
    }

    /** Allocates in this particular scope, whichever scope is current. */
    MemorySegment allocateHere(long byteSize) {
        if (closed) {
            throw new IllegalStateException("memory scope is already closed");
        }
        MemorySegment seg;
        if (byteSize > BlockPool.SMALL) {
            BlockPool.Block b = BlockPool.large(byteSize);
            blocks.add(b);
            seg = b.segment().asSlice(0, byteSize);
        } else {
            long aligned = (chunkOffset + ALIGNMENT - 1) / ALIGNMENT * ALIGNMENT;
            if (chunk == null || aligned + byteSize > chunk.size()) {
                chunk = BlockPool.chunk();
                blocks.add(chunk);
                aligned = 0;
            }
            seg = chunk.segment().asSlice(aligned, byteSize);
            chunkOffset = aligned + byteSize;
        }
        bytes += byteSize;
        track(byteSize);
        SCOPED_BYTES.addAndGet(byteSize);
        return seg.reinterpret(lifetime, null);
    }

    private static MemorySegment allocateAuto(long byteSize) {
        MemorySegment seg = Arena.ofAuto().allocate(Math.max(byteSize, 1), ALIGNMENT).asSlice(0, byteSize);
        track(byteSize);
        return seg;
    }

    /**
     * Makes device memory follow host memory's ownership rules: released when the current scope
     * closes, or when {@code holder} becomes unreachable outside any scope.
     */
    static void ownDeviceMemory(Object holder, DeviceMemory memory) {
        MemoryScope scope = CURRENT.get();
        if (scope != null) {
            if (scope.closed) {
                memory.release();
                throw new IllegalStateException("memory scope is already closed");
            }
            scope.deviceMemory.add(memory);
            if (scope.detached) {
                DETACHED_DEVICE.put(memory, scope);
            }
        } else {
            CLEANER.register(holder, memory::release);
        }
    }

    /** Registers the GC-owned allocation behind {@code holder} so live-byte accounting stays true. */
    static void untrackWhenUnreachable(Object holder, long byteSize) {
        CLEANER.register(holder, () -> LIVE_BYTES.addAndGet(-byteSize));
    }

    private static void track(long byteSize) {
        long live = LIVE_BYTES.addAndGet(byteSize);
        PEAK_BYTES.accumulateAndGet(live, Math::max);
    }

    /**
     * Copies {@code t} into the enclosing scope (or GC-owned memory when this scope is outermost),
     * so it survives {@link #close()}. The copy is contiguous.
     */
    public Tensor keep(Tensor t) {
        MemoryScope saved = CURRENT.get();
        CURRENT.set(parent);
        try {
            return t.clone();
        } finally {
            CURRENT.set(saved);
        }
    }

    /** Runs {@code body} with allocations going to this scope, whatever scope is current. */
    public <T> T within(java.util.function.Supplier<T> body) {
        MemoryScope saved = CURRENT.get();
        CURRENT.set(this);
        try {
            return body.get();
        } finally {
            CURRENT.set(saved);
        }
    }

    /**
     * Runs {@code body} with no scope current, so what it allocates is GC-owned (for values that
     * must outlive every scope, e.g. the gradient of a GC-owned parameter).
     */
    public static <T> T outsideScopes(java.util.function.Supplier<T> body) {
        MemoryScope saved = CURRENT.get();
        CURRENT.remove();
        try {
            return body.get();
        } finally {
            CURRENT.set(saved);
        }
    }

    /** Frees everything allocated in this scope and makes the enclosing scope current again. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        if (Thread.currentThread() != owner) {
            throw new IllegalStateException("a memory scope must be closed by the thread that opened it");
        }
        if (detached) {
            if (CURRENT.get() == this) {
                throw new IllegalStateException("a detached memory scope cannot be closed inside its own within(...)");
            }
            DETACHED.remove(lifetime.scope());
        } else {
            if (CURRENT.get() != this) {
                throw new IllegalStateException("memory scopes must be closed innermost first");
            }
            CURRENT.set(parent);
        }
        closed = true;
        lifetime.close();
        BlockPool.release(blocks);
        blocks.clear();
        for (DeviceMemory m : deviceMemory) {
            if (detached) {
                DETACHED_DEVICE.remove(m);
            }
            m.release();
        }
        deviceMemory.clear();
        chunk = null;
        LIVE_BYTES.addAndGet(-bytes);
        SCOPED_BYTES.addAndGet(-bytes);
    }

    /** Off-heap bytes currently held by radapter tensors (scoped and GC-owned). */
    public static long liveBytes() {
        return LIVE_BYTES.get();
    }

    /**
     * Off-heap bytes held by open scopes only. Unlike {@link #liveBytes()} it does not move when the
     * garbage collector frees GC-owned tensors, so leak tests can compare it exactly.
     */
    public static long scopedBytes() {
        return SCOPED_BYTES.get();
    }

    /** The highest {@link #liveBytes()} seen since start or the last {@link #resetPeak()}. */
    public static long peakBytes() {
        return PEAK_BYTES.get();
    }

    /** Bytes of closed scopes kept for reuse by later scopes (not counted in {@link #liveBytes()}). */
    public static long pooledBytes() {
        return BlockPool.cachedBytes();
    }

    /** Frees the memory kept for reuse (see {@link #pooledBytes()}). */
    public static void trimPool() {
        BlockPool.trim();
    }

    /** Restarts peak tracking from the current live figure. */
    public static void resetPeak() {
        PEAK_BYTES.set(LIVE_BYTES.get());
    }
}
