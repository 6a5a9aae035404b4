// The K×P matrix of task gradients (one row per task) that gradient-level strategies combine, in a reusable buffer.
using System.Numerics.Tensors;

namespace Mtl.MultiTask.Balancing;

/// <summary>
/// K task gradients of length P, row-major in float64 (the trainer converts the float32 parameter gradients once per
/// step). The buffer is kept between steps; <see cref="Resize"/> changes P without reallocating when it shrinks.
/// Small K×K helpers (<see cref="Gramian"/>, <see cref="Cosines"/>) serve the strategies that work on the Gramian.
/// </summary>
public sealed class GradientMatrix
{
    private double[] _data;

    /// <summary>A zero matrix of <paramref name="tasks"/> rows of <paramref name="size"/> entries.</summary>
    public GradientMatrix(int tasks, int size)
    {
        if (tasks < 1) throw new ArgumentOutOfRangeException(nameof(tasks), tasks, "GradientMatrix: at least one task (row) is needed");
        if (size < 0) throw new ArgumentOutOfRangeException(nameof(size), size, "GradientMatrix: the gradient length must be 0 or more");
        Tasks = tasks;
        Size = size;
        _data = new double[checked(tasks * size)];
    }

    /// <summary>A matrix holding copies of <paramref name="rows"/> (all of one length).</summary>
    public static GradientMatrix FromRows(IReadOnlyList<IReadOnlyList<double>> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        if (rows.Count == 0) throw new ArgumentException("GradientMatrix: no task gradients given");
        int p = rows[0].Count;
        var m = new GradientMatrix(rows.Count, p);
        for (int k = 0; k < rows.Count; k++)
        {
            if (rows[k].Count != p)
                throw new ArgumentException($"GradientMatrix: task gradient {k} has {rows[k].Count} entries but task gradient 0 has {p}");
            var row = m.Row(k);
            for (int j = 0; j < p; j++) row[j] = rows[k][j];
        }
        return m;
    }

    /// <summary>K, the number of tasks (rows).</summary>
    public int Tasks { get; }

    /// <summary>P, the length of each task gradient (columns).</summary>
    public int Size { get; private set; }

    /// <summary>Task <paramref name="k"/>'s gradient (writable).</summary>
    public Span<double> Row(int k)
    {
        if ((uint)k >= (uint)Tasks) throw new ArgumentOutOfRangeException(nameof(k), k, $"GradientMatrix: task {k} of {Tasks}");
        return _data.AsSpan(k * Size, Size);
    }

    /// <summary>The K·P entries, row-major.</summary>
    public ReadOnlySpan<double> Data => _data.AsSpan(0, Tasks * Size);

    /// <summary>Changes P (contents become undefined); the buffer grows only when needed.</summary>
    public void Resize(int size)
    {
        if (size < 0) throw new ArgumentOutOfRangeException(nameof(size), size, "GradientMatrix: the gradient length must be 0 or more");
        if ((long)Tasks * size > _data.Length) _data = new double[checked(Tasks * size)];
        Size = size;
    }

    /// <summary>gᵢ·gⱼ.</summary>
    public double Dot(int i, int j) => TensorPrimitives.Dot<double>(Row(i), Row(j));

    /// <summary>‖gₖ‖.</summary>
    public double Norm(int k) => Math.Sqrt(Dot(k, k));

    /// <summary>The Gramian G·Gᵀ (K×K, symmetric).</summary>
    public double[,] Gramian()
    {
        var m = new double[Tasks, Tasks];
        for (int i = 0; i < Tasks; i++)
            for (int j = i; j < Tasks; j++)
                m[i, j] = m[j, i] = Dot(i, j);
        return m;
    }

    /// <summary>Cosine similarity of every pair of task gradients (K×K; 0 where a gradient is zero).</summary>
    public double[,] Cosines()
    {
        var g = Gramian();
        var c = new double[Tasks, Tasks];
        for (int i = 0; i < Tasks; i++)
            for (int j = 0; j < Tasks; j++)
            {
                double d = Math.Sqrt(g[i, i] * g[j, j]);
                c[i, j] = d > 0 ? g[i, j] / d : 0;
            }
        return c;
    }

    /// <summary><paramref name="into"/> = Σₖ wₖ·gₖ (= wᵀG).</summary>
    public void WeightedSum(ReadOnlySpan<double> weights, Span<double> into)
    {
        if (weights.Length != Tasks) throw new ArgumentException($"GradientMatrix: {weights.Length} weights for {Tasks} tasks");
        if (into.Length != Size) throw new ArgumentException($"GradientMatrix: the output has {into.Length} entries, the gradients {Size}");
        into.Clear();
        for (int k = 0; k < Tasks; k++)
            if (weights[k] != 0) TensorPrimitives.MultiplyAdd<double>(Row(k), weights[k], into, into);
    }

    /// <summary>A copy with its own buffer.</summary>
    public GradientMatrix Clone()
    {
        var m = new GradientMatrix(Tasks, Size);
        Data.CopyTo(m._data);
        return m;
    }
}
