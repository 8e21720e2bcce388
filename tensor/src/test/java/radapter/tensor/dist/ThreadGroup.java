package radapter.tensor.dist;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.CyclicBarrier;
import radapter.tensor.Device;
import radapter.tensor.Join;
import radapter.tensor.Tensor;

/**
 * A group of threads in one JVM standing in for MPI processes in tests: the same collective
 * semantics, each thread holding the {@link Collective} of its rank. Sums are taken in rank order,
 * as MPI does for two processes.
 */
public final class ThreadGroup {
    private final int size;
    private final CyclicBarrier barrier;
    private final Tensor[] slots;

    public ThreadGroup(int size) {
        this.size = size;
        this.barrier = new CyclicBarrier(size);
        this.slots = new Tensor[size];
    }

    /** The member with rank {@code rank}. */
    public Collective member(int rank) {
        return new Member(rank);
    }

    private void await() {
        try {
            barrier.await();
        } catch (InterruptedException | BrokenBarrierException e) {
            throw new IllegalStateException("thread group broken", e);
        }
    }

    private final class Member implements Collective {
        private final int rank;

        Member(int rank) {
            this.rank = rank;
        }

        @Override
        public int rank() {
            return rank;
        }

        @Override
        public int size() {
            return size;
        }

        @Override
        public void allReduceSum(Tensor t) {
            slots[rank] = t.cpu().contiguous().clone();
            await();
            Tensor sum = slots[0].clone();
            for (int r = 1; r < size; r++) {
                sum = sum.add(slots[r]);
            }
            await();
            t.copy_(sum.to(t.device()));
        }

        @Override
        public Tensor allGather(Tensor t) {
            slots[rank] = t.cpu().contiguous().clone();
            await();
            List<Tensor> parts = new ArrayList<>();
            for (int r = 0; r < size; r++) {
                parts.add(slots[r]);
            }
            Tensor out = Join.cat(0, parts);
            await();
            return t.device().equals(Device.CPU) ? out : out.to(t.device());
        }

        @Override
        public void broadcast(Tensor t, int root) {
            if (rank == root) {
                slots[root] = t.cpu().contiguous().clone();
            }
            await();
            Tensor v = slots[root];
            await();
            t.copy_(v.to(t.device()));
        }

        @Override
        public void barrier() {
            await();
        }

        @Override
        public void close() {
        }
    }
}
