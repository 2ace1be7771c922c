#!/usr/bin/python3
"""Writes core/src/test/resources/golden/adamw.json: reference values from torch.optim.AdamW.

Rerun from the repository root (needs Debian's python3-torch, hence /usr/bin/python3):

    /usr/bin/python3 core/src/test/python/make_adamw_golden.py

Setup (mirrored exactly by dev.pacer.optim.AdamWTest, which recomputes the inputs from the
same formulas):
  * a flat vector of N = 20 float32 parameters; group "decay" = indices [0, 12) with weight_decay 0.1,
    group "no_decay" = indices [12, 20) with weight_decay 0.0;
  * betas (0.9, 0.95), eps 1e-8, amsgrad False, foreach False (single-tensor reference loop);
  * initial params p0[i] = 0.1 * sin(i + 1);
  * gradient at step t = 0..5: g_t[i] = 0.01 * cos(0.5 * i + t) * (t + 1), except
      i = 3:  large, 5.0 * (t + 1) * (-1)^t
      i = 7:  tiny,  1e-9 * cos(t)
      i = 11: zero   (only the decoupled weight decay moves it)
      i = 15: large, 20.0 * cos(t)
      i = 18: tiny,  3e-10 * (t + 1)
    each value computed in float64 and rounded once to float32;
  * learning rate set before step t: decay group 0.05 * (0.5 + 0.1 * t),
    no_decay group 0.003 * (1.0 - 0.1 * t).
"""
import json
import math
import os

import torch

N = 20
DECAY = (0, 12)      # offset, length
NO_DECAY = (12, 8)
WD_DECAY = 0.1
WD_NO_DECAY = 0.0
BETAS = (0.9, 0.95)
EPS = 1e-8
STEPS = 6


def initial_param(i):
    return 0.1 * math.sin(i + 1)


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


def lr_decay(t):
    return 0.05 * (0.5 + 0.1 * t)


def lr_no_decay(t):
    return 0.003 * (1.0 - 0.1 * t)


def f32(values):
    """float64 Python values -> list of float32 values (as exact Python floats)."""
    return torch.tensor(values, dtype=torch.float64).to(torch.float32).tolist()


def main():
    torch.set_num_threads(1)
    p0 = torch.tensor([initial_param(i) for i in range(N)], dtype=torch.float64).to(torch.float32)
    pa = torch.nn.Parameter(p0[DECAY[0]:DECAY[0] + DECAY[1]].clone())
    pb = torch.nn.Parameter(p0[NO_DECAY[0]:NO_DECAY[0] + NO_DECAY[1]].clone())
    opt = torch.optim.AdamW(
        [{"params": [pa], "weight_decay": WD_DECAY, "lr": lr_decay(0)},
         {"params": [pb], "weight_decay": WD_NO_DECAY, "lr": lr_no_decay(0)}],
        betas=BETAS, eps=EPS, amsgrad=False, foreach=False)

    grads, params_after, lrs = [], [], []
    for t in range(STEPS):
        g = torch.tensor([grad(t, i) for i in range(N)], dtype=torch.float64).to(torch.float32)
        grads.append(g.tolist())
        pa.grad = g[DECAY[0]:DECAY[0] + DECAY[1]].clone()
        pb.grad = g[NO_DECAY[0]:NO_DECAY[0] + NO_DECAY[1]].clone()
        opt.param_groups[0]["lr"] = lr_decay(t)
        opt.param_groups[1]["lr"] = lr_no_decay(t)
        lrs.append([lr_decay(t), lr_no_decay(t)])
        opt.step()
        params_after.append(torch.cat([pa.detach(), pb.detach()]).tolist())

    exp_avg = torch.cat([opt.state[pa]["exp_avg"], opt.state[pb]["exp_avg"]]).tolist()
    exp_avg_sq = torch.cat([opt.state[pa]["exp_avg_sq"], opt.state[pb]["exp_avg_sq"]]).tolist()
    out = {
        "generator": "core/src/test/python/make_adamw_golden.py",
        "torch_version": torch.__version__,
        "size": N,
        "betas": list(BETAS),
        "eps": EPS,
        "steps": STEPS,
        "groups": [
            {"name": "decay", "offset": DECAY[0], "length": DECAY[1], "weight_decay": WD_DECAY},
            {"name": "no_decay", "offset": NO_DECAY[0], "length": NO_DECAY[1], "weight_decay": WD_NO_DECAY},
        ],
        "lr": lrs,
        "initial_params": p0.tolist(),
        "grads": grads,
        "params_after_step": params_after,
        "exp_avg": exp_avg,
        "exp_avg_sq": exp_avg_sq,
    }
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                        "..", "resources", "golden", "adamw.json")
    path = os.path.normpath(path)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")
    print("wrote", path)


if __name__ == "__main__":
    main()
