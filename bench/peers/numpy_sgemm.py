#!/usr/bin/env python3
"""Peer measurement for radapter's SGEMM benchmark: float32 C = A @ B through numpy's BLAS.

Same shapes as radapter.bench.SgemmBench (MxNxK: C is M x N, reduction K deep), row-major,
no transposes, result written into a preallocated array (np.matmul(..., out=C)).
Prints best-of-N and median GFLOP/s per shape (2*M*N*K flops per call).

The thread count is fixed before numpy is imported (OPENBLAS_NUM_THREADS and friends), default 2.
Use an interpreter whose numpy links an optimised BLAS: the script prints the BLAS numpy reports
and warns when it looks like the reference (netlib) BLAS, which is ~50x slower.

usage: numpy_sgemm.py [--threads N] [--repeat N] [--seconds S] [SHAPE ...]
"""
import argparse
import os
import sys

DEFAULT_SHAPES = [
    "256x256x256", "512x512x512", "1024x1024x1024", "2048x2048x2048",
    "3152x2304x768", "3152x3072x768", "3152x768x3072",
]


def parse_args():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--threads", type=int, default=2, help="BLAS threads (default 2)")
    p.add_argument("--repeat", type=int, default=7, help="timed rounds per shape (default 7)")
    p.add_argument("--seconds", type=float, default=1.0, help="minimum time per round (default 1.0 s)")
    p.add_argument("shapes", nargs="*", default=DEFAULT_SHAPES, help="MxNxK shapes")
    return p.parse_args()


def blas_description(np):
    try:
        cfg = np.show_config(mode="dicts")
        blas = cfg.get("Build Dependencies", {}).get("blas", {})
        name = blas.get("name", "?")
        version = blas.get("version", "?")
        extra = blas.get("openblas configuration", "")
        return f"{name} {version} {extra}".strip()
    except Exception:  # older numpy: no dict mode
        return "unknown (numpy %s)" % np.__version__


def main():
    args = parse_args()
    threads = str(args.threads)
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS", "BLIS_NUM_THREADS"):
        os.environ[var] = threads
    import time
    import numpy as np

    blas = blas_description(np)
    print(f"# python {sys.version.split()[0]} ({sys.executable}), numpy {np.__version__}, BLAS: {blas}")
    print(f"# threads={threads}, best and median of {args.repeat} rounds of >= {args.seconds} s")
    if "openblas" not in blas.lower() and "mkl" not in blas.lower() and "blis" not in blas.lower():
        print("# WARNING: numpy does not report OpenBLAS/MKL/BLIS; this may be the slow reference BLAS")
    rng = np.random.default_rng(42)
    print(f"{'shape':<16} {'best GFLOP/s':>13} {'median GFLOP/s':>15} {'best ms':>9}")
    for shape in args.shapes:
        m, n, k = (int(x) for x in shape.split("x"))
        a = rng.uniform(-1, 1, size=(m, k)).astype(np.float32)
        b = rng.uniform(-1, 1, size=(k, n)).astype(np.float32)
        c = np.empty((m, n), dtype=np.float32)
        flops = 2.0 * m * n * k
        # warm up: thread pool start, page faults
        t_end = time.perf_counter() + 0.5
        while time.perf_counter() < t_end:
            np.matmul(a, b, out=c)
        per_call = []
        for _ in range(args.repeat):
            calls = 0
            t0 = time.perf_counter()
            while True:
                np.matmul(a, b, out=c)
                calls += 1
                elapsed = time.perf_counter() - t0
                if elapsed >= args.seconds:
                    break
            per_call.append(elapsed / calls)
        per_call.sort()
        best = per_call[0]
        median = per_call[len(per_call) // 2]
        print(f"{shape:<16} {flops / best / 1e9:13.1f} {flops / median / 1e9:15.1f} {best * 1e3:9.3f}")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
