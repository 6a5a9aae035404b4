// Naive element-loop versions of the index kernels (gather, scatter-add, index-select, index-add, embedding): the test oracle.
namespace Mtl.Kernels;

/// <summary>
/// Plain multi-index loops over row-major double arrays, written for clarity rather than speed. Tests compare the fast
/// kernels with these.
/// </summary>
internal static class IndexReference
{
    /// <summary>out[p] = x[p with p[axis] = idx[p]], out shaped like idx.</summary>
    public static double[] Gather(double[] x, int[] xShape, int axis, int[] idx, int[] idxShape)
    {
        var r = new double[idx.Length];
        var p = new int[idxShape.Length];
        for (int f = 0; f < idx.Length; f++)
        {
            JoinKernel.Unravel(f, idxShape, p);
            p[axis] = idx[f];
            r[f] = x[Ravel(p, xShape)];
        }
        return r;
    }

    /// <summary>out = x; out[p with p[axis] = idx[p]] += src[p] for every p of idx's shape (src may be larger).</summary>
    public static double[] ScatterAdd(double[] x, int[] xShape, int axis, int[] idx, int[] idxShape, double[] src, int[] srcShape)
    {
        var r = (double[])x.Clone();
        var p = new int[idxShape.Length];
        for (int f = 0; f < idx.Length; f++)
        {
            JoinKernel.Unravel(f, idxShape, p);
            double v = src[Ravel(p, srcShape)];
            p[axis] = idx[f];
            r[Ravel(p, xShape)] += v;
        }
        return r;
    }

    /// <summary>out[..., j, ...] = x[..., idx[j], ...] along axis.</summary>
    public static double[] IndexSelect(double[] x, int[] xShape, int axis, int[] idx)
    {
        var outShape = (int[])xShape.Clone();
        outShape[axis] = idx.Length;
        var r = new double[ShapeUtil.Numel(outShape)];
        var p = new int[outShape.Length];
        for (int f = 0; f < r.Length; f++)
        {
            JoinKernel.Unravel(f, outShape, p);
            p[axis] = idx[p[axis]];
            r[f] = x[Ravel(p, xShape)];
        }
        return r;
    }

    /// <summary>out = x; out[..., idx[j], ...] += src[..., j, ...] along axis, skipping idx[j] == skip.</summary>
    public static double[] IndexAdd(double[] x, int[] xShape, int axis, int[] idx, double[] src, int skip = -1)
    {
        var srcShape = (int[])xShape.Clone();
        srcShape[axis] = idx.Length;
        var r = (double[])x.Clone();
        var p = new int[srcShape.Length];
        for (int f = 0; f < src.Length; f++)
        {
            JoinKernel.Unravel(f, srcShape, p);
            int k = idx[p[axis]];
            if (k == skip) continue;
            p[axis] = k;
            r[Ravel(p, xShape)] += src[f];
        }
        return r;
    }

    /// <summary>Row-major flat position of a multi-index.</summary>
    public static int Ravel(ReadOnlySpan<int> p, ReadOnlySpan<int> shape)
    {
        int f = 0;
        for (int d = 0; d < shape.Length; d++) f = f * shape[d] + p[d];
        return f;
    }
}
