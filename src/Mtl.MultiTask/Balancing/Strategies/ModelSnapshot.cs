// Saves, shifts and restores a model's tensors in place, bit for bit — the look-ahead steps of bilevel strategies.
namespace Mtl.MultiTask.Balancing.Strategies;

/// <summary>
/// A copy of some tensors' values that can be written back exactly, and used as the base point θ of moves
/// θ + s·d. Its buffers are sized on first use and reused while the tensors keep their sizes.
/// </summary>
internal sealed class ModelSnapshot
{
    private Array[] _saved = [];

    /// <summary>Copies the tensors' current values (float, double or int by dtype).</summary>
    public void Save(IReadOnlyList<Tensor> tensors)
    {
        if (_saved.Length != tensors.Count) _saved = new Array[tensors.Count];
        for (int i = 0; i < tensors.Count; i++)
        {
            var t = tensors[i];
            switch (t.DType)
            {
                case DType.Float32: t.CopyTo<float>(Buffer<float>(i, t.Numel)); break;
                case DType.Float64: t.CopyTo<double>(Buffer<double>(i, t.Numel)); break;
                default: t.CopyTo<int>(Buffer<int>(i, t.Numel)); break;
            }
        }
    }

    /// <summary>Writes the saved values back (exactly).</summary>
    public void Restore(IReadOnlyList<Tensor> tensors)
    {
        using var _ = GradMode.NoGrad();
        for (int i = 0; i < tensors.Count; i++) Restore(tensors[i], i);
    }

    /// <summary>Sets each tensor to saved + <paramref name="scale"/>·direction (a null direction counts as 0); tensors must be contiguous.</summary>
    public void Shift(IReadOnlyList<Tensor> tensors, IReadOnlyList<Tensor?> direction, double scale)
    {
        using var _ = GradMode.NoGrad();
        for (int i = 0; i < tensors.Count; i++)
        {
            var p = tensors[i];
            if (direction[i] is not { } d)
            {
                Restore(p, i);
                continue;
            }
            if (!p.IsContiguous) throw new InvalidOperationException($"look-ahead: parameter {i} {p.ShapeString} is not contiguous");
            var dc = d.Contiguous();
            if (_saved[i] is float[] f)
            {
                var dst = p.Span<float>();
                var step = dc.Span<float>();
                for (int j = 0; j < dst.Length; j++) dst[j] = (float)(f[j] + scale * step[j]);
            }
            else
            {
                var x = (double[])_saved[i];
                var dst = p.Span<double>();
                var step = dc.Span<double>();
                for (int j = 0; j < dst.Length; j++) dst[j] = x[j] + scale * step[j];
            }
            p.BumpVersion();
        }
    }

    /// <summary>The Euclidean norm of all the tensors together (nulls count as 0).</summary>
    public static double Norm(IReadOnlyList<Tensor?> tensors)
    {
        double sum = 0;
        foreach (var t in tensors)
        {
            if (t is null) continue;
            var c = t.Contiguous();
            if (c.DType == DType.Float32)
                foreach (var x in c.Span<float>()) sum += (double)x * x;
            else
                foreach (var x in c.Span<double>()) sum += x * x;
        }
        return Math.Sqrt(sum);
    }

    private void Restore(Tensor t, int i)
    {
        switch (_saved[i])
        {
            case float[] f: t.CopyFrom<float>(f); break;
            case double[] d: t.CopyFrom<double>(d); break;
            case int[] n: t.CopyFrom<int>(n); break;
        }
    }

    private Span<T> Buffer<T>(int i, int length) where T : unmanaged
    {
        if (_saved[i] is not T[] b || b.Length != length) _saved[i] = b = new T[length];
        return b;
    }
}
