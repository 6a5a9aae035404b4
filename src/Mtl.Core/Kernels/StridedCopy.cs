// Copies a strided view into a dense buffer (the kernel behind Contiguous, expand materialisation and slicing).
namespace Mtl.Kernels;

/// <summary>Dense copies out of strided views.</summary>
internal static class StridedCopy
{
    /// <summary>dst (dense, row-major over <paramref name="shape"/>) = src viewed with (strides, offset).</summary>
    public static void ToDense<T>(T[] src, int offset, ReadOnlySpan<int> shape, ReadOnlySpan<int> strides, Span<T> dst) where T : unmanaged
    {
        var dense = ShapeUtil.ContiguousStrides(shape);
        var rows = new StridedRows(shape, strides, offset, dense, 0);
        int inner = rows.Inner, sa = rows.StrideA;
        while (rows.MoveNext())
        {
            var d = dst.Slice(rows.OffB, inner);
            if (sa == 1) src.AsSpan(rows.OffA, inner).CopyTo(d);
            else if (sa == 0) d.Fill(src[rows.OffA]);
            else
            {
                int o = rows.OffA;
                for (int i = 0; i < inner; i++, o += sa) d[i] = src[o];
            }
        }
    }

    /// <summary>Writes dense <paramref name="src"/> into the strided view (dst, strides, offset) of the same shape.</summary>
    public static void FromDense<T>(ReadOnlySpan<T> src, T[] dst, int offset, ReadOnlySpan<int> shape, ReadOnlySpan<int> strides) where T : unmanaged
    {
        var dense = ShapeUtil.ContiguousStrides(shape);
        var rows = new StridedRows(shape, strides, offset, dense, 0);
        int inner = rows.Inner, sa = rows.StrideA;
        while (rows.MoveNext())
        {
            var s = src.Slice(rows.OffB, inner);
            if (sa == 1) s.CopyTo(dst.AsSpan(rows.OffA, inner));
            else
            {
                int o = rows.OffA;
                for (int i = 0; i < inner; i++, o += sa) dst[o] = s[i];
            }
        }
    }
}
