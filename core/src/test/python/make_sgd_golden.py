#!/usr/bin/python3
"""Writes core/src/test/resources/golden/sgd.json: reference values from torch.optim.SGD.

Rerun from the repository root (needs Debian's python3-torch, hence /usr/bin/python3):

    /usr/bin/python3 core/src/test/python/make_sgd_golden.py

Setup (the inputs are stored in the file; dev.pacer.optim.SgdMomentumTest reads them):
  * a flat vector of N = 20 float32 parameters; group "decay" = indices [0, 12) with weight_decay 0.1,
    group "no_decay" = indices [12, 20) with weight_decay 0.0 (torch's weight decay: an L2 term added to the
    gradient before the momentum buffer);
  * initial params p0[i] = 0.1 * sin(i + 1);
  * gradient at step t = 0..5: g_t[i] = 0.01 * cos(0.5 * i + t) * (t + 1), except i = 3 (large, alternating),
    7 (tiny), 11 (zero), 15 (large), 18 (tiny), as make_adamw_golden.py;
  * learning rate before step t: decay group 0.05 * (0.5 + 0.1 * t), no_decay group 0.003 * (1.0 - 0.1 * t);
  * cases: heavy-ball momentum 0.9; Nesterov momentum 0.9; momentum 0.8 with dampening 0.5; all with
    foreach False (the single-tensor reference loop), maximize False.
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
STEPS = 6
CASES = {
    "momentum": {"momentum": 0.9, "dampening": 0.0, "nesterov": False},
    "nesterov": {"momentum": 0.9, "dampening": 0.0, "nesterov": True},
    "dampening": {"momentum": 0.8, "dampening": 0.5, "nesterov": False},
}


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


def run(hyper):
    p0 = torch.tensor([initial_param(i) for i in range(N)], dtype=torch.float64).to(torch.float32)
    pa = torch.nn.Parameter(p0[DECAY[0]:DECAY[0] + DECAY[1]].clone())
    pb = torch.nn.Parameter(p0[NO_DECAY[0]:NO_DECAY[0] + NO_DECAY[1]].clone())
    opt = torch.optim.SGD(
        [{"params": [pa], "weight_decay": WD_DECAY, "lr": lr_decay(0)},
         {"params": [pb], "weight_decay": WD_NO_DECAY, "lr": lr_no_decay(0)}],
        lr=lr_decay(0), foreach=False, maximize=False, **hyper)
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
    buf = torch.cat([opt.state[pa]["momentum_buffer"], opt.state[pb]["momentum_buffer"]]).tolist()
    return {
        "hyper": hyper,
        "lr": lrs,
        "initial_params": p0.tolist(),
        "grads": grads,
        "params_after_step": params_after,
        "momentum_buffer": buf,
    }


def main():
    torch.set_num_threads(1)
    out = {
        "generator": "core/src/test/python/make_sgd_golden.py",
        "torch_version": torch.__version__,
        "size": N,
        "steps": STEPS,
        "groups": [
            {"name": "decay", "offset": DECAY[0], "length": DECAY[1], "weight_decay": WD_DECAY},
            {"name": "no_decay", "offset": NO_DECAY[0], "length": NO_DECAY[1], "weight_decay": WD_NO_DECAY},
        ],
        "cases": {name: run(hyper) for name, hyper in CASES.items()},
    }
    path = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                         "..", "resources", "golden", "sgd.json"))
    with open(path, "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")
    print("wrote", path)


if __name__ == "__main__":
    main()
