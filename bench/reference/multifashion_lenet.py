# PyTorch reference of the `multifashion` benchmark: LeNet hard sharing on MultiFashion pairs written by Mtl.Bench.
"""Trains the Sener & Koltun (NeurIPS 2018) LeNet hard-sharing model on the exact MultiFashion pairs Mtl trains on.

Mtl.Bench (`multifashion` benchmark) builds the pairs and writes them into a folder (--data):

  meta.json      {"train": N, "test": M, "channels": 1, "height": 28, "width": 28,
                  "tasks": ["top_left", "bottom_right"], "classes": 10}
  train_x.f32    N*1*28*28 float32, little-endian, sample-major (C order), pixels in [0, 1]
  train_y.i32    N*2 int32, little-endian: per sample the top_left label, then the bottom_right label
  test_x.f32     M*1*28*28 float32 (as above)
  test_y.i32     M*2 int32 (as above)

Model (PyTorch default initialisation): Conv(1->10, 5) MaxPool(2) ReLU Conv(10->20, 5) MaxPool(2) ReLU Flatten
Linear(320->50) ReLU, two heads Linear(50->10). Loss: sum of the two mean cross-entropies. SGD (lr, momentum),
batch --batch, shuffled each epoch with a torch.Generator seeded by --seed, the last partial batch kept.
Test accuracy of both tasks after every epoch.

Output: one JSON object per line on stdout; {"event": "model", ...} first (parameter count and shapes), then
{"event": "epoch", ...} per epoch, then {"event": "final", ...} last. Thread count: --threads (torch.set_num_threads);
run with OPENBLAS_NUM_THREADS=1 and OMP_WAIT_POLICY=PASSIVE (Mtl.Bench sets both) so OpenBLAS does not compete.
"""
import argparse
import json
import os
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


class LeNetHardSharing(nn.Module):
    """Shared LeNet encoder (B, 1, 28, 28) -> (B, 50) and one Linear(50 -> 10) head per task."""

    def __init__(self, tasks):
        super().__init__()
        self.encoder = nn.Sequential(
            nn.Conv2d(1, 10, 5), nn.MaxPool2d(2), nn.ReLU(),
            nn.Conv2d(10, 20, 5), nn.MaxPool2d(2), nn.ReLU(), nn.Flatten(),
            nn.Linear(320, 50), nn.ReLU())
        self.heads = nn.ModuleDict({t: nn.Linear(50, 10) for t in tasks})

    def forward(self, x):
        h = self.encoder(x)                                   # (B, 50)
        return {t: head(h) for t, head in self.heads.items()}  # task -> (B, 10)


def load(folder, split, meta):
    n = meta[split]
    shape = (n, meta["channels"], meta["height"], meta["width"])
    x = np.fromfile(os.path.join(folder, f"{split}_x.f32"), dtype="<f4")
    y = np.fromfile(os.path.join(folder, f"{split}_y.i32"), dtype="<i4")
    if x.size != np.prod(shape) or y.size != 2 * n:
        sys.exit(f"{folder}: {split} files hold {x.size} floats and {y.size} labels, expected {np.prod(shape)} and {2 * n}")
    return torch.from_numpy(x.reshape(shape).copy()), torch.from_numpy(y.reshape(n, 2).astype(np.int64))


def evaluate(model, x, y, tasks, batch=1000):
    model.eval()
    correct = [0] * len(tasks)
    with torch.no_grad():
        for i in range(0, x.shape[0], batch):
            out = model(x[i:i + batch])
            for k, t in enumerate(tasks):
                correct[k] += (out[t].argmax(1) == y[i:i + batch, k]).sum().item()
    model.train()
    return {t: correct[k] / x.shape[0] for k, t in enumerate(tasks)}


def emit(obj):
    print(json.dumps(obj), flush=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", required=True)
    ap.add_argument("--epochs", type=int, default=10)
    ap.add_argument("--batch", type=int, default=256)
    ap.add_argument("--lr", type=float, default=0.01)
    ap.add_argument("--momentum", type=float, default=0.9)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--threads", type=int, default=2)
    a = ap.parse_args()

    torch.set_num_threads(a.threads)
    with open(os.path.join(a.data, "meta.json")) as f:
        meta = json.load(f)
    tasks = meta["tasks"]
    train_x, train_y = load(a.data, "train", meta)
    test_x, test_y = load(a.data, "test", meta)

    torch.manual_seed(a.seed)
    model = LeNetHardSharing(tasks)
    params = sum(p.numel() for p in model.parameters())
    emit({"event": "model", "params": params, "threads": torch.get_num_threads(), "torch": torch.__version__,
          "shapes": {n: list(p.shape) for n, p in model.named_parameters()}})
    opt = torch.optim.SGD(model.parameters(), lr=a.lr, momentum=a.momentum)
    shuffle = torch.Generator().manual_seed(a.seed + 1)

    n = train_x.shape[0]
    train_seconds = 0.0
    start = time.perf_counter()
    acc = {}
    for epoch in range(a.epochs):
        t0 = time.perf_counter()
        model.train()
        perm = torch.randperm(n, generator=shuffle)
        total = 0.0
        for i in range(0, n, a.batch):
            idx = perm[i:i + a.batch]
            xb, yb = train_x[idx], train_y[idx]
            out = model(xb)
            loss = sum(F.cross_entropy(out[t], yb[:, k]) for k, t in enumerate(tasks))
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += loss.item() * xb.shape[0]
        train_seconds += time.perf_counter() - t0
        acc = evaluate(model, test_x, test_y, tasks)
        emit({"event": "epoch", "epoch": epoch + 1, "train_loss": total / n, **acc, "train_seconds": train_seconds})
    seconds = time.perf_counter() - start
    emit({"event": "final", **acc, "seconds": seconds, "train_seconds": train_seconds,
          "samples_per_s": a.epochs * n / train_seconds if train_seconds > 0 else None, "params": params,
          "threads": torch.get_num_threads(), "epochs": a.epochs, "train": n, "test": test_x.shape[0]})


if __name__ == "__main__":
    main()
