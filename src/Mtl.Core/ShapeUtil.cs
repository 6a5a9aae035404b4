// Shape arithmetic shared by all ops: element counts, strides, axis normalisation, broadcasting and formatting.
namespace Mtl;

/// <summary>Pure helpers on shapes and strides.</summary>
public static class ShapeUtil
{
    /// <summary>Product of the sizes; throws on overflow.</summary>
    public static int Numel(ReadOnlySpan<int> shape)
    {
        long n = 1;
        foreach (int d in shape)
        {
            if (d < 0) throw new ArgumentException($"negative dimension in shape {Format(shape)}");
            n *= d;
            if (n > int.MaxValue) throw new ArgumentException($"shape {Format(shape)} has more than 2^31-1 elements");
        }
        return (int)n;
    }

    /// <summary>Row-major strides of a dense tensor of this shape.</summary>
    public static int[] ContiguousStrides(ReadOnlySpan<int> shape)
    {
        var st = new int[shape.Length];
        int acc = 1;
        for (int i = shape.Length - 1; i >= 0; i--)
        {
            st[i] = acc;
            acc *= Math.Max(shape[i], 1);
        }
        return st;
    }

    /// <summary>True when (shape, strides) describes a dense row-major layout (size-1 dims may have any stride).</summary>
    public static bool IsContiguous(ReadOnlySpan<int> shape, ReadOnlySpan<int> strides)
    {
        int expected = 1;
        for (int i = shape.Length - 1; i >= 0; i--)
        {
            if (shape[i] == 1) continue;
            if (shape[i] == 0) return true;
            if (strides[i] != expected) return false;
            expected *= shape[i];
        }
        return true;
    }

    /// <summary>Maps a possibly negative axis into [0, rank) or throws naming the op.</summary>
    public static int NormalizeAxis(int axis, int rank, string op)
    {
        int a = axis < 0 ? axis + rank : axis;
        if (a < 0 || a >= rank)
            throw new ArgumentOutOfRangeException(nameof(axis), $"{op}: axis {axis} is out of range for a tensor of rank {rank}");
        return a;
    }

    /// <summary>Normalises and sorts a set of axes, rejecting duplicates; null or empty means all axes.</summary>
    public static int[] NormalizeAxes(ReadOnlySpan<int> axes, int rank, string op)
    {
        if (axes.Length == 0)
        {
            var all = new int[rank];
            for (int i = 0; i < rank; i++) all[i] = i;
            return all;
        }
        var r = new int[axes.Length];
        for (int i = 0; i < axes.Length; i++) r[i] = NormalizeAxis(axes[i], rank, op);
        System.Array.Sort(r);
        for (int i = 1; i < r.Length; i++)
            if (r[i] == r[i - 1]) throw new ArgumentException($"{op}: axis {r[i]} given twice");
        return r;
    }

    /// <summary>NumPy broadcast of two shapes, or an error naming the op and both shapes.</summary>
    public static int[] Broadcast(ReadOnlySpan<int> a, ReadOnlySpan<int> b, string op)
    {
        int rank = Math.Max(a.Length, b.Length);
        var r = new int[rank];
        for (int i = 0; i < rank; i++)
        {
            int da = i < rank - a.Length ? 1 : a[i - (rank - a.Length)];
            int db = i < rank - b.Length ? 1 : b[i - (rank - b.Length)];
            if (da != db && da != 1 && db != 1)
                throw new ArgumentException($"{op}: shapes {Format(a)} and {Format(b)} cannot be broadcast together (dimension {i}: {da} vs {db})");
            r[i] = da == 1 ? db : da;
        }
        return r;
    }

    /// <summary>True when both shapes are equal.</summary>
    public static bool SameShape(ReadOnlySpan<int> a, ReadOnlySpan<int> b) => a.SequenceEqual(b);

    /// <summary>Formats a shape as (2, 3, 4).</summary>
    public static string Format(ReadOnlySpan<int> shape)
    {
        if (shape.Length == 0) return "()";
        var sb = new System.Text.StringBuilder("(");
        for (int i = 0; i < shape.Length; i++)
        {
            if (i > 0) sb.Append(", ");
            sb.Append(shape[i]);
        }
        if (shape.Length == 1) sb.Append(',');
        return sb.Append(')').ToString();
    }
}
