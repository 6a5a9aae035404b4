// Concatenation kernel: block copies of each input into its slab of a dense output, plus the naive element-loop oracle.
namespace Mtl.Kernels;

/// <summary>Copies inputs side by side along one axis of a dense output.</summary>
internal static class JoinKernel
{
    /// <summary>
    /// Writes every part into <paramref name="dst"/> (dense, fresh) one after another along <paramref name="axis"/>.
    /// Parts have dst's rank and dtype and match it on every other axis (size-1 "unsqueezed" views for stack).
    /// </summary>
    public static void Concat(IReadOnlyList<Tensor> parts, int axis, Tensor dst)
    {
        switch (dst.DType)
        {
            case DType.Float32: Concat<float>(parts, axis, dst); break;
            case DType.Float64: Concat<double>(parts, axis, dst); break;
            default: Concat<int>(parts, axis, dst); break;
        }
    }

    private static void Concat<T>(IReadOnlyList<Tensor> parts, int axis, Tensor dst) where T : unmanaged
    {
        if (dst.Numel == 0) return;
        var shape = dst.Shape;
        int outer = 1, inner = 1;
        for (int d = 0; d < axis; d++) outer *= shape[d];
        for (int d = axis + 1; d < shape.Length; d++) inner *= shape[d];
        int outBlock = shape[axis] * inner; // (outer, [Σ sizes], inner): one output slab per outer index
        var d0 = dst.Array<T>();
        int at = dst.Offset;
        foreach (var part in parts)
        {
            int block = part.Shape[axis] * inner;
            if (block == 0) continue;
            var src = part.Array<T>();
            if (part.IsContiguous)
            {
                // (outer, block) → (outer, outBlock) at column `at`: one span copy per outer index.
                int so = part.Offset, dOff = at;
                for (int o = 0; o < outer; o++, so += block, dOff += outBlock)
                    src.AsSpan(so, block).CopyTo(d0.AsSpan(dOff, block));
            }
            else
            {
                // Strided input: walk its rows against the same-shaped region of dst (which has dst's strides).
                var rows = new StridedRows(part.Shape, part.Strides, part.Offset, dst.Strides, at);
                int n = rows.Inner, sa = rows.StrideA, sb = rows.StrideB;
                while (rows.MoveNext())
                {
                    if (sa == 1 && sb == 1)
                    {
                        src.AsSpan(rows.OffA, n).CopyTo(d0.AsSpan(rows.OffB, n));
                        continue;
                    }
                    int oa = rows.OffA, ob = rows.OffB;
                    for (int i = 0; i < n; i++, oa += sa, ob += sb) d0[ob] = src[oa];
                }
            }
            at += block;
        }
    }

    /// <summary>Naive oracle: every output element located by its multi-index and read from the owning part.</summary>
    public static double[] ConcatReference(IReadOnlyList<Tensor> parts, int axis)
    {
        var shape = parts[0].ShapeArray.ToArray();
        shape[axis] = parts.Sum(p => p.Shape[axis]);
        var r = new double[ShapeUtil.Numel(shape)];
        var idx = new int[shape.Length];
        for (int flat = 0; flat < r.Length; flat++)
        {
            Unravel(flat, shape, idx);
            int k = idx[axis], p = 0;
            while (k >= parts[p].Shape[axis]) k -= parts[p++].Shape[axis];
            var local = (int[])idx.Clone();
            local[axis] = k;
            r[flat] = parts[p][local];
        }
        return r;
    }

    /// <summary>Row-major multi-index of a flat position.</summary>
    internal static void Unravel(int flat, ReadOnlySpan<int> shape, Span<int> idx)
    {
        for (int d = shape.Length - 1; d >= 0; d--)
        {
            idx[d] = flat % shape[d];
            flat /= shape[d];
        }
    }
}
