/**
 * Collective communication for data-parallel training across processes: a small SPI
 * ({@link radapter.tensor.dist.Collective}: rank, size, all-reduce, all-gather, broadcast, barrier)
 * with two implementations, a single process (every operation is the identity) and MPI
 * ({@link radapter.tensor.dist.MpiCollective}: Open MPI's {@code libmpi} called through the FFM
 * API, no compiled shim), chosen by {@link radapter.tensor.dist.Collective#fromEnvironment()}
 * from what {@code mpirun} puts in the environment.
 *
 * <p>This is the layer PyTorch calls a process-group backend (Gloo, MPI, NCCL). An NCCL
 * implementation for GPU nodes would be a third class here reducing device buffers in place; the
 * training loop only sees the interface.
 */
package radapter.tensor.dist;
