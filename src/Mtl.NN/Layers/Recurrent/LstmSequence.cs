// Fused LSTM recurrence over a whole sequence: one autograd primitive, a GEMM plus fused gate math per step, BPTT backward.
using System.Numerics;
using System.Numerics.Tensors;
using static Mtl.NN.LstmGateGrad;
using static Mtl.NN.RecurrentKernels;

namespace Mtl.NN;

/// <summary>
/// One direction of an LSTM as a single primitive. Rows are kept sorted by length (<see cref="RowOrder"/>), so the
/// samples still running are a prefix. Forward, for each step t in processing order: gates = xproj[t] + h·W_hhᵀ (one GEMM
/// over the running rows), then per row i, f, o = σ, g = tanh, c = f⊙c + i⊙g, h = o⊙tanh(c); a sample past its length
/// keeps its state and outputs zero. It saves the activated gates, the states entering each step and tanh(c). Backward
/// walks the steps in reverse: gate gradients row by row, dh_prev = dGates·W_hh (a GEMM per step), and dW_hh =
/// Σ dGatesᵀ·h_prev as one GEMM over all steps. First-order only; <see cref="RecurrentComposed.Lstm"/> is the oracle
/// and double-differentiable.
/// </summary>
internal static class LstmSequence
{
    private const string Op = "lstm_sequence";

    /// <summary>
    /// xproj (T, B, 4H) = x·W_ihᵀ + biases, gate order i, f, g, o; whh (4H, H); h0, c0 (B, H); lengths null (all T) or
    /// per-sample lengths in [0, T]. Returns packed (T + 2, B, H): rows 0..T−1 the outputs (zero at padded steps),
    /// row T = h_n, row T + 1 = c_n.
    /// </summary>
    public static Tensor Run(Tensor xproj, Tensor whh, Tensor h0, Tensor c0, int[]? lengths, bool reverse)
    {
        int steps = xproj.Shape[0], batch = xproj.Shape[1], hidden = whh.Shape[1];
        if (xproj.Rank != 3 || whh.Rank != 2 || whh.Shape[0] != 4 * hidden || xproj.Shape[2] != 4 * hidden
            || !ShapeUtil.SameShape(h0.Shape, [batch, hidden]) || !ShapeUtil.SameShape(c0.Shape, [batch, hidden]))
            throw new ArgumentException($"{Op}: inconsistent shapes xproj {xproj.ShapeString}, whh {whh.ShapeString}, h0 {h0.ShapeString}, c0 {c0.ShapeString}");
        var dtype = xproj.DType;
        var y = Tensor.Empty([steps + 2, batch, hidden], dtype);
        // Saved per time step, rows in the sorted (longest first) order of the RowOrder:
        var gates = Tensor.Empty([steps, batch, 4 * hidden], dtype); // activated i, f, g, o
        var hPrev = Tensor.Empty([steps, batch, hidden], dtype);     // h entering the step
        var cPrev = Tensor.Empty([steps, batch, hidden], dtype);     // c entering the step
        var tanhC = Tensor.Empty([steps, batch, hidden], dtype);     // tanh(c) leaving the step
        var saved = new Saved(Dense(whh), gates, hPrev, cPrev, tanhC, RowOrder.Create(lengths, batch, steps), reverse);
        if (dtype == DType.Float32) Forward<float>(Dense(xproj), Dense(h0), Dense(c0), y, saved);
        else Forward<double>(Dense(xproj), Dense(h0), Dense(c0), y, saved);

        Tensor[] inputs = [xproj, whh, h0, c0];
        if (!Autograd.ShouldRecord(inputs)) return y;
        return Autograd.Record(y, Op, inputs, g =>
        {
            Autograd.RequireFirstOrder(Op, g);
            var (dx, dw, dh, dc) = dtype == DType.Float32 ? Backward<float>(Dense(g), saved) : Backward<double>(Dense(g), saved);
            return [xproj.RequiresGrad ? dx : null, whh.RequiresGrad ? dw : null, h0.RequiresGrad ? dh : null, c0.RequiresGrad ? dc : null];
        }, whh, gates, hPrev, cPrev, tanhC);
    }

    /// <summary>What backward needs (all dense); W_hh is the live weight, guarded by the node's version check.</summary>
    private sealed record Saved(Tensor Whh, Tensor Gates, Tensor HPrev, Tensor CPrev, Tensor TanhC, RowOrder Order, bool Reverse);

    private static void Forward<T>(Tensor xp, Tensor h0, Tensor c0, Tensor y, Saved s) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int batch = xp.Shape[1], hidden = s.Whh.Shape[1], bh = batch * hidden;
        var state = Tensor.Empty([2, batch, hidden], xp.DType); // running h and c, sorted rows
        T[] st = state.Array<T>();
        int[] perm = s.Order.Perm;
        GatherRows<T>(h0.Span<T>(), st.AsSpan(0, bh), perm, hidden);
        GatherRows<T>(c0.Span<T>(), st.AsSpan(bh, bh), perm, hidden);
        // W_hhᵀ (H, 4H) once, so every step's GEMM reads B untransposed (the faster GEMM path for this skinny shape).
        var whhT = Tensor.Empty([hidden, 4 * hidden], xp.DType);
        Transpose<T>(s.Whh.Array<T>().AsSpan(s.Whh.Offset, 4 * hidden * hidden), whhT.Span<T>(), 4 * hidden, hidden);
        // Rows never interact, so each thread runs the whole sequence for its own block of rows: no barrier per step.
        ForRowBlocks(batch, hidden, (r0, r1) => ForwardRows<T>(xp, y, s, whhT.Array<T>(), whhT.Offset, st, r0, r1));
        ScatterRows<T>(st.AsSpan(0, bh), y.Array<T>().AsSpan(y.Offset + xp.Shape[0] * bh, bh), perm, hidden);        // h_n
        ScatterRows<T>(st.AsSpan(bh, bh), y.Array<T>().AsSpan(y.Offset + (xp.Shape[0] + 1) * bh, bh), perm, hidden); // c_n
    }

    /// <summary>All steps of the forward recurrence for the sorted rows [r0, r1).</summary>
    private static void ForwardRows<T>(Tensor xp, Tensor y, Saved s, T[] wt, int wtOff, T[] st, int r0, int r1) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int steps = xp.Shape[0], batch = xp.Shape[1], hidden = s.Whh.Shape[1], g4 = 4 * hidden;
        int bh = batch * hidden, bg = batch * g4, rows = r1 - r0;
        T[] x = xp.Array<T>(), ya = y.Array<T>(), ga = s.Gates.Array<T>();
        T[] hp = s.HPrev.Array<T>(), cp = s.CPrev.Array<T>(), tc = s.TanhC.Array<T>();
        int[] perm = s.Order.Perm;
        for (int step = 0; step < steps; step++)
        {
            int t = s.Reverse ? steps - 1 - step : step;
            int n = Math.Clamp(s.Order.Active[t] - r0, 0, rows); // running rows of this block: r0 .. r0 + n
            int gOff = s.Gates.Offset + t * bg, sOff = t * bh, yOff = y.Offset + t * bh;
            st.AsSpan(r0 * hidden, rows * hidden).CopyTo(hp.AsSpan(s.HPrev.Offset + sOff + r0 * hidden, rows * hidden));
            st.AsSpan(bh + r0 * hidden, rows * hidden).CopyTo(cp.AsSpan(s.CPrev.Offset + sOff + r0 * hidden, rows * hidden));
            if (s.Order.IsIdentity) x.AsSpan(xp.Offset + t * bg + r0 * g4, n * g4).CopyTo(ga.AsSpan(gOff + r0 * g4, n * g4));
            else
                for (int i = r0; i < r0 + n; i++) x.AsSpan(xp.Offset + t * bg + perm[i] * g4, g4).CopyTo(ga.AsSpan(gOff + i * g4, g4));
            Gemm(false, false, n, g4, hidden, st, r0 * hidden, hidden, wt, wtOff, g4, true, ga, gOff + r0 * g4, g4); // += h·W_hhᵀ, running rows only
            for (int i = r0; i < r1; i++)
            {
                var gr = ga.AsSpan(gOff + i * g4, g4);
                var outRow = ya.AsSpan(yOff + perm[i] * hidden, hidden);
                var tcRow = tc.AsSpan(s.TanhC.Offset + sOff + i * hidden, hidden);
                if (i >= r0 + n) // past its length: state kept, output zero
                {
                    gr.Clear();
                    outRow.Clear();
                    tcRow.Clear();
                    continue;
                }
                TensorPrimitives.Sigmoid<T>(gr[..(2 * hidden)], gr[..(2 * hidden)]);                    // i, f
                TensorPrimitives.Tanh<T>(gr.Slice(2 * hidden, hidden), gr.Slice(2 * hidden, hidden));    // g
                TensorPrimitives.Sigmoid<T>(gr.Slice(3 * hidden, hidden), gr.Slice(3 * hidden, hidden)); // o
                ReadOnlySpan<T> ig = gr[..hidden], f = gr.Slice(hidden, hidden), gg = gr.Slice(2 * hidden, hidden), o = gr.Slice(3 * hidden, hidden);
                var h = st.AsSpan(i * hidden, hidden);
                var c = st.AsSpan(bh + i * hidden, hidden);
                TensorPrimitives.Multiply(ig, gg, outRow);      // i⊙g (the output row is scratch here)
                TensorPrimitives.MultiplyAdd(f, c, outRow, c);  // c = f⊙c + i⊙g
                TensorPrimitives.Tanh<T>(c, tcRow);
                TensorPrimitives.Multiply(o, tcRow, h);         // h = o⊙tanh(c)
                h.CopyTo(outRow);
            }
        }
    }

    private static (Tensor Dx, Tensor Dw, Tensor Dh, Tensor Dc) Backward<T>(Tensor gy, Saved s) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int steps = s.Gates.Shape[0], batch = s.Gates.Shape[1], hidden = s.Whh.Shape[1], g4 = 4 * hidden;
        int bh = batch * hidden, bg = batch * g4;
        var dtype = gy.DType;
        var dx = Tensor.Empty([steps, batch, g4], dtype);                         // gradient of xproj (= of the gate pre-activations)
        var dgs = s.Order.IsIdentity ? dx : Tensor.Empty([steps, batch, g4], dtype); // the same in sorted row order
        var state = Tensor.Empty([2, batch, hidden], dtype);                      // running dh and dc, sorted rows
        T[] g = gy.Array<T>(), dga = dgs.Array<T>(), st = state.Array<T>();
        int[] perm = s.Order.Perm;
        GatherRows<T>(g.AsSpan(gy.Offset + steps * bh, bh), st.AsSpan(0, bh), perm, hidden);
        GatherRows<T>(g.AsSpan(gy.Offset + (steps + 1) * bh, bh), st.AsSpan(bh, bh), perm, hidden);
        ForRowBlocks(batch, hidden, (r0, r1) => BackwardRows<T>(gy, s, dga, st, r0, r1));
        var dw = Tensor.Empty([g4, hidden], dtype); // Σ_t dGates[t]ᵀ·h_prev[t], sorted rows on both sides
        Gemm(true, false, g4, hidden, steps * batch, dga, 0, g4, s.HPrev.Array<T>(), s.HPrev.Offset, hidden, false, dw.Array<T>(), dw.Offset, hidden);
        if (!s.Order.IsIdentity)
            for (int t = 0; t < steps; t++)
                ScatterRows<T>(dga.AsSpan(t * bg, bg), dx.Span<T>().Slice(t * bg, bg), perm, g4);
        var dh = Tensor.Empty([batch, hidden], dtype);
        var dc = Tensor.Empty([batch, hidden], dtype);
        ScatterRows<T>(st.AsSpan(0, bh), dh.Span<T>(), perm, hidden);
        ScatterRows<T>(st.AsSpan(bh, bh), dc.Span<T>(), perm, hidden);
        return (dx, dw, dh, dc);
    }

    /// <summary>All steps of the backward recurrence (gate gradients and dh, dc) for the sorted rows [r0, r1).</summary>
    private static void BackwardRows<T>(Tensor gy, Saved s, T[] dga, T[] st, int r0, int r1) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int steps = s.Gates.Shape[0], batch = s.Gates.Shape[1], hidden = s.Whh.Shape[1], g4 = 4 * hidden;
        int bh = batch * hidden, bg = batch * g4, rows = r1 - r0;
        T[] g = gy.Array<T>(), w = s.Whh.Array<T>(), ga = s.Gates.Array<T>(), cp = s.CPrev.Array<T>(), tc = s.TanhC.Array<T>();
        int[] perm = s.Order.Perm;
        for (int step = steps - 1; step >= 0; step--)
        {
            int t = s.Reverse ? steps - 1 - step : step;
            int n = Math.Clamp(s.Order.Active[t] - r0, 0, rows);
            int gOff = t * bg, sOff = t * bh;
            for (int i = r0; i < r1; i++)
            {
                var dg = dga.AsSpan(gOff + i * g4, g4);
                if (i >= r0 + n) { dg.Clear(); continue; } // past its length: dh and dc pass through untouched
                int r = sOff + i * hidden;
                GateGradients<T>(ga.AsSpan(s.Gates.Offset + gOff + i * g4, g4), tc.AsSpan(s.TanhC.Offset + r, hidden), cp.AsSpan(s.CPrev.Offset + r, hidden),
                    g.AsSpan(gy.Offset + sOff + perm[i] * hidden, hidden), st.AsSpan(i * hidden, hidden), st.AsSpan(bh + i * hidden, hidden), dg);
            }
            Gemm(false, false, n, hidden, g4, dga, gOff + r0 * g4, g4, w, s.Whh.Offset, hidden, true, st, r0 * hidden, hidden); // dh += dGates·W_hh
        }
    }
}
