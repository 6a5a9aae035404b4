// Factory methods: empty/zeros/ones/full/arange, copies from arrays and spans, and seeded random tensors.
using Mtl.Storage;

namespace Mtl;

public sealed partial class Tensor
{
    /// <summary>A new contiguous tensor with undefined contents (pooled inside a <see cref="TensorScope"/>).</summary>
    public static Tensor Empty(ReadOnlySpan<int> shape, DType dtype = DType.Float32)
    {
        bool pooled = TensorScope.Active;
        var t = Allocate(shape, dtype, pooled);
        if (pooled) TensorScope.Register(t.Storage);
        return t;
    }

    /// <summary>A dense tensor over fresh storage, rented from the pool or a plain array.</summary>
    private static Tensor Allocate(ReadOnlySpan<int> shape, DType dtype, bool pooled)
    {
        var s = shape.ToArray();
        int n = ShapeUtil.Numel(s);
        TensorStorage st = dtype switch
        {
            DType.Float32 => TensorStorage<float>.Allocate(n, pooled),
            DType.Float64 => TensorStorage<double>.Allocate(n, pooled),
            DType.Int32 => TensorStorage<int>.Allocate(n, pooled),
            _ => throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "unknown dtype"),
        };
        return Wrap(st, s);
    }

    /// <summary>A new tensor filled with zeros.</summary>
    public static Tensor Zeros(ReadOnlySpan<int> shape, DType dtype = DType.Float32)
    {
        var t = Empty(shape, dtype);
        t.ClearRaw();
        return t;
    }

    /// <summary>A new tensor filled with ones.</summary>
    public static Tensor Ones(ReadOnlySpan<int> shape, DType dtype = DType.Float32) => Full(shape, 1.0, dtype);

    /// <summary>A new tensor with every element equal to <paramref name="value"/>.</summary>
    public static Tensor Full(ReadOnlySpan<int> shape, double value, DType dtype = DType.Float32)
    {
        var t = Empty(shape, dtype);
        t.FillRaw(value);
        return t;
    }

    /// <summary>A 0-dimensional tensor holding one value.</summary>
    public static Tensor Scalar(double value, DType dtype = DType.Float32) => Full([], value, dtype);

    /// <summary>A new tensor of the same shape and dtype filled with zeros.</summary>
    public static Tensor ZerosLike(Tensor t) => Zeros(t.Shape, t.DType);

    /// <summary>A new tensor of the same shape and dtype filled with ones.</summary>
    public static Tensor OnesLike(Tensor t) => Ones(t.Shape, t.DType);

    /// <summary>The 1-D sequence start, start+step, ... below end.</summary>
    public static Tensor Arange(double start, double end, double step = 1, DType dtype = DType.Float32)
    {
        if (step == 0) throw new ArgumentException("Arange: step must not be 0");
        int n = (int)Math.Max(0, Math.Ceiling((end - start) / step));
        var t = Empty([n], dtype);
        switch (dtype)
        {
            case DType.Float32: { var d = t.Span<float>(); for (int i = 0; i < n; i++) d[i] = (float)(start + i * step); break; }
            case DType.Float64: { var d = t.Span<double>(); for (int i = 0; i < n; i++) d[i] = start + i * step; break; }
            default: { var d = t.Span<int>(); for (int i = 0; i < n; i++) d[i] = checked((int)(start + i * step)); break; }
        }
        return t;
    }

    /// <summary>The 1-D sequence 0, 1, ..., n-1.</summary>
    public static Tensor Arange(int n, DType dtype = DType.Float32) => Arange(0, n, 1, dtype);

    /// <summary>
    /// A tensor holding a copy of <paramref name="data"/> with the given shape. Without a shape it is 1-D, except that a
    /// single value without a shape (or with an explicit empty shape) gives a 0-d tensor.
    /// </summary>
    public static Tensor From<T>(ReadOnlySpan<T> data, params int[] shape) where T : unmanaged
    {
        if (shape.Length == 0 && data.Length != 1) shape = [data.Length];
        int n = ShapeUtil.Numel(shape);
        if (n != data.Length)
            throw new ArgumentException($"Tensor.From: {data.Length} values do not fill shape {ShapeUtil.Format(shape)} ({n} elements)");
        var t = Empty(shape, DTypes.Of<T>());
        data.CopyTo(t.Span<T>());
        return t;
    }

    /// <summary>A tensor holding a copy of <paramref name="data"/> (float32) with the given shape (default: 1-D).</summary>
    public static Tensor From(float[] data, params int[] shape) => From<float>(data, shape);

    /// <summary>A tensor holding a copy of <paramref name="data"/> (float64) with the given shape (default: 1-D).</summary>
    public static Tensor From(double[] data, params int[] shape) => From<double>(data, shape);

    /// <summary>A tensor holding a copy of <paramref name="data"/> (int32) with the given shape (default: 1-D).</summary>
    public static Tensor From(int[] data, params int[] shape) => From<int>(data, shape);

    /// <summary>A 2-D tensor from a rectangular jagged array.</summary>
    public static Tensor From(float[][] rows)
    {
        int cols = rows.Length == 0 ? 0 : rows[0].Length;
        var t = Empty([rows.Length, cols]);
        var d = t.Span<float>();
        for (int i = 0; i < rows.Length; i++)
        {
            if (rows[i].Length != cols)
                throw new ArgumentException($"Tensor.From: row {i} has {rows[i].Length} values, row 0 has {cols}");
            rows[i].CopyTo(d.Slice(i * cols, cols));
        }
        return t;
    }

    /// <summary>Uniform samples in [low, high) from an explicit generator.</summary>
    public static Tensor Rand(ReadOnlySpan<int> shape, Generator generator, double low = 0, double high = 1, DType dtype = DType.Float32)
    {
        RequireFloat(dtype, "Rand");
        var t = Empty(shape, dtype);
        if (dtype == DType.Float32) generator.FillUniform(t.Span<float>(), low, high);
        else generator.FillUniform(t.Span<double>(), low, high);
        return t;
    }

    /// <summary>Normal samples N(mean, std²) from an explicit generator.</summary>
    public static Tensor RandN(ReadOnlySpan<int> shape, Generator generator, double mean = 0, double std = 1, DType dtype = DType.Float32)
    {
        RequireFloat(dtype, "RandN");
        var t = Empty(shape, dtype);
        if (dtype == DType.Float32) generator.FillNormal(t.Span<float>(), mean, std);
        else generator.FillNormal(t.Span<double>(), mean, std);
        return t;
    }

    private static void RequireFloat(DType dtype, string op)
    {
        if (!dtype.IsFloating()) throw new ArgumentException($"{op}: dtype must be Float32 or Float64, got {dtype}");
    }
}
