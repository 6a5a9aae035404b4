// Fused layer-norm kernels over dense (rows, D): forward saving mean/rstd per row, backward for input, weight and bias.
using System.Buffers;
using System.Numerics;
using System.Numerics.Tensors;
using Mtl.Threading;
using static Mtl.Kernels.KernelBuffers;

namespace Mtl.Kernels;

/// <summary>
/// Layer normalisation of each row of a dense (rows, D) buffer: y = (x − mean)·rstd ⊙ w + b with the biased variance.
/// Rows run in parallel; weight/bias gradients are summed per fixed chunk and the chunk partials combined in order,
/// so results are bit-identical for a given thread count.
/// </summary>
internal static class LayerNormKernel
{
    private const int WorkPerChunk = 16384; // elements per parallel chunk, at least

    /// <summary>Forward over dense <paramref name="x"/> viewed as (rows, d); returns y (x's shape), mean (rows) and rstd (rows).</summary>
    public static (Tensor Y, Tensor Mean, Tensor Rstd) Forward(Tensor x, Tensor? weight, Tensor? bias, int rows, int d, double eps)
    {
        var y = Tensor.Empty(x.ShapeArray, x.DType);
        var mean = Tensor.Empty([rows], x.DType);
        var rstd = Tensor.Empty([rows], x.DType);
        if (x.Numel == 0) return (y, mean, rstd);
        if (x.DType == DType.Float32)
            Forward(Mem<float>(x), Mem<float>(weight), Mem<float>(bias), Mem<float>(y), Mem<float>(mean), Mem<float>(rstd), rows, d, eps);
        else
            Forward(Mem<double>(x), Mem<double>(weight), Mem<double>(bias), Mem<double>(y), Mem<double>(mean), Mem<double>(rstd), rows, d, eps);
        return (y, mean, rstd);
    }

    /// <summary>
    /// Gradients for dense x (rows, d) from g (any layout) and the saved mean/rstd; each one only when asked for
    /// (dx of x's shape, dweight/dbias of <paramref name="paramShape"/>).
    /// </summary>
    public static (Tensor? Dx, Tensor? Dw, Tensor? Db) Backward(Tensor x, Tensor? weight, Tensor g, Tensor mean, Tensor rstd,
        int rows, int d, int[] paramShape, bool needX, bool needW, bool needB)
    {
        var gc = g.IsContiguous ? g : g.Detach().Contiguous();
        Tensor? dx = needX ? Tensor.Empty(x.ShapeArray, x.DType) : null;
        Tensor? dw = needW ? Tensor.Zeros(paramShape, x.DType) : null;
        Tensor? db = needB ? Tensor.Zeros(paramShape, x.DType) : null;
        if (x.Numel == 0) return (dx, dw, db);
        if (x.DType == DType.Float32)
            Backward(Mem<float>(x), Mem<float>(weight), Mem<float>(gc), Mem<float>(mean), Mem<float>(rstd),
                Mem<float>(dx), Mem<float>(dw), Mem<float>(db), rows, d);
        else
            Backward(Mem<double>(x), Mem<double>(weight), Mem<double>(gc), Mem<double>(mean), Mem<double>(rstd),
                Mem<double>(dx), Mem<double>(dw), Mem<double>(db), rows, d);
        return (dx, dw, db);
    }

    /// <summary>Forward on raw buffers; an empty weight/bias means none. d ≥ 1.</summary>
    public static void Forward<T>(ReadOnlyMemory<T> x, ReadOnlyMemory<T> weight, ReadOnlyMemory<T> bias, Memory<T> y,
        Memory<T> mean, Memory<T> rstd, int rows, int d, double eps) where T : unmanaged, IFloatingPointIeee754<T>
    {
        T e = T.CreateChecked(eps), invD = T.One / T.CreateChecked(d);
        bool hasW = !weight.IsEmpty, hasB = !bias.IsEmpty;
        MtlThreads.For(rows, Math.Max(1, WorkPerChunk / d), (_, start, end) =>
        {
            ReadOnlySpan<T> xs = x.Span, w = weight.Span, b = bias.Span;
            Span<T> ys = y.Span, ms = mean.Span, rs = rstd.Span;
            for (int i = start; i < end; i++)
            {
                ReadOnlySpan<T> xr = xs.Slice(i * d, d);
                var yr = ys.Slice(i * d, d);
                T mu = TensorPrimitives.Sum(xr) * invD;
                TensorPrimitives.Subtract(xr, mu, yr);                       // two-pass variance: no cancellation
                T r = T.One / T.Sqrt(TensorPrimitives.SumOfSquares<T>(yr) * invD + e);
                TensorPrimitives.Multiply(yr, r, yr);
                if (hasW && hasB) TensorPrimitives.MultiplyAdd(yr, w, b, yr);
                else if (hasW) TensorPrimitives.Multiply(yr, w, yr);
                else if (hasB) TensorPrimitives.Add(yr, b, yr);
                ms[i] = mu;
                rs[i] = r;
            }
        });
    }

    /// <summary>
    /// Backward on raw buffers: with x̂ = (x − mean)·rstd and ĝ = g ⊙ w, dx = rstd·(ĝ − mean(ĝ) − x̂·mean(ĝ⊙x̂)),
    /// dw = Σ_rows g⊙x̂, db = Σ_rows g. Empty outputs are skipped; dw/db must come zeroed. d ≥ 1.
    /// </summary>
    public static void Backward<T>(ReadOnlyMemory<T> x, ReadOnlyMemory<T> weight, ReadOnlyMemory<T> g, ReadOnlyMemory<T> mean,
        ReadOnlyMemory<T> rstd, Memory<T> dx, Memory<T> dw, Memory<T> db, int rows, int d) where T : unmanaged, IFloatingPointIeee754<T>
    {
        T invD = T.One / T.CreateChecked(d);
        bool hasW = !weight.IsEmpty, needX = !dx.IsEmpty, needW = !dw.IsEmpty, needB = !db.IsEmpty;
        int minRows = Math.Max(1, WorkPerChunk / d);
        int chunks = MtlThreads.ChunkCount(rows, minRows);
        var partW = needW ? ArrayPool<T>.Shared.Rent(chunks * d) : null;
        var partB = needB ? ArrayPool<T>.Shared.Rent(chunks * d) : null;
        try
        {
            MtlThreads.For(rows, minRows, (chunk, start, end) =>
            {
                var scratch = ArrayPool<T>.Shared.Rent(2 * d);
                try
                {
                    ReadOnlySpan<T> xs = x.Span, w = weight.Span, gs = g.Span, ms = mean.Span, rs = rstd.Span;
                    Span<T> xhat = scratch.AsSpan(0, d), gh = scratch.AsSpan(d, d), dxs = dx.Span;
                    Span<T> pw = needW ? partW.AsSpan(chunk * d, d) : default, pb = needB ? partB.AsSpan(chunk * d, d) : default;
                    pw.Clear();
                    pb.Clear();
                    for (int i = start; i < end; i++)
                    {
                        ReadOnlySpan<T> xr = xs.Slice(i * d, d), gr = gs.Slice(i * d, d);
                        T r = rs[i];
                        TensorPrimitives.Subtract(xr, ms[i], xhat);
                        TensorPrimitives.Multiply(xhat, r, xhat);
                        if (needW) TensorPrimitives.MultiplyAdd(gr, xhat, pw, pw);
                        if (needB) TensorPrimitives.Add(pb, gr, pb);
                        if (!needX) continue;
                        ReadOnlySpan<T> ghr = gr;
                        if (hasW)
                        {
                            TensorPrimitives.Multiply(gr, w, gh);
                            ghr = gh;
                        }
                        T a = TensorPrimitives.Sum(ghr) * invD, c = TensorPrimitives.Dot(ghr, xhat) * invD;
                        var dr = dxs.Slice(i * d, d);
                        TensorPrimitives.MultiplyAdd(xhat, -c, ghr, dr); // ĝ − x̂·c
                        TensorPrimitives.Subtract(dr, a, dr);
                        TensorPrimitives.Multiply(dr, r, dr);
                    }
                }
                finally { ArrayPool<T>.Shared.Return(scratch); }
            });
            // Combine the chunk partials in chunk order (deterministic).
            for (int c = 0; c < chunks; c++)
            {
                if (needW) TensorPrimitives.Add(dw.Span, partW.AsSpan(c * d, d), dw.Span);
                if (needB) TensorPrimitives.Add(db.Span, partB.AsSpan(c * d, d), db.Span);
            }
        }
        finally
        {
            if (partW is not null) ArrayPool<T>.Shared.Return(partW);
            if (partB is not null) ArrayPool<T>.Shared.Return(partB);
        }
    }
}

/// <summary>Naive per-row layer-norm loops: the oracle for <see cref="LayerNormKernel"/>. Empty weight/bias means none.</summary>
internal static class LayerNormReference
{
    public static void Forward<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> weight, ReadOnlySpan<T> bias, Span<T> y, Span<T> mean, Span<T> rstd,
        int rows, int d, double eps) where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int i = 0; i < rows; i++)
        {
            var (mu, r) = RowStats(x.Slice(i * d, d), eps);
            for (int j = 0; j < d; j++)
            {
                T h = (x[i * d + j] - mu) * r;
                y[i * d + j] = h * (weight.IsEmpty ? T.One : weight[j]) + (bias.IsEmpty ? T.Zero : bias[j]);
            }
            mean[i] = mu;
            rstd[i] = r;
        }
    }

    /// <summary>Mean and 1/√(biased variance + eps) of one row, by two plain passes.</summary>
    private static (T Mean, T Rstd) RowStats<T>(ReadOnlySpan<T> row, double eps) where T : unmanaged, IFloatingPointIeee754<T>
    {
        T n = T.CreateChecked(row.Length), mu = T.Zero, v = T.Zero;
        foreach (var value in row) mu += value;
        mu /= n;
        foreach (var value in row) v += (value - mu) * (value - mu);
        return (mu, T.One / T.Sqrt(v / n + T.CreateChecked(eps)));
    }

    public static void Backward<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> weight, ReadOnlySpan<T> g, Span<T> dx, Span<T> dw, Span<T> db,
        int rows, int d, double eps) where T : unmanaged, IFloatingPointIeee754<T>
    {
        T n = T.CreateChecked(d);
        dw.Clear();
        db.Clear();
        var xhat = new T[d];
        for (int i = 0; i < rows; i++)
        {
            var (mu, r) = RowStats(x.Slice(i * d, d), eps);
            T sumG = T.Zero, sumGX = T.Zero;
            for (int j = 0; j < d; j++)
            {
                xhat[j] = (x[i * d + j] - mu) * r;
                T gh = g[i * d + j] * (weight.IsEmpty ? T.One : weight[j]);
                sumG += gh;
                sumGX += gh * xhat[j];
                dw[j] += g[i * d + j] * xhat[j];
                db[j] += g[i * d + j];
            }
            for (int j = 0; j < d; j++)
            {
                T gh = g[i * d + j] * (weight.IsEmpty ? T.One : weight[j]);
                dx[i * d + j] = r * (gh - sumG / n - xhat[j] * sumGX / n);
            }
        }
    }
}
