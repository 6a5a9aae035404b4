# PyTorch reference of `compare` model lstm: Embedding(20000,128) -> LSTM(128) -> last hidden -> heads 2-way and 4-way, Adam.
"""Token ids (B, 200) -> Embedding(20000, 128, padding_idx=0) -> LSTM(128, 128, batch_first) -> h_n -> heads
Linear(128->2) and Linear(128->4); PyTorch default initialisation (embedding N(0,1) with the padding row zero, LSTM and
Linear uniform); loss = sum of the two mean cross-entropies; Adam(lr). Mirrors Mtl's TextEncoder + hard sharing
(bench/configs/compare-lstm.yaml). The synthetic sequences have no padding (every id >= 1), so h_n is the last token's state.
Data and protocol: compare_common.py."""
import torch
import torch.nn as nn
import torch.nn.functional as F

import compare_common as cc


class LstmHardSharing(nn.Module):
    def __init__(self, vocab=20000, dim=128, hidden=128):
        super().__init__()
        self.embedding = nn.Embedding(vocab, dim, padding_idx=0)
        self.lstm = nn.LSTM(dim, hidden, batch_first=True)
        self.heads = nn.ModuleList([nn.Linear(hidden, 2), nn.Linear(hidden, 4)])

    def forward(self, ids):                                    # (B, T)
        _, (h, _) = self.lstm(self.embedding(ids))             # h: (1, B, H)
        return [head(h[-1]) for head in self.heads]            # (B, 2), (B, 4)


def main():
    a = cc.arguments()

    def build():
        m = LstmHardSharing()
        return m, torch.optim.Adam(m.parameters(), lr=a.lr)

    def loss(out, y):
        return F.cross_entropy(out[0], y[:, 0]) + F.cross_entropy(out[1], y[:, 1])

    def acc(out, y):
        return {t: (out[k].argmax(1) == y[:, k]).float().mean().item() for k, t in enumerate(["marker2", "marker4"])}

    cc.run(a, build, loss, acc)


if __name__ == "__main__":
    main()
