#!/usr/bin/env python3
"""Matrix-multiply throughput at the GPT presets' own shapes, fp32 and bf16: the peaks that
docs/precision.md compares Pacer's model FLOP/s with.

One training micro-batch of M = micro-batch x seq-len tokens runs, per layer, four linear layers
(qkv W->3W, attention projection W->W, MLP W->4W and 4W->W) and the attention products, plus the
tied head W->V once. Each linear layer is three GEMMs (forward x @ w, input gradient dy @ w^T,
weight gradient x^T @ dy), the attention two batched products each way. Every distinct GEMM is
timed on its own (best of 5 repetitions); a preset's peak is its step's matmul FLOPs divided by
the summed best times, i.e. the FLOP-weighted harmonic mean of the shapes' rates.

Needs Debian's python3-torch (torch 1.13, OpenBLAS for fp32, oneDNN for bf16): a benchmark peer,
never a test or runtime dependency of Pacer.

    apt-get install -y python3-torch libopenblas0-pthread
    /usr/bin/python3 bench/matmul-peaks.py [--threads 2] [--micro-batch 8] [--seq-len 128] [PRESET ...]

PRESET: tiny, small (default), gpt2-124m; vocabulary 257 (bytes), as Pacer's bundled corpus.
"""

import argparse
import os
import time

import torch

PRESETS = {  # width, layers, heads, context (core/.../model/ModelPreset.java)
    "tiny": (64, 2, 4, 64),
    "small": (256, 8, 8, 256),
    "gpt2-124m": (768, 12, 12, 1024),
}
VOCAB = 257


def gemms(width, heads, vocab, tokens, batch, seq):
    """(label, batch count, m, k, n) of one layer's GEMMs, and of the head's."""
    hd = width // heads
    out = []
    for name, fan_in, fan_out in (("qkv", width, 3 * width), ("attn proj", width, width),
                                  ("mlp fc", width, 4 * width), ("mlp proj", 4 * width, width)):
        out.append((name + " fwd", 1, tokens, fan_in, fan_out))
        out.append((name + " dx", 1, tokens, fan_out, fan_in))
        out.append((name + " dw", 1, fan_in, tokens, fan_out))
    bh = batch * heads
    out.append(("attn q.k fwd", bh, seq, hd, seq))
    out.append(("attn p.v fwd", bh, seq, seq, hd))
    # backward of each batched product: two products of the same sizes
    out.append(("attn q.k bwd", bh, seq, seq, hd))
    out.append(("attn q.k bwd", bh, seq, seq, hd))
    out.append(("attn p.v bwd", bh, seq, hd, seq))
    out.append(("attn p.v bwd", bh, seq, seq, hd))
    head = [("head fwd", 1, tokens, width, vocab), ("head dx", 1, tokens, vocab, width),
            ("head dw", 1, vocab, tokens, width)]
    return out, head


def best_seconds(b, m, k, n, dtype, repeats=5):
    x = torch.randn(b, m, k).to(dtype) if b > 1 else torch.randn(m, k).to(dtype)
    y = torch.randn(b, k, n).to(dtype) if b > 1 else torch.randn(k, n).to(dtype)
    for _ in range(3):
        torch.matmul(x, y)
    flops = 2.0 * b * m * k * n
    inner = max(1, int(1e9 / flops))  # about 1 GFLOP per timing
    best = float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter()
        for _ in range(inner):
            torch.matmul(x, y)
        best = min(best, (time.perf_counter() - t0) / inner)
    return best


def cpu_line():
    model, flags = "?", set()
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name") and model == "?":
                    model = line.split(":", 1)[1].strip()
                if line.startswith("flags"):
                    flags = set(line.split(":", 1)[1].split())
    except OSError:
        pass
    shown = sorted(f for f in flags if f.startswith(("avx2", "avx512f", "avx512_bf16", "amx", "fma")))
    return "%s, %d cores; flags: %s" % (model, os.cpu_count(), " ".join(shown))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--micro-batch", type=int, default=8)
    ap.add_argument("--seq-len", type=int, default=128)
    ap.add_argument("presets", nargs="*", default=["small"])
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    with open("/proc/loadavg") as f:
        load = " ".join(f.read().split()[:3])
    print("machine: %s; torch %s, %d threads; load average %s"
          % (cpu_line(), torch.__version__, a.threads, load))
    tokens = a.micro_batch * a.seq_len
    for preset in a.presets:
        width, layers, heads, _ = PRESETS[preset]
        per_layer, head = gemms(width, heads, VOCAB, tokens, a.micro_batch, a.seq_len)
        print("\n%s: width %d, %d layers, micro-batch %d x %d = %d tokens"
              % (preset, width, layers, a.micro_batch, a.seq_len, tokens))
        print("| GEMM (batch) m x k x n | fp32 GFLOP/s | bf16 GFLOP/s |")
        print("|---|---:|---:|")
        totals = {torch.float32: [0.0, 0.0], torch.bfloat16: [0.0, 0.0]}
        measured = {}
        for label, b, m, k, n in per_layer + head:
            count = layers if (label, b, m, k, n) in per_layer else 1
            key = (b, m, k, n)
            if key not in measured:
                measured[key] = {dt: best_seconds(b, m, k, n, dt) for dt in totals}
            flops = 2.0 * b * m * k * n
            for dt, t in measured[key].items():
                totals[dt][0] += count * flops
                totals[dt][1] += count * t
            print("| %s (%d) %d x %d x %d | %.0f | %.0f |" % (
                label, b, m, k, n, flops / measured[key][torch.float32] / 1e9,
                flops / measured[key][torch.bfloat16] / 1e9))
        f32 = totals[torch.float32][0] / totals[torch.float32][1] / 1e9
        b16 = totals[torch.bfloat16][0] / totals[torch.bfloat16][1] / 1e9
        print("%s peak at its shapes (FLOP-weighted): fp32 %.0f GFLOP/s, bf16 %.0f GFLOP/s (x%.2f); "
              "%.2f GFLOP of matmuls per micro-batch" % (preset, f32, b16, b16 / f32, totals[torch.float32][0] / 1e9))
    with open("/proc/loadavg") as f:
        print("\nload average at the end: %s" % " ".join(f.read().split()[:3]))


if __name__ == "__main__":
    main()
