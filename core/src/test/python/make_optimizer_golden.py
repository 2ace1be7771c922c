#!/usr/bin/python3
"""Writes core/src/test/resources/golden/optimizers.json: reference trajectories of Pacer's optimizers
(all but AdamW and SGD, which are checked against torch itself), computed independently of the Java code
from the published update rules.

Rerun from the repository root (standard library only; any Python 3.8+):

    python3 core/src/test/python/make_optimizer_golden.py

Sources of each rule (see docs/optimizers.md):
  lion        Chen et al. 2023, "Symbolic Discovery of Optimization Algorithms", Algorithm 2
  adabelief   Zhuang et al. 2020, Algorithm 2, as adabelief-pytorch 0.2 (eps inside the variance,
              decoupled decay, RAdam rectification with momentum-only steps while rho_t < 5)
  adan        Xie et al. 2022, Algorithm 1 (no restart), as the official code (betas as decay factors,
              proximal decay)
  lamb        You et al. 2020, Algorithm 2 (phi = identity)
  diffgrad    Dubey et al. 2020, as the corrected official code; decoupled decay
  adamp       Heo et al. 2021, Algorithm 2, as the official code (row test, then tensor test)
  sgd_sai     Xu et al. 2024, Algorithm 1 (normalised g-SNR) and the official code's raw g-SNR
  prodigy     Mishchenko & Defazio 2024, "Prodigy (Adam version)", as prodigyopt 1.0 (old d in the step size, new d
              in the eps term); per-tensor learning rates enter through each tensor's own d*lr
  schedule_free  Defazio et al. 2024, Algorithm 1, as AdamWScheduleFreeReference 1.3 (decay at y)

Numerics: every element's update is computed in float64 (Python floats); what an optimizer stores between
steps (weights and state vectors, and the scalars d, d_max, d_numerator, lr scales, lr_max, weight sums) is
rounded to float32 when stored, as Pacer stores it. Inputs (initial weights, gradients) are float32 values.

Problems: "std" is a flat vector of 20 weights in two tensors, "matrix" [0, 12) of shape (3, 4) with weight
decay wd_a and "vector" [12, 20) of shape (8,) with no decay; the learning rates change every step and
differ between the tensors. The gradients mix ordinary values with large, tiny, alternating and zero
entries. "quadratic" (Prodigy) has the same tensors, with the gradient of a fixed quadratic at the
current weights, so that successive gradients agree. "adamp" has four tensors whose gradients are built each step from the current weights so that
AdamP's scale-invariance test fires on the rows of one, on the whole of another, and on neither of a third.
"""
import json
import math
import os
import struct

STEPS = 8


def f32(x):
    return struct.unpack("f", struct.pack("f", x))[0]


def f32v(xs):
    return [f32(x) for x in xs]


def sign(x):
    return (x > 0) - (x < 0)


# ---------------------------------------------------------------- problems

def std_problem(la, lb, wd_a):
    n = 20
    p0 = f32v([0.1 * math.sin(i + 1) for i in range(n)])

    def grad(t, i):
        if i == 3:
            return 5.0 * (t + 1) * (-1.0) ** t
        if i == 7:
            return 1e-9 * math.cos(t)
        if i == 11:
            return 0.0
        if i == 15:
            return 20.0 * math.cos(t)
        if i == 18:
            return 3e-10 * (t + 1)
        return 0.01 * math.cos(0.5 * i + t) * (t + 1)

    grads = [f32v([grad(t, i) for i in range(n)]) for t in range(STEPS)]
    slices = [
        {"name": "matrix", "offset": 0, "length": 12, "shape": [3, 4], "wd": wd_a},
        {"name": "vector", "offset": 12, "length": 8, "shape": [8], "wd": 0.0},
    ]
    lrs = [[la * (0.5 + 0.1 * t), lb * (1.0 - 0.1 * t)] for t in range(STEPS)]
    return {"size": n, "initial_params": p0, "slices": slices, "lr": lrs,
            "grad_fn": lambda t, w: grads[t]}


def quadratic_problem(la, lb, wd_a):
    """The two tensors of "std", but the gradient is that of a fixed quadratic at the current weights,
    g_i = a_i (w_i - c_i), so that successive gradients agree and Prodigy's estimate d grows."""
    prob = std_problem(la, lb, wd_a)
    n = prob["size"]
    a = [0.5 + 1.5 * ((i * 7) % 5) / 4 for i in range(n)]
    c = [0.3 * math.cos(2.0 * i) for i in range(n)]
    prob["grad_fn"] = lambda t, w: f32v([a[i] * (w[i] - c[i]) for i in range(n)])
    return prob


def adamp_problem(la, lb, wd):
    """Tensors: "rows" (3, 4): gradient orthogonal to each row of the weights (row test fires);
    "whole" (2, 4): each row's gradient parallel to its weights with opposite signs, so that the
    whole-tensor cosine is 0 (row test fails, tensor test fires); "plain" (2, 3): gradient with a large
    component along the weights (no test fires); "bias" (4,): rank 1, never projected."""
    n = 12 + 8 + 6 + 4
    p0 = f32v([0.2 * math.sin(1.3 * i + 0.4) + 0.05 for i in range(n)])
    slices = [
        {"name": "rows", "offset": 0, "length": 12, "shape": [3, 4], "wd": wd},
        {"name": "whole", "offset": 12, "length": 8, "shape": [2, 4], "wd": wd},
        {"name": "plain", "offset": 20, "length": 6, "shape": [2, 3], "wd": wd},
        {"name": "bias", "offset": 26, "length": 4, "shape": [4], "wd": 0.0},
    ]
    lrs = [[la * (0.5 + 0.1 * t)] * 3 + [lb * (1.0 - 0.1 * t)] for t in range(STEPS)]

    def grad_fn(t, w):
        g = [0.0] * n
        # rows: h minus its projection on the row of w
        for r in range(3):
            idx = range(4 * r, 4 * r + 4)
            h = [0.03 * math.cos(0.7 * i + t) * (t + 1) for i in idx]
            pw = [w[i] for i in idx]
            coef = sum(a * b for a, b in zip(h, pw)) / sum(b * b for b in pw)
            for k, i in enumerate(idx):
                g[i] = h[k] - coef * pw[k]
        # whole: g_row = s_r * w_row / ||w_row||^2 with s = (+1, -1): <g, w> = 0 overall
        for r, sgn in ((0, 1.0), (1, -1.0)):
            idx = range(12 + 4 * r, 12 + 4 * r + 4)
            pw = [w[i] for i in idx]
            nn = sum(b * b for b in pw)
            for k, i in enumerate(idx):
                g[i] = sgn * 0.02 * (t + 1) * pw[k] / nn
        for i in range(20, 26):
            g[i] = 0.5 * w[i] + 0.01 * math.sin(i + t)
        for i in range(26, 30):
            g[i] = 0.02 * math.cos(i - t)
        return f32v(g)

    return {"size": n, "initial_params": p0, "slices": slices, "lr": lrs, "grad_fn": grad_fn}


# ---------------------------------------------------------------- update rules
# Each rule: init(size) -> state dict; step(state, w, g, slices, lrs, t) -> new w (float64 list);
# it rounds what it stores. t starts at 1.

def idx(s):
    return range(s["offset"], s["offset"] + s["length"])


def lion(b1, b2):
    def init(n):
        return {"exp_avg": [0.0] * n}

    def step(st, w, g, slices, lrs, t):
        m = st["exp_avg"]
        w = list(w)
        for s, lr in zip(slices, lrs):
            for i in idx(s):
                c = b1 * m[i] + (1 - b1) * g[i]
                assert g[i] == 0 or abs(c) > 1e-4 * abs(g[i]), ("Lion sign too close to 0", i, c)
                w[i] = w[i] * (1 - lr * s["wd"]) - lr * sign(c)
                m[i] = f32(b2 * m[i] + (1 - b2) * g[i])
        return w
    return init, step


def adabelief(b1, b2, eps, rectify):
    def init(n):
        return {"exp_avg": [0.0] * n, "exp_avg_var": [0.0] * n}

    def step(st, w, g, slices, lrs, t):
        m, s_ = st["exp_avg"], st["exp_avg_var"]
        bc1, bc2 = 1 - b1 ** t, 1 - b2 ** t
        rho_inf = 2 / (1 - b2) - 1
        rho_t = rho_inf - 2 * t * b2 ** t / bc2
        w = list(w)
        for s, lr in zip(slices, lrs):
            for i in idx(s):
                mi = b1 * m[i] + (1 - b1) * g[i]
                si = b2 * s_[i] + (1 - b2) * (g[i] - mi) ** 2 + eps
                m[i], s_[i] = f32(mi), f32(si)
                p = w[i] * (1 - lr * s["wd"])
                if not rectify:
                    p -= lr * (mi / bc1) / (math.sqrt(si / bc2) + eps)
                elif rho_t >= 5:
                    r = math.sqrt(bc2 * (rho_t - 4) * (rho_t - 2) * rho_inf
                                  / ((rho_inf - 4) * (rho_inf - 2) * rho_t)) / bc1
                    p -= lr * r * mi / (math.sqrt(si) + eps)
                else:
                    p -= lr * mi / bc1
                w[i] = p
        return w
    return init, step


def adan(b1, b2, b3, eps):
    def init(n):
        return {"exp_avg": [0.0] * n, "exp_avg_diff": [0.0] * n, "exp_avg_sq": [0.0] * n,
                "prev_grad": [0.0] * n}

    def step(st, w, g, slices, lrs, t):
        m, d, nn, prev = st["exp_avg"], st["exp_avg_diff"], st["exp_avg_sq"], st["prev_grad"]
        bc1, bc2, bc3 = 1 - b1 ** t, 1 - b2 ** t, 1 - b3 ** t
        w = list(w)
        for s, lr in zip(slices, lrs):
            for i in idx(s):
                diff = 0.0 if t == 1 else g[i] - prev[i]
                mi = b1 * m[i] + (1 - b1) * g[i]
                di = b2 * d[i] + (1 - b2) * diff
                ni = b3 * nn[i] + (1 - b3) * (g[i] + b2 * diff) ** 2
                m[i], d[i], nn[i], prev[i] = f32(mi), f32(di), f32(ni), g[i]
                denom = math.sqrt(ni / bc3) + eps
                w[i] = (w[i] - lr * (mi / bc1) / denom - lr * b2 * (di / bc2) / denom) / (1 + lr * s["wd"])
        return w
    return init, step


def lamb(b1, b2, eps, log):
    def init(n):
        return {"exp_avg": [0.0] * n, "exp_avg_sq": [0.0] * n}

    def step(st, w, g, slices, lrs, t):
        m, v = st["exp_avg"], st["exp_avg_sq"]
        bc1, bc2 = 1 - b1 ** t, 1 - b2 ** t
        w = list(w)
        ratios = []
        for s, lr in zip(slices, lrs):
            u = {}
            for i in idx(s):
                mi = b1 * m[i] + (1 - b1) * g[i]
                vi = b2 * v[i] + (1 - b2) * g[i] ** 2
                m[i], v[i] = f32(mi), f32(vi)
                u[i] = (mi / bc1) / (math.sqrt(vi / bc2) + eps) + s["wd"] * w[i]
            wn = math.sqrt(sum(w[i] ** 2 for i in idx(s)))
            un = math.sqrt(sum(x * x for x in u.values()))
            tau = wn / un if wn > 0 and un > 0 else 1.0
            ratios.append(tau)
            for i in idx(s):
                w[i] -= lr * tau * u[i]
        log.append(ratios)
        return w
    return init, step


def diffgrad(b1, b2, eps):
    def init(n):
        return {"exp_avg": [0.0] * n, "exp_avg_sq": [0.0] * n, "previous_grad": [0.0] * n}

    def step(st, w, g, slices, lrs, t):
        m, v, prev = st["exp_avg"], st["exp_avg_sq"], st["previous_grad"]
        bc1, bc2 = 1 - b1 ** t, 1 - b2 ** t
        w = list(w)
        for s, lr in zip(slices, lrs):
            for i in idx(s):
                mi = b1 * m[i] + (1 - b1) * g[i]
                vi = b2 * v[i] + (1 - b2) * g[i] ** 2
                xi = 1 / (1 + math.exp(-abs(prev[i] - g[i])))
                m[i], v[i], prev[i] = f32(mi), f32(vi), g[i]
                w[i] = w[i] * (1 - lr * s["wd"]) - lr * math.sqrt(bc2) / bc1 * xi * mi / (math.sqrt(vi) + eps)
        return w
    return init, step


def adamp(b1, b2, eps, delta, wd_ratio, nesterov, log):
    def init(n):
        return {"exp_avg": [0.0] * n, "exp_avg_sq": [0.0] * n}

    def cos(a, b):
        dot = sum(x * y for x, y in zip(a, b))
        na = math.sqrt(sum(x * x for x in a))
        nb = math.sqrt(sum(y * y for y in b))
        return abs(dot) / (max(na, eps) * max(nb, eps))

    def project(q, p):
        norm = math.sqrt(sum(x * x for x in p)) + eps
        unit = [x / norm for x in p]
        dot = sum(a * b for a, b in zip(unit, q))
        return [qi - ui * dot for qi, ui in zip(q, unit)]

    def step(st, w, g, slices, lrs, t):
        m, v = st["exp_avg"], st["exp_avg_sq"]
        bc1, bc2 = 1 - b1 ** t, 1 - b2 ** t
        w = list(w)
        kinds = []
        for s, lr in zip(slices, lrs):
            ii = list(idx(s))
            q = []
            for i in ii:
                mi = b1 * m[i] + (1 - b1) * g[i]
                vi = b2 * v[i] + (1 - b2) * g[i] ** 2
                m[i], v[i] = f32(mi), f32(vi)
                num = b1 * mi + (1 - b1) * g[i] if nesterov else mi
                q.append(num / (math.sqrt(vi) / math.sqrt(bc2) + eps))
            kind, ratio = "none", 1.0
            if len(s["shape"]) >= 2:
                rows = s["shape"][0]
                cols = s["length"] // rows
                pw = [w[i] for i in ii]
                gw = [g[i] for i in ii]
                row_cos = max(cos(gw[r * cols:(r + 1) * cols], pw[r * cols:(r + 1) * cols]) for r in range(rows))
                if row_cos < delta / math.sqrt(cols):
                    q = sum((project(q[r * cols:(r + 1) * cols], pw[r * cols:(r + 1) * cols])
                             for r in range(rows)), [])
                    kind, ratio = "channel", wd_ratio
                elif cos(gw, pw) < delta / math.sqrt(s["length"]):
                    q = project(q, pw)
                    kind, ratio = "layer", wd_ratio
            kinds.append(kind)
            for k, i in enumerate(ii):
                w[i] = w[i] * (1 - lr * s["wd"] * ratio) - lr / bc1 * q[k]
        log.append(kinds)
        return w
    return init, step


def sgd_sai(mu, eps, normalize, log):
    def init(n):
        return {"momentum_buffer": [0.0] * n, "scales": None}

    def step(st, w, g, slices, lrs, t):
        buf = st["momentum_buffer"]
        if t == 1:
            snr = []
            for s in slices:
                gs = [g[i] for i in idx(s)]
                n = len(gs)
                mean = sum(gs) / n
                std = math.sqrt(sum((x - mean) ** 2 for x in gs) / (n - 1)) if n > 1 else 0.0
                snr.append(math.sqrt(sum(x * x for x in gs)) / (std + eps))
            top = max(snr)
            st["scales"] = [f32(x / top if normalize else x) for x in snr]
            log.extend(st["scales"])
        w = list(w)
        for s, lr, scale in zip(slices, lrs, st["scales"]):
            for i in idx(s):
                b = g[i] if t == 1 else mu * buf[i] + (1 - mu) * g[i]
                buf[i] = f32(b)
                w[i] = w[i] * (1 - lr * s["wd"]) - lr * scale * b
        return w
    return init, step


def prodigy(b1, b2, b3, eps, d0, d_coef, growth, bias_correction, safeguard, log):
    if b3 is None:
        b3 = math.sqrt(b2)

    def init(n):
        return {"exp_avg": [0.0] * n, "exp_avg_sq": [0.0] * n, "s": [0.0] * n, "p0": [0.0] * n,
                "d": f32(d0), "d_max": f32(d0), "d_numerator": 0.0}

    def step(st, w, g, slices, lrs, t):
        m, v, s_, p0 = st["exp_avg"], st["exp_avg_sq"], st["s"], st["p0"]
        if t == 1:
            p0[:] = list(w)
        d = st["d"]
        bc = math.sqrt(1 - b2 ** t) / (1 - b1 ** t) if bias_correction else 1.0
        num = b3 * st["d_numerator"]
        den = 0.0
        for s, lr in zip(slices, lrs):
            if lr == 0:
                continue
            dlr = d * lr * bc
            num += (d / d0) * dlr * sum(g[i] * (p0[i] - w[i]) for i in idx(s))
            for i in idx(s):
                m[i] = f32(b1 * m[i] + (1 - b1) * d * g[i])
                v[i] = f32(b2 * v[i] + (1 - b2) * d * d * g[i] ** 2)
                s_[i] = f32(b3 * s_[i] + (d / d0) * (d if safeguard else dlr) * g[i])
                den += abs(s_[i])
        if den > 0:
            d_hat = d_coef * num / den
            d_new = max(d, d_hat) if d == f32(d0) else d
            d_max = max(st["d_max"], d_hat)
            d_new = min(d_max, d_new * growth)
            st["d"], st["d_max"], st["d_numerator"] = f32(d_new), f32(d_max), f32(num)
        log.append(st["d"])
        w = list(w)
        for s, lr in zip(slices, lrs):
            if lr == 0:
                continue
            dlr = d * lr * bc
            for i in idx(s):
                w[i] = w[i] * (1 - s["wd"] * dlr) - dlr * m[i] / (math.sqrt(v[i]) + st["d"] * eps)
        return w
    return init, step


def schedule_free(b1, b2, eps, r, power, log):
    def init(n):
        return {"z": None, "exp_avg_sq": [0.0] * n, "x": None, "lr_max": None, "weight_sum": None}

    def step(st, w, g, slices, lrs, t):
        if t == 1:
            st["z"], st["x"] = list(w), list(w)
            st["lr_max"], st["weight_sum"] = [0.0] * len(slices), [0.0] * len(slices)
        z, x, v = st["z"], st["x"], st["exp_avg_sq"]
        bc2 = 1 - b2 ** t
        y = list(w)
        for k, (s, lr) in enumerate(zip(slices, lrs)):
            st["lr_max"][k] = f32(max(st["lr_max"][k], lr))
            weight = t ** r * st["lr_max"][k] ** power
            st["weight_sum"][k] = f32(st["weight_sum"][k] + weight)
            c = weight / st["weight_sum"][k] if st["weight_sum"][k] > 0 else 0.0
            for i in idx(s):
                v[i] = f32(b2 * v[i] + (1 - b2) * g[i] ** 2)
                z[i] = f32(z[i] - lr * (g[i] / (math.sqrt(v[i] / bc2) + eps) + s["wd"] * w[i]))
                x[i] = f32((1 - c) * x[i] + c * z[i])
                y[i] = (1 - b1) * z[i] + b1 * x[i]
        log.append(list(x))
        return y
    return init, step


# ---------------------------------------------------------------- driver

def run(case):
    prob = case["problem"]
    init, step = case["rule"]
    n = prob["size"]
    st = init(n)
    w = list(prob["initial_params"])
    grads, after = [], []
    for t in range(STEPS):
        g = prob["grad_fn"](t, w)
        grads.append(g)
        w = f32v(step(st, w, g, prob["slices"], prob["lr"][t], t + 1))
        after.append(w)
    state = {}
    for name, val in st.items():
        if isinstance(val, list) and len(val) == n and name != "x":
            state[name] = f32v(val)
    # per-run and per-tensor scalars, written as Pacer's checkpoints hold them
    for name in ("d", "d_max", "d_numerator"):
        if name in st:
            state[name] = [st[name]] * n
    for name in ("lr_max", "weight_sum"):
        if name in st:
            vec = [0.0] * n
            for s, val in zip(prob["slices"], st[name]):
                for i in idx(s):
                    vec[i] = val
            state[name] = vec
    if st.get("scales") is not None:
        vec = [0.0] * n
        for s, val in zip(prob["slices"], st["scales"]):
            for i in idx(s):
                vec[i] = val
        state["lr_scale"] = vec
    out = {
        "optimizer": case["optimizer"],
        "hyper": case["hyper"],
        "size": n,
        "steps": STEPS,
        "slices": [{k: s[k] for k in ("name", "offset", "length", "shape")} | {"weight_decay": s["wd"]}
                   for s in prob["slices"]],
        "lr": prob["lr"],
        "initial_params": prob["initial_params"],
        "grads": grads,
        "params_after_step": after,
        "state": state,
    }
    out.update(case.get("extra", {}))
    return out


def main():
    cases = {}

    def add(name, optimizer, hyper, problem, rule, **extra):
        cases[name] = {"optimizer": optimizer, "hyper": hyper, "problem": problem, "rule": rule, "extra": extra}

    add("lion", "lion", {"beta1": 0.9, "beta2": 0.99}, std_problem(1e-3, 3e-4, 0.5), lion(0.9, 0.99))
    add("adabelief", "adabelief", {"beta1": 0.9, "beta2": 0.999, "eps": 1e-16, "rectify": True},
        std_problem(1e-2, 3e-3, 0.1), adabelief(0.9, 0.999, 1e-16, True))
    add("adabelief_plain", "adabelief", {"beta1": 0.9, "beta2": 0.99, "eps": 1e-16, "rectify": False},
        std_problem(1e-2, 3e-3, 0.1), adabelief(0.9, 0.99, 1e-16, False))
    add("adan", "adan", {"beta1": 0.98, "beta2": 0.92, "beta3": 0.99, "eps": 1e-8},
        std_problem(1e-2, 3e-3, 0.02), adan(0.98, 0.92, 0.99, 1e-8))
    lamb_log = []
    add("lamb", "lamb", {"beta1": 0.9, "beta2": 0.999, "eps": 1e-6}, std_problem(1e-2, 3e-3, 0.01),
        lamb(0.9, 0.999, 1e-6, lamb_log), trust_ratios=lamb_log)
    add("diffgrad", "diffgrad", {"beta1": 0.9, "beta2": 0.999, "eps": 1e-8}, std_problem(1e-2, 3e-3, 0.1),
        diffgrad(0.9, 0.999, 1e-8))
    for nesterov in (False, True):
        log = []
        add("adamp_nesterov" if nesterov else "adamp", "adamp",
            {"beta1": 0.9, "beta2": 0.999, "eps": 1e-8, "delta": 0.1, "wd_ratio": 0.1, "nesterov": nesterov},
            adamp_problem(1e-2, 3e-3, 0.1), adamp(0.9, 0.999, 1e-8, 0.1, 0.1, nesterov, log), projections=log)
    for normalize, la in ((True, 1e-2), (False, 1e-3)):
        log = []
        add("sgd_sai" if normalize else "sgd_sai_raw", "sgd-sai",
            {"momentum": 0.9, "eps": 1e-8, "normalize": normalize},
            std_problem(la, la * 0.3, 0.01), sgd_sai(0.9, 1e-8, normalize, log), scales=log)
    log = []
    add("prodigy", "prodigy",
        {"beta1": 0.9, "beta2": 0.999, "beta3": None, "eps": 1e-8, "d0": 1e-6, "d_coef": 1.0,
         "growth_rate": "inf", "bias_correction": False, "safeguard_warmup": False},
        quadratic_problem(1.0, 0.5, 0.1),
        prodigy(0.9, 0.999, None, 1e-8, 1e-6, 1.0, math.inf, False, False, log), d_after_step=log)
    log = []
    add("prodigy_safeguard", "prodigy",
        {"beta1": 0.9, "beta2": 0.99, "beta3": 0.98, "eps": 1e-8, "d0": 1e-5, "d_coef": 5.0,
         "growth_rate": 1.5, "bias_correction": True, "safeguard_warmup": True},
        quadratic_problem(1.0, 0.5, 0.1),
        prodigy(0.9, 0.99, 0.98, 1e-8, 1e-5, 5.0, 1.5, True, True, log), d_after_step=log)
    for name, r, power in (("schedule_free", 0.0, 2.0), ("schedule_free_r", 0.5, 1.0)):
        log = []
        add(name, "schedule-free-adamw",
            {"beta1": 0.9, "beta2": 0.999, "eps": 1e-8, "r": r, "weight_lr_power": power},
            std_problem(2.5e-3, 1e-3, 0.1), schedule_free(0.9, 0.999, 1e-8, r, power, log), eval_after_step=log)

    out = {"generator": "core/src/test/python/make_optimizer_golden.py",
           "cases": {name: run(case) for name, case in cases.items()}}
    # x (schedule-free's averaged point) is logged as float32 already; round the other logs' floats
    path = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                         "..", "resources", "golden", "optimizers.json"))
    with open(path, "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")
    print("wrote", path)


if __name__ == "__main__":
    main()
