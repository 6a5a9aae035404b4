// Fused batch-norm kernels over dense (N, C, S): per-channel statistics, normalisation, and the backward pass.
using System.Numerics;
using System.Numerics.Tensors;
using Mtl.Threading;
using static Mtl.Kernels.KernelBuffers;

namespace Mtl.Kernels;

/// <summary>
/// Batch normalisation of a dense input viewed as (N, C, S), S = product of the spatial dims. Statistics are column
/// sums over the N rows of length C·S (vector ops on contiguous memory, no transposes, blocked for float32 accuracy),
/// then a sum over each channel's S columns. Columns are split across threads and every column is summed in the same order, so results do not
/// depend on the thread count.
/// </summary>
internal static class BatchNormKernel
{
    private const int WorkPerChunk = 16384; // elements per parallel chunk, at least

    /// <summary>(N, C, S) of an input of rank ≥ 2.</summary>
    public static (int N, int C, int S) Dims(ReadOnlySpan<int> shape)
    {
        int s = 1;
        for (int i = 2; i < shape.Length; i++) s *= shape[i];
        return (shape[0], shape[1], s);
    }

    /// <summary>
    /// Forward of dense <paramref name="x"/>: batch statistics when <paramref name="training"/> (also returning the
    /// biased batch variance), else <paramref name="runMean"/>/<paramref name="runVar"/>. Mean and rstd (C) are saved for backward.
    /// </summary>
    public static (Tensor Y, Tensor Mean, Tensor Rstd, double[]? BatchVar) Forward(Tensor x, Tensor? weight, Tensor? bias, bool training,
        double[]? runMean, double[]? runVar, double eps)
    {
        var (n, c, s) = Dims(x.Shape);
        var y = Tensor.Empty(x.ShapeArray, x.DType);
        var mean = Tensor.Empty([c], x.DType);
        var rstd = Tensor.Empty([c], x.DType);
        var batchVar = training ? new double[c] : null;
        if (x.DType == DType.Float32) ForwardTyped<float>(x, weight, bias, y, mean, rstd, batchVar, runMean, runVar, n, c, s, eps);
        else ForwardTyped<double>(x, weight, bias, y, mean, rstd, batchVar, runMean, runVar, n, c, s, eps);
        return (y, mean, rstd, batchVar);
    }

    private static void ForwardTyped<T>(Tensor x, Tensor? weight, Tensor? bias, Tensor y, Tensor mean, Tensor rstd, double[]? batchVar,
        double[]? runMean, double[]? runVar, int n, int c, int s, double eps) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var m = mean.Span<T>();
        var v = new T[c];
        if (batchVar is null)
            for (int ch = 0; ch < c; ch++) (m[ch], v[ch]) = (T.CreateChecked(runMean![ch]), T.CreateChecked(runVar![ch]));
        if (x.Numel == 0)
        {
            for (int ch = 0; ch < c; ch++) rstd.Span<T>()[ch] = T.One / T.Sqrt(v[ch] + T.CreateChecked(eps));
            return;
        }
        Forward(Mem<T>(x), Mem<T>(weight).Span, Mem<T>(bias).Span, Mem<T>(y), m, rstd.Span<T>(), v, n, c, s, batchVar is not null, eps);
        if (batchVar is not null) for (int ch = 0; ch < c; ch++) batchVar[ch] = double.CreateChecked(v[ch]);
    }

    /// <summary>
    /// Backward for dense x from g (any layout) and the saved mean/rstd; each gradient only when asked for. In eval
    /// mode the op is the affine map y = (x − mean)·rstd·w + b with constant statistics.
    /// </summary>
    public static (Tensor? Dx, Tensor? Dw, Tensor? Db) Backward(Tensor x, Tensor? weight, Tensor g, Tensor mean, Tensor rstd, bool training,
        bool needX, bool needW, bool needB)
    {
        var (n, c, s) = Dims(x.Shape);
        var gc = g.IsContiguous ? g : g.Detach().Contiguous();
        Tensor? dx = needX ? Tensor.Empty(x.ShapeArray, x.DType) : null;
        Tensor? dw = needW ? Tensor.Zeros([c], x.DType) : null;
        Tensor? db = needB ? Tensor.Zeros([c], x.DType) : null;
        if (x.Numel == 0) return (dx, dw, db);
        if (x.DType == DType.Float32)
            Backward(Mem<float>(x), Mem<float>(gc), Mem<float>(weight).Span, mean.Span<float>(), rstd.Span<float>(),
                Mem<float>(dx), Mem<float>(dw).Span, Mem<float>(db).Span, n, c, s, training);
        else
            Backward(Mem<double>(x), Mem<double>(gc), Mem<double>(weight).Span, mean.Span<double>(), rstd.Span<double>(),
                Mem<double>(dx), Mem<double>(dw).Span, Mem<double>(db).Span, n, c, s, training);
        return (dx, dw, db);
    }

    /// <summary>
    /// Forward on raw buffers. Training: <paramref name="mean"/> and <paramref name="var"/> receive the batch mean and
    /// biased variance; eval: they hold the running statistics on entry. Empty weight/bias means none. N·C·S ≥ 1.
    /// </summary>
    public static void Forward<T>(ReadOnlyMemory<T> x, ReadOnlySpan<T> weight, ReadOnlySpan<T> bias, Memory<T> y, Span<T> mean, Span<T> rstd,
        Span<T> var, int n, int c, int s, bool training, double eps) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int cs = c * s;
        using var tmp = new RentedBuffers<T>();
        T[] meanE = tmp.Take(cs), scaleE = tmp.Take(cs), shiftE = tmp.Take(cs);
        if (training) Stats(x, mean, var, meanE, n, c, s, tmp);
        else Expand(mean, s, meanE);
        T e = T.CreateChecked(eps);
        for (int ch = 0; ch < c; ch++)
        {
            rstd[ch] = T.One / T.Sqrt(var[ch] + e);
            scaleE.AsSpan(ch * s, s).Fill(rstd[ch] * (weight.IsEmpty ? T.One : weight[ch]));
            shiftE.AsSpan(ch * s, s).Fill(bias.IsEmpty ? T.Zero : bias[ch]);
        }
        // y = (x − mean)·scale + shift, segment by segment.
        ForSegments(n, cs, (row, j0, j1) =>
        {
            int len = j1 - j0;
            var yr = y.Span.Slice(row * cs + j0, len);
            TensorPrimitives.Subtract(x.Span.Slice(row * cs + j0, len), meanE.AsSpan(j0, len), yr);
            TensorPrimitives.MultiplyAdd(yr, scaleE.AsSpan(j0, len), shiftE.AsSpan(j0, len), yr);
        });
    }

    // Per-channel mean and biased variance; meanE receives the expanded mean. The mean sums x − pivot (pivot = the
    // channel's first value) so that a large mean does not swamp float32 sums; the variance is a second pass on x − mean.
    private static void Stats<T>(ReadOnlyMemory<T> x, Span<T> mean, Span<T> var, T[] meanE, int n, int c, int s, RentedBuffers<T> tmp)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int cs = c * s;
        T count = T.CreateChecked((long)n * s);
        T[] acc = tmp.Take(cs), pivotE = tmp.Take(cs);
        for (int ch = 0; ch < c; ch++) pivotE.AsSpan(ch * s, s).Fill(x.Span[ch * s]);
        ColumnSums<T>(n, cs, acc, null, (i, j0, a, _, d) =>
        {
            TensorPrimitives.Subtract(x.Span.Slice(i * cs + j0, a.Length), pivotE.AsSpan(j0, a.Length), d);
            TensorPrimitives.Add(a, d, a);
        });
        for (int ch = 0; ch < c; ch++) mean[ch] = pivotE[ch * s] + TensorPrimitives.Sum<T>(acc.AsSpan(ch * s, s)) / count;
        Expand(mean, s, meanE);
        ColumnSums<T>(n, cs, acc, null, (i, j0, a, _, d) =>
        {
            TensorPrimitives.Subtract(x.Span.Slice(i * cs + j0, a.Length), meanE.AsSpan(j0, a.Length), d);
            TensorPrimitives.MultiplyAdd(d, d, a, a);
        });
        for (int ch = 0; ch < c; ch++) var[ch] = TensorPrimitives.Sum<T>(acc.AsSpan(ch * s, s)) / count;
    }

    /// <summary>
    /// Backward on raw buffers (empty outputs are skipped; dw/db must come zeroed). With x̂ = (x − mean)·rstd,
    /// db = Σ g, dw = Σ g⊙x̂ per channel; dx = w·rstd·(g − db/M − x̂·dw/M) in training, w·rstd·g in eval. N·C·S ≥ 1.
    /// </summary>
    public static void Backward<T>(ReadOnlyMemory<T> x, ReadOnlyMemory<T> g, ReadOnlySpan<T> weight, ReadOnlySpan<T> mean, ReadOnlySpan<T> rstd,
        Memory<T> dx, Span<T> dw, Span<T> db, int n, int c, int s, bool training) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int cs = c * s;
        bool needX = !dx.IsEmpty;
        if (!needX && dw.IsEmpty && db.IsEmpty) return;
        using var tmp = new RentedBuffers<T>();
        var meanE = tmp.Take(cs);
        Expand(mean, s, meanE);
        T count = T.CreateChecked((long)n * s);
        T[] sumG = tmp.Take(c), sumGX = tmp.Take(c);
        if (training || !dw.IsEmpty || !db.IsEmpty)
        {
            // Column sums of g and g⊙(x − mean) over the N rows.
            T[] accG = tmp.Take(cs), accGX = tmp.Take(cs);
            ColumnSums<T>(n, cs, accG, accGX, (i, j0, ag, agx, d) =>
            {
                var gr = g.Span.Slice(i * cs + j0, ag.Length);
                TensorPrimitives.Subtract(x.Span.Slice(i * cs + j0, ag.Length), meanE.AsSpan(j0, ag.Length), d);
                TensorPrimitives.MultiplyAdd(gr, d, agx, agx);
                TensorPrimitives.Add(ag, gr, ag);
            });
            for (int ch = 0; ch < c; ch++)
            {
                sumG[ch] = TensorPrimitives.Sum<T>(accG.AsSpan(ch * s, s));
                sumGX[ch] = TensorPrimitives.Sum<T>(accGX.AsSpan(ch * s, s)) * rstd[ch]; // Σ g⊙x̂
                if (!dw.IsEmpty) dw[ch] = sumGX[ch];
                if (!db.IsEmpty) db[ch] = sumG[ch];
            }
        }
        if (!needX) return;
        // dx = k1·g + k2·(x − mean) + k3 per channel.
        T[] k1 = tmp.Take(cs), k2 = tmp.Take(cs), k3 = tmp.Take(cs);
        for (int ch = 0; ch < c; ch++)
        {
            T a = rstd[ch] * (weight.IsEmpty ? T.One : weight[ch]);
            k1.AsSpan(ch * s, s).Fill(a);
            k2.AsSpan(ch * s, s).Fill(training ? -a * rstd[ch] * sumGX[ch] / count : T.Zero);
            k3.AsSpan(ch * s, s).Fill(training ? -a * sumG[ch] / count : T.Zero);
        }
        ForSegments(n, cs, (row, j0, j1) =>
        {
            int len = j1 - j0, at = row * cs + j0;
            var dr = dx.Span.Slice(at, len);
            var gr = g.Span.Slice(at, len);
            if (training)
            {
                TensorPrimitives.Subtract(x.Span.Slice(at, len), meanE.AsSpan(j0, len), dr);
                TensorPrimitives.MultiplyAdd(dr, k2.AsSpan(j0, len), k3.AsSpan(j0, len), dr);
                TensorPrimitives.MultiplyAdd(gr, k1.AsSpan(j0, len), dr, dr);
            }
            else TensorPrimitives.Multiply(gr, k1.AsSpan(j0, len), dr);
        });
    }

    // dst[ch·s + k] = perChannel[ch].
    private static void Expand<T>(ReadOnlySpan<T> perChannel, int s, Span<T> dst) where T : unmanaged
    {
        for (int ch = 0; ch < perChannel.Length; ch++) dst.Slice(ch * s, s).Fill(perChannel[ch]);
    }

    // Adds row `row`'s terms for columns [j0, j0 + acc0.Length) into acc0 (and acc1); scratch has the same length.
    private delegate void RowTerms<T>(int row, int j0, Span<T> acc0, Span<T> acc1, Span<T> scratch);

    // acc0[j] (and acc1[j]) = Σ over the N rows of the terms for column j. Columns are split across threads; rows are
    // summed in blocks of about √N whose sums are then added, so float32 error grows with ~2√N rather than N.
    private static void ColumnSums<T>(int n, int cs, T[] acc0, T[]? acc1, RowTerms<T> body) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int block = Math.Max(16, (int)Math.Sqrt(n));
        MtlThreads.For(cs, Math.Max(64, WorkPerChunk / Math.Max(1, n)), (_, j0, j1) =>
        {
            int len = j1 - j0;
            using var tmp = new RentedBuffers<T>();
            Span<T> a0 = acc0.AsSpan(j0, len), b0 = tmp.Take(len).AsSpan(0, len), scratch = tmp.Take(len).AsSpan(0, len);
            Span<T> a1 = acc1 is null ? default : acc1.AsSpan(j0, len), b1 = acc1 is null ? default : tmp.Take(len).AsSpan(0, len);
            a0.Clear();
            a1.Clear();
            for (int i0 = 0; i0 < n; i0 += block)
            {
                b0.Clear();
                b1.Clear();
                for (int i = i0, i1 = Math.Min(n, i0 + block); i < i1; i++) body(i, j0, b0, b1, scratch);
                TensorPrimitives.Add(a0, b0, a0);
                if (acc1 is not null) TensorPrimitives.Add(a1, b1, a1);
            }
        });
    }

    // The N·C·S elements split into equal chunks; each chunk visits its row segments (row, j0, j1).
    private static void ForSegments(int n, int cs, Action<int, int, int> body) =>
        MtlThreads.For(n * cs, WorkPerChunk, (_, start, end) =>
        {
            for (int i = start; i < end;)
            {
                int row = i / cs, j0 = i - row * cs, j1 = Math.Min(cs, j0 + (end - i));
                body(row, j0, j1);
                i += j1 - j0;
            }
        });

    /// <summary>The elements of a 1-D tensor of any float dtype and stride, as doubles.</summary>
    public static double[] ReadVector(Tensor t)
    {
        var r = new double[t.Shape[0]];
        for (int i = 0; i < r.Length; i++) r[i] = t[i];
        return r;
    }

    /// <summary>Overwrites a 1-D float tensor (any stride) with <paramref name="values"/>, in place.</summary>
    public static void WriteVector(Tensor t, double[] values)
    {
        int st = t.Strides[0];
        if (t.DType == DType.Float32)
        {
            var a = t.Array<float>();
            for (int i = 0; i < values.Length; i++) a[t.Offset + i * st] = (float)values[i];
        }
        else
        {
            var a = t.Array<double>();
            for (int i = 0; i < values.Length; i++) a[t.Offset + i * st] = values[i];
        }
        t.BumpVersion();
    }
}

/// <summary>Naive per-channel batch-norm loops over (N, C, S): the oracle for <see cref="BatchNormKernel"/>.</summary>
internal static class BatchNormReference
{
    /// <summary>Training: mean/var receive the batch mean and biased variance; eval: they hold the running statistics.</summary>
    public static void Forward<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> weight, ReadOnlySpan<T> bias, Span<T> y, Span<T> mean, Span<T> var,
        int n, int c, int s, bool training, double eps) where T : unmanaged, IFloatingPointIeee754<T>
    {
        T count = T.CreateChecked(n * s);
        for (int ch = 0; ch < c; ch++)
        {
            if (training)
            {
                T sum = T.Zero, sq = T.Zero;
                for (int i = 0; i < n; i++) for (int k = 0; k < s; k++) sum += x[(i * c + ch) * s + k];
                mean[ch] = sum / count;
                for (int i = 0; i < n; i++) for (int k = 0; k < s; k++) sq += T.Pow(x[(i * c + ch) * s + k] - mean[ch], T.CreateChecked(2));
                var[ch] = sq / count;
            }
            T r = T.One / T.Sqrt(var[ch] + T.CreateChecked(eps));
            for (int i = 0; i < n; i++)
                for (int k = 0; k < s; k++)
                {
                    int at = (i * c + ch) * s + k;
                    y[at] = (x[at] - mean[ch]) * r * (weight.IsEmpty ? T.One : weight[ch]) + (bias.IsEmpty ? T.Zero : bias[ch]);
                }
        }
    }

    /// <summary>Gradients given the statistics used in the forward (batch ones in training, running ones in eval).</summary>
    public static void Backward<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> g, ReadOnlySpan<T> weight, ReadOnlySpan<T> mean, ReadOnlySpan<T> var,
        Span<T> dx, Span<T> dw, Span<T> db, int n, int c, int s, bool training, double eps) where T : unmanaged, IFloatingPointIeee754<T>
    {
        T count = T.CreateChecked(n * s);
        for (int ch = 0; ch < c; ch++)
        {
            T r = T.One / T.Sqrt(var[ch] + T.CreateChecked(eps)), w = weight.IsEmpty ? T.One : weight[ch];
            T sumG = T.Zero, sumGX = T.Zero;
            for (int i = 0; i < n; i++)
                for (int k = 0; k < s; k++)
                {
                    int at = (i * c + ch) * s + k;
                    sumG += g[at];
                    sumGX += g[at] * (x[at] - mean[ch]) * r;
                }
            dw[ch] = sumGX;
            db[ch] = sumG;
            for (int i = 0; i < n; i++)
                for (int k = 0; k < s; k++)
                {
                    int at = (i * c + ch) * s + k;
                    T xhat = (x[at] - mean[ch]) * r;
                    dx[at] = training ? w * r * (g[at] - sumG / count - xhat * sumGX / count) : w * r * g[at];
                }
        }
    }
}
