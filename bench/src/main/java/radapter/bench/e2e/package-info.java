/** End-to-end benchmarks of CLIP inference and R-Adapter training against PyTorch CPU. */
package radapter.bench.e2e;
