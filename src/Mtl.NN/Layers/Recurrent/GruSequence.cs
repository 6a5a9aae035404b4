// Fused GRU recurrence over a whole sequence: one autograd primitive, a GEMM plus fused gate math per step, BPTT backward.
using System.Numerics;
using System.Numerics.Tensors;
using static Mtl.NN.RecurrentKernels;

namespace Mtl.NN;

/// <summary>
/// One direction of a GRU as a single primitive. Rows are kept sorted by length (<see cref="RowOrder"/>), so the samples
/// still running are a prefix. Forward, for each step t in processing order: hp = h·W_hhᵀ + b_hh (one GEMM over the
/// running rows), then per row r = σ(x_r + hp_r), z = σ(x_z + hp_z), n = tanh(x_n + r⊙hp_n), h = n + z⊙(h − n); a sample past
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
        // Saved per time step, rows in the sorted (longest first) order of the RowOrder:
        var gates = Tensor.Empty([steps, batch, 3 * hidden], dtype); // r, z, n
        var hn = Tensor.Empty([steps, batch, hidden], dtype);        // W_hn·h + b_hn
        var hPrev = Tensor.Empty([steps, batch, hidden], dtype);     // h entering the step
        var saved = new Saved(Dense(whh), gates, hn, hPrev, RowOrder.Create(lengths, batch, steps), reverse);
        var b = bhh is null ? null : Dense(bhh);
        if (dtype == DType.Float32) Forward<float>(Dense(xproj), b, Dense(h0), y, saved);
        else Forward<double>(Dense(xproj), b, Dense(h0), y, saved);

        Tensor[] inputs = bhh is null ? [xproj, whh, h0] : [xproj, whh, h0, bhh];
        if (!Autograd.ShouldRecord(inputs)) return y;
        return Autograd.Record(y, Op, inputs, g =>
        {
            Autograd.RequireFirstOrder(Op, g);
            var (dx, dhp, dh) = dtype == DType.Float32 ? Backward<float>(Dense(g), saved) : Backward<double>(Dense(g), saved);
            // dHp and h_prev share the sorted row order, so the weight and bias gradients need no reordering.
            Tensor? dw = null, db = null;
            if (whh.RequiresGrad) // dW_hh = Σ_t dHp[t]ᵀ·h_prev[t] (3H, H)
                dw = dhp.Reshape(steps * batch, 3 * hidden).T().MatMul(hPrev.Reshape(steps * batch, hidden));
            if (bhh is not null && bhh.RequiresGrad) db = dhp.Reshape(steps * batch, 3 * hidden).Sum(0);
            Tensor?[] grads = [xproj.RequiresGrad ? dx : null, dw, h0.RequiresGrad ? dh : null];
            return bhh is null ? grads : [.. grads, db];
        }, whh, gates, hn, hPrev);
    }

    /// <summary>What backward needs (all dense); W_hh is the live weight, guarded by the node's version check.</summary>
    private sealed record Saved(Tensor Whh, Tensor Gates, Tensor Hn, Tensor HPrev, RowOrder Order, bool Reverse);

    private static void Forward<T>(Tensor xp, Tensor? bhh, Tensor h0, Tensor y, Saved s) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int steps = xp.Shape[0], batch = xp.Shape[1], hidden = s.Whh.Shape[1], g3 = 3 * hidden;
        int bh = batch * hidden, bg = batch * g3;
        var state = Tensor.Empty([batch, hidden], xp.DType);   // running h, sorted rows
        var hpStep = Tensor.Empty([batch, g3], xp.DType);      // h·W_hhᵀ of the current step, sorted rows
        T[] x = xp.Array<T>(), w = s.Whh.Array<T>(), ya = y.Array<T>(), ga = s.Gates.Array<T>(), st = state.Array<T>(), hs = hpStep.Array<T>();
        T[] hna = s.Hn.Array<T>(), hp = s.HPrev.Array<T>();
        T[]? ba = bhh?.Array<T>();
        int bOff = bhh?.Offset ?? 0;
        int[] perm = s.Order.Perm;
        GatherRows<T>(h0.Span<T>(), st.AsSpan(0, bh), perm, hidden);
        for (int step = 0; step < steps; step++)
        {
            int t = s.Reverse ? steps - 1 - step : step, n = s.Order.Active[t];
            int gOff = s.Gates.Offset + t * bg, sOff = t * bh, xOff = xp.Offset + t * bg, yOff = y.Offset + t * bh;
            st.AsSpan(0, bh).CopyTo(hp.AsSpan(s.HPrev.Offset + sOff, bh));
            Gemm(false, true, n, g3, hidden, st, 0, hidden, w, s.Whh.Offset, hidden, false, hs, 0, g3); // h·W_hhᵀ, running rows only
            ForRows(batch, hidden, (r0, r1) =>
            {
                for (int i = r0; i < r1; i++)
                {
                    var gr = ga.AsSpan(gOff + i * g3, g3);
                    var outRow = ya.AsSpan(yOff + perm[i] * hidden, hidden);
                    var hnRow = hna.AsSpan(s.Hn.Offset + sOff + i * hidden, hidden);
                    if (i >= n) // past its length: state kept, output zero
                    {
                        gr.Clear();
                        hnRow.Clear();
                        outRow.Clear();
                        continue;
                    }
                    var hpr = hs.AsSpan(i * g3, g3);
                    if (ba is not null) TensorPrimitives.Add(hpr, ba.AsSpan(bOff, g3), hpr);
                    var xr = x.AsSpan(xOff + perm[i] * g3, g3);
                    TensorPrimitives.Add(xr[..(2 * hidden)], hpr[..(2 * hidden)], gr[..(2 * hidden)]);
                    TensorPrimitives.Sigmoid<T>(gr[..(2 * hidden)], gr[..(2 * hidden)]);                 // r, z
                    hpr.Slice(2 * hidden, hidden).CopyTo(hnRow);
                    var nv = gr.Slice(2 * hidden, hidden);
                    TensorPrimitives.MultiplyAdd(gr[..hidden], hnRow, xr.Slice(2 * hidden, hidden), nv); // x_n + r⊙hp_n
                    TensorPrimitives.Tanh<T>(nv, nv);
                    var h = st.AsSpan(i * hidden, hidden);
                    TensorPrimitives.Subtract(h, nv, outRow);                                            // h − n (scratch)
                    TensorPrimitives.MultiplyAdd(gr.Slice(hidden, hidden), outRow, nv, h);               // h = n + z⊙(h − n)
                    h.CopyTo(outRow);
                }
            });
        }
        ScatterRows<T>(st.AsSpan(0, bh), ya.AsSpan(y.Offset + steps * bh, bh), perm, hidden); // h_n
    }

    /// <summary>Returns dxproj (original row order), dHp (sorted rows, like h_prev) and dh0.</summary>
    private static (Tensor Dx, Tensor Dhp, Tensor Dh) Backward<T>(Tensor gy, Saved s) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int steps = s.Gates.Shape[0], batch = s.Gates.Shape[1], hidden = s.Whh.Shape[1], g3 = 3 * hidden;
        int bh = batch * hidden, bg = batch * g3;
        var dtype = gy.DType;
        var dx = Tensor.Empty([steps, batch, g3], dtype);                          // gradient of xproj (gate inputs from x)
        var dxs = s.Order.IsIdentity ? dx : Tensor.Empty([steps, batch, g3], dtype); // the same in sorted row order
        var dhp = Tensor.Empty([steps, batch, g3], dtype);                         // gradient of h·W_hhᵀ + b_hh, sorted rows
        var state = Tensor.Empty([batch, hidden], dtype);                          // running dh, sorted rows
        T[] g = gy.Array<T>(), dxa = dxs.Array<T>(), dhpa = dhp.Array<T>(), st = state.Array<T>(), w = s.Whh.Array<T>();
        T[] ga = s.Gates.Array<T>(), hna = s.Hn.Array<T>(), hp = s.HPrev.Array<T>();
        int[] perm = s.Order.Perm;
        GatherRows<T>(g.AsSpan(gy.Offset + steps * bh, bh), st.AsSpan(0, bh), perm, hidden);
        T one = T.One;
        for (int step = steps - 1; step >= 0; step--)
        {
            int t = s.Reverse ? steps - 1 - step : step, n = s.Order.Active[t];
            int gOff = t * bg, sOff = t * bh;
            ForRows(batch, hidden, (r0, r1) =>
            {
                for (int i = r0; i < r1; i++)
                {
                    var dxr = dxa.AsSpan(gOff + i * g3, g3);
                    var dhr = dhpa.AsSpan(gOff + i * g3, g3);
                    if (i >= n) { dxr.Clear(); dhr.Clear(); continue; } // past its length: dh passes through untouched
                    var gr = ga.AsSpan(s.Gates.Offset + gOff + i * g3, g3);
                    int r0w = sOff + i * hidden;
                    var dhb = st.AsSpan(i * hidden, hidden);
                    var gyb = g.AsSpan(gy.Offset + sOff + perm[i] * hidden, hidden);
                    var hnb = hna.AsSpan(s.Hn.Offset + r0w, hidden);
                    var hpb = hp.AsSpan(s.HPrev.Offset + r0w, hidden);
                    for (int j = 0; j < hidden; j++)
                    {
                        T r = gr[j], z = gr[hidden + j], nv = gr[2 * hidden + j];
                        T dhj = dhb[j] + gyb[j];
                        T dn = dhj * (one - z) * (one - nv * nv);        // through tanh
                        T dz = dhj * (hpb[j] - nv) * z * (one - z);      // through σ
                        T dr = dn * hnb[j] * r * (one - r);
                        dxr[j] = dr;
                        dxr[hidden + j] = dz;
                        dxr[2 * hidden + j] = dn;
                        dhr[j] = dr;
                        dhr[hidden + j] = dz;
                        dhr[2 * hidden + j] = dn * r;
                        dhb[j] = dhj * z;                                 // direct path; dHp·W_hh is added below
                    }
                }
            });
            Gemm(false, false, n, hidden, g3, dhpa, gOff, g3, w, s.Whh.Offset, hidden, true, st, 0, hidden); // dh += dHp·W_hh
        }
        if (!s.Order.IsIdentity)
            for (int t = 0; t < steps; t++)
                ScatterRows<T>(dxa.AsSpan(t * bg, bg), dx.Span<T>().Slice(t * bg, bg), perm, g3);
        var dh = Tensor.Empty([batch, hidden], dtype);
        ScatterRows<T>(st.AsSpan(0, bh), dh.Span<T>(), perm, hidden);
        return (dx, dhp, dh);
    }
}
