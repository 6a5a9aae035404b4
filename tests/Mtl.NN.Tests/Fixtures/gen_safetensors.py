# Safetensors interop fixtures: writes torch_written.safetensors (+ .json of expected values) and verifies mtl_written.safetensors.
#
# Run from anywhere:  /usr/bin/python3 tests/Mtl.NN.Tests/Fixtures/gen_safetensors.py
# (Debian's /usr/bin/python3 has PyTorch 1.13; the pyenv `python3` on PATH has no torch.)
#
# The Hugging Face `safetensors` package is not installable on this machine (no Debian package, no PyPI access), so
# this script carries its own small implementation of the format, written from the format spec and the reference
# library's behaviour (safetensors/src/tensor.rs: `prepare`, `Metadata::validate`, `read_metadata`):
#   * 8-byte little-endian u64 header length N, N bytes of UTF-8 JSON, then the data buffer;
#   * tensors sorted by dtype in DESCENDING library enum order (F64 > F32 > I32 > BF16 > F16 > I8 > U8 > BOOL ...),
#     ties by name compared as UTF-8 bytes, packed back to back from offset 0;
#   * compact JSON (serde_json style), "__metadata__" first, entries {"dtype","shape","data_offsets"} in packing order,
#     header padded with spaces to a multiple of 8;
#   * reading: header <= 100 MB, JSON object, offsets tile the buffer exactly, end-begin == numel*itemsize.
# The implementation is checked against byte strings the library's own test-suite asserts (GOLDEN below). When the
# real `safetensors` package IS importable, it is used in addition, and both must agree.
#
# What it does:
#   1. writes torch_written.safetensors from a small PyTorch state dict (F32, F64, I64, F16, BF16, BOOL, U8, I8, an
#      empty and a 0-d tensor) and torch_written.json with the expected values, read by SafeTensorsInteropTests;
#   2. reads mtl_written.safetensors (committed; produced by Mtl, see SafeTensorsInteropTests.MtlStateDict), loads every
#      tensor into torch, checks names/dtypes/shapes/values/metadata against MTL_EXPECTED, and checks that writing the
#      loaded tensors back reproduces the file byte for byte. Prints OK on success.
import json
import math
import os
import struct
import sys

import torch

HERE = os.path.dirname(os.path.abspath(__file__))

# Library dtype order (increasing alignment); the writer sorts by descending index.
DTYPE_ORDER = ["BOOL", "F4", "F6_E2M3", "F6_E3M2", "U8", "I8", "F8_E5M2", "F8_E4M3", "F8_E8M0", "F8_E4M3FNUZ",
               "F8_E5M2FNUZ", "I16", "U16", "F16", "BF16", "I32", "U32", "F32", "C64", "F64", "I64", "U64"]
TORCH_TO_ST = {torch.float32: "F32", torch.float64: "F64", torch.float16: "F16", torch.bfloat16: "BF16",
               torch.int64: "I64", torch.int32: "I32", torch.int8: "I8", torch.uint8: "U8", torch.bool: "BOOL",
               torch.int16: "I16"}
ST_TO_TORCH = {v: k for k, v in TORCH_TO_ST.items()}
ITEMSIZE = {"F32": 4, "F64": 8, "F16": 2, "BF16": 2, "I64": 8, "I32": 4, "I8": 1, "U8": 1, "BOOL": 1, "I16": 2}
MAX_HEADER = 100_000_000


def tensor_bytes(t):
    t = t.contiguous()
    if t.dtype == torch.bfloat16:
        t = t.view(torch.int16)
    return t.numpy().tobytes()  # x86: little-endian


def tensor_from_bytes(dtype, shape, data):
    td = ST_TO_TORCH[dtype]
    if len(data) == 0:
        return torch.zeros(shape, dtype=td)
    flat = torch.frombuffer(bytearray(data), dtype=td)
    return flat.reshape(shape)


def json_str(s):
    return json.dumps(s, ensure_ascii=False)  # same escapes as serde_json: \" \\ \b \f \n \r \t, \u00xx lower-case


def st_serialize(tensors, metadata=None):
    """tensors: dict name -> torch.Tensor. Returns the file bytes the reference library writes."""
    items = sorted(tensors.items(), key=lambda kv: (-DTYPE_ORDER.index(TORCH_TO_ST[kv[1].dtype]), kv[0].encode("utf-8")))
    parts, blobs, offset = [], [], 0
    if metadata is not None:
        meta = sorted(metadata.items(), key=lambda kv: kv[0].encode("utf-8"))
        parts.append('"__metadata__":{' + ",".join(json_str(k) + ":" + json_str(v) for k, v in meta) + "}")
    for name, t in items:
        b = tensor_bytes(t)
        shape = ",".join(str(d) for d in t.shape)
        parts.append(f'{json_str(name)}:{{"dtype":"{TORCH_TO_ST[t.dtype]}","shape":[{shape}],"data_offsets":[{offset},{offset + len(b)}]}}')
        blobs.append(b)
        offset += len(b)
    header = ("{" + ",".join(parts) + "}").encode("utf-8")
    header += b" " * ((8 - len(header) % 8) % 8)
    return struct.pack("<Q", len(header)) + header + b"".join(blobs)


def st_deserialize(buf):
    """Returns (dict name -> (dtype, shape, bytes)) in offset order, metadata or None; raises ValueError if invalid."""
    if len(buf) < 8:
        raise ValueError("too short")
    (n,) = struct.unpack("<Q", buf[:8])
    if n > MAX_HEADER or 8 + n > len(buf):
        raise ValueError("bad header length")
    text = buf[8:8 + n].decode("utf-8")
    if not text.startswith("{"):
        raise ValueError("header must start with {")

    def no_dupes(pairs):
        d = {}
        for k, v in pairs:
            if k in d:
                raise ValueError(f"duplicate key {k}")
            d[k] = v
        return d

    header = json.loads(text, object_pairs_hook=no_dupes)
    metadata = header.pop("__metadata__", None)
    if metadata is not None and not all(isinstance(v, str) for v in metadata.values()):
        raise ValueError("metadata values must be strings")
    entries = sorted(header.items(), key=lambda kv: tuple(kv[1]["data_offsets"]))
    data = buf[8 + n:]
    pos, out = 0, {}
    for name, info in entries:
        b, e = info["data_offsets"]
        numel = math.prod(info["shape"])
        if b != pos or e < b or e - b != numel * ITEMSIZE[info["dtype"]]:
            raise ValueError(f"bad offsets for {name}")
        out[name] = (info["dtype"], list(info["shape"]), data[b:e])
        pos = e
    if pos != len(data):
        raise ValueError("data buffer not fully covered")
    return out, metadata


# Byte strings asserted by the reference library's own tests (bindings/python/tests/test_simple.py).
GOLDEN = [
    ({"test": torch.zeros((2, 2), dtype=torch.int32)}, None,
     b'@\x00\x00\x00\x00\x00\x00\x00{"test":{"dtype":"I32","shape":[2,2],"data_offsets":[0,16]}}    ' + b"\x00" * 16),
    ({"test1": torch.zeros((2, 2), dtype=torch.int32)}, {"framework": "pt"},
     b'`\x00\x00\x00\x00\x00\x00\x00{"__metadata__":{"framework":"pt"},"test1":{"dtype":"I32","shape":[2,2],"data_offsets":[0,16]}} ' + b"\x00" * 16),
    ({"test2": torch.zeros((2, 2), dtype=torch.float16), "test1": torch.zeros((2, 2), dtype=torch.int32)}, None,
     b'\x80\x00\x00\x00\x00\x00\x00\x00{"test1":{"dtype":"I32","shape":[2,2],"data_offsets":[0,16]},"test2":{"dtype":"F16","shape":[2,2],"data_offsets":[16,24]}}      ' + b"\x00" * 24),
]


def real_library():
    try:
        import safetensors.torch as st  # noqa: F401
        return st
    except ImportError:
        return None


def check_golden(lib):
    for tensors, meta, expected in GOLDEN:
        got = st_serialize(tensors, meta)
        assert got == expected, f"golden mismatch:\n{got!r}\n{expected!r}"
        if lib is not None:
            assert lib.save(tensors, metadata=meta) == expected


def torch_state_dict():
    g = torch.Generator().manual_seed(0)
    sd = {
        "trunk.0.weight": torch.randn(4, 3, generator=g),
        "trunk.0.bias": torch.randn(4, generator=g),
        "trunk.1.running_mean": torch.randn(4, generator=g),
        "trunk.1.num_batches_tracked": torch.tensor(17, dtype=torch.int64),
        "heads.task_a.weight": torch.randn(2, 4, generator=g),
        "heads.task_a.bias": torch.randn(2, generator=g),
        "heads.task_b.weight": torch.randn(3, 4, generator=g, dtype=torch.float64),
        "labels": torch.tensor([-5, 0, 3, 2147483647, -2147483648, 9], dtype=torch.int64),
        "half": torch.tensor([1.5, -0.0, 65504.0, 6e-8, float("inf")], dtype=torch.float16),
        "bf16": torch.tensor([1.0, -3.140625, 1e30, float("-inf")], dtype=torch.bfloat16),
        "mask": torch.tensor([[True, False, True], [False, False, True]]),
        "pixels": torch.tensor([0, 1, 128, 255], dtype=torch.uint8),
        "deltas": torch.tensor([-128, -1, 0, 127], dtype=torch.int8),
        "empty": torch.zeros(0, 3),
    }
    return sd, {"format": "pt"}


def as_json_number(x):
    if math.isnan(x):
        return "nan"
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    if x == 0 and math.copysign(1, x) < 0:
        return "-0"
    return x


def expected_json(sd):
    out = {}
    for name, t in sd.items():
        if t.dtype in (torch.float16, torch.bfloat16, torch.float32):
            vals = [as_json_number(float(v)) for v in t.float().reshape(-1).tolist()]
        elif t.dtype == torch.float64:
            vals = [as_json_number(v) for v in t.reshape(-1).tolist()]
        else:
            vals = [int(v) for v in t.to(torch.int64).reshape(-1).tolist()]
        out[name] = {"dtype": TORCH_TO_ST[t.dtype], "shape": list(t.shape), "values": vals}
    return out


# The state dict Mtl writes into mtl_written.safetensors (mirror of SafeTensorsInteropTests.MtlStateDict).
def f32(xs):
    return torch.tensor(xs, dtype=torch.float32)


MTL_EXPECTED = {
    "trunk.0.weight": f32([i * 0.25 - 1.5 for i in range(12)]).reshape(4, 3),
    "trunk.0.bias": f32([1 / 3, -0.0, float("inf"), float("-inf")]),
    "heads.task_a.weight": f32([(i - 3.5) / 7 for i in range(8)]).reshape(2, 4),
    "heads.task_b.bias": torch.tensor([1 / 3, -2.5e-300], dtype=torch.float64),
    "scalar.f64": torch.tensor(math.pi, dtype=torch.float64),
    "labels": torch.tensor([-3, 0, 7, 2147483647, -2147483648], dtype=torch.int32),
    "step_count": torch.tensor(42, dtype=torch.int32),
    "empty": torch.zeros(0, 3),
    "\u00fcn\u00efcode.\u540d\u524d.weight": f32([0.5, -2.0]),
    "z.\uff21": f32([1.0]),
    "z.\U0001F600": f32([2.0]),
}
MTL_METADATA = {"format": "pt", "epoch": "3", "note": 'na\u00efve "quoted"\n\ttab\u0001 end'}


def same_values(a, b):
    if a.dtype != b.dtype or list(a.shape) != list(b.shape):
        return False
    if a.is_floating_point():
        both_nan = torch.isnan(a) & torch.isnan(b)
        same_sign = torch.signbit(a) == torch.signbit(b)
        return bool(((a == b) & same_sign | both_nan).all())
    return bool((a == b).all())


def verify_mtl_written(lib):
    path = os.path.join(HERE, "mtl_written.safetensors")
    buf = open(path, "rb").read()
    entries, metadata = st_deserialize(buf)
    assert metadata == MTL_METADATA, f"metadata {metadata!r}"
    assert set(entries) == set(MTL_EXPECTED), f"names {sorted(entries)}"
    loaded = {}
    for name, (dtype, shape, data) in entries.items():
        t = tensor_from_bytes(dtype, shape, data)
        assert same_values(t, MTL_EXPECTED[name]), f"{name}: {t} vs {MTL_EXPECTED[name]}"
        loaded[name] = t
    # Writing the loaded tensors back must give the very same bytes (layout, order, escapes, padding).
    assert st_serialize(loaded, metadata) == buf, "re-serialisation differs from mtl_written.safetensors"
    if lib is not None:
        real = lib.load(buf)
        assert set(real) == set(MTL_EXPECTED)
        for name, t in real.items():
            assert same_values(t, MTL_EXPECTED[name]), name
        if len(metadata) <= 1:  # the library orders metadata by hash; compare bytes only when that cannot matter
            assert lib.save(real, metadata=metadata) == buf
    print(f"mtl_written.safetensors: {len(entries)} tensors, {len(buf)} bytes verified")


def main():
    lib = real_library()
    print("reference safetensors package:", "importable, used as well" if lib else "not importable, using this script's implementation")
    check_golden(lib)
    sd, meta = torch_state_dict()
    data = st_serialize(sd, meta) if lib is None else lib.save(sd, metadata=meta)
    if lib is not None:
        assert data == st_serialize(sd, meta)
    with open(os.path.join(HERE, "torch_written.safetensors"), "wb") as f:
        f.write(data)
    with open(os.path.join(HERE, "torch_written.json"), "w", encoding="utf-8") as f:
        json.dump({"metadata": meta, "tensors": expected_json(sd)}, f, indent=1, ensure_ascii=False)
        f.write("\n")
    # Round trip of our own output through our reader, as a self-check.
    back, back_meta = st_deserialize(data)
    assert back_meta == meta and all(same_values(tensor_from_bytes(*back[k]), sd[k]) for k in sd)
    if os.path.exists(os.path.join(HERE, "mtl_written.safetensors")):
        verify_mtl_written(lib)
    else:
        print("mtl_written.safetensors missing: run the C# tests with MTL_REGEN_FIXTURES=<this folder> first")
        sys.exit(1)
    print("OK")


if __name__ == "__main__":
    main()
