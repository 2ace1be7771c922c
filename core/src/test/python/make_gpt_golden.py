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
    the gradient of the SUMMED loss (loss_sum, not the mean), and the whole gradient
    rounded to float32 (grad_f32, base64 of little-endian floats),
  * "bf16": the error scales of bf16 compute for every logit, the loss and three
    projections of each tensor's gradient, from which the Java test derives its
    tolerances (see bf16_bounds: every tensor bf16 compute rounds, and every gradient
    arriving at one, moves by at most 2^-8 of itself; float64 sensitivities weight
    those errors).

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
gradient entries; and the bf16 emulation check: every rounded tensor and gradient
rounded to bf16 in float64, each checked quantity's error against its tolerance.
"""

import base64
import json
import math
import struct
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


def no_site(name, t):
    return t


def forward(params, tokens, cfg, site=no_site):
    """Return logits of shape (B, T, V) for integer tokens of shape (B, T).

    site(name, t) is called on every tensor that Pacer's bf16 compute holds in bfloat16 and
    returns the tensor to continue with (see bf16_bounds); by default it returns t itself.
    """
    d, n_heads, eps = cfg["width"], cfg["heads"], cfg["eps"]
    hd = d // n_heads
    b, t = tokens.shape
    assert t <= cfg["context"]

    def linear(x, prefix):
        # bf16: inputs, weight and bias rounded; the product may be rounded before the bias is
        # added (kernels differ), the output is
        w = site(prefix + ".weight", params[prefix + ".weight"].clone())
        bias = site(prefix + ".bias", params[prefix + ".bias"].clone())
        return site(prefix + ":out", site(prefix + ":product", x @ w) + bias)

    x = params["wte.weight"][tokens] + params["wpe.weight"][:t].unsqueeze(0)
    # allowed[i, j] is True when query position i may attend to key position j (j <= i)
    allowed = torch.tril(torch.ones(t, t, dtype=torch.bool))
    # the scale is split over q and k as PyTorch's reference attention does (q and k are each
    # rounded again after scaling there); the fused kernel scales the fp32 scores instead
    root_scale = math.sqrt(1.0 / math.sqrt(hd))
    for i in range(cfg["layers"]):
        p = "h.%d." % i
        a = site(p + "ln_1:out", layer_norm(x, params[p + "ln_1.weight"], params[p + "ln_1.bias"], eps))
        qkv = linear(a, p + "attn.c_attn")
        q = qkv[..., 0:d]
        k = qkv[..., d:2 * d]
        v = qkv[..., 2 * d:3 * d]
        q = q.reshape(b, t, n_heads, hd).permute(0, 2, 1, 3)  # (B, H, T, hd)
        k = k.reshape(b, t, n_heads, hd).permute(0, 2, 1, 3)
        v = v.reshape(b, t, n_heads, hd).permute(0, 2, 1, 3)
        q = site(p + "attn:q_scaled", q * root_scale)
        k = site(p + "attn:k_scaled", k * root_scale)
        scores = site(p + "attn:scores", q @ k.transpose(-1, -2))  # (B, H, T, T)
        scores = scores.masked_fill(~allowed, float("-inf"))
        att = site(p + "attn:probabilities", torch.softmax(scores, dim=-1))
        y = site(p + "attn:out", att @ v)  # (B, H, T, hd)
        y = y.permute(0, 2, 1, 3).reshape(b, t, d)  # heads concatenated in head order
        x = x + linear(y, p + "attn.c_proj")

        m = site(p + "ln_2:out", layer_norm(x, params[p + "ln_2.weight"], params[p + "ln_2.bias"], eps))
        m = site(p + "mlp:gelu", gelu_exact(linear(m, p + "mlp.c_fc")))
        x = x + linear(m, p + "mlp.c_proj")

    x = site("ln_f:out", layer_norm(x, params["ln_f.weight"], params["ln_f.bias"], eps))
    head = site("head.weight", params["wte.weight"].clone())
    return site("head:out", x @ head.transpose(0, 1))


def loss_terms(logits, tokens):
    """Per-position cross-entropy of logits[:, :T-1] against tokens[:, 1:], shape (B*(T-1),)."""
    vocab = logits.shape[-1]
    pred = logits[:, :-1, :].reshape(-1, vocab)
    target = tokens[:, 1:].reshape(-1)
    logp = pred - torch.logsumexp(pred, dim=-1, keepdim=True)
    return -logp.gather(1, target.unsqueeze(1)).squeeze(1)


# bfloat16 keeps 8 significant bits (7 stored and the implicit leading one), so rounding a real
# number x to the nearest bf16 value changes it by at most |x| * 2^-8.
BF16_UNIT_ROUNDOFF = 2.0 ** -8
# Tolerance of the Java test = BF16_LAMBDA x BF16_SECOND_ORDER x the error scale of bf16_bounds.
# Hoeffding: a sum of independent, zero-mean errors e_i with |e_i| <= a_i exceeds
# lambda * sqrt(sum a_i^2) with probability at most 2 exp(-lambda^2 / 2) = 3e-8 for lambda = 6,
# so among the ~4300 checked quantities the chance that any one exceeds is below 2e-4.
BF16_LAMBDA = 6.0
# The error scale is first order in the roundings. Products of two or more roundings are about
# K * u of it for K roundings on a path (K < 30 here: under 12%), and fp32 accumulation adds
# 2^-24 per addition (at most 128 terms: 2^-17, a 512th of one bf16 rounding); 1.25 covers both.
BF16_SECOND_ORDER = 1.25
# Formula directions along which the test also projects each tensor's gradient (i = row-major
# index within the tensor); "exact" is the float64 gradient's own direction (grad_f32).
DIRECTIONS = {
    "sin(1.7*i+0.3)": lambda i: torch.sin(1.7 * i + 0.3),
    "cos(0.9*i+1.1)": lambda i: torch.cos(0.9 * i + 1.1),
}


class SiteRecorder:
    """A forward() site hook that keeps every tensor bf16 compute would round, unchanged."""

    def __init__(self):
        self.names = []
        self.tensors = []

    def __call__(self, name, t):
        self.names.append(name)
        self.tensors.append(t)
        return t


class RoundToBf16(torch.autograd.Function):
    """Rounds the value to bf16 going forward and the incoming gradient going backward."""

    @staticmethod
    def forward(ctx, x):
        return x.to(torch.bfloat16).to(x.dtype)

    @staticmethod
    def backward(ctx, g):
        return g.to(torch.bfloat16).to(g.dtype)


def squared_weights(sensitivities, magnitudes):
    """sum over sites and elements of (sensitivity * magnitude)^2; None counts as 0."""
    total = 0.0
    for g, v in zip(sensitivities, magnitudes):
        if g is not None and v is not None:
            total += ((g * v) ** 2).sum().item()
    return total


def forward_error_scale(output, sites):
    """u * sqrt(sum_s sum_i (d output / d s_i * s_i)^2): forward roundings only."""
    grads = torch.autograd.grad(output, sites.tensors, retain_graph=True, allow_unused=True)
    return BF16_UNIT_ROUNDOFF * squared_weights(grads, sites.tensors) ** 0.5


def f32_direction(grad):
    """The gradient's direction rounded to float32, as the Java test decodes it from grad_f32."""
    return grad.detach().to(torch.float32).to(DTYPE)


def bf16_bounds(params, tokens, cfg, log):
    """Error scales of bf16 compute for the logits, the loss and projected gradients.

    Pacer's bf16 compute rounds, in the forward pass, every tensor forward() hands to site()
    (matrix-product inputs, weights, biases, products and outputs, the attention's scaled q and k,
    scores, probabilities and output, GELU's output, the logits), and in the backward pass the
    gradient arriving at each of them. Rounding x changes it by e with |e| <= u |x|, u = 2^-8.
    To first order the errors add, each weighted by the sensitivity of the checked quantity:

      logit or loss o:  o_bf16 - o = sum_s sum_i (do/ds_i) e_s,i
      gradient of tensor T projected on r, c = <dL/dT, r>: a forward rounding moves c by
        (dc/ds_i) e (second derivatives of L); a rounding e' of the gradient g_s = dL/ds arriving
        at s moves dL/dT by (ds/dT)^T e', i.e. c by <e', (ds/dT) r>.

    The error scale of each quantity is u * sqrt(sum of (weight * rounded magnitude)^2) over all
    those terms; with independent rounding errors Hoeffding's inequality turns it into the test's
    tolerance (BF16_LAMBDA). A kernel that keeps one of these tensors in fp32 only removes terms,
    so the scales hold for the fused attention kernel and for PyTorch's reference attention alike.
    """
    sites = SiteRecorder()
    logits = forward(params, tokens, cfg, sites)
    loss = loss_terms(logits, tokens).sum()
    log("bf16 bounds: %d rounded tensors in the forward pass" % len(sites.tensors))
    logit_scales = torch.zeros_like(logits)
    for idx in torch.cartesian_prod(*[torch.arange(n) for n in logits.shape]).tolist():
        logit_scales[tuple(idx)] = forward_error_scale(logits[tuple(idx)], sites)
    site_grads = torch.autograd.grad(loss, sites.tensors, retain_graph=True, allow_unused=True)
    projections = {}
    for name, _ in tensor_specs(cfg):
        theta = params[name]
        grad = torch.autograd.grad(loss, theta, create_graph=True, retain_graph=True)[0]
        # (ds/dT) r for every site s at once: differentiate the vector-Jacobian product
        # sum_s (ds/dT)^T w_s, which is linear in the w_s, along r
        ws = [torch.zeros_like(t, requires_grad=True) for t in sites.tensors]
        vjp = torch.autograd.grad(sites.tensors, theta, grad_outputs=ws, create_graph=True, retain_graph=True)[0]
        directions = {"exact": f32_direction(grad)}
        for formula, f in DIRECTIONS.items():
            directions[formula] = f(torch.arange(theta.numel(), dtype=DTYPE)).reshape(theta.shape)
        rows = []
        for label, r in directions.items():
            c = (grad * r).sum()
            forward_part = squared_weights(
                torch.autograd.grad(c, sites.tensors, retain_graph=True, allow_unused=True), sites.tensors)
            tangents = torch.autograd.grad((vjp * r).sum(), ws, retain_graph=True, allow_unused=True)
            backward_part = squared_weights(site_grads, tangents)
            rows.append({"direction": label, "value": c.item(),
                         "error_scale": BF16_UNIT_ROUNDOFF * (forward_part + backward_part) ** 0.5})
        projections[name] = rows
    return {
        "logits": logit_scales.detach().tolist(),
        "loss_sum": forward_error_scale(loss, sites),
        "gradient_projections": projections,
    }


def bf16_emulation_check(params, tokens, cfg, bounds, exact_grads, log):
    """Rounds every site to bf16 (forward value and backward gradient) in float64, as Pacer's bf16
    compute does, and checks each error against the test's tolerance (a check of the derivation
    and of this script, on a computation that is the same on every machine)."""
    for p in params.values():
        p.grad = None
    exact = forward(params, tokens, cfg).detach()
    emulated = forward(params, tokens, cfg, lambda name, t: RoundToBf16.apply(t))
    loss = loss_terms(emulated, tokens).sum()
    loss.backward()
    ratios = {"logits": ((emulated.detach() - exact).abs() / torch.tensor(bounds["logits"], dtype=DTYPE)).max().item(),
              "loss": abs(loss.item() - loss_terms(exact, tokens).sum().item()) / bounds["loss_sum"],
              "gradient projections": 0.0}
    for name, rows in bounds["gradient_projections"].items():
        g = params[name].grad
        for row in rows:
            if row["direction"] == "exact":
                r = f32_direction(exact_grads[name])
            else:
                r = DIRECTIONS[row["direction"]](torch.arange(g.numel(), dtype=DTYPE)).reshape(g.shape)
            ratios["gradient projections"] = max(
                ratios["gradient projections"], abs((g * r).sum().item() - row["value"]) / row["error_scale"])
    for p in params.values():
        p.grad = None
    log("bf16 emulation: largest |error| / error scale: "
        + ", ".join("%s %.3f" % kv for kv in ratios.items())
        + " (tolerance %.2f)" % (BF16_LAMBDA * BF16_SECOND_ORDER))
    assert max(ratios.values()) <= BF16_LAMBDA * BF16_SECOND_ORDER


def f32_base64(t):
    """Little-endian float32 values of t, row-major, base64."""
    return base64.b64encode(struct.pack("<%df" % t.numel(), *t.detach().reshape(-1).tolist())).decode("ascii")


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
    grad_l2_norm = {n: params[n].grad.norm().item() for n, _ in specs}
    grad_head = {n: params[n].grad.reshape(-1)[:GRAD_HEAD_LEN].tolist() for n, _ in specs}
    exact_grads = {n: params[n].grad.clone() for n, _ in specs}
    log = lambda s: print(s, file=sys.stderr)
    for p in params.values():
        p.grad = None
    bounds = bf16_bounds(params, tokens, cfg, log)
    if check:
        bf16_emulation_check(params, tokens, cfg, bounds, exact_grads, log)
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
        "grad_l2_norm": grad_l2_norm,
        "grad_head": grad_head,
        "grad_f32": {n: f32_base64(exact_grads[n]) for n, _ in specs},
        "bf16": {
            "description": (
                "Error scales of bf16 compute (make_gpt_golden.py, bf16_bounds): every tensor Pacer's "
                "bf16 path rounds, and every gradient arriving at one, changes by at most unit_roundoff "
                "of itself; error scale = unit_roundoff * sqrt(sum of (float64 sensitivity * rounded "
                "magnitude)^2). Tests allow lambda * second_order * error_scale. "
                "gradient_projections: value = <dL/dT, r>, r = the gradient itself as grad_f32 holds "
                "it (exact) or a formula of i, the row-major index within T."),
            "unit_roundoff": BF16_UNIT_ROUNDOFF,
            "lambda": BF16_LAMBDA,
            "second_order": BF16_SECOND_ORDER,
            "logits": bounds["logits"],
            "loss_sum": bounds["loss_sum"],
            "gradient_projections": bounds["gradient_projections"],
        },
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
