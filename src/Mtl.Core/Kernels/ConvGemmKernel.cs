// conv2d by im2col + GEMM: forward, input gradient (GEMM then col2im) and weight gradient, parallel over the batch.
using System.Numerics;
using System.Numerics.Tensors;
using Mtl.Threading;

namespace Mtl.Kernels;

/// <summary>
/// The general conv2d path (any stride, padding, dilation, groups, float32 or float64). Per sample n and group g:
/// y[n, g] (CoutG, Hout·Wout) = W[g] (CoutG, Kg) · col[g] (Kg, Hout·Wout) with col = im2col(x[n]).
/// Samples are split into <see cref="MtlThreads"/> chunks; each chunk owns a slice of one scratch tensor.
/// All tensors passed in are dense; outputs are fully overwritten.
/// </summary>
internal static class ConvGemmKernel
{
    /// <summary>y = conv(x, w) + b.</summary>
    public static unsafe void Forward<T>(Tensor x, Tensor w, Tensor? b, ConvGeometry g, Tensor y, int minPerChunk)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int colSize = g.IsPointwise ? 0 : g.Cin * g.KH * g.KW * g.HWout;
        int chunks = MtlThreads.ChunkCount(g.N, minPerChunk);
        var scratch = Tensor.Empty([chunks * colSize], y.DType);
        T[] xa = x.Array<T>(), wa = w.Array<T>(), ya = y.Array<T>(), sa = scratch.Array<T>();
        T[]? ba = b?.Array<T>();
        int xOff = x.Offset, wOff = w.Offset, yOff = y.Offset, bOff = b?.Offset ?? 0;
        int inSize = g.Cin * g.H * g.W, outSize = g.Cout * g.HWout, hw = g.HWout;
        MtlThreads.For(g.N, minPerChunk, (c, start, end) =>
        {
            fixed (T* px = xa, pw = wa, py = ya, ps = sa)
            {
                for (int n = start; n < end; n++)
                {
                    T* xn = px + xOff + (long)n * inSize, yn = py + yOff + (long)n * outSize;
                    T* col = xn;
                    if (!g.IsPointwise)
                    {
                        col = ps + (long)c * colSize;
                        Im2Col.Unfold(new ReadOnlySpan<T>(xn, inSize), g.Cin, g, new Span<T>(col, colSize));
                    }
                    for (int grp = 0; grp < g.Groups; grp++)
                        GemmT(false, false, g.CoutG, hw, g.Kg, pw + wOff + (long)grp * g.CoutG * g.Kg, g.Kg,
                            col + (long)grp * g.Kg * hw, hw, false, yn + (long)grp * g.CoutG * hw, hw);
                    if (ba is not null)
                        for (int co = 0; co < g.Cout; co++)
                        {
                            var row = new Span<T>(yn + (long)co * hw, hw);
                            AddScalar(row, ba[bOff + co]);
                        }
                }
            }
        });
    }

    /// <summary>dx = convᵀ(gy, w): per sample col = Wᵀ · gy[n], then col2im into dx[n].</summary>
    public static unsafe void InputGrad<T>(Tensor gy, Tensor w, ConvGeometry g, Tensor dx, int minPerChunk)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int colSize = g.IsPointwise ? 0 : g.Cin * g.KH * g.KW * g.HWout;
        int chunks = MtlThreads.ChunkCount(g.N, minPerChunk);
        var scratch = Tensor.Empty([chunks * colSize], dx.DType);
        T[] ga = gy.Array<T>(), wa = w.Array<T>(), da = dx.Array<T>(), sa = scratch.Array<T>();
        int gOff = gy.Offset, wOff = w.Offset, dOff = dx.Offset;
        int inSize = g.Cin * g.H * g.W, outSize = g.Cout * g.HWout, hw = g.HWout;
        MtlThreads.For(g.N, minPerChunk, (c, start, end) =>
        {
            fixed (T* pg = ga, pw = wa, pd = da, ps = sa)
            {
                for (int n = start; n < end; n++)
                {
                    T* gn = pg + gOff + (long)n * outSize, dn = pd + dOff + (long)n * inSize;
                    T* col = g.IsPointwise ? dn : ps + (long)c * colSize;
                    for (int grp = 0; grp < g.Groups; grp++)
                        GemmT(true, false, g.Kg, hw, g.CoutG, pw + wOff + (long)grp * g.CoutG * g.Kg, g.Kg,
                            gn + (long)grp * g.CoutG * hw, hw, false, col + (long)grp * g.Kg * hw, hw);
                    if (g.IsPointwise) continue;
                    var d = new Span<T>(dn, inSize);
                    d.Clear();
                    Im2Col.FoldAdd(new ReadOnlySpan<T>(col, colSize), g.Cin, g, d);
                }
            }
        });
    }

    /// <summary>
    /// dw = Σₙ gy[n] · im2col(x[n])ᵀ. Each chunk sums its samples in order into its own partial; the partials are then
    /// added in chunk order, so the result depends only on the thread count, never on scheduling.
    /// </summary>
    public static unsafe void WeightGrad<T>(Tensor x, Tensor gy, ConvGeometry g, Tensor dw, int minPerChunk)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int colSize = g.IsPointwise ? 0 : g.Cin * g.KH * g.KW * g.HWout;
        int wSize = g.Cout * g.Kg;
        int chunks = MtlThreads.ChunkCount(g.N, minPerChunk);
        var scratch = Tensor.Empty([chunks * colSize], dw.DType);
        var partials = chunks == 1 ? dw : Tensor.Empty([chunks * wSize], dw.DType);
        T[] xa = x.Array<T>(), ga = gy.Array<T>(), sa = scratch.Array<T>(), pa = partials.Array<T>();
        int xOff = x.Offset, gOff = gy.Offset, pOff = partials.Offset;
        int inSize = g.Cin * g.H * g.W, outSize = g.Cout * g.HWout, hw = g.HWout;
        MtlThreads.For(g.N, minPerChunk, (c, start, end) =>
        {
            fixed (T* px = xa, pg = ga, ps = sa, pp = pa)
            {
                T* part = pp + pOff + (long)c * wSize;
                new Span<T>(part, wSize).Clear();
                for (int n = start; n < end; n++)
                {
                    T* xn = px + xOff + (long)n * inSize, gn = pg + gOff + (long)n * outSize;
                    T* col = xn;
                    if (!g.IsPointwise)
                    {
                        col = ps + (long)c * colSize;
                        Im2Col.Unfold(new ReadOnlySpan<T>(xn, inSize), g.Cin, g, new Span<T>(col, colSize));
                    }
                    for (int grp = 0; grp < g.Groups; grp++)
                        GemmT(false, true, g.CoutG, g.Kg, hw, gn + (long)grp * g.CoutG * hw, hw,
                            col + (long)grp * g.Kg * hw, hw, true, part + (long)grp * g.CoutG * g.Kg, g.Kg);
                }
            }
        });
        if (g.N == 0) dw.ClearRaw();
        if (chunks > 1) SumPartials<T>(partials, chunks, wSize, dw);
    }

    /// <summary>dst = Σ_c partials[c] in chunk order.</summary>
    internal static void SumPartials<T>(Tensor partials, int chunks, int size, Tensor dst) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var p = partials.Span<T>();
        var d = dst.Span<T>();
        p[..size].CopyTo(d);
        for (int c = 1; c < chunks; c++) TensorPrimitives.Add<T>(d, p.Slice(c * size, size), d);
    }

    private static void AddScalar<T>(Span<T> row, T v) where T : unmanaged, IFloatingPointIeee754<T> =>
        TensorPrimitives.Add<T>(row, v, row);

    /// <summary>C = op(A)·op(B) (+ C when <paramref name="accumulate"/>) through Gemm.Sgemm / Gemm.Dgemm.</summary>
    internal static unsafe void GemmT<T>(bool transA, bool transB, int m, int n, int k, T* a, int lda, T* b, int ldb,
        bool accumulate, T* c, int ldc) where T : unmanaged
    {
        if (m == 0 || n == 0) return;
        if (k == 0)
        {
            if (!accumulate) for (int i = 0; i < m; i++) new Span<T>(c + (long)i * ldc, n).Clear();
            return;
        }
        if (typeof(T) == typeof(float))
            Gemm.Sgemm(transA, transB, m, n, k, 1f, (float*)a, lda, (float*)b, ldb, accumulate ? 1f : 0f, (float*)c, ldc);
        else
            Gemm.Dgemm(transA, transB, m, n, k, 1.0, (double*)a, lda, (double*)b, ldb, accumulate ? 1.0 : 0.0, (double*)c, ldc);
    }
}
