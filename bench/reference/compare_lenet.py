# PyTorch reference of `compare` model lenet: LeNet hard sharing on MultiFashion, two 10-way heads, SGD momentum.
"""Conv(1->10,5) MaxPool(2) ReLU Conv(10->20,5) MaxPool(2) ReLU Flatten Linear(320->50) ReLU, heads Linear(50->10) x2
(PyTorch default initialisation); loss = sum of the two mean cross-entropies; SGD(lr, momentum). Mirrors Mtl's
Trunk.LeNet() + hard sharing (bench/configs/compare-lenet.yaml). Data and protocol: compare_common.py."""
import torch
import torch.nn as nn
import torch.nn.functional as F

import compare_common as cc


class LeNetHardSharing(nn.Module):
    def __init__(self):
        super().__init__()
        self.encoder = nn.Sequential(
            nn.Conv2d(1, 10, 5), nn.MaxPool2d(2), nn.ReLU(),
            nn.Conv2d(10, 20, 5), nn.MaxPool2d(2), nn.ReLU(), nn.Flatten(),
            nn.Linear(320, 50), nn.ReLU())
        self.heads = nn.ModuleList([nn.Linear(50, 10), nn.Linear(50, 10)])

    def forward(self, x):                                      # (B, 1, 28, 28)
        h = self.encoder(x)                                    # (B, 50)
        return [head(h) for head in self.heads]                # 2 x (B, 10)


def main():
    a = cc.arguments()

    def build():
        m = LeNetHardSharing()
        return m, torch.optim.SGD(m.parameters(), lr=a.lr, momentum=a.momentum)

    def loss(out, y):
        return F.cross_entropy(out[0], y[:, 0]) + F.cross_entropy(out[1], y[:, 1])

    def acc(out, y):
        return {t: (out[k].argmax(1) == y[:, k]).float().mean().item() for k, t in enumerate(["top_left", "bottom_right"])}

    cc.run(a, build, loss, acc)


if __name__ == "__main__":
    main()
