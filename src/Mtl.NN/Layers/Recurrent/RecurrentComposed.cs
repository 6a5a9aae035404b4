// LSTM and GRU recurrences as chains of differentiable per-step ops: the oracle for the fused kernels, double-differentiable.
namespace Mtl.NN;

/// <summary>
/// One direction of an LSTM or GRU over precomputed input projections, written with ordinary tensor ops so autograd
/// derives the backward (and double backward). With a step mask, a sample's state is carried unchanged through steps
/// beyond its length and its output there is zero; the reverse direction therefore starts at each sample's last valid
/// step, exactly like PyTorch on a packed sequence.
/// </summary>
internal static class RecurrentComposed
{
    /// <summary>
    /// xproj (T, B, 4H) = x·W_ihᵀ + b_ih + b_hh, whh (4H, H), h0 and c0 (B, H), mask (T, B, 1) or null.
    /// Returns the outputs (T, B, H) and the final h and c (B, H).
    /// </summary>
    public static (Tensor Output, Tensor H, Tensor? C) Lstm(Tensor xproj, Tensor whh, Tensor h0, Tensor c0, Tensor? mask, bool reverse)
    {
        int steps = xproj.Shape[0];
        var whhT = whh.T(); // (H, 4H)
        var outs = new Tensor[steps];
        Tensor h = h0, c = c0;
        for (int s = 0; s < steps; s++)
        {
            int t = reverse ? steps - 1 - s : s;
            var gates = xproj.Select(0, t).Add(h.MatMul(whhT)).Chunk(4, 1); // 4 × (B, H)
            Tensor i = gates[0].Sigmoid(), f = gates[1].Sigmoid(), g = gates[2].Tanh(), o = gates[3].Sigmoid();
            var cNew = f.Mul(c).Add(i.Mul(g));
            var hNew = o.Mul(cNew.Tanh());
            outs[t] = Output(mask, t, hNew);
            h = Keep(mask, t, hNew, h);
            c = Keep(mask, t, cNew, c);
        }
        return (Stack(outs, xproj, whh.Shape[1]), h, c);
    }

    /// <summary>
    /// xproj (T, B, 3H) = x·W_ihᵀ + b_ih, whh (3H, H), bhh (3H) or null, h0 (B, H), mask (T, B, 1) or null.
    /// Returns the outputs (T, B, H) and the final h (B, H).
    /// </summary>
    public static (Tensor Output, Tensor H, Tensor? C) Gru(Tensor xproj, Tensor whh, Tensor? bhh, Tensor h0, Tensor? mask, bool reverse)
    {
        int steps = xproj.Shape[0];
        var whhT = whh.T(); // (H, 3H)
        var outs = new Tensor[steps];
        Tensor h = h0;
        for (int s = 0; s < steps; s++)
        {
            int t = reverse ? steps - 1 - s : s;
            var hp = h.MatMul(whhT);                                        // (B, 3H)
            if (bhh is not null) hp = hp.Add(bhh);
            var xg = xproj.Select(0, t).Chunk(3, 1);
            var hg = hp.Chunk(3, 1);
            var r = xg[0].Add(hg[0]).Sigmoid();
            var z = xg[1].Add(hg[1]).Sigmoid();
            var n = xg[2].Add(r.Mul(hg[2])).Tanh();
            var hNew = n.Add(z.Mul(h.Sub(n)));                               // (1 − z) ⊙ n + z ⊙ h
            outs[t] = Output(mask, t, hNew);
            h = Keep(mask, t, hNew, h);
        }
        return (Stack(outs, xproj, whh.Shape[1]), h, null);
    }

    /// <summary>The state after step t: the new one for samples inside their length, the old one for the rest.</summary>
    private static Tensor Keep(Tensor? mask, int t, Tensor updated, Tensor old) =>
        mask is null ? updated : CompareOps.Where(mask.Select(0, t), updated, old); // mask row (B, 1)

    /// <summary>The output at step t: the new hidden state, zero for samples past their length.</summary>
    private static Tensor Output(Tensor? mask, int t, Tensor hNew) => mask is null ? hNew : hNew.Mul(mask.Select(0, t));

    private static Tensor Stack(Tensor[] outs, Tensor xproj, int hidden) =>
        outs.Length == 0 ? Tensor.Zeros([0, xproj.Shape[1], hidden], xproj.DType) : JoinOps.Stack(outs, 0);
}
