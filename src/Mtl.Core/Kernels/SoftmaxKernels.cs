// Fused softmax / log-softmax over one axis (forward and first-order backward) on a dense (outer, n, inner) layout.
using System.Buffers;
using System.Numerics;
using System.Numerics.Tensors;
using Mtl.Threading;

namespace Mtl.Kernels;

/// <summary>
/// Softmax and log-softmax along the middle axis of a dense tensor viewed as (outer, n, inner). The last axis
/// (inner = 1) runs a few TensorPrimitives passes per row; any other axis runs on (n, tile) column blocks, where every
/// step is a vector op over contiguous inner elements, so no transpose is needed. Rows and blocks are independent,
/// so the parallel split never changes a result.
/// </summary>
internal static class SoftmaxKernel
{
    private const int Tile = 512;            // inner columns per work item on non-last axes
    private const int WorkPerChunk = 32768;  // elements per parallel chunk, at least

    /// <summary>(outer, n, inner) of a shape around <paramref name="axis"/>.</summary>
    public static (int Outer, int N, int Inner) Split(ReadOnlySpan<int> shape, int axis)
    {
        int outer = 1, inner = 1;
        for (int i = 0; i < axis; i++) outer *= shape[i];
        for (int i = axis + 1; i < shape.Length; i++) inner *= shape[i];
        return (outer, shape[axis], inner);
    }

    /// <summary>Softmax (or log-softmax) of <paramref name="x"/> along normalised <paramref name="axis"/>, into a new dense tensor.</summary>
    public static Tensor Forward(Tensor x, int axis, bool log, string op)
    {
        FloatCheck.Require(op, x);
        var r = Tensor.Empty(x.ShapeArray, x.DType);
        if (x.Numel == 0) return r;
        var src = x.IsContiguous ? x : x.Detach().Contiguous();
        var (outer, n, inner) = Split(x.Shape, axis);
        if (x.DType == DType.Float32)
            Forward<float>(src.Array<float>().AsMemory(src.Offset, src.Numel), r.Array<float>().AsMemory(r.Offset, r.Numel), outer, n, inner, log);
        else
            Forward<double>(src.Array<double>().AsMemory(src.Offset, src.Numel), r.Array<double>().AsMemory(r.Offset, r.Numel), outer, n, inner, log);
        return r;
    }

    /// <summary>
    /// Input gradient from the saved output <paramref name="y"/> (dense) and the output gradient <paramref name="g"/>:
    /// softmax dx = y ⊙ (g − Σ g⊙y); log-softmax dx = g − exp(y)·Σ g.
    /// </summary>
    public static Tensor Backward(Tensor y, Tensor g, int axis, bool log, string op)
    {
        FloatCheck.Require(op, y, g);
        var dx = Tensor.Empty(y.ShapeArray, y.DType);
        if (y.Numel == 0) return dx;
        var gc = g.IsContiguous ? g : g.Detach().Contiguous();
        var (outer, n, inner) = Split(y.Shape, axis);
        if (y.DType == DType.Float32)
            Backward<float>(y.Array<float>().AsMemory(y.Offset, y.Numel), gc.Array<float>().AsMemory(gc.Offset, gc.Numel),
                dx.Array<float>().AsMemory(dx.Offset, dx.Numel), outer, n, inner, log);
        else
            Backward<double>(y.Array<double>().AsMemory(y.Offset, y.Numel), gc.Array<double>().AsMemory(gc.Offset, gc.Numel),
                dx.Array<double>().AsMemory(dx.Offset, dx.Numel), outer, n, inner, log);
        return dx;
    }

    /// <summary>y = softmax or log-softmax of dense x (outer, n, inner) along n; n ≥ 1.</summary>
    public static void Forward<T>(ReadOnlyMemory<T> x, Memory<T> y, int outer, int n, int inner, bool log)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (inner == 1)
        {
            MtlThreads.For(outer, Math.Max(1, WorkPerChunk / n), (_, start, end) =>
            {
                ReadOnlySpan<T> xs = x.Span;
                Span<T> ys = y.Span;
                for (int i = start; i < end; i++) ForwardRow(xs.Slice(i * n, n), ys.Slice(i * n, n), log);
            });
            return;
        }
        int tile = Math.Min(inner, Tile), tiles = (inner + tile - 1) / tile;
        MtlThreads.For(outer * tiles, Math.Max(1, WorkPerChunk / (n * tile)), (_, start, end) =>
        {
            var buf = ArrayPool<T>.Shared.Rent(2 * tile);
            try
            {
                for (int item = start; item < end; item++)
                {
                    int o = item / tiles, j0 = item % tiles * tile, w = Math.Min(tile, inner - j0);
                    int at = o * n * inner + j0;
                    ForwardColumns(x.Span[at..], y.Span[at..], n, inner, buf.AsSpan(0, w), buf.AsSpan(tile, w), log);
                }
            }
            finally { ArrayPool<T>.Shared.Return(buf); }
        });
    }

    /// <summary>dx of softmax / log-softmax from dense y and g (outer, n, inner); n ≥ 1.</summary>
    public static void Backward<T>(ReadOnlyMemory<T> y, ReadOnlyMemory<T> g, Memory<T> dx, int outer, int n, int inner, bool log)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (inner == 1)
        {
            MtlThreads.For(outer, Math.Max(1, WorkPerChunk / n), (_, start, end) =>
            {
                ReadOnlySpan<T> ys = y.Span, gs = g.Span;
                Span<T> ds = dx.Span;
                for (int i = start; i < end; i++) BackwardRow(ys.Slice(i * n, n), gs.Slice(i * n, n), ds.Slice(i * n, n), log);
            });
            return;
        }
        int tile = Math.Min(inner, Tile), tiles = (inner + tile - 1) / tile;
        MtlThreads.For(outer * tiles, Math.Max(1, WorkPerChunk / (n * tile)), (_, start, end) =>
        {
            var buf = ArrayPool<T>.Shared.Rent(tile);
            try
            {
                for (int item = start; item < end; item++)
                {
                    int o = item / tiles, j0 = item % tiles * tile, w = Math.Min(tile, inner - j0);
                    int at = o * n * inner + j0;
                    BackwardColumns(y.Span[at..], g.Span[at..], dx.Span[at..], n, inner, buf.AsSpan(0, w), log);
                }
            }
            finally { ArrayPool<T>.Shared.Return(buf); }
        });
    }

    // One contiguous row of n elements.
    private static void ForwardRow<T>(ReadOnlySpan<T> x, Span<T> y, bool log) where T : unmanaged, IFloatingPointIeee754<T>
    {
        T m = TensorPrimitives.Max(x);
        TensorPrimitives.Subtract(x, m, y);
        TensorPrimitives.Exp(y, y);
        T s = TensorPrimitives.Sum<T>(y);
        if (log)
        {
            // (x − m) − log s keeps precision when m is large.
            TensorPrimitives.Subtract(x, m, y);
            TensorPrimitives.Subtract(y, T.Log(s), y);
        }
        else TensorPrimitives.Multiply(y, T.One / s, y);
    }

    // A block of n rows × w columns at row stride `inner`; mx and sum are scratch of length w.
    private static void ForwardColumns<T>(ReadOnlySpan<T> x, Span<T> y, int n, int inner, Span<T> mx, Span<T> sum, bool log)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int w = mx.Length;
        x[..w].CopyTo(mx);
        for (int k = 1; k < n; k++) TensorPrimitives.Max(mx, x.Slice(k * inner, w), mx);
        sum.Clear();
        for (int k = 0; k < n; k++)
        {
            var yk = y.Slice(k * inner, w);
            TensorPrimitives.Subtract(x.Slice(k * inner, w), mx, yk);
            TensorPrimitives.Exp(yk, yk);
            TensorPrimitives.Add(sum, yk, sum);
        }
        if (log)
        {
            TensorPrimitives.Log(sum, sum);
            for (int k = 0; k < n; k++)
            {
                var yk = y.Slice(k * inner, w);
                TensorPrimitives.Subtract(x.Slice(k * inner, w), mx, yk);
                TensorPrimitives.Subtract(yk, sum, yk);
            }
        }
        else
        {
            TensorPrimitives.Divide(T.One, sum, sum);
            for (int k = 0; k < n; k++)
            {
                var yk = y.Slice(k * inner, w);
                TensorPrimitives.Multiply(yk, sum, yk);
            }
        }
    }

    private static void BackwardRow<T>(ReadOnlySpan<T> y, ReadOnlySpan<T> g, Span<T> dx, bool log) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (log)
        {
            T s = TensorPrimitives.Sum(g);
            TensorPrimitives.Exp(y, dx);
            TensorPrimitives.MultiplyAdd(dx, -s, g, dx);
        }
        else
        {
            T dot = TensorPrimitives.Dot(g, y);
            TensorPrimitives.Subtract(g, dot, dx);
            TensorPrimitives.Multiply(dx, y, dx);
        }
    }

    // n rows × w columns at row stride `inner`; s is scratch of length w.
    private static void BackwardColumns<T>(ReadOnlySpan<T> y, ReadOnlySpan<T> g, Span<T> dx, int n, int inner, Span<T> s, bool log)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int w = s.Length;
        s.Clear();
        for (int k = 0; k < n; k++)
        {
            var gk = g.Slice(k * inner, w);
            if (log) TensorPrimitives.Add(s, gk, s);
            else TensorPrimitives.MultiplyAdd(gk, y.Slice(k * inner, w), s, s);
        }
        for (int k = 0; k < n; k++)
        {
            ReadOnlySpan<T> yk = y.Slice(k * inner, w), gk = g.Slice(k * inner, w);
            var dk = dx.Slice(k * inner, w);
            if (log)
            {
                TensorPrimitives.Exp(yk, dk);
                TensorPrimitives.Multiply(dk, s, dk);
                TensorPrimitives.Subtract(gk, dk, dk);
            }
            else
            {
                TensorPrimitives.Subtract(gk, s, dk);
                TensorPrimitives.Multiply(dk, yk, dk);
            }
        }
    }
}

/// <summary>Naive softmax / log-softmax loops over (outer, n, inner): the oracle for <see cref="SoftmaxKernel"/>.</summary>
internal static class SoftmaxReference
{
    public static void Forward<T>(ReadOnlySpan<T> x, Span<T> y, int outer, int n, int inner, bool log) where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int o = 0; o < outer; o++)
            for (int j = 0; j < inner; j++)
            {
                int at = o * n * inner + j;
                T m = T.NegativeInfinity;
                for (int k = 0; k < n; k++) m = T.Max(m, x[at + k * inner]);
                T s = T.Zero;
                for (int k = 0; k < n; k++) s += T.Exp(x[at + k * inner] - m);
                for (int k = 0; k < n; k++)
                {
                    T v = x[at + k * inner] - m;
                    y[at + k * inner] = log ? v - T.Log(s) : T.Exp(v) / s;
                }
            }
    }

    public static void Backward<T>(ReadOnlySpan<T> y, ReadOnlySpan<T> g, Span<T> dx, int outer, int n, int inner, bool log)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int o = 0; o < outer; o++)
            for (int j = 0; j < inner; j++)
            {
                int at = o * n * inner + j;
                T s = T.Zero;
                for (int k = 0; k < n; k++) s += log ? g[at + k * inner] : g[at + k * inner] * y[at + k * inner];
                for (int k = 0; k < n; k++)
                {
                    int i = at + k * inner;
                    dx[i] = log ? g[i] - T.Exp(y[i]) * s : y[i] * (g[i] - s);
                }
            }
    }
}
