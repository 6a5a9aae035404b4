# Writes PyTorch reference values for LSTM, GRU, MultiheadAttention and TransformerEncoderLayer (run: /usr/bin/python3 gen_rnn_attention.py).
#
# Each case goes to rnn_attention/<case>.json: the module configuration, every input, every parameter under its
# state_dict name, the outputs, and the gradients of loss = sum over outputs of (output * R) with fixed random
# projections R (also stored) with respect to the inputs and every parameter. Tensors are {"shape": [...], "data": [...]}
# with float32 values written exactly as doubles. Needs Debian's torch 1.13 (/usr/bin/python3, not the pyenv python).
import json
import os

import torch
import torch.nn as nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "rnn_attention")


def enc(t):
    t = t.detach().to(torch.float64)
    return {"shape": list(t.shape), "data": t.flatten().tolist()}


def write(name, case):
    os.makedirs(OUT, exist_ok=True)
    path = os.path.join(OUT, name + ".json")
    with open(path, "w") as f:
        json.dump(case, f, separators=(",", ":"))
    print(f"{path}: {os.path.getsize(path)} bytes")


def loss_and_grads(outputs, inputs, module):
    """loss = sum_k sum(outputs[k] * R_k); returns the projections and gradients for inputs and parameters."""
    projections = {k: torch.randn(v.shape) for k, v in outputs.items()}
    loss = sum((outputs[k] * projections[k]).sum() for k in outputs)
    named = list(module.named_parameters())
    leaves = [v for v in inputs.values()] + [p for _, p in named]
    grads = torch.autograd.grad(loss, leaves, allow_unused=True)
    names = list(inputs) + [k for k, _ in named]
    result = {k: enc(g if g is not None else torch.zeros_like(leaf)) for k, g, leaf in zip(names, grads, leaves)}
    return {k: enc(v) for k, v in projections.items()}, result


def rnn_case(name, cls, input_size, hidden, layers, bidirectional, batch_first, T, B, lengths, initial_state):
    torch.manual_seed(sum(map(ord, name)))
    m = cls(input_size, hidden, num_layers=layers, bidirectional=bidirectional, batch_first=batch_first)
    shape = (B, T, input_size) if batch_first else (T, B, input_size)
    x = torch.randn(shape, requires_grad=True)  # padded positions hold random values on purpose
    dirs = 2 if bidirectional else 1
    inputs = {"input": x}
    state = None
    if initial_state:
        h0 = torch.randn(layers * dirs, B, hidden, requires_grad=True)
        inputs["h0"] = h0
        if cls is nn.LSTM:
            c0 = torch.randn(layers * dirs, B, hidden, requires_grad=True)
            inputs["c0"] = c0
            state = (h0, c0)
        else:
            state = h0
    if lengths is not None:
        packed = pack_padded_sequence(x, torch.tensor(lengths), batch_first=batch_first, enforce_sorted=False)
        out_packed, hn = m(packed, state)
        out, _ = pad_packed_sequence(out_packed, batch_first=batch_first, total_length=T)
    else:
        out, hn = m(x, state)
    outputs = {"output": out}
    if cls is nn.LSTM:
        outputs["h_n"], outputs["c_n"] = hn
    else:
        outputs["h_n"] = hn
    proj, grads = loss_and_grads(outputs, inputs, m)
    write(name, {
        "config": {"input_size": input_size, "hidden_size": hidden, "num_layers": layers, "bidirectional": bidirectional,
                   "batch_first": batch_first},
        "lengths": lengths,
        "inputs": {k: enc(v) for k, v in inputs.items()},
        "params": {k: enc(v) for k, v in m.state_dict().items()},
        "outputs": {k: enc(v) for k, v in outputs.items()},
        "projections": proj,
        "grads": grads,
    })


def mha_case(name, E, heads, batch_first, L, S, B, self_attention, padding, attn_mask):
    torch.manual_seed(sum(map(ord, name)))
    m = nn.MultiheadAttention(E, heads, batch_first=batch_first)
    with torch.no_grad():  # non-zero biases so their gradients and use are tested
        m.in_proj_bias.normal_()
        m.out_proj.bias.normal_()
    def seq(n):
        return torch.randn((B, n, E) if batch_first else (n, B, E), requires_grad=True)
    if self_attention:
        q = seq(L)
        inputs = {"query": q}
        k = v = q
    else:
        q, k, v = seq(L), seq(S), seq(S)
        inputs = {"query": q, "key": k, "value": v}
    kpm = torch.tensor(padding, dtype=torch.bool) if padding is not None else None
    am = torch.randn(L, S) if attn_mask else None
    out, w = m(q, k, v, key_padding_mask=kpm, need_weights=True, attn_mask=am)
    outputs = {"output": out, "weights": w}
    proj, grads = loss_and_grads(outputs, inputs, m)
    write(name, {
        "config": {"embed_dim": E, "num_heads": heads, "batch_first": batch_first, "self_attention": self_attention},
        "key_padding_mask": padding,
        "attn_mask": enc(am) if am is not None else None,
        "inputs": {k: enc(v) for k, v in inputs.items()},
        "params": {k: enc(v) for k, v in m.state_dict().items()},
        "outputs": {k: enc(v) for k, v in outputs.items()},
        "projections": proj,
        "grads": grads,
    })


def encoder_case(name, d, heads, ff, activation, batch_first, norm_first, T, B, padding):
    torch.manual_seed(sum(map(ord, name)))
    m = nn.TransformerEncoderLayer(d, heads, dim_feedforward=ff, dropout=0.1, activation=activation,
                                   batch_first=batch_first, norm_first=norm_first)
    with torch.no_grad():
        m.self_attn.in_proj_bias.normal_()
        m.self_attn.out_proj.bias.normal_()
        m.norm1.weight.normal_()
        m.norm1.bias.normal_()
        m.norm2.weight.normal_()
        m.norm2.bias.normal_()
    m.eval()  # dropout off; gradients are enabled, so PyTorch takes its ordinary (not fast) path
    src = torch.randn((B, T, d) if batch_first else (T, B, d), requires_grad=True)
    kpm = torch.tensor(padding, dtype=torch.bool)
    out = m(src, src_key_padding_mask=kpm)
    outputs = {"output": out}
    proj, grads = loss_and_grads(outputs, {"src": src}, m)
    write(name, {
        "config": {"d_model": d, "nhead": heads, "dim_feedforward": ff, "activation": activation,
                   "batch_first": batch_first, "norm_first": norm_first},
        "key_padding_mask": padding,
        "inputs": {"src": enc(src)},
        "params": {k: enc(v) for k, v in m.state_dict().items()},
        "outputs": {k: enc(v) for k, v in outputs.items()},
        "projections": proj,
        "grads": grads,
    })


if __name__ == "__main__":
    torch.set_default_dtype(torch.float32)
    rnn_case("lstm_bidir_2layer_lengths", nn.LSTM, 3, 4, 2, True, True, T=5, B=3, lengths=[5, 2, 3], initial_state=False)
    rnn_case("lstm_initial_state", nn.LSTM, 3, 4, 1, False, False, T=4, B=2, lengths=None, initial_state=True)
    rnn_case("gru_bidir_2layer_lengths", nn.GRU, 3, 4, 2, True, False, T=4, B=3, lengths=[4, 1, 3], initial_state=True)
    mha_case("mha_cross_padding", E=8, heads=2, batch_first=False, L=3, S=4, B=2, self_attention=False,
             padding=[[False, False, True, True], [False, False, False, False]], attn_mask=False)
    mha_case("mha_self_batch_first_masks", E=6, heads=3, batch_first=True, L=4, S=4, B=2, self_attention=True,
             padding=[[False, False, False, True], [False, True, False, False]], attn_mask=True)
    encoder_case("encoder_post_norm_relu", d=8, heads=2, ff=16, activation="relu", batch_first=True, norm_first=False,
                 T=4, B=2, padding=[[False, False, True, True], [False, False, False, False]])
    encoder_case("encoder_pre_norm_gelu", d=8, heads=4, ff=12, activation="gelu", batch_first=False, norm_first=True,
                 T=3, B=2, padding=[[False, True, False], [False, False, False]])
