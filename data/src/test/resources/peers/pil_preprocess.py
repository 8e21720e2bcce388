#!/usr/bin/env python3
"""Pillow peer of radapter's DecodeBench: CLIP eval preprocessing, single-threaded, images/s.

Usage: pil_preprocess.py SIZE SECONDS FILE [FILE ...]
Per file it prints one line:  <file> <images/s>
The pipeline mirrors the official one (torchvision's PIL path, re-stated here with Pillow +
numpy so that torchvision is not needed): open, convert("RGB"), resize the shorter side to SIZE
(bicubic, longer side truncated), centre crop with Python round, float32 / 255, CHW, normalise.
"""
import sys
import time

import numpy as np
from PIL import Image

MEAN = np.array([0.48145466, 0.4578275, 0.40821073], dtype=np.float32).reshape(3, 1, 1)
STD = np.array([0.26862954, 0.26130258, 0.27577711], dtype=np.float32).reshape(3, 1, 1)


def preprocess(path, n):
    img = Image.open(path)
    img = img.convert("RGB")
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


def rate(path, n, seconds):
    for _ in range(20):
        preprocess(path, n)
    count = 0
    start = time.perf_counter()
    while True:
        for _ in range(10):
            preprocess(path, n)
        count += 10
        elapsed = time.perf_counter() - start
        if elapsed >= seconds:
            return count / elapsed


def main():
    n = int(sys.argv[1])
    seconds = float(sys.argv[2])
    for path in sys.argv[3:]:
        print(path, "%.1f" % rate(path, n, seconds), flush=True)


if __name__ == "__main__":
    main()
