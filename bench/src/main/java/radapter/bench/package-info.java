/**
 * Benchmarks, never timed unit tests: JMH benchmarks of the kernels and autograd against peers
 * measured in the same run (ojAlgo, naive loops, OpenBLAS via NumPy, PyTorch where installed), and
 * {@link radapter.bench.BenchMain}, which runs them with the flags from {@code jvm.options}.
 * End-to-end and data benchmarks live in the sub-packages; results are in {@code bench/README.md}.
 */
package radapter.bench;
