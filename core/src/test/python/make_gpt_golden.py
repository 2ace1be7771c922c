#!/usr/bin/env python3
"""Independent float64 reference for Pacer's GPT forward pass, loss and gradients.

What it produces
----------------
A JSON "golden" file (core/src/test/resources/golden/gpt-micro.json) holding, for
the "micro" GPT-2-layout configuration (vocab 257, context 16, width 32, 2 layers,
4 heads, LayerNorm eps 1e-5) with deterministic weights and a fixed token batch:

  * the full logits (B=2, T=8, V=257),
  * the mean and the summed next-token cross-entropy over the 14 predicted
    positions (logits[:, :T-1] against tokens[:, 1:]),
  * for every parameter tensor, the L2 norm and the first 6 flattened values of
    the gradient of the SUMMED loss (loss_sum, not the mean).

Everything is computed in torch.float64 with plain tensor ops (no nn.Transformer,
no Hugging Face), so the numbers are exact to roughly 1e-12; the Java test runs in
float32 and compares with a looser tolerance.

Model conventions (GPT-2 layout)
--------------------------------
Linear weights are stored as (in, out) ("Conv1D" layout): y = x @ W + b.
Weights: concatenate all tensors in TENSOR ORDER (see tensor_specs) row-major into
one flat vector; the element with global flat index g is 0.05*sin(0.37*g + 1.0),
plus 1.0 for LayerNorm weights (ln_1.weight, ln_2.weight, ln_f.weight).
Tokens: tokens[b][t] = (37*b + 11*t*t + 5) % 257.
The output head is tied to wte (logits = LN_f(x) @ wte^T). GELU is the exact erf
form. Attention is causal (position t sees positions <= t).

How to rerun (from the repository root; needs only Debian's python3-torch):

    /usr/bin/python3 core/src/test/python/make_gpt_golden.py \
        core/src/test/resources/golden/gpt-micro.json

With no argument the JSON is written to stdout instead, so this is equivalent:

    /usr/bin/python3 core/src/test/python/make_gpt_golden.py \
        > core/src/test/resources/golden/gpt-micro.json

Add --check (anywhere on the command line) to also run self-checks, reported on
stderr: causality (changing tokens[0][5] leaves logits at positions 0..4 of that
row unchanged) and central finite differences against autograd for a few
gradient entries.
"""

import json
import math
import sys

import torch

DTYPE = torch.float64

CONFIG = {"vocab": 257, "context": 16, "width": 32, "layers": 2, "heads": 4, "eps": 1e-5}
BATCH = 2
SEQ_LEN = 8
GRAD_HEAD_LEN = 6


def tensor_specs(cfg):
    """(name, shape) for every parameter tensor, in the order that defines g."""
    v, c, d, n_layers = cfg["vocab"], cfg["context"], cfg["width"], cfg["layers"]
    specs = [("wte.weight", (v, d)), ("wpe.weight", (c, d))]
    for i in range(n_layers):
        p = "h.%d." % i
        specs += [
            (p + "ln_1.weight", (d,)),
            (p + "ln_1.bias", (d,)),
            (p + "attn.c_attn.weight", (d, 3 * d)),
            (p + "attn.c_attn.bias", (3 * d,)),
            (p + "attn.c_proj.weight", (d, d)),
            (p + "attn.c_proj.bias", (d,)),
            (p + "ln_2.weight", (d,)),
            (p + "ln_2.bias", (d,)),
            (p + "mlp.c_fc.weight", (d, 4 * d)),
            (p + "mlp.c_fc.bias", (4 * d,)),
            (p + "mlp.c_proj.weight", (4 * d, d)),
            (p + "mlp.c_proj.bias", (d,)),
        ]
    specs += [("ln_f.weight", (d,)), ("ln_f.bias", (d,))]
    return specs


def is_layernorm_weight(name):
    return name.endswith("ln_1.weight") or name.endswith("ln_2.weight") or name.endswith("ln_f.weight")


def make_params(cfg):
    """Deterministic weights: 0.05*sin(0.37*g + 1.0) (+1 for LayerNorm weights)."""
    params = {}
    g0 = 0
    for name, shape in tensor_specs(cfg):
        n = 1
        for s in shape:
            n *= s
        g = torch.arange(g0, g0 + n, dtype=DTYPE)
        values = 0.05 * torch.sin(0.37 * g + 1.0)
        if is_layernorm_weight(name):
            values = values + 1.0
        params[name] = values.reshape(shape).clone().requires_grad_(True)
        g0 += n
    v, c, d, n_layers = cfg["vocab"], cfg["context"], cfg["width"], cfg["layers"]
    expected = v * d + c * d + n_layers * (12 * d * d + 13 * d) + 2 * d
    assert g0 == expected, (g0, expected)
    return params, g0


def make_tokens(batch, seq_len, vocab):
    return [[(37 * b + 11 * t * t + 5) % vocab for t in range(seq_len)] for b in range(batch)]


def layer_norm(x, weight, bias, eps):
    """Normalize over the last axis with the biased variance."""
    mean = x.mean(dim=-1, keepdim=True)
    centered = x - mean
    var = (centered * centered).mean(dim=-1, keepdim=True)
    return centered / torch.sqrt(var + eps) * weight + bias


def gelu_exact(x):
    return 0.5 * x * (1.0 + torch.erf(x / math.sqrt(2.0)))


def forward(params, tokens, cfg):
    """Return logits of shape (B, T, V) for integer tokens of shape (B, T)."""
    d, n_heads, eps = cfg["width"], cfg["heads"], cfg["eps"]
    hd = d // n_heads
    b, t = tokens.shape
    assert t <= cfg["context"]

    x = params["wte.weight"][tokens] + params["wpe.weight"][:t].unsqueeze(0)
    # allowed[i, j] is True when query position i may attend to key position j (j <= i)
    allowed = torch.tril(torch.ones(t, t, dtype=torch.bool))
    for i in range(cfg["layers"]):
        p = "h.%d." % i
        a = layer_norm(x, params[p + "ln_1.weight"], params[p + "ln_1.bias"], eps)
        qkv = a @ params[p + "attn.c_attn.weight"] + params[p + "attn.c_attn.bias"]
        q = qkv[..., 0:d]
        k = qkv[..., d:2 * d]
        v = qkv[..., 2 * d:3 * d]
        q = q.reshape(b, t, n_heads, hd).permute(0, 2, 1, 3)  # (B, H, T, hd)
        k = k.reshape(b, t, n_heads, hd).permute(0, 2, 1, 3)
        v = v.reshape(b, t, n_heads, hd).permute(0, 2, 1, 3)
        scores = (q @ k.transpose(-1, -2)) / math.sqrt(hd)  # (B, H, T, T)
        scores = scores.masked_fill(~allowed, float("-inf"))
        att = torch.softmax(scores, dim=-1)
        y = att @ v  # (B, H, T, hd)
        y = y.permute(0, 2, 1, 3).reshape(b, t, d)  # heads concatenated in head order
        y = y @ params[p + "attn.c_proj.weight"] + params[p + "attn.c_proj.bias"]
        x = x + y

        m = layer_norm(x, params[p + "ln_2.weight"], params[p + "ln_2.bias"], eps)
        m = gelu_exact(m @ params[p + "mlp.c_fc.weight"] + params[p + "mlp.c_fc.bias"])
        m = m @ params[p + "mlp.c_proj.weight"] + params[p + "mlp.c_proj.bias"]
        x = x + m

    x = layer_norm(x, params["ln_f.weight"], params["ln_f.bias"], eps)
    return x @ params["wte.weight"].transpose(0, 1)


def loss_terms(logits, tokens):
    """Per-position cross-entropy of logits[:, :T-1] against tokens[:, 1:], shape (B*(T-1),)."""
    vocab = logits.shape[-1]
    pred = logits[:, :-1, :].reshape(-1, vocab)
    target = tokens[:, 1:].reshape(-1)
    logp = pred - torch.logsumexp(pred, dim=-1, keepdim=True)
    return -logp.gather(1, target.unsqueeze(1)).squeeze(1)


def self_check(params, tokens, cfg, log):
    """Causality and finite-difference checks; raises AssertionError on failure."""
    with torch.no_grad():
        base = forward(params, tokens, cfg)
        changed = tokens.clone()
        changed[0, 5] = (changed[0, 5] + 1) % cfg["vocab"]
        other = forward(params, changed, cfg)
        prefix_diff = (base[0, :5] - other[0, :5]).abs().max().item()
        suffix_diff = (base[0, 5:] - other[0, 5:]).abs().max().item()
        row1_diff = (base[1] - other[1]).abs().max().item()
    log("causality: max|dlogits| positions 0..4 = %r, positions 5..7 = %r, other row = %r"
        % (prefix_diff, suffix_diff, row1_diff))
    assert prefix_diff == 0.0 and row1_diff == 0.0 and suffix_diff > 1e-6

    for p in params.values():
        p.grad = None
    loss_terms(forward(params, tokens, cfg), tokens).sum().backward()
    probes = [("wte.weight", 17), ("wpe.weight", 40), ("h.0.ln_1.weight", 3),
              ("h.0.attn.c_attn.weight", 123), ("h.1.mlp.c_fc.bias", 7),
              ("h.1.mlp.c_proj.weight", 2000), ("ln_f.bias", 31)]
    h = 1e-5
    worst = 0.0
    for name, idx in probes:
        analytic = params[name].grad.reshape(-1)[idx].item()
        with torch.no_grad():
            flat = params[name].view(-1)
            orig = flat[idx].item()
            flat[idx] = orig + h
            up = loss_terms(forward(params, tokens, cfg), tokens).sum().item()
            flat[idx] = orig - h
            down = loss_terms(forward(params, tokens, cfg), tokens).sum().item()
            flat[idx] = orig
        numeric = (up - down) / (2 * h)
        rel = abs(numeric - analytic) / max(1e-12, abs(analytic))
        worst = max(worst, abs(numeric - analytic))
        log("finite difference %s[%d]: autograd=%r numeric=%r abs.err=%.3e rel.err=%.3e"
            % (name, idx, analytic, numeric, abs(numeric - analytic), rel))
        assert abs(numeric - analytic) < 1e-7 * max(1.0, abs(analytic))
    for p in params.values():
        p.grad = None
    log("finite differences: worst absolute error %.3e" % worst)


def main(argv):
    check = "--check" in argv
    args = [a for a in argv if a != "--check"]
    out_path = args[0] if args else None

    cfg = CONFIG
    params, n_params = make_params(cfg)
    token_list = make_tokens(BATCH, SEQ_LEN, cfg["vocab"])
    tokens = torch.tensor(token_list, dtype=torch.long)

    if check:
        self_check(params, tokens, cfg, lambda s: print(s, file=sys.stderr))

    logits = forward(params, tokens, cfg)
    terms = loss_terms(logits, tokens)
    loss_sum = terms.sum()
    loss_mean = terms.mean()
    loss_sum.backward()

    specs = tensor_specs(cfg)
    golden = {
        "description": (
            "Golden reference for Pacer's GPT (GPT-2 layout, Conv1D (in,out) linear weights, "
            "tied output head, exact erf GELU, causal attention). Produced by "
            "core/src/test/python/make_gpt_golden.py with plain torch tensor ops in torch.float64, "
            "torch %s. logits: full (B,T,V). loss_mean/loss_sum: next-token cross-entropy of "
            "logits[:, :T-1] against tokens[:, 1:]. grad_*: gradient of loss_sum (not the mean); "
            "grad_head = first %d values of the row-major flattened gradient."
            % (torch.__version__, GRAD_HEAD_LEN)),
        "config": cfg,
        "weights_formula": "0.05*sin(0.37*g+1.0) (+1 for LayerNorm weights), g = flat index in tensor order",
        "tensor_order": [{"name": n, "shape": list(s)} for n, s in specs],
        "parameter_count": n_params,
        "tokens_formula": "tokens[b][t] = (37*b + 11*t*t + 5) % 257",
        "tokens": token_list,
        "logits": logits.detach().tolist(),
        "loss_mean": loss_mean.item(),
        "loss_sum": loss_sum.item(),
        "token_count": terms.numel(),
        "grad_l2_norm": {n: params[n].grad.norm().item() for n, _ in specs},
        "grad_head": {n: params[n].grad.reshape(-1)[:GRAD_HEAD_LEN].tolist() for n, _ in specs},
    }
    # json writes Python floats with repr, i.e. full double precision (round-trip exact).
    text = json.dumps(golden, indent=1) + "\n"
    if out_path is None:
        sys.stdout.write(text)
    else:
        with open(out_path, "w") as f:
            f.write(text)


if __name__ == "__main__":
    main(sys.argv[1:])
