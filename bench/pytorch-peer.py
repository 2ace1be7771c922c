#!/usr/bin/env python3
"""A plain PyTorch training loop of Pacer's GPT at the same shape and threads: the peer that
docs/precision.md compares Pacer's tokens/s with.

The model is the GPT-2 layout Pacer trains (tied head, pre-norm blocks, exact GELU, causal
attention) written the way a PyTorch user would (nn.Linear, nn.LayerNorm, attention as matmul,
mask and softmax: torch 1.13 has no fused attention); one step is global-batch sequences in
micro-batches, gradient clipping at 1 and torch.optim.AdamW, as `bin/pacer bench`'s plain loop.
fp32 and bf16 (torch.autocast on the CPU, fp32 weights) alternate every step, each on its own
model, so a busy machine slows both alike. Tokens are random bytes: speed does not depend on them.

Needs Debian's python3-torch (torch 1.13; fp32 products through OpenBLAS, bf16 through oneDNN):
a benchmark peer, never a test or runtime dependency of Pacer.

    apt-get install -y python3-torch libopenblas0-pthread
    /usr/bin/python3 bench/pytorch-peer.py [--preset small] [--threads 2] [--steps 10] [--warmup 2]
"""

import argparse
import math
import statistics
import time

import torch
import torch.nn as nn

PRESETS = {"tiny": (64, 2, 4, 64), "small": (256, 8, 8, 256), "gpt2-124m": (768, 12, 12, 1024)}
VOCAB = 257


class Block(nn.Module):
    def __init__(self, width, heads):
        super().__init__()
        self.heads = heads
        self.ln_1 = nn.LayerNorm(width)
        self.c_attn = nn.Linear(width, 3 * width)
        self.c_proj = nn.Linear(width, width)
        self.ln_2 = nn.LayerNorm(width)
        self.c_fc = nn.Linear(width, 4 * width)
        self.mlp_proj = nn.Linear(4 * width, width)

    def forward(self, x, mask):
        b, t, d = x.shape
        q, k, v = self.c_attn(self.ln_1(x)).split(d, dim=2)
        q, k, v = (z.view(b, t, self.heads, d // self.heads).transpose(1, 2) for z in (q, k, v))
        scores = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(d // self.heads))
        att = torch.softmax(scores.masked_fill(mask[:t, :t], float("-inf")), dim=-1)
        y = (att @ v).transpose(1, 2).reshape(b, t, d)
        x = x + self.c_proj(y)
        return x + self.mlp_proj(nn.functional.gelu(self.c_fc(self.ln_2(x))))


class Gpt(nn.Module):
    def __init__(self, width, layers, heads, context):
        super().__init__()
        self.wte = nn.Embedding(VOCAB, width)
        self.wpe = nn.Embedding(context, width)
        self.blocks = nn.ModuleList(Block(width, heads) for _ in range(layers))
        self.ln_f = nn.LayerNorm(width)
        self.register_buffer("mask", torch.triu(torch.ones(context, context, dtype=torch.bool), 1))
        for p in self.parameters():
            if p.dim() == 2:
                nn.init.normal_(p, std=0.02)

    def forward(self, tokens):
        x = self.wte(tokens) + self.wpe(torch.arange(tokens.shape[1]))
        for block in self.blocks:
            x = block(x, self.mask)
        return self.ln_f(x) @ self.wte.weight.t()


def step(model, optimizer, batch, micro, bf16):
    start = time.perf_counter()
    optimizer.zero_grad(set_to_none=True)
    tokens = batch[:, :-1].numel()
    for i in range(0, batch.shape[0], micro):
        mb = batch[i:i + micro]
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
            logits = model(mb[:, :-1])
        loss = nn.functional.cross_entropy(logits.float().reshape(-1, VOCAB), mb[:, 1:].reshape(-1), reduction="sum")
        (loss / tokens).backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    optimizer.step()
    return time.perf_counter() - start


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--preset", default="small", choices=sorted(PRESETS))
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--steps", type=int, default=10)
    ap.add_argument("--warmup", type=int, default=2)
    ap.add_argument("--global-batch", type=int, default=32)
    ap.add_argument("--micro-batch", type=int, default=8)
    ap.add_argument("--seq-len", type=int, default=128)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(1)
    width, layers, heads, context = PRESETS[a.preset]
    runs = {}
    for name in ("fp32", "bf16"):
        model = Gpt(width, layers, heads, context)
        runs[name] = (model, torch.optim.AdamW(model.parameters(), lr=2e-4, betas=(0.9, 0.95), weight_decay=0.1), [])
    with open("/proc/loadavg") as f:
        load_start = " ".join(f.read().split()[:3])
    for s in range(a.warmup + a.steps):
        batch = torch.randint(0, VOCAB, (a.global_batch, a.seq_len + 1))
        order = ("fp32", "bf16") if s % 2 == 0 else ("bf16", "fp32")
        for name in order:
            model, optimizer, times = runs[name]
            seconds = step(model, optimizer, batch, a.micro_batch, name == "bf16")
            if s >= a.warmup:
                times.append(seconds)
    with open("/proc/loadavg") as f:
        load_end = " ".join(f.read().split()[:3])
    tokens = a.global_batch * a.seq_len
    print("PyTorch %s peer, %s preset, %d threads, %d x %d tokens a step, micro-batch %d, %d measured steps "
          "each after %d warm-up; load average %s at the start, %s at the end"
          % (torch.__version__, a.preset, a.threads, a.global_batch, a.seq_len, a.micro_batch, a.steps,
             a.warmup, load_start, load_end))
    medians = {}
    for name, (_, _, times) in runs.items():
        medians[name] = statistics.median(times)
        print("| %s | %.0f tokens/s | %.1f ms/step (median) |" % (name, tokens / medians[name], 1000 * medians[name]))
    print("bf16 / fp32 tokens/s: %.2fx" % (medians["fp32"] / medians["bf16"]))


if __name__ == "__main__":
    main()
