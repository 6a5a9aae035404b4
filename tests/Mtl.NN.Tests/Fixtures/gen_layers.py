# Writes layers.json: PyTorch reference values for Mtl's basic layers. Run: /usr/bin/python3 gen_layers.py
# For each case: the layer's parameters/buffers (state_dict names), an input, the output, and the gradients of
# sum(output * proj) w.r.t. the input and every parameter, plus the state after the forward (running stats).
import json
import torch
import torch.nn as nn

torch.manual_seed(1234)
torch.set_default_dtype(torch.float32)


def t2j(t):
    t = t.detach().contiguous()
    if t.dtype in (torch.int64, torch.int32):
        return {"shape": list(t.shape), "dtype": "int32", "data": [int(v) for v in t.flatten().tolist()]}
    return {"shape": list(t.shape), "dtype": "float32", "data": [float(v) for v in t.flatten().tolist()]}


def case(module, x, train=True, extra_inputs=()):
    module.train(train)
    state_before = {k: t2j(v) for k, v in module.state_dict().items()}
    xin = x.clone().requires_grad_(x.dtype.is_floating_point)
    out = module(xin, *extra_inputs)
    proj = torch.randn(out.shape)
    (out * proj).sum().backward()
    grads = {name: t2j(p.grad) for name, p in module.named_parameters() if p.grad is not None}
    if xin.grad is not None:
        grads["input"] = t2j(xin.grad)
    return {
        "train": train,
        "state": state_before,
        "state_after": {k: t2j(v) for k, v in module.state_dict().items()},
        "input": t2j(x),
        "extra_inputs": [t2j(e) for e in extra_inputs],
        "output": t2j(out),
        "proj": t2j(proj),
        "grads": grads,
    }


cases = {}
cases["linear"] = case(nn.Linear(5, 3), torch.randn(4, 5))
cases["linear_3d_nobias"] = case(nn.Linear(4, 6, bias=False), torch.randn(2, 3, 4))
cases["conv2d"] = case(nn.Conv2d(3, 4, 3, stride=2, padding=1), torch.randn(2, 3, 7, 6))
cases["conv2d_groups_dilation"] = case(nn.Conv2d(4, 6, (3, 2), padding=(2, 1), dilation=(2, 1), groups=2), torch.randn(2, 4, 6, 5))
cases["maxpool2d"] = case(nn.MaxPool2d(2), torch.randn(2, 3, 6, 7))
cases["maxpool2d_stride_pad"] = case(nn.MaxPool2d(3, stride=2, padding=1), torch.randn(1, 2, 7, 7))
cases["avgpool2d"] = case(nn.AvgPool2d(2, stride=2, padding=1), torch.randn(2, 2, 5, 6))
cases["adaptive_avgpool2d"] = case(nn.AdaptiveAvgPool2d((3, 2)), torch.randn(2, 3, 7, 5))
bn1 = nn.BatchNorm1d(4)
with torch.no_grad():
    bn1.weight.uniform_(0.5, 1.5); bn1.bias.uniform_(-0.5, 0.5)
cases["batchnorm1d_train"] = case(bn1, torch.randn(8, 4) * 2 + 1)
bn2 = nn.BatchNorm2d(3)
with torch.no_grad():
    bn2.weight.uniform_(0.5, 1.5); bn2.bias.uniform_(-0.5, 0.5)
    bn2.running_mean.uniform_(-1, 1); bn2.running_var.uniform_(0.5, 2)
cases["batchnorm2d_train"] = case(bn2, torch.randn(4, 3, 5, 5))
bn3 = nn.BatchNorm2d(3)
with torch.no_grad():
    bn3.weight.uniform_(0.5, 1.5); bn3.bias.uniform_(-0.5, 0.5)
    bn3.running_mean.uniform_(-1, 1); bn3.running_var.uniform_(0.5, 2)
cases["batchnorm2d_eval"] = case(bn3, torch.randn(2, 3, 4, 4), train=False)
ln = nn.LayerNorm([3, 4])
with torch.no_grad():
    ln.weight.uniform_(0.5, 1.5); ln.bias.uniform_(-0.5, 0.5)
cases["layernorm"] = case(ln, torch.randn(2, 5, 3, 4))
cases["embedding_padding"] = case(nn.Embedding(10, 4, padding_idx=2), torch.tensor([[1, 2, 3], [2, 9, 1]]))
cases["embeddingbag_mean"] = case(nn.EmbeddingBag(10, 3, mode="mean"), torch.tensor([[1, 4, 4, 7], [0, 9, 3, 3]]))
cases["embeddingbag_sum_offsets"] = case(nn.EmbeddingBag(10, 3, mode="sum"), torch.tensor([1, 2, 4, 5, 4, 3, 2, 9]),
                                         extra_inputs=(torch.tensor([0, 2, 2, 5]),))

with open("layers.json", "w") as f:
    json.dump({"torch_version": torch.__version__, "cases": cases}, f)
print("wrote layers.json with", len(cases), "cases")
