package radapter.tensor.dist;

import radapter.tensor.Tensor;

/**
 * A group of {@link #size()} cooperating processes, this one being {@link #rank()}: the
 * operations data-parallel training needs (PyTorch's {@code torch.distributed} names them the
 * same). Every process of the group must call the same operations in the same order with tensors
 * of the same shape and dtype; a collective call returns once every process has made it.
 *
 * <p>Tensors are F32 or F64 and may live on any device: a device tensor is staged through the host
 * (an implementation that reduces device memory in place, such as NCCL, would skip that).
 */
public interface Collective extends AutoCloseable {

    /** This process's index in the group, {@code 0 ≤ rank < size}. */
    int rank();

    /** Number of processes in the group. */
    int size();

    /** True on rank 0, the process that writes files and prints. */
    default boolean isMain() {
        return rank() == 0;
    }

    /** Replaces {@code t}, on every process, with the element-wise sum of every process's {@code t}. */
    void allReduceSum(Tensor t);

    /**
     * The concatenation along dimension 0, in rank order, of every process's {@code t} (which must
     * all have the same shape); a new contiguous tensor on {@code t}'s device.
     */
    Tensor allGather(Tensor t);

    /** Replaces {@code t}, on every process, with the {@code t} of process {@code root}. */
    void broadcast(Tensor t, int root);

    /** Returns once every process has called it. */
    void barrier();

    /** Leaves the group (MPI: finalizes); the default group stays open until the JVM exits. */
    @Override
    void close();

    /** A group of one: every operation leaves its tensor as it is. */
    static Collective single() {
        return SingleProcess.INSTANCE;
    }

    /**
     * The group this process was launched in: MPI's world when started by {@code mpirun}/{@code
     * mpiexec} with more than one process (Open MPI sets {@code OMPI_COMM_WORLD_SIZE}, MPICH and
     * Slurm {@code PMI_SIZE}), otherwise {@link #single()}. Under MPI, a missing or unusable
     * {@code libmpi} is an error naming what was tried, never a silent single-process run.
     */
    static Collective fromEnvironment() {
        int size = launchedSize();
        return size > 1 ? MpiCollective.world() : single();
    }

    /** The number of processes the launcher started, from its environment (1 when not launched by MPI). */
    static int launchedSize() {
        for (String name : new String[] {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_SIZE"}) {
            String v = System.getenv(name);
            if (v != null && !v.isBlank()) {
                try {
                    return Integer.parseInt(v.trim());
                } catch (NumberFormatException e) {
                    throw new IllegalStateException("the MPI launcher set " + name + "=" + v + ", which is not a process count");
                }
            }
        }
        return 1;
    }
}
