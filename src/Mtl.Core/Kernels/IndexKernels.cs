// Index kernels: the up-front range check, gather / scatter-add over strided operands, and row-wise index-select / index-add.
using System.Numerics;
using System.Numerics.Tensors;
using Mtl.Threading;

namespace Mtl.Kernels;

/// <summary>
/// Fast kernels behind the index ops. Callers validate shapes and call <see cref="CheckRange"/> first, so no kernel can
/// read or write out of bounds. Accumulating kernels add in index order, so results are deterministic.
/// </summary>
internal static class IndexKernels
{
    /// <summary>Below this many elements moved, row kernels stay on one thread.</summary>
    private const int ParallelThreshold = 1 << 16;

    /// <summary>
    /// Throws <see cref="ArgumentOutOfRangeException"/> naming the op, the value, its position in <paramref name="index"/>
    /// and the valid range, for the first (row-major) entry outside [0, <paramref name="size"/>).
    /// </summary>
    public static void CheckRange(string op, Tensor index, int size, string what)
    {
        ReadOnlySpan<int> idx = index.IsContiguous ? index.Span<int>() : index.ToArray<int>();
        for (int i = 0; i < idx.Length; i++)
        {
            int v = idx[i];
            if ((uint)v < (uint)size) continue;
            string valid = size == 0 ? "no index is valid for size 0" : $"valid range [0, {size - 1}]";
            throw new ArgumentOutOfRangeException("index",
                $"{op}: index {v} at position {Position(i, index.Shape)} of index {index.ShapeString} is out of range for {what} ({valid})");
        }
    }

    /// <summary>A row-major flat position written as a multi-index, e.g. [1, 0, 2].</summary>
    public static string Position(int flat, ReadOnlySpan<int> shape)
    {
        var idx = new int[shape.Length];
        JoinKernel.Unravel(flat, shape, idx);
        return "[" + string.Join(", ", idx) + "]";
    }

    /// <summary>dst[p] = x[p with p[axis] = index[p]] for every position p of index; dst dense with index's shape.</summary>
    public static void Gather<T>(Tensor x, int axis, Tensor index, Tensor dst) where T : unmanaged
    {
        var xs = x.StridesArray.ToArray();
        int axisStride = xs[axis];
        xs[axis] = 0; // the axis offset comes from the index value
        var rows = new StridedRows(index.Shape, xs, x.Offset, index.Strides, index.Offset, dst.Strides, dst.Offset);
        T[] xa = x.Array<T>(), d = dst.Array<T>();
        int[] ia = index.Array<int>();
        int n = rows.Inner, sa = rows.StrideA, sb = rows.StrideB, sc = rows.StrideC;
        while (rows.MoveNext())
        {
            int oa = rows.OffA, ob = rows.OffB, oc = rows.OffC;
            for (int i = 0; i < n; i++, oa += sa, ob += sb, oc += sc) d[oc] = xa[oa + ia[ob] * axisStride];
        }
    }

    /// <summary>dst[p with p[axis] = index[p]] += src[p] for every position p of index, in row-major order; dst dense.</summary>
    public static void ScatterAdd<T>(Tensor dst, int axis, Tensor index, Tensor src) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var ds = dst.StridesArray.ToArray();
        int axisStride = ds[axis];
        ds[axis] = 0;
        var rows = new StridedRows(index.Shape, ds, dst.Offset, index.Strides, index.Offset, src.Strides, src.Offset);
        T[] d = dst.Array<T>(), s = src.Array<T>();
        int[] ia = index.Array<int>();
        int n = rows.Inner, sa = rows.StrideA, sb = rows.StrideB, sc = rows.StrideC;
        while (rows.MoveNext())
        {
            int oa = rows.OffA, ob = rows.OffB, oc = rows.OffC;
            for (int i = 0; i < n; i++, oa += sa, ob += sb, oc += sc) d[oa + ia[ob] * axisStride] += s[oc];
        }
    }

    /// <summary>
    /// Row copies: src dense (outer, size, inner) → dst dense (outer, m, inner) with dst[o, j] = src[o, idx[j]].
    /// Rows are disjoint, so large copies split over threads without changing the result.
    /// </summary>
    public static void IndexSelect<T>(Tensor src, int outer, int size, int inner, int[] idx, Tensor dst) where T : unmanaged
    {
        int m = idx.Length, rowCount = outer * m;
        if (rowCount == 0 || inner == 0) return;
        T[] s = src.Array<T>(), d = dst.Array<T>();
        int sOff = src.Offset, dOff = dst.Offset;
        void Rows(int start, int end)
        {
            for (int r = start; r < end; r++)
            {
                int o = r / m, j = r - o * m;
                int from = sOff + (o * size + idx[j]) * inner, to = dOff + r * inner;
                if (inner == 1) d[to] = s[from];
                else s.AsSpan(from, inner).CopyTo(d.AsSpan(to, inner));
            }
        }
        if ((long)rowCount * inner < ParallelThreshold) Rows(0, rowCount);
        else MtlThreads.For(rowCount, Math.Max(1, 8192 / inner), (_, a, b) => Rows(a, b));
    }

    /// <summary>
    /// Row accumulation: dst dense (outer, size, inner) += src dense (outer, m, inner) with dst[o, idx[j]] += src[o, j],
    /// skipping j where idx[j] == <paramref name="skip"/>. Rows are added in index order; large problems split the
    /// columns over threads, so every element sees the same additions in the same order whatever the thread count.
    /// </summary>
    public static void IndexAdd<T>(Tensor dst, int outer, int size, int inner, int[] idx, Tensor src, int skip = -1)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int m = idx.Length;
        if (outer == 0 || m == 0 || inner == 0) return;
        T[] d = dst.Array<T>(), s = src.Array<T>();
        int sOff = src.Offset, dOff = dst.Offset;
        void Columns(int c0, int c1)
        {
            int w = c1 - c0;
            for (int o = 0; o < outer; o++)
            {
                for (int j = 0; j < m; j++)
                {
                    int k = idx[j];
                    if (k == skip) continue;
                    int from = sOff + (o * m + j) * inner + c0, to = dOff + (o * size + k) * inner + c0;
                    if (w == 1) d[to] += s[from];
                    else TensorPrimitives.Add(d.AsSpan(to, w), s.AsSpan(from, w), d.AsSpan(to, w));
                }
            }
        }
        if ((long)outer * m * inner < ParallelThreshold || inner < 128) Columns(0, inner);
        else MtlThreads.For(inner, 64, (_, a, b) => Columns(a, b));
    }
}
