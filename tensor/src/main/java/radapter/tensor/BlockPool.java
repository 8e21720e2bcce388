package radapter.tensor;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;

/**
 * Recycles the off-heap blocks of closed {@link MemoryScope}s. A training step allocates the same
 * tensors every time; asking the OS for fresh memory each step means paying for it to be zeroed
 * (profiles of small-model training showed a quarter of the time there). Closed scopes return
 * their blocks here and the next step takes them back, up to a bounded cache
 * ({@code -Dradapter.poolBytes}, default 1 GiB); beyond that, blocks are freed.
 *
 * <p>Small tensors are carved out of {@link #CHUNK}-sized chunks by bumping an offset; large ones
 * get a block of their own, reused for a later request of at least the same size and at most
 * twice it.
 */
final class BlockPool {
    /** Size of the chunks small tensors are carved from. */
    static final long CHUNK = 4L << 20;
    /** Tensors up to this size share chunks. */
    static final long SMALL = CHUNK / 4;

    /** A block and the arena that owns it (closing the arena frees it). */
    record Block(Arena arena, MemorySegment segment) {
        long size() {
            return segment.byteSize();
        }
    }

    private static final long LIMIT = Long.getLong("radapter.poolBytes", 1L << 30);
    private static final Deque<Block> CHUNKS = new ArrayDeque<>();
    private static final List<Block> LARGE = new ArrayList<>();
    private static long cached;

    private BlockPool() {
    }

    /** A chunk for bump allocation, recycled or new. */
    static synchronized Block chunk() {
        Block b = CHUNKS.pollFirst();
        if (b != null) {
            cached -= b.size();
            return b;
        }
        return fresh(CHUNK);
    }

    /** A block of at least {@code bytes} (and at most about twice that), recycled or new. */
    static Block large(long bytes) {
        synchronized (BlockPool.class) {
            Block best = null;
            for (Block b : LARGE) {
                if (b.size() >= bytes && b.size() <= 2 * bytes && (best == null || b.size() < best.size())) {
                    best = b;
                }
            }
            if (best != null) {
                LARGE.remove(best);
                cached -= best.size();
                return best;
            }
        }
        return fresh(roundUp(bytes));
    }

    private static long roundUp(long bytes) {
        long unit = 64L << 10;
        return (bytes + unit - 1) / unit * unit;
    }

    private static Block fresh(long bytes) {
        Arena a = Arena.ofShared();
        return new Block(a, a.allocate(bytes, MemoryScope.ALIGNMENT));
    }

    /** Takes back a closed scope's blocks; frees what does not fit under the cache limit. */
    static void release(List<Block> blocks) {
        List<Block> toFree = new ArrayList<>();
        synchronized (BlockPool.class) {
            for (Block b : blocks) {
                if (cached + b.size() > LIMIT) {
                    toFree.add(b);
                } else if (b.size() == CHUNK) {
                    CHUNKS.addFirst(b);
                    cached += b.size();
                } else {
                    LARGE.add(b);
                    cached += b.size();
                }
            }
        }
        for (Block b : toFree) {
            b.arena().close();
        }
    }

    /** Bytes held in the cache, ready for reuse. */
    static synchronized long cachedBytes() {
        return cached;
    }

    /** Frees every cached block. */
    static void trim() {
        List<Block> all = new ArrayList<>();
        synchronized (BlockPool.class) {
            all.addAll(CHUNKS);
            all.addAll(LARGE);
            CHUNKS.clear();
            LARGE.clear();
            cached = 0;
        }
        for (Iterator<Block> it = all.iterator(); it.hasNext();) {
            it.next().arena().close();
        }
    }
}
