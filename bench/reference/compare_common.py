# Shared driver of the `compare` reference scripts: reads the arrays Mtl.Bench wrote, then trains on commands from stdin.
"""The loop every compare_*.py script runs (Mtl.Bench's `compare` benchmark drives it, one process per model x threads).

Data folder (--data), written by Mtl.Bench:
  meta.json   {"train": N, "eval": M, "x_shape": [...per sample...], "x_dtype": "f32"|"i32",
               "y_width": K, "y_dtype": "f32"|"i32", "tasks": [...]}
  {train,eval}_x.bin   N * prod(x_shape) little-endian values, sample-major (C order)
  {train,eval}_y.bin   N * K little-endian values: per sample one label (or target) per task, in task order

Batches are taken in order, batch i = samples [i*B, (i+1)*B) of the training arrays, wrapping around (no shuffle), so
Mtl and PyTorch see exactly the same batches in the same order.

Protocol: after start-up the script prints {"event": "model", "params": ..., "shapes": {...}, "threads": ...}; then it
reads one command per line on stdin:
  train K   run K training steps; print {"event": "round", "steps": K, "seconds": ..., "loss": mean loss of the K steps}
  eval      loss and per-task accuracy on the eval arrays (no grad); print {"event": "eval", "loss": ..., "acc": {...}}
  quit      print {"event": "final", "maxrss_kb": ...} and exit
Every JSON object is one line on stdout, flushed. Run with OPENBLAS_NUM_THREADS=1 and OMP_WAIT_POLICY=PASSIVE so
OpenBLAS's threads do not compete with PyTorch's own (Mtl.Bench sets both).
"""
import argparse
import json
import os
import resource
import sys
import time

import numpy as np
import torch


def emit(obj):
    print(json.dumps(obj), flush=True)


def _load(folder, split, meta):
    n = meta[split]
    x_shape = [n] + list(meta["x_shape"])
    x = np.fromfile(os.path.join(folder, f"{split}_x.bin"), dtype="<f4" if meta["x_dtype"] == "f32" else "<i4")
    y = np.fromfile(os.path.join(folder, f"{split}_y.bin"), dtype="<f4" if meta["y_dtype"] == "f32" else "<i4")
    if x.size != int(np.prod(x_shape)) or y.size != n * meta["y_width"]:
        sys.exit(f"{folder}: {split} files hold {x.size} inputs and {y.size} labels, expected {int(np.prod(x_shape))} and {n * meta['y_width']}")
    xt = torch.from_numpy(x.reshape(x_shape).copy())
    yt = torch.from_numpy(y.reshape(n, meta["y_width"]).copy())
    if meta["x_dtype"] == "i32":
        xt = xt.long()
    if meta["y_dtype"] == "i32":
        yt = yt.long()
    return xt, yt


def arguments(extra=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", required=True)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--batch", type=int, required=True)
    ap.add_argument("--lr", type=float, required=True)
    ap.add_argument("--momentum", type=float, default=0.0)
    ap.add_argument("--seed", type=int, default=0)
    return ap.parse_args()


def run(args, build, loss_fn, accuracy_fn=None):
    """build() -> (model, optimizer); loss_fn(out, y) -> scalar loss (sum of task losses); accuracy_fn(out, y) -> dict."""
    torch.set_num_threads(args.threads)
    with open(os.path.join(args.data, "meta.json")) as f:
        meta = json.load(f)
    train_x, train_y = _load(args.data, "train", meta)
    eval_x, eval_y = _load(args.data, "eval", meta)
    torch.manual_seed(args.seed)
    model, opt = build()
    emit({"event": "model", "params": sum(p.numel() for p in model.parameters()), "threads": torch.get_num_threads(),
          "torch": torch.__version__, "interop_threads": torch.get_num_interop_threads(),
          "openblas_threads": os.environ.get("OPENBLAS_NUM_THREADS"), "omp_wait_policy": os.environ.get("OMP_WAIT_POLICY"),
          "shapes": {n: list(p.shape) for n, p in model.named_parameters()}})
    n, b = train_x.shape[0], args.batch
    batches = n // b
    step = 0
    for line in sys.stdin:
        cmd = line.split()
        if not cmd:
            continue
        if cmd[0] == "train":
            k = int(cmd[1])
            model.train()
            total = 0.0
            t0 = time.perf_counter()
            for _ in range(k):
                i = (step % batches) * b
                xb, yb = train_x[i:i + b], train_y[i:i + b]
                out = model(xb)
                loss = loss_fn(out, yb)
                opt.zero_grad()
                loss.backward()
                opt.step()
                total += loss.item()
                step += 1
            emit({"event": "round", "steps": k, "seconds": time.perf_counter() - t0, "loss": total / max(k, 1)})
        elif cmd[0] == "eval":
            model.eval()
            with torch.no_grad():
                out = model(eval_x)
                emit({"event": "eval", "loss": loss_fn(out, eval_y).item(),
                      "acc": accuracy_fn(out, eval_y) if accuracy_fn else None})
        elif cmd[0] == "quit":
            break
    emit({"event": "final", "maxrss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, "steps": step})
