// Sum/max/min reductions over any set of axes: row reductions for trailing axes, row accumulation for leading ones.
using System.Numerics;
using System.Numerics.Tensors;

namespace Mtl.Kernels;

internal enum ReduceKind { Sum, Max, Min }

/// <summary>Reductions into a new dense tensor whose shape keeps reduced axes as size 1.</summary>
internal static class ReduceKernel
{
    /// <summary>Reduces <paramref name="x"/> over sorted, distinct <paramref name="axes"/>; result keeps them as size 1.</summary>
    public static Tensor Run(Tensor x, int[] axes, ReduceKind kind, string op)
    {
        FloatCheck.Require(op, x);
        var outShape = x.ShapeArray.ToArray();
        foreach (int a in axes) outShape[a] = 1;
        if (kind != ReduceKind.Sum)
            foreach (int a in axes)
                if (x.Shape[a] == 0) throw new ArgumentException($"{op}: cannot reduce over empty axis {a} of {x.ShapeString}");
        var r = Tensor.Empty(outShape, x.DType);
        // Move kept axes first and reduced axes last, so the reduction is over contiguous trailing rows,
        // unless the reduced axes are already a leading block (then accumulate rows).
        bool prefix = x.IsContiguous && IsPrefix(axes);
        var src = x;
        if (!prefix && !(x.IsContiguous && IsSuffix(axes, x.Rank)))
        {
            var perm = new int[x.Rank];
            int k = 0;
            for (int i = 0; i < x.Rank; i++) if (Array.IndexOf(axes, i) < 0) perm[k++] = i;
            foreach (int a in axes) perm[k++] = a;
            using (GradMode.NoGrad()) src = x.Detach().Permute(perm).Contiguous();
        }
        int reduced = 1;
        foreach (int a in axes) reduced *= x.Shape[a];
        int kept = r.Numel;
        if (x.DType == DType.Float32) Reduce<float>(src.Span<float>(), r.Span<float>(), kept, reduced, prefix, kind);
        else Reduce<double>(src.Span<double>(), r.Span<double>(), kept, reduced, prefix, kind);
        return r;
    }

    private static bool IsPrefix(int[] axes)
    {
        for (int i = 0; i < axes.Length; i++) if (axes[i] != i) return false;
        return true;
    }

    private static bool IsSuffix(int[] axes, int rank)
    {
        for (int i = 0; i < axes.Length; i++) if (axes[i] != rank - axes.Length + i) return false;
        return true;
    }

    private static void Reduce<T>(ReadOnlySpan<T> src, Span<T> dst, int kept, int reduced, bool prefix, ReduceKind kind)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (reduced == 0) { dst.Clear(); return; }
        if (prefix)
        {
            // src is (reduced, kept): dst = combine of its rows.
            src[..kept].CopyTo(dst);
            for (int i = 1; i < reduced; i++)
            {
                var row = src.Slice(i * kept, kept);
                switch (kind)
                {
                    case ReduceKind.Sum: TensorPrimitives.Add(dst, row, dst); break;
                    case ReduceKind.Max: TensorPrimitives.Max(dst, row, dst); break;
                    default: TensorPrimitives.Min(dst, row, dst); break;
                }
            }
            return;
        }
        // src is (kept, reduced): one value per row.
        for (int i = 0; i < kept; i++)
        {
            var row = src.Slice(i * reduced, reduced);
            dst[i] = kind switch
            {
                ReduceKind.Sum => TensorPrimitives.Sum(row),
                ReduceKind.Max => TensorPrimitives.Max(row),
                _ => TensorPrimitives.Min(row),
            };
        }
    }

    /// <summary>Index of the max (or min) along one axis; result is Int32 with that axis kept as size 1.</summary>
    public static Tensor ArgExtreme(Tensor x, int axis, bool max, string op)
    {
        FloatCheck.Require(op, x);
        if (x.Shape[axis] == 0) throw new ArgumentException($"{op}: axis {axis} of {x.ShapeString} is empty");
        var outShape = x.ShapeArray.ToArray();
        outShape[axis] = 1;
        var r = Tensor.Empty(outShape, DType.Int32);
        var perm = new int[x.Rank];
        int k = 0;
        for (int i = 0; i < x.Rank; i++) if (i != axis) perm[k++] = i;
        perm[k] = axis;
        Tensor src;
        using (GradMode.NoGrad()) src = x.Detach().Permute(perm).Contiguous();
        int n = x.Shape[axis], rows = r.Numel;
        var dst = r.Span<int>();
        if (x.DType == DType.Float32)
        {
            var s = src.Span<float>();
            for (int i = 0; i < rows; i++) dst[i] = max ? TensorPrimitives.IndexOfMax(s.Slice(i * n, n)) : TensorPrimitives.IndexOfMin(s.Slice(i * n, n));
        }
        else
        {
            var s = src.Span<double>();
            for (int i = 0; i < rows; i++) dst[i] = max ? TensorPrimitives.IndexOfMax(s.Slice(i * n, n)) : TensorPrimitives.IndexOfMin(s.Slice(i * n, n));
        }
        return r;
    }
}
