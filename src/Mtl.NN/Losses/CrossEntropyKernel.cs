// Fused cross-entropy over dense (M, C) logit rows with class-index targets: per-row forward terms and the input gradient.
using System.Numerics;
using System.Numerics.Tensors;
using Mtl.Threading;

namespace Mtl.NN;

/// <summary>
/// The fast path of <see cref="Losses.CrossEntropy"/>: one pass of TensorPrimitives work per row, no (M, C)
/// log-probability tensor. Rows are independent and per-row results land in arrays that the caller sums in row
/// order, so the parallel split never changes a result. The composed LogSoftmax + Gather version is the test oracle.
/// </summary>
internal static class CrossEntropyKernel
{
    private const int WorkPerChunk = 32768; // logits per parallel chunk, at least

    /// <summary>
    /// For each row i of x (M, C) with target t = target[i]: lse[i] = log Σ_c exp x[i, c];
    /// nll[i] = w[t]·(lse − x[i, t]); smooth[i] = Σ_c w[c]·(lse − x[i, c]) (only when <paramref name="smoothing"/>);
    /// both 0 for an ignored row. w is all ones when <paramref name="weight"/> is empty.
    /// </summary>
    public static void Forward<T>(ReadOnlyMemory<T> x, int m, int c, int[] target, ReadOnlyMemory<T> weight, int ignoreIndex, bool smoothing,
        Memory<T> lse, double[] nll, double[] smooth) where T : unmanaged, IFloatingPointIeee754<T>
    {
        MtlThreads.For(m, Math.Max(1, WorkPerChunk / Math.Max(1, c)), (_, start, end) =>
        {
            using var rent = new Mtl.Kernels.RentedBuffers<T>();
            var buf = rent.Take(c).AsSpan(0, c);
            ReadOnlySpan<T> xs = x.Span, w = weight.Span;
            Span<T> ls = lse.Span;
            for (int i = start; i < end; i++)
            {
                var row = xs.Slice(i * c, c);
                T max = TensorPrimitives.Max(row);
                TensorPrimitives.Subtract(row, max, buf);
                TensorPrimitives.Exp(buf, buf);
                T l = max + T.Log(TensorPrimitives.Sum<T>(buf));
                ls[i] = l;
                int t = target[i];
                if (t == ignoreIndex)
                {
                    nll[i] = 0;
                    smooth[i] = 0;
                    continue;
                }
                T wt = w.IsEmpty ? T.One : w[t];
                nll[i] = double.CreateTruncating(wt * (l - row[t]));
                if (!smoothing) continue;
                TensorPrimitives.Subtract(row, l, buf); // log-probabilities
                T s = w.IsEmpty ? TensorPrimitives.Sum<T>(buf) : TensorPrimitives.Dot<T>(buf, w);
                smooth[i] = -double.CreateTruncating(s);
            }
        });
    }

    /// <summary>
    /// dx (M, C) of L = Σ_i G_i·(a·nll_i + b·smooth_i), where G_i = g[i] (or g[0] when g has one element):
    /// dx[i, c] = G_i·((a·w[t] + b·Σw)·p[i, c] − b·w[c] − a·w[t]·[c = t]), p = softmax(x[i]); 0 for ignored rows.
    /// </summary>
    public static void Backward<T>(ReadOnlyMemory<T> x, ReadOnlyMemory<T> lse, int m, int c, int[] target, ReadOnlyMemory<T> weight, int ignoreIndex,
        double a, double b, double weightSum, ReadOnlyMemory<T> g, Memory<T> dx) where T : unmanaged, IFloatingPointIeee754<T>
    {
        MtlThreads.For(m, Math.Max(1, WorkPerChunk / Math.Max(1, c)), (_, start, end) =>
        {
            ReadOnlySpan<T> xs = x.Span, ls = lse.Span, w = weight.Span, gs = g.Span;
            Span<T> ds = dx.Span;
            for (int i = start; i < end; i++)
            {
                var d = ds.Slice(i * c, c);
                int t = target[i];
                if (t == ignoreIndex)
                {
                    d.Clear();
                    continue;
                }
                double gi = double.CreateTruncating(gs.Length == 1 ? gs[0] : gs[i]);
                double wt = w.IsEmpty ? 1 : double.CreateTruncating(w[t]);
                TensorPrimitives.Subtract(xs.Slice(i * c, c), ls[i], d);
                TensorPrimitives.Exp(d, d); // p
                TensorPrimitives.Multiply(d, T.CreateTruncating(gi * (a * wt + b * weightSum)), d);
                if (b != 0)
                {
                    if (w.IsEmpty) TensorPrimitives.Add(d, T.CreateTruncating(-gi * b), d);
                    else TensorPrimitives.MultiplyAdd(w, T.CreateTruncating(-gi * b), d, d);
                }
                d[t] -= T.CreateTruncating(gi * a * wt);
            }
        });
    }
}
