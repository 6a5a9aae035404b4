// im2col and col2im for one image: unfold (C, H, W) into the (C·KH·KW, Hout·Wout) matrix GEMM convolves with, and back.
using System.Numerics;
using System.Numerics.Tensors;

namespace Mtl.Kernels;

/// <summary>
/// Row r = (c·KH + kh)·KW + kw of the column matrix holds, for every output pixel (oh, ow), the input value
/// x[c, oh·SH − PH + kh·DH, ow·SW − PW + kw·DW], or 0 where that falls in the zero padding.
/// </summary>
internal static class Im2Col
{
    /// <summary>col (C·KH·KW, Hout·Wout) = unfold(x) for one image x (C, H, W); C is the channel count of x.</summary>
    public static void Unfold<T>(ReadOnlySpan<T> x, int channels, ConvGeometry g, Span<T> col) where T : unmanaged, INumberBase<T>
    {
        int h = g.H, w = g.W, hw = g.HWout, wout = g.Wout;
        Span<int> lo = stackalloc int[g.KW], hi = stackalloc int[g.KW];
        ValidColumns(g, lo, hi);
        int r = 0;
        for (int c = 0; c < channels; c++)
        {
            var plane = x.Slice(c * h * w, h * w);
            for (int kh = 0; kh < g.KH; kh++)
            {
                for (int kw = 0; kw < g.KW; kw++, r++)
                {
                    var row = col.Slice(r * hw, hw);
                    int l = lo[kw], u = hi[kw], iw0 = l * g.SW - g.PW + kw * g.DW;
                    for (int oh = 0; oh < g.Hout; oh++)
                    {
                        var dst = row.Slice(oh * wout, wout);
                        int ih = oh * g.SH - g.PH + kh * g.DH;
                        if ((uint)ih >= (uint)h || l >= u) { dst.Clear(); continue; }
                        dst[..l].Clear();
                        dst[u..].Clear();
                        var src = plane.Slice(ih * w);
                        if (g.SW == 1) src.Slice(iw0, u - l).CopyTo(dst[l..u]);
                        else for (int ow = l, iw = iw0; ow < u; ow++, iw += g.SW) dst[ow] = src[iw];
                    }
                }
            }
        }
    }

    /// <summary>dx (C, H, W) += fold(col): every column entry is added back to the input pixel it was read from.</summary>
    public static void FoldAdd<T>(ReadOnlySpan<T> col, int channels, ConvGeometry g, Span<T> dx) where T : unmanaged, INumberBase<T>
    {
        int h = g.H, w = g.W, hw = g.HWout, wout = g.Wout;
        Span<int> lo = stackalloc int[g.KW], hi = stackalloc int[g.KW];
        ValidColumns(g, lo, hi);
        int r = 0;
        for (int c = 0; c < channels; c++)
        {
            var plane = dx.Slice(c * h * w, h * w);
            for (int kh = 0; kh < g.KH; kh++)
            {
                for (int kw = 0; kw < g.KW; kw++, r++)
                {
                    var row = col.Slice(r * hw, hw);
                    int l = lo[kw], u = hi[kw], iw0 = l * g.SW - g.PW + kw * g.DW;
                    if (l >= u) continue;
                    for (int oh = 0; oh < g.Hout; oh++)
                    {
                        int ih = oh * g.SH - g.PH + kh * g.DH;
                        if ((uint)ih >= (uint)h) continue;
                        var src = row.Slice(oh * wout + l, u - l);
                        var dst = plane.Slice(ih * w);
                        if (g.SW == 1) AddInPlace(dst.Slice(iw0, u - l), src);
                        else for (int i = 0, iw = iw0; i < src.Length; i++, iw += g.SW) dst[iw] += src[i];
                    }
                }
            }
        }
    }

    private static void AddInPlace<T>(Span<T> dst, ReadOnlySpan<T> src) where T : unmanaged, INumberBase<T>
    {
        if (typeof(T) == typeof(float))
        {
            var d = System.Runtime.InteropServices.MemoryMarshal.Cast<T, float>(dst);
            TensorPrimitives.Add(d, System.Runtime.InteropServices.MemoryMarshal.Cast<T, float>(src), d);
        }
        else if (typeof(T) == typeof(double))
        {
            var d = System.Runtime.InteropServices.MemoryMarshal.Cast<T, double>(dst);
            TensorPrimitives.Add(d, System.Runtime.InteropServices.MemoryMarshal.Cast<T, double>(src), d);
        }
        else for (int i = 0; i < dst.Length; i++) dst[i] += src[i];
    }

    /// <summary>For each kw, the output columns [lo, hi) whose input column ow·SW − PW + kw·DW lies inside [0, W).</summary>
    private static void ValidColumns(ConvGeometry g, Span<int> lo, Span<int> hi)
    {
        for (int kw = 0; kw < g.KW; kw++)
        {
            int shift = kw * g.DW - g.PW; // iw = ow·SW + shift
            int l = Math.Max(0, CeilDiv(-shift, g.SW));
            int u = Math.Min(g.Wout, CeilDiv(g.W - shift, g.SW));
            lo[kw] = Math.Min(l, g.Wout);
            hi[kw] = Math.Max(u, lo[kw]);
        }
    }

    /// <summary>⌈a / b⌉ for b &gt; 0 and any sign of a.</summary>
    internal static int CeilDiv(int a, int b) => a >= 0 ? (a + b - 1) / b : -(-a / b);
}
