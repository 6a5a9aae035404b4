# Writes the PyTorch transfer-learning fixture: a tiny torch model's state_dict as safetensors, plus an input and its outputs.
"""Generates tests/Mtl.MultiTask.Tests/Fixtures/transfer/{torch_model.safetensors, torch_model.json}.

The model uses PyTorch-style names that differ from Mtl's on purpose:

  backbone.conv  Conv2d(1 -> 4, 3)      input (B, 1, 6, 6) -> (B, 4, 4, 4), then ReLU, Flatten
  backbone.fc    Linear(64 -> 8)        then ReLU
  head_a         Linear(8 -> 3)         task "a"
  head_b         Linear(8 -> 2)         task "b"

The Mtl test rebuilds it as HardSharing(encoder = Sequential(Conv2d, ReLU, Flatten, Linear, ReLU), heads a and b) and
loads the file with a NameMap ("backbone.conv." -> "encoder.0.", "backbone.fc." -> "encoder.3.", "head_a." ->
"heads.a.", "head_b." -> "heads.b."). head_b.bias is stored as F64 (its float32 values widened exactly) so that the
test also sees a Float64 -> Float32 conversion in the report.

The safetensors file is written by hand when the `safetensors` package is missing: an 8-byte little-endian header
length, a JSON header {name: {dtype, shape, data_offsets}} padded with spaces to a multiple of 8, then the raw
little-endian data. Run with PyTorch (1.13 or later): python3 bench/reference/make_transfer_fixture.py
"""
import collections
import json
import os
import struct

import torch
from torch import nn

OUT = os.path.join(os.path.dirname(__file__), "..", "..", "tests", "Mtl.MultiTask.Tests", "Fixtures", "transfer")


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.backbone = nn.Sequential(collections.OrderedDict([
            ("conv", nn.Conv2d(1, 4, 3)), ("relu1", nn.ReLU()), ("flat", nn.Flatten()),
            ("fc", nn.Linear(64, 8)), ("relu2", nn.ReLU())]))
        self.head_a = nn.Linear(8, 3)
        self.head_b = nn.Linear(8, 2)

    def forward(self, x):
        h = self.backbone(x)
        return {"a": self.head_a(h), "b": self.head_b(h)}


def save_safetensors(tensors, path):
    """Writes {name: tensor} in the safetensors layout (no metadata), data in the order given."""
    codes = {torch.float32: ("F32", "<f4"), torch.float64: ("F64", "<f8")}
    header, blobs, offset = {}, [], 0
    for name, t in tensors.items():
        code, fmt = codes[t.dtype]
        data = t.detach().contiguous().numpy().astype(fmt).tobytes()
        header[name] = {"dtype": code, "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for b in blobs:
            f.write(b)


def tensor_json(t):
    return {"shape": list(t.shape), "dtype": "float32", "data": [float(v) for v in t.detach().reshape(-1).tolist()]}


def main():
    torch.manual_seed(7)
    model = Net().eval()
    x = torch.randn(2, 1, 6, 6)
    with torch.no_grad():
        y = model(x)
    state = collections.OrderedDict(model.state_dict())
    state["head_b.bias"] = state["head_b.bias"].double()
    os.makedirs(OUT, exist_ok=True)
    try:
        from safetensors.torch import save_file
        save_file(state, os.path.join(OUT, "torch_model.safetensors"))
    except ImportError:
        save_safetensors(state, os.path.join(OUT, "torch_model.safetensors"))
    fixture = {
        "torch": torch.__version__,
        "names": list(state.keys()),
        "input": tensor_json(x),
        "outputs": {k: tensor_json(v) for k, v in y.items()},
    }
    with open(os.path.join(OUT, "torch_model.json"), "w") as f:
        json.dump(fixture, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
