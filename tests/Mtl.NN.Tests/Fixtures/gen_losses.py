# Writes losses.json: PyTorch reference values and gradients for every loss/option case. Run: /usr/bin/python3 gen_losses.py
import json
import os

import torch
import torch.nn.functional as F

torch.manual_seed(1234)
cases = []


def enc(t):
    t = t.detach()
    dtype = "i32" if t.dtype in (torch.int64, torch.int32) else "f32"
    return {"shape": list(t.shape), "dtype": dtype, "data": t.reshape(-1).tolist()}


def add(name, loss, fn, tensors, options, grad_of=("input",)):
    """fn(**tensors) -> output; gradients of sum(output * proj) w.r.t. the tensors named in grad_of."""
    leaves = {}
    for k, v in tensors.items():
        v = v.detach().clone()
        if k in grad_of:
            v.requires_grad_(True)
        leaves[k] = v
    out = fn(**leaves)
    proj = torch.randn(out.shape)
    (out * proj).sum().backward()
    cases.append({
        "name": name,
        "loss": loss,
        "options": options,
        "tensors": {k: enc(v) for k, v in leaves.items()},
        "proj": enc(proj),
        "output": enc(out),
        "grads": {k: enc(leaves[k].grad) for k in grad_of},
    })


RED = ["mean", "sum", "none"]


def red_name(r):
    return {"mean": "Mean", "sum": "Sum", "none": "None", "batchmean": "BatchMean"}[r]


# ---- cross entropy, class indices ----
def ce(**o):
    def f(input, target, weight=None):
        return F.cross_entropy(input, target, weight=weight, ignore_index=o.get("ignore_index", -100),
                               label_smoothing=o.get("label_smoothing", 0.0), reduction=o["reduction"])
    return f


def ce_opts(**o):
    return {"ignoreIndex": o.get("ignore_index", -100), "labelSmoothing": o.get("label_smoothing", 0.0),
            "reduction": red_name(o["reduction"])}


N, C = 7, 5
x = torch.randn(N, C) * 2
t = torch.randint(0, C, (N,))
t_ign = t.clone()
t_ign[[1, 4]] = -100
w = torch.rand(C) + 0.25
for r in RED:
    add(f"ce_{r}", "cross_entropy", ce(reduction=r), {"input": x, "target": t}, ce_opts(reduction=r))
    add(f"ce_weight_{r}", "cross_entropy", ce(reduction=r), {"input": x, "target": t, "weight": w}, ce_opts(reduction=r))
    add(f"ce_ignore_{r}", "cross_entropy", ce(reduction=r), {"input": x, "target": t_ign}, ce_opts(reduction=r))
    add(f"ce_smooth_{r}", "cross_entropy", ce(reduction=r, label_smoothing=0.15), {"input": x, "target": t},
        ce_opts(reduction=r, label_smoothing=0.15))
    add(f"ce_smooth_weight_ignore_{r}", "cross_entropy", ce(reduction=r, label_smoothing=0.2),
        {"input": x, "target": t_ign, "weight": w}, ce_opts(reduction=r, label_smoothing=0.2))
    add(f"ce_smooth_ignore_{r}", "cross_entropy", ce(reduction=r, label_smoothing=0.3),
        {"input": x, "target": t_ign}, ce_opts(reduction=r, label_smoothing=0.3))
# a custom ignore index that is a real class
add("ce_ignore_class2_weight_mean", "cross_entropy", ce(reduction="mean", ignore_index=2),
    {"input": x, "target": t, "weight": w}, ce_opts(reduction="mean", ignore_index=2))
# spatial (N, C, H, W)
xs = torch.randn(2, 4, 3, 2)
ts = torch.randint(0, 4, (2, 3, 2))
ts[0, 1, 1] = -100
ts[1, 2, 0] = -100
ws = torch.rand(4) + 0.5
for r in RED:
    add(f"ce_spatial_smooth_weight_ignore_{r}", "cross_entropy", ce(reduction=r, label_smoothing=0.1),
        {"input": xs, "target": ts, "weight": ws}, ce_opts(reduction=r, label_smoothing=0.1))
add("ce_spatial_mean", "cross_entropy", ce(reduction="mean"), {"input": xs, "target": ts}, ce_opts(reduction="mean"))
# unbatched (C) with a 0-d target, and a wide row (C past the vector widths)
add("ce_unbatched_smooth", "cross_entropy", ce(reduction="mean", label_smoothing=0.1),
    {"input": torch.randn(6), "target": torch.tensor(3)}, ce_opts(reduction="mean", label_smoothing=0.1))
add("ce_wide_weight_smooth_sum", "cross_entropy", ce(reduction="sum", label_smoothing=0.05),
    {"input": torch.randn(3, 37) * 3, "target": torch.tensor([0, 36, 17]), "weight": torch.rand(37) + 0.1},
    ce_opts(reduction="sum", label_smoothing=0.05))
# large logits (stability)
add("ce_large_logits", "cross_entropy", ce(reduction="mean"),
    {"input": torch.tensor([[100.0, -100.0, 50.0], [-80.0, 90.0, 89.0]]), "target": torch.tensor([2, 1])},
    ce_opts(reduction="mean"))

# ---- cross entropy, class probabilities ----
p = torch.softmax(torch.randn(N, C), 1)
for r in RED:
    add(f"ce_prob_{r}", "cross_entropy", ce(reduction=r), {"input": x, "target": p}, ce_opts(reduction=r),
        grad_of=("input", "target"))
    add(f"ce_prob_smooth_weight_{r}", "cross_entropy", ce(reduction=r, label_smoothing=0.25),
        {"input": x, "target": p, "weight": w}, ce_opts(reduction=r, label_smoothing=0.25), grad_of=("input", "target"))
ps = torch.softmax(torch.randn(2, 4, 3, 2), 1)
add("ce_prob_spatial_mean", "cross_entropy", ce(reduction="mean"), {"input": xs, "target": ps}, ce_opts(reduction="mean"),
    grad_of=("input", "target"))


# ---- nll ----
def nll(**o):
    def f(input, target, weight=None):
        return F.nll_loss(input, target, weight=weight, ignore_index=o.get("ignore_index", -100), reduction=o["reduction"])
    return f


lp = torch.log_softmax(x, 1)
for r in RED:
    add(f"nll_{r}", "nll_loss", nll(reduction=r), {"input": lp, "target": t}, ce_opts(reduction=r))
    add(f"nll_weight_ignore_{r}", "nll_loss", nll(reduction=r), {"input": lp, "target": t_ign, "weight": w}, ce_opts(reduction=r))
add("nll_spatial_weight_ignore_mean", "nll_loss", nll(reduction="mean"),
    {"input": torch.log_softmax(xs, 1), "target": ts, "weight": ws}, ce_opts(reduction="mean"))

# ---- binary cross entropy with logits ----
B, K = 6, 4
z = torch.randn(B, K) * 3
z[0, 0], z[0, 1], z[1, 0] = 40.0, -40.0, 0.0
y = (torch.rand(B, K) > 0.5).float()
y[2] = torch.rand(K)  # soft targets too
bw = torch.rand(B, 1) + 0.5
pw = torch.rand(K) * 3 + 0.2


def bcel(reduction):
    def f(input, target, weight=None, pos_weight=None):
        return F.binary_cross_entropy_with_logits(input, target, weight=weight, pos_weight=pos_weight, reduction=reduction)
    return f


for r in RED:
    o = {"reduction": red_name(r)}
    add(f"bcel_{r}", "binary_cross_entropy_with_logits", bcel(r), {"input": z, "target": y}, o, grad_of=("input", "target"))
    add(f"bcel_weight_{r}", "binary_cross_entropy_with_logits", bcel(r), {"input": z, "target": y, "weight": bw}, o)
    add(f"bcel_posweight_{r}", "binary_cross_entropy_with_logits", bcel(r), {"input": z, "target": y, "pos_weight": pw}, o,
        grad_of=("input", "target"))
    add(f"bcel_weight_posweight_{r}", "binary_cross_entropy_with_logits", bcel(r),
        {"input": z, "target": y, "weight": bw, "pos_weight": pw}, o)


# ---- binary cross entropy on probabilities ----
def bce(reduction):
    def f(input, target, weight=None):
        return F.binary_cross_entropy(input, target, weight=weight, reduction=reduction)
    return f


q = torch.sigmoid(torch.randn(B, K) * 2)
q[0, 0], q[0, 1], q[0, 2] = 0.0, 1.0, 1e-30
for r in RED:
    o = {"reduction": red_name(r)}
    add(f"bce_{r}", "binary_cross_entropy", bce(r), {"input": q, "target": y}, o)
    add(f"bce_weight_{r}", "binary_cross_entropy", bce(r), {"input": q, "target": y, "weight": bw}, o)


# ---- regression ----
a = torch.randn(5, 3) * 2
b = torch.randn(5, 3) * 2
b[0, 0] = a[0, 0] + 0.3  # inside small thresholds
for r in RED:
    o = {"reduction": red_name(r)}
    add(f"mse_{r}", "mse_loss", lambda input, target, r=r: F.mse_loss(input, target, reduction=r), {"input": a, "target": b}, o,
        grad_of=("input", "target"))
    add(f"l1_{r}", "l1_loss", lambda input, target, r=r: F.l1_loss(input, target, reduction=r), {"input": a, "target": b}, o,
        grad_of=("input", "target"))
    for d in (0.5, 1.0, 2.5):
        add(f"huber_{d}_{r}", "huber_loss", lambda input, target, r=r, d=d: F.huber_loss(input, target, reduction=r, delta=d),
            {"input": a, "target": b}, dict(o, delta=d), grad_of=("input", "target"))
    for be in (0.0, 0.5, 1.0, 3.0):
        add(f"smoothl1_{be}_{r}", "smooth_l1_loss", lambda input, target, r=r, be=be: F.smooth_l1_loss(input, target, reduction=r, beta=be),
            {"input": a, "target": b}, dict(o, beta=be), grad_of=("input", "target"))

# ---- KL divergence ----
kin = torch.log_softmax(torch.randn(4, 5), 1)
ktp = torch.softmax(torch.randn(4, 5), 1)
ktz = ktp.clone()
ktz[0, 1] = 0.0
ktz[2, 3] = 0.0
for r in ["batchmean", "mean", "sum", "none"]:
    o = {"reduction": red_name(r), "logTarget": False}
    add(f"kl_{r}", "kl_div", lambda input, target, r=r: F.kl_div(input, target, reduction=r), {"input": kin, "target": ktp}, o,
        grad_of=("input", "target"))
    add(f"kl_zero_target_{r}", "kl_div", lambda input, target, r=r: F.kl_div(input, target, reduction=r), {"input": kin, "target": ktz}, o)
    add(f"kl_log_target_{r}", "kl_div", lambda input, target, r=r: F.kl_div(input, target, reduction=r, log_target=True),
        {"input": kin, "target": torch.log(ktp)}, dict(o, logTarget=True), grad_of=("input", "target"))

# ---- distillation ----
for T in (1.0, 4.0):
    def dist(input, target, T=T):
        return F.kl_div(F.log_softmax(input / T, 1), F.log_softmax(target / T, 1), reduction="batchmean", log_target=True) * T * T
    add(f"distill_T{T}", "distillation_kl", dist, {"input": torch.randn(4, 6) * 2, "target": torch.randn(4, 6) * 2},
        {"temperature": T}, grad_of=("input", "target"))
add("distill_spatial_T2", "distillation_kl",
    lambda input, target: F.kl_div(F.log_softmax(input / 2, 1), F.log_softmax(target / 2, 1), reduction="batchmean", log_target=True) * 4,
    {"input": torch.randn(2, 3, 2, 2), "target": torch.randn(2, 3, 2, 2)}, {"temperature": 2.0}, grad_of=("input", "target"))

out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "losses.json")
with open(out, "w") as fh:
    json.dump({"generator": "gen_losses.py", "torch": torch.__version__, "cases": cases}, fh, separators=(",", ":"))
print(f"wrote {len(cases)} cases to {out} ({os.path.getsize(out)} bytes)")
