# PyTorch reference of `compare` model mmoe: MMoE (8 experts Linear(100->16)+ReLU, 2 softmax gates, towers 16->8->1), Adam.
"""Ma et al. (KDD 2018) MMoE on the synthetic correlated regression tasks written by Mtl (SyntheticCorrelatedTasks):
experts Linear(100->16)+ReLU x8, gate per task softmax(Linear(100->8)) mixing the experts, tower per task
Linear(16->8) ReLU Linear(8->1); PyTorch default initialisation; loss = sum of the two MSEs; Adam(lr). Mirrors Mtl's
Mmoe (bench/configs/compare-mmoe.yaml). Data and protocol: compare_common.py."""
import torch
import torch.nn as nn
import torch.nn.functional as F

import compare_common as cc


class Mmoe(nn.Module):
    def __init__(self, dim=100, experts=8, width=16, tower=8, tasks=2):
        super().__init__()
        self.experts = nn.ModuleList([nn.Sequential(nn.Linear(dim, width), nn.ReLU()) for _ in range(experts)])
        self.gates = nn.ModuleList([nn.Linear(dim, experts) for _ in range(tasks)])
        self.towers = nn.ModuleList([nn.Sequential(nn.Linear(width, tower), nn.ReLU(), nn.Linear(tower, 1)) for _ in range(tasks)])

    def forward(self, x):                                                   # (B, 100)
        e = torch.stack([m(x) for m in self.experts], 1)                    # (B, E, W)
        outs = []
        for gate, tower in zip(self.gates, self.towers):
            g = torch.softmax(gate(x), -1).unsqueeze(1)                     # (B, 1, E)
            outs.append(tower(torch.bmm(g, e).squeeze(1)))                  # (B, 1)
        return outs


def main():
    a = cc.arguments()

    def build():
        m = Mmoe()
        return m, torch.optim.Adam(m.parameters(), lr=a.lr)

    def loss(out, y):
        return F.mse_loss(out[0], y[:, 0:1]) + F.mse_loss(out[1], y[:, 1:2])

    cc.run(a, build, loss)


if __name__ == "__main__":
    main()
