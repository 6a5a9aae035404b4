# Writes optim.json: PyTorch 1.13 reference values for Mtl's optimisers, gradient clipping and lr schedules.
# Run from this folder with Debian's PyTorch: /usr/bin/python3 gen_optim.py
import json
import math

import torch

torch.set_default_dtype(torch.float64)
torch.manual_seed(1234)

SHAPES = [(3, 4), (4,)]
STEPS = 5
init = [torch.randn(s) for s in SHAPES]
# Gradient magnitudes vary between steps so AMSGrad's running maximum matters.
scales = [1.0, 0.5, 2.0, 0.3, 1.0]
grads = [[torch.randn(s) * scales[k] for s in SHAPES] for k in range(STEPS)]


def flat(t):
    return [float(x) for x in t.reshape(-1)]


# name, optimizer, defaults (Mtl option names), groups [(param indices, overrides)], skipped (step, param) grads
CASES = [
    ("sgd_momentum", "SGD", {"Lr": 0.1, "Momentum": 0.9}, [([0, 1], {})], []),
    ("sgd_nesterov_wd_groups", "SGD", {"Lr": 0.05, "Momentum": 0.9, "Nesterov": True, "WeightDecay": 0.01},
     [([0], {}), ([1], {"Lr": 0.2})], []),
    ("sgd_dampening_maximize", "SGD", {"Lr": 0.1, "Momentum": 0.8, "Dampening": 0.3, "Maximize": True}, [([0, 1], {})], []),
    ("sgd_plain_wd", "SGD", {"Lr": 0.1, "WeightDecay": 0.05}, [([0, 1], {})], []),
    ("adam", "Adam", {"Lr": 0.01}, [([0, 1], {})], []),
    ("adam_amsgrad_wd_groups", "Adam", {"Lr": 0.01, "Betas": [0.8, 0.95], "WeightDecay": 0.1, "Amsgrad": True},
     [([0], {"Lr": 0.02}), ([1], {"WeightDecay": 0.0})], []),
    ("adam_skip", "Adam", {"Lr": 0.05}, [([0, 1], {})], [(2, 1)]),
    ("adamw_groups", "AdamW", {"Lr": 0.01, "WeightDecay": 0.1}, [([0], {}), ([1], {"Lr": 0.03})], []),
    ("adamw_amsgrad_maximize", "AdamW", {"Lr": 0.02, "WeightDecay": 0.05, "Amsgrad": True, "Maximize": True}, [([0, 1], {})], []),
    ("rmsprop", "RMSprop", {"Lr": 0.01}, [([0, 1], {})], []),
    ("rmsprop_centered_momentum", "RMSprop",
     {"Lr": 0.01, "Alpha": 0.9, "Momentum": 0.5, "Centered": True, "WeightDecay": 0.01, "Eps": 1e-6},
     [([0], {"Lr": 0.005}), ([1], {})], []),
]

TORCH_NAMES = {"Lr": "lr", "WeightDecay": "weight_decay", "Maximize": "maximize", "Momentum": "momentum",
               "Dampening": "dampening", "Nesterov": "nesterov", "Betas": "betas", "Eps": "eps",
               "Amsgrad": "amsgrad", "Alpha": "alpha", "Centered": "centered"}


def torch_opts(d):
    return {TORCH_NAMES[k]: (tuple(v) if k == "Betas" else v) for k, v in d.items()}


def run_case(opt_name, defaults, groups, skipped):
    params = [t.clone().requires_grad_(True) for t in init]
    torch_groups = [dict(params=[params[i] for i in idx], **torch_opts(over)) for idx, over in groups]
    opt = getattr(torch.optim, opt_name)(torch_groups, **torch_opts(defaults))
    history = []
    for k in range(STEPS):
        for i, p in enumerate(params):
            p.grad = None if (k, i) in skipped else grads[k][i].clone()
        opt.step()
        history.append([flat(p.detach()) for p in params])
    return history


optim_cases = []
for name, opt_name, defaults, groups, skipped in CASES:
    optim_cases.append({
        "name": name, "optimizer": opt_name, "defaults": defaults,
        "groups": [{"params": idx, "overrides": over} for idx, over in groups],
        "skipped": [list(s) for s in skipped],
        "params_after_step": run_case(opt_name, defaults, groups, skipped),
    })

# Gradient clipping on the first step's gradients.
clip_cases = []
for max_norm, norm_type in [(1.0, 2.0), (100.0, 2.0), (0.5, math.inf), (2.0, 1.0), (1.5, 3.0)]:
    params = [t.clone().requires_grad_(True) for t in init]
    for p, g in zip(params, grads[0]):
        p.grad = g.clone()
    total = torch.nn.utils.clip_grad_norm_(params, max_norm, norm_type)
    clip_cases.append({"max_norm": max_norm, "norm_type": "inf" if math.isinf(norm_type) else norm_type,
                       "total_norm": float(total), "grads": [flat(p.grad) for p in params]})
params = [t.clone().requires_grad_(True) for t in init]
for p, g in zip(params, grads[0]):
    p.grad = g.clone()
torch.nn.utils.clip_grad_value_(params, 0.5)
clip_value = {"clip_value": 0.5, "grads": [flat(p.grad) for p in params]}

# Learning-rate schedules: two groups, lr recorded after construction and after each of 20 steps.
BASE_LRS = [0.1, 0.03]
SCHED_STEPS = 20
METRICS = [1.0, 0.9, 0.85, 0.86, 0.84, 0.845, 0.85, 0.7, 0.71, 0.72, 0.73, 0.69, 0.695, 0.7, 0.5, 0.51, 0.52, 0.53, 0.54, 0.55]


def sched_opt():
    ps = [torch.zeros(1, requires_grad=True), torch.zeros(1, requires_grad=True)]
    return torch.optim.SGD([{"params": [ps[0]], "lr": BASE_LRS[0]}, {"params": [ps[1]], "lr": BASE_LRS[1]}], lr=1.0)


def record(make, metrics=None):
    opt = sched_opt()
    sched = make(opt)
    lrs = [[g["lr"] for g in opt.param_groups]]
    for k in range(SCHED_STEPS):
        opt.step()
        if metrics is None:
            sched.step()
        else:
            sched.step(metrics[k])
        lrs.append([g["lr"] for g in opt.param_groups])
    return lrs


S = torch.optim.lr_scheduler
schedules = {
    "step": {"args": {"step_size": 3, "gamma": 0.5}, "lrs": record(lambda o: S.StepLR(o, 3, 0.5))},
    "multistep": {"args": {"milestones": [2, 5, 5, 9], "gamma": 0.3}, "lrs": record(lambda o: S.MultiStepLR(o, [2, 5, 5, 9], 0.3))},
    "exponential": {"args": {"gamma": 0.9}, "lrs": record(lambda o: S.ExponentialLR(o, 0.9))},
    "cosine": {"args": {"t_max": 8, "eta_min": 0.001}, "lrs": record(lambda o: S.CosineAnnealingLR(o, 8, 0.001))},
    "linear": {"args": {"start_factor": 0.25, "total_iters": 5}, "lrs": record(lambda o: S.LinearLR(o, 0.25, total_iters=5))},
    "warmup_cosine": {
        "args": {"warmup": 4, "start_factor": 0.1, "t_max": 12, "eta_min": 1e-4},
        "lrs": record(lambda o: S.SequentialLR(o, [S.LinearLR(o, 0.1, total_iters=4), S.CosineAnnealingLR(o, 12, 1e-4)], [4])),
    },
    "plateau_min": {
        "args": {"factor": 0.5, "patience": 2, "threshold": 0.01, "cooldown": 1, "min_lr": [0.02, 0.01]},
        "metrics": METRICS,
        "lrs": record(lambda o: S.ReduceLROnPlateau(o, "min", 0.5, 2, 0.01, "rel", 1, [0.02, 0.01]), METRICS),
    },
    "plateau_max_abs": {
        "args": {"factor": 0.3, "patience": 1, "threshold": 0.05, "cooldown": 0, "min_lr": [0.005]},
        "metrics": METRICS,
        "lrs": record(lambda o: S.ReduceLROnPlateau(o, "max", 0.3, 1, 0.05, "abs", 0, 0.005), METRICS),
    },
}

out = {
    "torch_version": torch.__version__,
    "shapes": [list(s) for s in SHAPES],
    "init": [flat(t) for t in init],
    "grads": [[flat(g) for g in step] for step in grads],
    "optimizers": optim_cases,
    "clip_grad_norm": clip_cases,
    "clip_grad_value": clip_value,
    "schedule_base_lrs": BASE_LRS,
    "schedules": schedules,
}
with open("optim.json", "w") as f:
    json.dump(out, f, indent=1)
