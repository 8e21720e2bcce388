/**
 * Data-pipeline benchmarks, run as plain programs from the benchmarks jar: {@link
 * radapter.bench.data.DecodeBench} (single-thread decode + CLIP preprocessing against Pillow in the
 * same session) and {@link radapter.bench.data.LoaderBench} (the data loader's throughput and CPU
 * use with 1 and 2 workers).
 */
package radapter.bench.data;
