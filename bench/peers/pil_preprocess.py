#!/usr/bin/env python3
"""Pillow peer of radapter's DecodeBench: CLIP eval preprocessing, single-threaded, images/s.

Usage: pil_preprocess.py SIZE SECONDS FILE [FILE ...]
First line: "pillow <version>, libjpeg-turbo <version or ?>". Then per file one line:
  <file> <pipeline img/s wall> <pipeline img/s cpu> <decode-only img/s wall> <decode-only img/s cpu>
"cpu" rates divide by the process's CPU time (time.process_time), which other load on a shared
machine disturbs much less than the wall clock.
The pipeline mirrors the official one (torchvision's PIL path, re-stated here with Pillow +
numpy so that torchvision is not needed): open, convert("RGB"), resize the shorter side to SIZE
(bicubic, longer side truncated), centre crop with Python round, float32 / 255, CHW, normalise.
"""
import sys
import time

import numpy as np
import PIL
from PIL import Image, features

MEAN = np.array([0.48145466, 0.4578275, 0.40821073], dtype=np.float32).reshape(3, 1, 1)
STD = np.array([0.26862954, 0.26130258, 0.27577711], dtype=np.float32).reshape(3, 1, 1)


def decode(path):
    return Image.open(path).convert("RGB")


def preprocess(path, n):
    img = decode(path)
    w, h = img.size
    short, long = (w, h) if w <= h else (h, w)
    if short != n:
        new_long = int(n * long / short)
        size = (n, new_long) if w <= h else (new_long, n)
        img = img.resize(size, Image.BICUBIC)
    w, h = img.size
    left = int(round((w - n) / 2.0))
    top = int(round((h - n) / 2.0))
    img = img.crop((left, top, left + n, top + n))
    x = np.asarray(img, dtype=np.uint8).astype(np.float32) / np.float32(255)
    x = np.ascontiguousarray(x.transpose(2, 0, 1))
    return (x - MEAN) / STD


def rate(work, seconds):
    for _ in range(20):
        work()
    count = 0
    start = time.perf_counter()
    cpu0 = time.process_time()
    while True:
        for _ in range(10):
            work()
        count += 10
        elapsed = time.perf_counter() - start
        if elapsed >= seconds:
            return count / elapsed, count / max(time.process_time() - cpu0, 1e-9)


def main():
    n = int(sys.argv[1])
    seconds = float(sys.argv[2])
    turbo = features.version("libjpeg_turbo") if hasattr(features, "version") else None
    print("pillow %s, libjpeg-turbo %s" % (PIL.__version__, turbo or "?"), flush=True)
    for path in sys.argv[3:]:
        wall, cpu = rate(lambda: preprocess(path, n), seconds)
        dwall, dcpu = rate(lambda: decode(path), seconds / 2)
        print(path, "%.1f %.1f %.1f %.1f" % (wall, cpu, dwall, dcpu), flush=True)


if __name__ == "__main__":
    main()
