// The LSTM cell's backward for one row: gate pre-activation gradients and the carried dh, dc — SIMD and scalar reference.
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Mtl.NN;

/// <summary>
/// Per element j of a row (gates activated i, f, g, o; th = tanh(c_t); c_prev = c_{t−1}; gy = the output's gradient):
/// dh = dh + gy, dc = dc + dh·o·(1 − th²), dG_i = dc·g·i·(1 − i), dG_f = dc·c_prev·f·(1 − f), dG_g = dc·i·(1 − g²),
/// dG_o = dh·th·o·(1 − o); then dc ← dc·f (to step t − 1) and dh ← 0 (dG·W_hh is added later by a GEMM).
/// <see cref="GateGradients{T}"/> runs it with <see cref="Vector{T}"/> and a scalar tail, in exactly the reference's
/// operation order (no fused multiply-adds), so both give bit-identical results.
/// </summary>
internal static class LstmGateGrad
{
    /// <summary>The scalar reference (the test oracle). Spans: gates 4H, the others H.</summary>
    public static void Reference<T>(ReadOnlySpan<T> gates, ReadOnlySpan<T> tanhC, ReadOnlySpan<T> cPrev, ReadOnlySpan<T> gy,
        Span<T> dh, Span<T> dc, Span<T> dGates) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int hidden = tanhC.Length;
        for (int j = 0; j < hidden; j++) Element(gates, tanhC, cPrev, gy, dh, dc, dGates, hidden, j);
    }

    /// <summary>The same as <see cref="Reference{T}"/>, vectorised.</summary>
    public static void GateGradients<T>(ReadOnlySpan<T> gates, ReadOnlySpan<T> tanhC, ReadOnlySpan<T> cPrev, ReadOnlySpan<T> gy,
        Span<T> dh, Span<T> dc, Span<T> dGates) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int hidden = tanhC.Length, j = 0;
        if (Vector.IsHardwareAccelerated && Vector<T>.IsSupported)
        {
            int w = Vector<T>.Count;
            var one = Vector<T>.One;
            ref T gr = ref MemoryMarshal.GetReference(gates);
            ref T dgr = ref MemoryMarshal.GetReference(dGates);
            for (; j <= hidden - w; j += w)
            {
                var ig = Load(ref gr, j);
                var f = Load(ref gr, hidden + j);
                var gg = Load(ref gr, 2 * hidden + j);
                var o = Load(ref gr, 3 * hidden + j);
                var th = new Vector<T>(tanhC[j..]);
                var dhj = new Vector<T>(dh[j..]) + new Vector<T>(gy[j..]);
                var dcj = new Vector<T>(dc[j..]) + dhj * o * (one - th * th);
                Store(dcj * gg * ig * (one - ig), ref dgr, j);
                Store(dcj * new Vector<T>(cPrev[j..]) * f * (one - f), ref dgr, hidden + j);
                Store(dcj * ig * (one - gg * gg), ref dgr, 2 * hidden + j);
                Store(dhj * th * o * (one - o), ref dgr, 3 * hidden + j);
                (dcj * f).CopyTo(dc[j..]);
                Vector<T>.Zero.CopyTo(dh[j..]);
            }
        }
        for (; j < hidden; j++) Element(gates, tanhC, cPrev, gy, dh, dc, dGates, hidden, j);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector<T> Load<T>(ref T start, int offset) where T : unmanaged =>
        Unsafe.ReadUnaligned<Vector<T>>(ref Unsafe.As<T, byte>(ref Unsafe.Add(ref start, offset)));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store<T>(Vector<T> v, ref T start, int offset) where T : unmanaged =>
        Unsafe.WriteUnaligned(ref Unsafe.As<T, byte>(ref Unsafe.Add(ref start, offset)), v);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Element<T>(ReadOnlySpan<T> gates, ReadOnlySpan<T> tanhC, ReadOnlySpan<T> cPrev, ReadOnlySpan<T> gy,
        Span<T> dh, Span<T> dc, Span<T> dGates, int hidden, int j) where T : unmanaged, IFloatingPointIeee754<T>
    {
        T one = T.One;
        T ig = gates[j], f = gates[hidden + j], gg = gates[2 * hidden + j], o = gates[3 * hidden + j], th = tanhC[j];
        T dhj = dh[j] + gy[j];
        T dcj = dc[j] + dhj * o * (one - th * th);
        dGates[j] = dcj * gg * ig * (one - ig);
        dGates[hidden + j] = dcj * cPrev[j] * f * (one - f);
        dGates[2 * hidden + j] = dcj * ig * (one - gg * gg);
        dGates[3 * hidden + j] = dhj * th * o * (one - o);
        dc[j] = dcj * f;
        dh[j] = T.Zero;
    }
}
