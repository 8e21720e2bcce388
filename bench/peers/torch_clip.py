"""PyTorch peer (CPU or CUDA) for radapter's end-to-end benchmark.

A plain-PyTorch CLIP ViT-B/16 (random weights, fp32) with the same architecture radapter runs:
pre-LN residual blocks with fused-input multi-head attention and QuickGELU MLPs, a patch-embedding
convolution, class token, positional embeddings and projections; plus R-Adapter training: a
bias-free D x D adapter after the attention and after the MLP branch of every block in both towers,
drop-path on the adapter update, MPM-NCE loss, AdamW. Prints one JSON line of timings.

Usage: OMP_NUM_THREADS=2 python3 torch_clip.py [--threads 2] [--what image,text,train] [--reps 3]
           [--device cpu|cuda] [--image-batch 16] [--train-batch 8] [--config vit-b16|tiny] [--kernels]
           [--time-budget SECONDS]

On CUDA everything runs in fp32 with TF32 switched off for matmuls and cuDNN convolutions (a fair
comparison with radapter's fp32 kernels; the JSON says so in "precision"), inputs are created on
the GPU, every timer stops after torch.cuda.synchronize(), and the peak of
torch.cuda.max_memory_allocated is reported. --kernels also times a square matmul, the attention
softmax and the layer norm at the image batch's shapes (GFLOP/s, GB/s read + written), as
radapter's ClipBench does. Progress lines go to standard error; the JSON line is the last line of
standard output.
"""
import argparse
import json
import math
import resource
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


class QuickGELU(nn.Module):
    def forward(self, x):
        return x * torch.sigmoid(1.702 * x)


class Adapter(nn.Module):
    def __init__(self, d, p):
        super().__init__()
        self.f = nn.Linear(d, d, bias=False)
        nn.init.zeros_(self.f.weight)
        self.s = nn.Parameter(torch.tensor([0.1]))
        self.p = p

    def forward(self, h):
        z = self.f(h)
        if self.training and self.p > 0:
            keep = 1 - self.p
            mask = torch.empty(h.shape[0], 1, 1, device=h.device).bernoulli_(keep) / keep
            z = z * mask
        return h + self.s * z


class Block(nn.Module):
    def __init__(self, d, heads, adapters, p):
        super().__init__()
        self.ln_1 = nn.LayerNorm(d)
        self.attn = nn.MultiheadAttention(d, heads, batch_first=True)
        self.ln_2 = nn.LayerNorm(d)
        self.mlp = nn.Sequential(nn.Linear(d, 4 * d), QuickGELU(), nn.Linear(4 * d, d))
        self.a1 = Adapter(d, p) if adapters else nn.Identity()
        self.a2 = Adapter(d, p) if adapters else nn.Identity()

    def forward(self, x, mask=None):
        h = self.ln_1(x)
        x = x + self.a1(self.attn(h, h, h, need_weights=False, attn_mask=mask)[0])
        return x + self.a2(self.mlp(self.ln_2(x)))


# The shapes of ClipBench's --config names (radapter.bench.e2e.ClipBench.config).
CONFIGS = {
    "vit-b16": dict(embed=512, vw=768, vlayers=12, vheads=12, patch=16, image=224,
                    tw=512, tlayers=12, theads=8, ctx=77, vocab=49408),
    "tiny": dict(embed=64, vw=128, vlayers=2, vheads=2, patch=16, image=64,
                 tw=128, tlayers=2, theads=2, ctx=16, vocab=1000),
}


class Clip(nn.Module):
    def __init__(self, cfg, adapters=False, p=0.2):
        super().__init__()
        vw, tw, e = cfg["vw"], cfg["tw"], cfg["embed"]
        tokens = (cfg["image"] // cfg["patch"]) ** 2 + 1
        ctx = cfg["ctx"]
        self.conv1 = nn.Conv2d(3, vw, cfg["patch"], cfg["patch"], bias=False)
        self.cls = nn.Parameter(torch.randn(vw) * vw ** -0.5)
        self.vpos = nn.Parameter(torch.randn(tokens, vw) * vw ** -0.5)
        self.ln_pre = nn.LayerNorm(vw)
        self.vblocks = nn.ModuleList([Block(vw, cfg["vheads"], adapters, p) for _ in range(cfg["vlayers"])])
        self.ln_post = nn.LayerNorm(vw)
        self.vproj = nn.Parameter(torch.randn(vw, e) * vw ** -0.5)
        self.tok = nn.Embedding(cfg["vocab"], tw)
        self.tpos = nn.Parameter(torch.randn(ctx, tw) * 0.01)
        self.tblocks = nn.ModuleList([Block(tw, cfg["theads"], adapters, p) for _ in range(cfg["tlayers"])])
        self.ln_final = nn.LayerNorm(tw)
        self.tproj = nn.Parameter(torch.randn(tw, e) * tw ** -0.5)
        self.register_buffer("causal", torch.full((ctx, ctx), float("-inf")).triu(1))

    def image(self, px):
        x = self.conv1(px).flatten(2).transpose(1, 2)
        x = torch.cat([self.cls.expand(x.shape[0], 1, -1), x], 1) + self.vpos
        x = self.ln_pre(x)
        for b in self.vblocks:
            x = b(x)
        return self.ln_post(x[:, 0]) @ self.vproj

    def text(self, ids):
        x = self.tok(ids) + self.tpos
        for b in self.tblocks:
            x = b(x, self.causal)
        x = self.ln_final(x)
        return x[torch.arange(x.shape[0]), ids.argmax(-1)] @ self.tproj


def mpm_nce(u, v, labels, scale=100.0, mg=0.05, ls=0.02):
    p = (labels[:, None] == labels[None, :]).float()
    n = p.sum(1, keepdim=True)
    b = labels.shape[0]
    q = (1 - ls) * p / n + ls * (1 - p) / (b - n).clamp(min=1)
    margin = scale * mg * (1 - p)
    a = -(q * F.log_softmax(scale * u @ v.t() + margin, 1)).sum(1).mean()
    c = -(q * F.log_softmax(scale * v @ u.t() + margin, 1)).sum(1).mean()
    return (a + c) / 2


class Clock:
    """Stops timers after the GPU's queue has drained, and shares out an optional time budget."""

    def __init__(self, device, budget, pending):
        self.cuda = device.type == "cuda"
        self.deadline = time.perf_counter() + budget if budget > 0 else None
        self.pending = pending

    def sync(self):
        if self.cuda:
            torch.cuda.synchronize()

    def left(self):
        return float("inf") if self.deadline is None else self.deadline - time.perf_counter()

    def admit(self, name, out):
        self.pending = max(0, self.pending - 1)
        if self.left() > 0:
            return True
        progress(f"{name}: skipped (time budget spent)")
        out["skipped"] = (out["skipped"] + "," if "skipped" in out else "") + name
        return False

    def reps(self, wanted, warm):
        if self.deadline is None:
            return wanted
        return int(max(1, min(wanted, self.left() / (self.pending + 1) // max(warm, 1e-6))))


def progress(line):
    print("[torch_clip] " + line, file=sys.stderr, flush=True)


def best_of(clock, name, fn, reps):
    t0 = time.perf_counter()
    fn()
    clock.sync()
    warm = time.perf_counter() - t0
    n = clock.reps(reps, warm)
    times = []
    for _ in range(n):
        t0 = time.perf_counter()
        fn()
        clock.sync()
        times.append(time.perf_counter() - t0)
    progress(f"{name}: best {min(times):.4f} s of {n} (warm-up {warm:.3f} s)")
    return min(times)


def token_ids(n, cfg, eot_at, device, sot=False):
    vocab, ctx = cfg["vocab"], cfg["ctx"]
    eot_at = min(eot_at, ctx - 1)
    ids = torch.zeros(n, ctx, dtype=torch.long)
    ids[:, :eot_at] = torch.randint(1, min(49000, vocab - 3) + 1, (n, eot_at))
    if sot:
        ids[:, 0] = vocab - 2
    ids[:, eot_at] = vocab - 1
    return ids.to(device)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--what", default="image,text,train")
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--device", default="cpu")
    ap.add_argument("--image-batch", type=int, default=16)
    ap.add_argument("--train-batch", type=int, default=8)
    ap.add_argument("--config", default="vit-b16", choices=sorted(CONFIGS))
    ap.add_argument("--kernels", action="store_true")
    ap.add_argument("--time-budget", type=float, default=0)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    dev = torch.device(a.device)
    cfg = CONFIGS[a.config]
    out = {"torch": torch.__version__, "threads": a.threads}
    if dev.type == "cuda":
        # A fair fp32 comparison: no TF32 tensor-core shortcuts in matmuls or convolutions.
        torch.backends.cuda.matmul.allow_tf32 = False
        torch.backends.cudnn.allow_tf32 = False
        torch.set_float32_matmul_precision("highest")
        out["device"] = str(dev)
        out["device_name"] = torch.cuda.get_device_name(dev)
        out["precision"] = "fp32, TF32 off (matmul and cuDNN)"
        progress(f"device {dev}: {out['device_name']}, {out['precision']}")
    if a.config != "vit-b16":
        out["config"] = a.config
    what = a.what.split(",")
    bi, bt = a.image_batch, a.train_batch
    pending = ("image" in what) * (1 if bi == 1 else 2) + ("text" in what) + ("train" in what) + 3 * a.kernels
    clock = Clock(dev, a.time_budget, pending)
    tokens = (cfg["image"] // cfg["patch"]) ** 2 + 1
    if "image" in what or "text" in what:
        m = Clip(cfg).eval().to(dev)
        with torch.no_grad():
            if "image" in what:
                for bs in ((bi,) if bi == 1 else (bi, 1)):
                    key = f"image_b{bs}_images_per_s"
                    if clock.admit(key, out):
                        px = torch.randn(bs, 3, cfg["image"], cfg["image"], device=dev)
                        t = best_of(clock, key, lambda: m.image(px), a.reps)
                        out[key] = bs / t
            if "text" in what:
                key = f"text_b{bi}_texts_per_s"
                if clock.admit(key, out):
                    ids = token_ids(bi, cfg, 20, dev)
                    t = best_of(clock, key, lambda: m.text(ids), a.reps)
                    out[key] = bi / t
        del m
    if "train" in what and clock.admit("train", out):
        m = Clip(cfg, adapters=True).train().to(dev)
        for n, p in m.named_parameters():
            p.requires_grad = ".a1." in n or ".a2." in n
        opt = torch.optim.AdamW([p for p in m.parameters() if p.requires_grad], lr=5e-4, weight_decay=0)
        px = torch.randn(bt, 3, cfg["image"], cfg["image"], device=dev)
        ids = token_ids(bt, cfg, 12, dev, sot=True)
        labels = (torch.arange(bt) % 4).to(dev)

        def step():
            u = F.normalize(m.image(px), dim=-1)
            v = F.normalize(m.text(ids), dim=-1)
            loss = mpm_nce(u, v, labels)
            opt.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_([p for p in m.parameters() if p.requires_grad], 1.0)
            opt.step()

        if dev.type == "cuda":
            torch.cuda.reset_peak_memory_stats(dev)
        key = f"train_step_b{bt}_seconds"
        out[key] = best_of(clock, key, step, max(1, a.reps - 1))
        if dev.type == "cuda":
            out["train_device_peak_mb"] = torch.cuda.max_memory_allocated(dev) / 1e6
        del m, opt
    if a.kernels:
        n = 4096 if a.config == "vit-b16" else 512
        rows, cols = bi * cfg["vheads"] * tokens, tokens
        width, ntok = cfg["vw"], bi * tokens
        key = f"kernel_matmul_{n}_gflop_per_s"
        if clock.admit(key, out):
            x, y = torch.randn(n, n, device=dev), torch.randn(n, n, device=dev)
            out[key] = 2.0 * n ** 3 / best_of(clock, key, lambda: x @ y, max(a.reps, 5)) / 1e9
        key = f"kernel_softmax_{rows}x{cols}_gb_per_s"
        if clock.admit(key, out):
            x = torch.randn(rows, cols, device=dev)
            out[key] = 2.0 * rows * cols * 4 / best_of(clock, key, lambda: torch.softmax(x, -1), max(a.reps, 5)) / 1e9
        key = f"kernel_layernorm_{ntok}x{width}_gb_per_s"
        if clock.admit(key, out):
            x = torch.randn(ntok, width, device=dev)
            w, b = torch.randn(width, device=dev), torch.randn(width, device=dev)
            out[key] = 2.0 * ntok * width * 4 / best_of(clock, key, lambda: F.layer_norm(x, (width,), w, b, 1e-5), max(a.reps, 5)) / 1e9
    if dev.type == "cuda":
        out["device_peak_mb"] = torch.cuda.max_memory_allocated(dev) / 1e6
    out["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(out))


if __name__ == "__main__":
    main()
