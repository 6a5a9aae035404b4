// Fused GRU recurrence over a whole sequence: one autograd primitive, a GEMM plus fused gate math per step, BPTT backward.
using System.Numerics;
using System.Numerics.Tensors;
using static Mtl.NN.RecurrentKernels;

namespace Mtl.NN;

/// <summary>
/// One direction of a GRU as a single primitive. Forward, for each step t in processing order: hp = h·W_hhᵀ + b_hh (one
/// GEMM), then per row r = σ(x_r + hp_r), z = σ(x_z + hp_z), n = tanh(x_n + r⊙hp_n), h = n + z⊙(h − n); a sample past
/// its length keeps its state and outputs zero. It saves r, z, n, hp_n and the state entering each step. Backward walks
/// the steps in reverse: per-row gate gradients, dh_prev = z⊙dh + dHp·W_hh (a GEMM per step), then dW_hh = Σ dHpᵀ·h_prev
/// and db_hh = Σ dHp over all steps. First-order only; <see cref="RecurrentComposed.Gru"/> is the oracle.
/// </summary>
internal static class GruSequence
{
    private const string Op = "gru_sequence";

    /// <summary>
    /// xproj (T, B, 3H) = x·W_ihᵀ + b_ih, gate order r, z, n; whh (3H, H); bhh (3H) or null; h0 (B, H); lengths null
    /// (all T) or per-sample lengths in [0, T]. Returns packed (T + 1, B, H): the outputs (zero at padded steps), then h_n.
    /// </summary>
    public static Tensor Run(Tensor xproj, Tensor whh, Tensor? bhh, Tensor h0, int[]? lengths, bool reverse)
    {
        int steps = xproj.Shape[0], batch = xproj.Shape[1], hidden = whh.Shape[1];
        if (xproj.Rank != 3 || whh.Rank != 2 || whh.Shape[0] != 3 * hidden || xproj.Shape[2] != 3 * hidden
            || !ShapeUtil.SameShape(h0.Shape, [batch, hidden]) || (bhh is not null && !ShapeUtil.SameShape(bhh.Shape, [3 * hidden])))
            throw new ArgumentException($"{Op}: inconsistent shapes xproj {xproj.ShapeString}, whh {whh.ShapeString}, bhh {bhh?.ShapeString ?? "none"}, h0 {h0.ShapeString}");
        var dtype = xproj.DType;
        var y = Tensor.Empty([steps + 1, batch, hidden], dtype);
        var gates = Tensor.Empty([steps, batch, 3 * hidden], dtype); // r, z, n at each time step
        var hn = Tensor.Empty([steps, batch, hidden], dtype);        // W_hn·h + b_hn at each time step
        var hPrev = Tensor.Empty([steps, batch, hidden], dtype);     // h entering each time step
        var saved = new Saved(Dense(whh), gates, hn, hPrev, lengths, reverse);
        var b = bhh is null ? null : Dense(bhh);
        if (dtype == DType.Float32) Forward<float>(Dense(xproj), b, Dense(h0), y, saved);
        else Forward<double>(Dense(xproj), b, Dense(h0), y, saved);

        Tensor[] inputs = bhh is null ? [xproj, whh, h0] : [xproj, whh, h0, bhh];
        if (!Autograd.ShouldRecord(inputs)) return y;
        return Autograd.Record(y, Op, inputs, g =>
        {
            Autograd.RequireFirstOrder(Op, g);
            var (dx, dhp, dh) = dtype == DType.Float32 ? Backward<float>(Dense(g), saved) : Backward<double>(Dense(g), saved);
            Tensor? dw = null, db = null;
            if (whh.RequiresGrad) // dW_hh = Σ_t dHp[t]ᵀ·h_prev[t] (3H, H)
                dw = dhp.Reshape(steps * batch, 3 * hidden).T().MatMul(hPrev.Reshape(steps * batch, hidden));
            if (bhh is not null && bhh.RequiresGrad) db = dhp.Reshape(steps * batch, 3 * hidden).Sum(0);
            Tensor?[] grads = [xproj.RequiresGrad ? dx : null, dw, h0.RequiresGrad ? dh : null];
            return bhh is null ? grads : [.. grads, db];
        }, whh, gates, hn, hPrev);
    }

    /// <summary>What backward needs (all dense); W_hh is the live weight, guarded by the node's version check.</summary>
    private sealed record Saved(Tensor Whh, Tensor Gates, Tensor Hn, Tensor HPrev, int[]? Lengths, bool Reverse);

    private static void Forward<T>(Tensor xp, Tensor? bhh, Tensor h0, Tensor y, Saved s) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int steps = xp.Shape[0], batch = xp.Shape[1], hidden = s.Whh.Shape[1], g3 = 3 * hidden;
        int bh = batch * hidden, bg = batch * g3;
        T[] x = xp.Array<T>(), w = s.Whh.Array<T>(), ya = y.Array<T>(), ga = s.Gates.Array<T>();
        T[] hna = s.Hn.Array<T>(), hp = s.HPrev.Array<T>();
        var hpStep = Tensor.Empty([batch, g3], xp.DType); // h·W_hhᵀ + b_hh of the current step
        T[] hs = hpStep.Array<T>();
        T[]? ba = bhh?.Array<T>();
        int hRow = y.Offset + steps * bh; // y's last row carries the running h
        h0.Span<T>().CopyTo(ya.AsSpan(hRow, bh));
        var lengths = s.Lengths;
        for (int step = 0; step < steps; step++)
        {
            int t = s.Reverse ? steps - 1 - step : step;
            int gOff = t * bg, sOff = t * bh;
            ya.AsSpan(hRow, bh).CopyTo(hp.AsSpan(s.HPrev.Offset + sOff, bh));
            Gemm(false, true, batch, g3, hidden, ya, hRow, hidden, w, s.Whh.Offset, hidden, false, hs, hpStep.Offset, g3); // h·W_hhᵀ
            ForRows(batch, hidden, (b0, b1) =>
            {
                for (int b = b0; b < b1; b++)
                {
                    var gr = ga.AsSpan(s.Gates.Offset + gOff + b * g3, g3);
                    var outRow = ya.AsSpan(y.Offset + sOff + b * hidden, hidden);
                    var hnRow = hna.AsSpan(s.Hn.Offset + sOff + b * hidden, hidden);
                    if (!Active(lengths, b, t))
                    {
                        gr.Clear();
                        hnRow.Clear();
                        outRow.Clear();
                        continue;
                    }
                    var hpr = hs.AsSpan(hpStep.Offset + b * g3, g3);
                    if (ba is not null) TensorPrimitives.Add(hpr, ba.AsSpan(bhh!.Offset, g3), hpr);
                    var xr = x.AsSpan(xp.Offset + gOff + b * g3, g3);
                    TensorPrimitives.Add(xr[..(2 * hidden)], hpr[..(2 * hidden)], gr[..(2 * hidden)]);
                    TensorPrimitives.Sigmoid<T>(gr[..(2 * hidden)], gr[..(2 * hidden)]);                 // r, z
                    hpr.Slice(2 * hidden, hidden).CopyTo(hnRow);
                    var n = gr.Slice(2 * hidden, hidden);
                    TensorPrimitives.MultiplyAdd(gr[..hidden], hnRow, xr.Slice(2 * hidden, hidden), n);  // x_n + r⊙hp_n
                    TensorPrimitives.Tanh<T>(n, n);
                    var h = ya.AsSpan(hRow + b * hidden, hidden);
                    TensorPrimitives.Subtract(h, n, outRow);                                             // h − n (scratch)
                    TensorPrimitives.MultiplyAdd(gr.Slice(hidden, hidden), outRow, n, h);                // h = n + z⊙(h − n)
                    h.CopyTo(outRow);
                }
            });
        }
    }

    private static (Tensor Dx, Tensor Dhp, Tensor Dh) Backward<T>(Tensor gy, Saved s) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int steps = s.Gates.Shape[0], batch = s.Gates.Shape[1], hidden = s.Whh.Shape[1], g3 = 3 * hidden;
        int bh = batch * hidden, bg = batch * g3;
        var dx = Tensor.Empty([steps, batch, g3], gy.DType);  // gradient of xproj (gate inputs from x)
        var dhp = Tensor.Empty([steps, batch, g3], gy.DType); // gradient of h·W_hhᵀ + b_hh
        var dh = Tensor.Empty([batch, hidden], gy.DType);
        T[] g = gy.Array<T>(), dxa = dx.Array<T>(), dhpa = dhp.Array<T>(), dha = dh.Array<T>(), w = s.Whh.Array<T>();
        T[] ga = s.Gates.Array<T>(), hna = s.Hn.Array<T>(), hp = s.HPrev.Array<T>();
        g.AsSpan(gy.Offset + steps * bh, bh).CopyTo(dha);
        var lengths = s.Lengths;
        T one = T.One;
        for (int step = steps - 1; step >= 0; step--)
        {
            int t = s.Reverse ? steps - 1 - step : step;
            int gOff = t * bg, sOff = t * bh;
            ForRows(batch, hidden, (b0, b1) =>
            {
                for (int b = b0; b < b1; b++)
                {
                    var dxr = dxa.AsSpan(gOff + b * g3, g3);
                    var dhr = dhpa.AsSpan(gOff + b * g3, g3);
                    if (!Active(lengths, b, t)) { dxr.Clear(); dhr.Clear(); continue; } // state passes through untouched
                    var gr = ga.AsSpan(s.Gates.Offset + gOff + b * g3, g3);
                    int r0 = sOff + b * hidden;
                    var dhb = dha.AsSpan(b * hidden, hidden);
                    var gyb = g.AsSpan(gy.Offset + r0, hidden);
                    var hnb = hna.AsSpan(s.Hn.Offset + r0, hidden);
                    var hpb = hp.AsSpan(s.HPrev.Offset + r0, hidden);
                    for (int j = 0; j < hidden; j++)
                    {
                        T r = gr[j], z = gr[hidden + j], n = gr[2 * hidden + j];
                        T dhj = dhb[j] + gyb[j];
                        T dn = dhj * (one - z) * (one - n * n);           // through tanh
                        T dz = dhj * (hpb[j] - n) * z * (one - z);        // through σ
                        T dr = dn * hnb[j] * r * (one - r);
                        dxr[j] = dr;
                        dxr[hidden + j] = dz;
                        dxr[2 * hidden + j] = dn;
                        dhr[j] = dr;
                        dhr[hidden + j] = dz;
                        dhr[2 * hidden + j] = dn * r;
                        dhb[j] = dhj * z;                                  // direct path; dHp·W_hh is added below
                    }
                }
            });
            Gemm(false, false, batch, hidden, g3, dhpa, gOff, g3, w, s.Whh.Offset, hidden, true, dha, 0, hidden); // dh += dHp·W_hh
        }
        return (dx, dhp, dh);
    }
}
