// 2-D pooling kernels over (planes, H, W): max with argmax, window averages and their adjoints, index gather/scatter.
using System.Numerics;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Mtl.Threading;

namespace Mtl.Kernels;

/// <summary>Sizes of a max/avg pool: Hout = ⌊(H + 2·PH − KH) / SH⌋ + 1 (ceil_mode = false), likewise Wout.</summary>
internal sealed record PoolGeometry(int H, int W, int KH, int KW, int SH, int SW, int PH, int PW)
{
    public int Hout { get; } = (H + 2 * PH - KH) / SH + 1;
    public int Wout { get; } = (W + 2 * PW - KW) / SW + 1;

    /// <summary>The 2×2, stride 2, unpadded case that has its own fast loops.</summary>
    public bool Is2x2 => KH == 2 && KW == 2 && SH == 2 && SW == 2 && PH == 0 && PW == 0;
}

/// <summary>
/// Averaging windows, separable per axis: output (oh, ow) averages input rows [HStart[oh], HEnd[oh]) and columns
/// [WStart[ow], WEnd[ow]) and divides by HCount[oh]·WCount[ow] (the padded kernel area for avg_pool2d with
/// count_include_pad, the window area for adaptive_avg_pool2d).
/// </summary>
internal sealed record AvgWindows(int H, int W, int[] HStart, int[] HEnd, int[] HCount, int[] WStart, int[] WEnd, int[] WCount)
{
    public int Hout => HStart.Length;
    public int Wout => WStart.Length;

    /// <summary>Windows of avg_pool2d (zero padding counted in the divisor).</summary>
    public static AvgWindows ForPool(PoolGeometry g)
    {
        var (hs, he, hc) = Axis(g.H, g.Hout, g.KH, g.SH, g.PH);
        var (ws, we, wc) = Axis(g.W, g.Wout, g.KW, g.SW, g.PW);
        return new AvgWindows(g.H, g.W, hs, he, hc, ws, we, wc);

        static (int[], int[], int[]) Axis(int size, int outSize, int k, int s, int p)
        {
            int[] st = new int[outSize], en = new int[outSize], ct = new int[outSize];
            for (int o = 0; o < outSize; o++)
            {
                int a = o * s - p, b = Math.Min(a + k, size + p);
                ct[o] = b - a;
                st[o] = Math.Max(a, 0);
                en[o] = Math.Min(b, size);
            }
            return (st, en, ct);
        }
    }

    /// <summary>Windows of adaptive_avg_pool2d: [⌊i·size/out⌋, ⌈(i+1)·size/out⌉).</summary>
    public static AvgWindows ForAdaptive(int h, int w, int outH, int outW)
    {
        var (hs, he) = Axis(h, outH);
        var (ws, we) = Axis(w, outW);
        return new AvgWindows(h, w, hs, he, Count(hs, he), ws, we, Count(ws, we));

        static (int[], int[]) Axis(int size, int outSize)
        {
            int[] st = new int[outSize], en = new int[outSize];
            for (int i = 0; i < outSize; i++)
            {
                st[i] = (int)((long)i * size / outSize);
                en[i] = (int)(((long)(i + 1) * size + outSize - 1) / outSize);
            }
            return (st, en);
        }

        static int[] Count(int[] st, int[] en) => st.Select((s, i) => en[i] - s).ToArray();
    }
}

/// <summary>Pooling over dense (planes, H, W) buffers, parallel over planes (each plane is written by one chunk).</summary>
internal static class PoolKernels
{
    private const int MinPlanesPerChunk = 16;

    /// <summary>y = max over each window, idx = the argmax's flat index h·W + w in its plane (first max wins; NaN wins).</summary>
    public static void MaxForward<T>(T[] x, int xOff, int planes, PoolGeometry g, T[] y, int[] idx) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int inPlane = g.H * g.W, outPlane = g.Hout * g.Wout;
        MtlThreads.For(planes, MinPlanesPerChunk, (_, start, end) =>
        {
            for (int p = start; p < end; p++)
            {
                var xs = new ReadOnlySpan<T>(x, xOff + p * inPlane, inPlane);
                var ys = new Span<T>(y, p * outPlane, outPlane);
                var js = new Span<int>(idx, p * outPlane, outPlane);
                if (g.Is2x2) Max2x2(xs, g, ys, js);
                else MaxPlane(xs, g, ys, js);
            }
        });
    }

    private static void MaxPlane<T>(ReadOnlySpan<T> x, PoolGeometry g, Span<T> y, Span<int> idx) where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int oh = 0; oh < g.Hout; oh++)
        {
            int h0 = oh * g.SH - g.PH, h1 = Math.Min(h0 + g.KH, g.H);
            h0 = Math.Max(h0, 0);
            for (int ow = 0; ow < g.Wout; ow++)
            {
                int w0 = ow * g.SW - g.PW, w1 = Math.Min(w0 + g.KW, g.W);
                w0 = Math.Max(w0, 0);
                T best = T.NegativeInfinity;
                int bi = h0 * g.W + w0;
                for (int ih = h0; ih < h1; ih++)
                    for (int iw = w0; iw < w1; iw++)
                    {
                        T v = x[ih * g.W + iw];
                        bool take = v > best | T.IsNaN(v);
                        best = take ? v : best;
                        bi = take ? ih * g.W + iw : bi;
                    }
                y[oh * g.Wout + ow] = best;
                idx[oh * g.Wout + ow] = bi;
            }
        }
    }

    /// <summary>The 2×2 stride-2 window: four reads, scanned in row-major order like the general loop, without branches.</summary>
    private static void Max2x2<T>(ReadOnlySpan<T> x, PoolGeometry g, Span<T> y, Span<int> idx) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int w = g.W;
        for (int oh = 0; oh < g.Hout; oh++)
        {
            int r0 = 2 * oh * w;
            var top = x.Slice(r0, 2 * g.Wout);
            var bot = x.Slice(r0 + w, 2 * g.Wout);
            var yr = y.Slice(oh * g.Wout, g.Wout);
            var ir = idx.Slice(oh * g.Wout, g.Wout);
            int ow = typeof(T) == typeof(float) ? Max2x2Avx2(MemoryMarshal.Cast<T, float>(top), MemoryMarshal.Cast<T, float>(bot), r0, w,
                MemoryMarshal.Cast<T, float>(yr), ir) : 0;
            for (; ow < yr.Length; ow++)
            {
                int c = 2 * ow;
                T best = top[c];
                int bi = r0 + c;
                T v = top[c + 1];
                bool take = v > best | T.IsNaN(v);
                best = take ? v : best;
                bi = take ? r0 + c + 1 : bi;
                v = bot[c];
                take = v > best | T.IsNaN(v);
                best = take ? v : best;
                bi = take ? r0 + w + c : bi;
                v = bot[c + 1];
                take = v > best | T.IsNaN(v);
                best = take ? v : best;
                bi = take ? r0 + w + c + 1 : bi;
                yr[ow] = best;
                ir[ow] = bi;
            }
        }
    }

    /// <summary>
    /// Eight 2×2 windows per step with AVX2: the two input rows are split into even and odd columns (in a lane order
    /// that one final 64-bit permute undoes), the four candidates are merged with strict-greater-or-NaN selects.
    /// Returns how many outputs it wrote; the caller finishes the row.
    /// </summary>
    private static unsafe int Max2x2Avx2(ReadOnlySpan<float> top, ReadOnlySpan<float> bot, int r0, int w, Span<float> y, Span<int> idx)
    {
        if (!Avx2.IsSupported) return 0;
        int n = y.Length - y.Length % 8;
        // After Shuffle(lo, hi), lane l holds output [0, 1, 4, 5, 2, 3, 6, 7][l] of the step.
        var laneCol = Vector256.Create(0, 2, 8, 10, 4, 6, 12, 14);
        fixed (float* pt = top, pb = bot, py = y)
        fixed (int* pi = idx)
        {
            for (int ow = 0; ow < n; ow += 8)
            {
                var t0 = Avx.LoadVector256(pt + 2 * ow);
                var t1 = Avx.LoadVector256(pt + 2 * ow + 8);
                var b0 = Avx.LoadVector256(pb + 2 * ow);
                var b1 = Avx.LoadVector256(pb + 2 * ow + 8);
                var a = Avx.Shuffle(t0, t1, 0b10_00_10_00);
                var b = Avx.Shuffle(t0, t1, 0b11_01_11_01);
                var c = Avx.Shuffle(b0, b1, 0b10_00_10_00);
                var d = Avx.Shuffle(b0, b1, 0b11_01_11_01);
                var ia = laneCol + Vector256.Create(r0 + 2 * ow);
                var best = a;
                var bi = ia;
                var take = Avx.Or(Avx.CompareGreaterThan(b, best), Avx.CompareUnordered(b, b));
                best = Avx.BlendVariable(best, b, take);
                bi = Avx.BlendVariable(bi.AsSingle(), (ia + Vector256.Create(1)).AsSingle(), take).AsInt32();
                take = Avx.Or(Avx.CompareGreaterThan(c, best), Avx.CompareUnordered(c, c));
                best = Avx.BlendVariable(best, c, take);
                bi = Avx.BlendVariable(bi.AsSingle(), (ia + Vector256.Create(w)).AsSingle(), take).AsInt32();
                take = Avx.Or(Avx.CompareGreaterThan(d, best), Avx.CompareUnordered(d, d));
                best = Avx.BlendVariable(best, d, take);
                bi = Avx.BlendVariable(bi.AsSingle(), (ia + Vector256.Create(w + 1)).AsSingle(), take).AsInt32();
                Avx.Store(py + ow, Avx2.Permute4x64(best.AsDouble(), 0b11_01_10_00).AsSingle());
                Avx.Store(pi + ow, Avx2.Permute4x64(bi.AsInt64(), 0b11_01_10_00).AsInt32());
            }
            if (y.Length - n >= 4)
            {
                // Four more windows with 128-bit vectors (Shuffle(lo, hi) is already in output order here).
                int ow = n;
                var t0 = Sse.LoadVector128(pt + 2 * ow);
                var t1 = Sse.LoadVector128(pt + 2 * ow + 4);
                var b0 = Sse.LoadVector128(pb + 2 * ow);
                var b1 = Sse.LoadVector128(pb + 2 * ow + 4);
                var a = Sse.Shuffle(t0, t1, 0b10_00_10_00);
                var b = Sse.Shuffle(t0, t1, 0b11_01_11_01);
                var c = Sse.Shuffle(b0, b1, 0b10_00_10_00);
                var d = Sse.Shuffle(b0, b1, 0b11_01_11_01);
                var ia = Vector128.Create(0, 2, 4, 6) + Vector128.Create(r0 + 2 * ow);
                var best = a;
                var bi = ia;
                var take = Sse.Or(Sse.CompareGreaterThan(b, best), Sse.CompareUnordered(b, b));
                best = Sse41.BlendVariable(best, b, take);
                bi = Sse41.BlendVariable(bi.AsSingle(), (ia + Vector128.Create(1)).AsSingle(), take).AsInt32();
                take = Sse.Or(Sse.CompareGreaterThan(c, best), Sse.CompareUnordered(c, c));
                best = Sse41.BlendVariable(best, c, take);
                bi = Sse41.BlendVariable(bi.AsSingle(), (ia + Vector128.Create(w)).AsSingle(), take).AsInt32();
                take = Sse.Or(Sse.CompareGreaterThan(d, best), Sse.CompareUnordered(d, d));
                best = Sse41.BlendVariable(best, d, take);
                bi = Sse41.BlendVariable(bi.AsSingle(), (ia + Vector128.Create(w + 1)).AsSingle(), take).AsInt32();
                Sse.Store(py + ow, best);
                Sse2.Store(pi + ow, bi);
                n += 4;
            }
        }
        return n;
    }

    /// <summary>dst (planes, inPlane) = 0, then dst[p, idx[p, o]] += src[p, o].</summary>
    public static void ScatterAdd<T>(T[] src, int srcOff, int[] idx, int planes, int outPlane, T[] dst, int inPlane) where T : unmanaged, INumberBase<T>
    {
        MtlThreads.For(planes, MinPlanesPerChunk, (_, start, end) =>
        {
            new Span<T>(dst, start * inPlane, (end - start) * inPlane).Clear();
            for (int p = start; p < end; p++)
            {
                int so = srcOff + p * outPlane, io = p * outPlane, d = p * inPlane;
                for (int o = 0; o < outPlane; o++) dst[d + idx[io + o]] += src[so + o];
            }
        });
    }

    /// <summary>dst[p, o] = src[p, idx[p, o]].</summary>
    public static void Gather<T>(T[] src, int srcOff, int[] idx, int planes, int outPlane, int inPlane, T[] dst) where T : unmanaged
    {
        MtlThreads.For(planes, MinPlanesPerChunk, (_, start, end) =>
        {
            for (int p = start; p < end; p++)
            {
                int so = srcOff + p * inPlane, o0 = p * outPlane;
                for (int o = 0; o < outPlane; o++) dst[o0 + o] = src[so + idx[o0 + o]];
            }
        });
    }

    /// <summary>y[p, oh, ow] = Σ window of x / (HCount·WCount).</summary>
    public static void AvgForward<T>(T[] x, int xOff, int planes, AvgWindows win, T[] y) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int inPlane = win.H * win.W, outPlane = win.Hout * win.Wout;
        bool fast2x2 = Is2x2(win);
        MtlThreads.For(planes, MinPlanesPerChunk, (_, start, end) =>
        {
            for (int p = start; p < end; p++)
            {
                var xs = new ReadOnlySpan<T>(x, xOff + p * inPlane, inPlane);
                var ys = new Span<T>(y, p * outPlane, outPlane);
                if (fast2x2)
                {
                    T q = T.CreateTruncating(0.25);
                    for (int oh = 0; oh < win.Hout; oh++)
                    {
                        var top = xs.Slice(2 * oh * win.W);
                        var bot = xs.Slice((2 * oh + 1) * win.W);
                        for (int ow = 0; ow < win.Wout; ow++)
                            ys[oh * win.Wout + ow] = (top[2 * ow] + top[2 * ow + 1] + bot[2 * ow] + bot[2 * ow + 1]) * q;
                    }
                    continue;
                }
                for (int oh = 0; oh < win.Hout; oh++)
                    for (int ow = 0; ow < win.Wout; ow++)
                    {
                        T s = T.Zero;
                        for (int ih = win.HStart[oh]; ih < win.HEnd[oh]; ih++)
                            for (int iw = win.WStart[ow]; iw < win.WEnd[ow]; iw++) s += xs[ih * win.W + iw];
                        ys[oh * win.Wout + ow] = s / T.CreateTruncating(win.HCount[oh] * win.WCount[ow]);
                    }
            }
        });
    }

    /// <summary>dx = 0, then every window of dx gets g[p, oh, ow] / (HCount·WCount) added (the adjoint of AvgForward).</summary>
    public static void AvgAdjoint<T>(T[] g, int gOff, int planes, AvgWindows win, T[] dx) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int inPlane = win.H * win.W, outPlane = win.Hout * win.Wout;
        MtlThreads.For(planes, MinPlanesPerChunk, (_, start, end) =>
        {
            new Span<T>(dx, start * inPlane, (end - start) * inPlane).Clear();
            for (int p = start; p < end; p++)
            {
                var gs = new ReadOnlySpan<T>(g, gOff + p * outPlane, outPlane);
                var ds = new Span<T>(dx, p * inPlane, inPlane);
                for (int oh = 0; oh < win.Hout; oh++)
                    for (int ow = 0; ow < win.Wout; ow++)
                    {
                        T v = gs[oh * win.Wout + ow] / T.CreateTruncating(win.HCount[oh] * win.WCount[ow]);
                        for (int ih = win.HStart[oh]; ih < win.HEnd[oh]; ih++)
                            for (int iw = win.WStart[ow]; iw < win.WEnd[ow]; iw++) ds[ih * win.W + iw] += v;
                    }
            }
        });
    }

    /// <summary>Whether every window is the 2×2 block at (2·oh, 2·ow) with divisor 4.</summary>
    private static bool Is2x2(AvgWindows w)
    {
        for (int i = 0; i < w.Hout; i++)
            if (w.HStart[i] != 2 * i || w.HEnd[i] != 2 * i + 2 || w.HCount[i] != 2) return false;
        for (int i = 0; i < w.Wout; i++)
            if (w.WStart[i] != 2 * i || w.WEnd[i] != 2 * i + 2 || w.WCount[i] != 2) return false;
        return true;
    }
}
