// conv2d as a direct register-blocked SIMD correlation (float32, stride 1, dilation 1): forward, input and weight grads.
using System.Runtime.Intrinsics;
using Mtl.Threading;

namespace Mtl.Kernels;

/// <summary>
/// For small channel counts (LeNet-sized layers) a direct correlation beats im2col + GEMM: no column matrix is built
/// and each input load feeds 4 output channels. Every sample is first copied into a zero-padded buffer P whose rows are
/// wide enough that 8-lane loads never leave their row, so the inner loop has no bounds logic:
/// out[co, oh, ow..ow+8] += Σ_{ci,kh,kw} w[co, ci, kh, kw] · P[ci, oh+kh, ow+kw..ow+kw+8], for 4 co at a time.
/// The input gradient is the same correlation of the padded output gradient with the flipped, channel-swapped weight;
/// the weight gradient lives in ConvDirectKernel.WeightGrad.cs.
/// </summary>
internal static unsafe partial class ConvDirectKernel
{
    private const int V = 8;  // floats per Vector256
    private const int CB = 4; // output channels per register block

    /// <summary>Whether this kernel can run the geometry.</summary>
    public static bool Supports(ConvGeometry g, DType dtype) =>
        dtype == DType.Float32 && g.UnitStrideDilation && Vector256.IsHardwareAccelerated;

    private static int RoundUp(int v, int m) => (v + m - 1) / m * m;

    /// <summary>Layout of a padded copy: (C, Hp, Stride) with the source at (Top, Left); Stride covers 8-lane over-reads.</summary>
    private readonly record struct Padded(int C, int Hp, int Wp, int Stride, int Top, int Left)
    {
        public int Size => C * Hp * Stride + V; // + V: harmless slack
        public int RowLo => Math.Max(0, Top);
    }

    private static Padded PadFor(int c, int hs, int ws, int top, int left, int kh, int kw, int outW)
    {
        int hp = hs + 2 * top, wp = ws + 2 * left;
        return new Padded(c, hp, wp, Math.Max(wp, RoundUp(outW, V) + kw - 1), top, left);
    }

    /// <summary>Copies src (C, Hs, Ws) into the padded layout (zeros around; negative padding crops).</summary>
    private static void Pad(float* src, int hs, int ws, Padded p, float* dst)
    {
        new Span<float>(dst, p.Size).Clear();
        int i0 = Math.Max(0, p.Top), i1 = Math.Min(p.Hp, hs + p.Top);
        int j0 = Math.Max(0, p.Left), j1 = Math.Min(p.Wp, ws + p.Left);
        if (i0 >= i1 || j0 >= j1) return;
        for (int c = 0; c < p.C; c++)
            for (int i = i0; i < i1; i++)
                new ReadOnlySpan<float>(src + ((long)c * hs + i - p.Top) * ws + (j0 - p.Left), j1 - j0)
                    .CopyTo(new Span<float>(dst + ((long)c * p.Hp + i) * p.Stride + j0, j1 - j0));
    }

    /// <summary>y = conv(x, w) + b for dense float32 tensors.</summary>
    public static void Forward(Tensor x, Tensor w, Tensor? b, ConvGeometry g, Tensor y, int minPerChunk)
    {
        var pad = PadFor(g.Cin, g.H, g.W, g.PH, g.PW, g.KH, g.KW, g.Wout);
        int rowHi = Math.Min(pad.Hp, g.PH + g.H);
        int blocks = (g.CoutG + CB - 1) / CB, packG = blocks * CB * g.Kg;
        var packed = Tensor.Empty([g.Groups * packG]);
        PackForward(w.Span<float>(), g, packed.Span<float>());
        int chunks = MtlThreads.ChunkCount(g.N, minPerChunk);
        var scratch = Tensor.Empty([chunks * pad.Size]);
        float[] xa = x.Array<float>(), ya = y.Array<float>(), sa = scratch.Array<float>(), wa = packed.Array<float>();
        float[]? ba = b?.Array<float>();
        int xOff = x.Offset, yOff = y.Offset, bOff = b?.Offset ?? 0, wOff = packed.Offset;
        int inSize = g.Cin * g.H * g.W, outSize = g.Cout * g.HWout;
        MtlThreads.For(g.N, minPerChunk, (c, start, end) =>
        {
            fixed (float* px = xa, py = ya, ps = sa, pw = wa, pb = ba)
            {
                float* p = ps + (long)c * pad.Size;
                for (int n = start; n < end; n++)
                {
                    Pad(px + xOff + (long)n * inSize, g.H, g.W, pad, p);
                    for (int grp = 0; grp < g.Groups; grp++)
                        Correlate(p + (long)grp * g.CinG * pad.Hp * pad.Stride, g.CinG, pad, pad.RowLo, rowHi,
                            pw + wOff + (long)grp * packG, g.KH, g.KW, pb is null ? null : pb + bOff + grp * g.CoutG,
                            py + yOff + (long)n * outSize + (long)grp * g.CoutG * g.HWout, g.CoutG, g.Hout, g.Wout);
                }
            }
        });
    }

    /// <summary>dx = correlation of gy padded by (K − 1 − P) with the flipped weight whose in/out channels are swapped.</summary>
    public static void InputGrad(Tensor gy, Tensor w, ConvGeometry g, Tensor dx, int minPerChunk)
    {
        var pad = PadFor(g.Cout, g.Hout, g.Wout, g.KH - 1 - g.PH, g.KW - 1 - g.PW, g.KH, g.KW, g.W);
        int rowLo = pad.RowLo, rowHi = Math.Min(pad.Hp, pad.Top + g.Hout);
        int blocks = (g.CinG + CB - 1) / CB, packG = blocks * CB * g.CoutG * g.KH * g.KW;
        var packed = Tensor.Empty([g.Groups * packG]);
        PackInputGrad(w.Span<float>(), g, packed.Span<float>());
        int chunks = MtlThreads.ChunkCount(g.N, minPerChunk);
        var scratch = Tensor.Empty([chunks * pad.Size]);
        float[] ga = gy.Array<float>(), da = dx.Array<float>(), sa = scratch.Array<float>(), wa = packed.Array<float>();
        int gOff = gy.Offset, dOff = dx.Offset, wOff = packed.Offset;
        int inSize = g.Cin * g.H * g.W, outSize = g.Cout * g.HWout;
        MtlThreads.For(g.N, minPerChunk, (c, start, end) =>
        {
            fixed (float* pg = ga, pd = da, ps = sa, pw = wa)
            {
                float* p = ps + (long)c * pad.Size;
                for (int n = start; n < end; n++)
                {
                    Pad(pg + gOff + (long)n * outSize, g.Hout, g.Wout, pad, p);
                    for (int grp = 0; grp < g.Groups; grp++)
                        Correlate(p + (long)grp * g.CoutG * pad.Hp * pad.Stride, g.CoutG, pad, rowLo, rowHi,
                            pw + wOff + (long)grp * packG, g.KH, g.KW, null,
                            pd + dOff + (long)n * inSize + (long)grp * g.CinG * g.H * g.W, g.CinG, g.H, g.W);
                }
            }
        });
    }

    /// <summary>
    /// out[co, oh, ow] = bias[co] + Σ_{ci &lt; cin, kh, kw} wp[co][ci, kh, kw] · P[ci, oh + kh, ow + kw] for co &lt; cout,
    /// where wp is packed in blocks of 4 output channels ([block][ci·KH·KW][4]) and P rows outside [rowLo, rowHi) are zero.
    /// </summary>
    private static void Correlate(float* p, int cin, Padded pad, int rowLo, int rowHi, float* wp, int kh, int kw,
        float* bias, float* outp, int cout, int hout, int wout)
    {
        int kg = cin * kh * kw, hp = pad.Hp, stride = pad.Stride;
        int perRow = (wout + V - 1) / V, tiles = hout * perRow;
        float* tail = stackalloc float[V];
        for (int cb = 0; cb < cout; cb += CB)
        {
            float* wb = wp + (long)(cb / CB) * kg * CB;
            int nb = Math.Min(CB, cout - cb);
            Vector256<float> b0 = Vector256<float>.Zero, b1 = b0, b2 = b0, b3 = b0;
            if (bias is not null)
            {
                b0 = Vector256.Create(bias[cb]);
                if (nb > 1) b1 = Vector256.Create(bias[cb + 1]);
                if (nb > 2) b2 = Vector256.Create(bias[cb + 2]);
                if (nb > 3) b3 = Vector256.Create(bias[cb + 3]);
            }
            // Tiles of 3 output vectors (row oh, columns ow..ow+8) give 12 independent accumulators, enough to hide
            // the FMA latency; a tile may span rows. Missing vectors of the last tile repeat the previous one unstored.
            long plane = (long)hout * wout;
            for (int t = 0; t < tiles; t += 3)
            {
                int tA = t, tB = Math.Min(t + 1, tiles - 1), tC = Math.Min(t + 2, tiles - 1);
                int ohA = tA / perRow, ohB = tB / perRow, ohC = tC / perRow;
                int owA = tA % perRow * V, owB = tB % perRow * V, owC = tC % perRow * V;
                long oA = (long)ohA * stride + owA, oB = (long)ohB * stride + owB, oC = (long)ohC * stride + owC;
                // Rows of P outside [rowLo, rowHi) are zero: skip taps that only read such rows for every vector.
                int r0 = Math.Max(0, rowLo - ohC), r1 = Math.Min(kh, rowHi - ohA);
                Vector256<float> a0 = b0, a1 = b1, a2 = b2, a3 = b3, c0 = b0, c1 = b1, c2 = b2, c3 = b3, e0 = b0, e1 = b1, e2 = b2, e3 = b3;
                for (int ci = 0; ci < cin; ci++)
                {
                    for (int r = r0; r < r1; r++)
                    {
                        float* xr = p + ((long)ci * hp + r) * stride;
                        float* wr = wb + (long)(ci * kh + r) * kw * CB;
                        for (int q = 0; q < kw; q++, wr += CB)
                        {
                            var xa = Vector256.Load(xr + oA + q);
                            var xb = Vector256.Load(xr + oB + q);
                            var xc = Vector256.Load(xr + oC + q);
                            var w = Vector256.Create(wr[0]);
                            a0 = Vector256.MultiplyAddEstimate(xa, w, a0);
                            c0 = Vector256.MultiplyAddEstimate(xb, w, c0);
                            e0 = Vector256.MultiplyAddEstimate(xc, w, e0);
                            w = Vector256.Create(wr[1]);
                            a1 = Vector256.MultiplyAddEstimate(xa, w, a1);
                            c1 = Vector256.MultiplyAddEstimate(xb, w, c1);
                            e1 = Vector256.MultiplyAddEstimate(xc, w, e1);
                            w = Vector256.Create(wr[2]);
                            a2 = Vector256.MultiplyAddEstimate(xa, w, a2);
                            c2 = Vector256.MultiplyAddEstimate(xb, w, c2);
                            e2 = Vector256.MultiplyAddEstimate(xc, w, e2);
                            w = Vector256.Create(wr[3]);
                            a3 = Vector256.MultiplyAddEstimate(xa, w, a3);
                            c3 = Vector256.MultiplyAddEstimate(xb, w, c3);
                            e3 = Vector256.MultiplyAddEstimate(xc, w, e3);
                        }
                    }
                }
                float* o = outp + (long)cb * plane;
                StoreBlock(a0, a1, a2, a3, nb, o + (long)ohA * wout + owA, plane, Math.Min(V, wout - owA), tail);
                if (t + 1 < tiles) StoreBlock(c0, c1, c2, c3, nb, o + (long)ohB * wout + owB, plane, Math.Min(V, wout - owB), tail);
                if (t + 2 < tiles) StoreBlock(e0, e1, e2, e3, nb, o + (long)ohC * wout + owC, plane, Math.Min(V, wout - owC), tail);
            }
        }
    }

    private static void StoreBlock(Vector256<float> a0, Vector256<float> a1, Vector256<float> a2, Vector256<float> a3, int nb,
        float* o, long plane, int count, float* tail)
    {
        Store(a0, o, count, tail);
        if (nb > 1) Store(a1, o + plane, count, tail);
        if (nb > 2) Store(a2, o + 2 * plane, count, tail);
        if (nb > 3) Store(a3, o + 3 * plane, count, tail);
    }

    private static void Store(Vector256<float> v, float* dst, int count, float* tail)
    {
        if (count == V) { v.Store(dst); return; }
        v.Store(tail);
        for (int i = 0; i < count; i++) dst[i] = tail[i];
    }

    /// <summary>Packs w (Cout, CinG·KH·KW) per group into [block of 4 co][CinG·KH·KW][4], zero-filling missing channels.</summary>
    private static void PackForward(ReadOnlySpan<float> w, ConvGeometry g, Span<float> dst)
    {
        dst.Clear();
        int kg = g.Kg, blocks = (g.CoutG + CB - 1) / CB, packG = blocks * CB * kg;
        for (int grp = 0; grp < g.Groups; grp++)
            for (int co = 0; co < g.CoutG; co++)
            {
                var src = w.Slice((grp * g.CoutG + co) * kg, kg);
                var blk = dst.Slice(grp * packG + co / CB * kg * CB);
                int j = co % CB;
                for (int k = 0; k < kg; k++) blk[k * CB + j] = src[k];
            }
    }

    /// <summary>
    /// Packs the input-gradient weight w'[ci, co, kh, kw] = w[co, ci, KH−1−kh, KW−1−kw] per group into
    /// [block of 4 ci][CoutG·KH·KW][4].
    /// </summary>
    private static void PackInputGrad(ReadOnlySpan<float> w, ConvGeometry g, Span<float> dst)
    {
        dst.Clear();
        int kk = g.KH * g.KW, kg2 = g.CoutG * kk, blocks = (g.CinG + CB - 1) / CB, packG = blocks * CB * kg2;
        for (int grp = 0; grp < g.Groups; grp++)
            for (int co = 0; co < g.CoutG; co++)
                for (int ci = 0; ci < g.CinG; ci++)
                {
                    var src = w.Slice(((grp * g.CoutG + co) * g.CinG + ci) * kk, kk);
                    var blk = dst.Slice(grp * packG + ci / CB * kg2 * CB);
                    int j = ci % CB;
                    for (int kh = 0; kh < g.KH; kh++)
                        for (int kw = 0; kw < g.KW; kw++)
                            blk[((co * g.KH + kh) * g.KW + kw) * CB + j] = src[(g.KH - 1 - kh) * g.KW + (g.KW - 1 - kw)];
                }
    }
}
