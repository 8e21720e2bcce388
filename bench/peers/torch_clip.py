"""PyTorch CPU peer for radapter's end-to-end benchmark.

A plain-PyTorch CLIP ViT-B/16 (random weights, fp32) with the same architecture radapter runs:
pre-LN residual blocks with fused-input multi-head attention and QuickGELU MLPs, a patch-embedding
convolution, class token, positional embeddings and projections; plus R-Adapter training: a
bias-free D x D adapter after the attention and after the MLP branch of every block in both towers,
drop-path on the adapter update, MPM-NCE loss, AdamW. Prints one JSON line of timings.

Usage: OMP_NUM_THREADS=2 python3 torch_clip.py [--threads 2] [--what image,text,train]
"""
import argparse
import json
import math
import resource
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
            mask = torch.empty(h.shape[0], 1, 1).bernoulli_(keep) / keep
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


class Clip(nn.Module):
    def __init__(self, adapters=False, p=0.2):
        super().__init__()
        vw, tw, e = 768, 512, 512
        self.conv1 = nn.Conv2d(3, vw, 16, 16, bias=False)
        self.cls = nn.Parameter(torch.randn(vw) * vw ** -0.5)
        self.vpos = nn.Parameter(torch.randn(197, vw) * vw ** -0.5)
        self.ln_pre = nn.LayerNorm(vw)
        self.vblocks = nn.ModuleList([Block(vw, 12, adapters, p) for _ in range(12)])
        self.ln_post = nn.LayerNorm(vw)
        self.vproj = nn.Parameter(torch.randn(vw, e) * vw ** -0.5)
        self.tok = nn.Embedding(49408, tw)
        self.tpos = nn.Parameter(torch.randn(77, tw) * 0.01)
        self.tblocks = nn.ModuleList([Block(tw, 8, adapters, p) for _ in range(12)])
        self.ln_final = nn.LayerNorm(tw)
        self.tproj = nn.Parameter(torch.randn(tw, e) * tw ** -0.5)
        self.register_buffer("causal", torch.full((77, 77), float("-inf")).triu(1))

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


def best_of(fn, reps):
    fn()
    times = []
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--what", default="image,text,train")
    ap.add_argument("--reps", type=int, default=3)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    out = {"torch": torch.__version__, "threads": a.threads}
    what = a.what.split(",")
    if "image" in what or "text" in what:
        m = Clip().eval()
        with torch.no_grad():
            if "image" in what:
                for bs in (16, 1):
                    px = torch.randn(bs, 3, 224, 224)
                    t = best_of(lambda: m.image(px), a.reps)
                    out[f"image_b{bs}_images_per_s"] = bs / t
            if "text" in what:
                ids = torch.randint(1, 49000, (16, 77))
                ids[:, 20] = 49407
                t = best_of(lambda: m.text(ids), a.reps)
                out["text_b16_texts_per_s"] = 16 / t
        del m
    if "train" in what:
        m = Clip(adapters=True).train()
        for n, p in m.named_parameters():
            p.requires_grad = ".a1." in n or ".a2." in n
        opt = torch.optim.AdamW([p for p in m.parameters() if p.requires_grad], lr=5e-4, weight_decay=0)
        px = torch.randn(8, 3, 224, 224)
        ids = torch.randint(1, 49000, (8, 77))
        ids[:, 12] = 49407
        labels = torch.tensor([0, 1, 2, 3, 0, 1, 2, 3])

        def step():
            u = F.normalize(m.image(px), dim=-1)
            v = F.normalize(m.text(ids), dim=-1)
            loss = mpm_nce(u, v, labels)
            opt.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_([p for p in m.parameters() if p.requires_grad], 1.0)
            opt.step()

        out["train_step_b8_seconds"] = best_of(step, max(1, a.reps - 1))
    out["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(out))


if __name__ == "__main__":
    main()
