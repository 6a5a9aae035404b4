// Moving data in and out of tensors: copies to arrays, scalar reads, in-place fills and copies, dense copies of views.
using Mtl.Kernels;
using Mtl.Storage;

namespace Mtl;

public sealed partial class Tensor
{
    /// <summary>A new contiguous tensor that no <see cref="TensorScope"/> owns (for parameters, gradients, state).</summary>
    public static Tensor EmptyUnscoped(ReadOnlySpan<int> shape, DType dtype = DType.Float32) => Allocate(shape, dtype, pooled: false);

    /// <summary>Takes this tensor's buffer out of every active <see cref="TensorScope"/> so it outlives them; returns this.</summary>
    public Tensor Keep()
    {
        TensorScope.Detach(Storage);
        return this;
    }

    /// <summary>The elements in row-major order as a new array of the tensor's element type.</summary>
    public T[] ToArray<T>() where T : unmanaged
    {
        if (DTypes.Of<T>() != DType)
            throw new InvalidOperationException($"ToArray<{typeof(T).Name}>() on a {DType} tensor {ShapeString}");
        var r = new T[Numel];
        CopyTo<T>(r);
        return r;
    }

    /// <summary>The elements of a float32 tensor as a new array.</summary>
    public float[] ToFloatArray() => DType == DType.Float32 ? ToArray<float>() : ToArray<double>().Select(x => (float)x).ToArray();

    /// <summary>The elements of a float tensor as doubles.</summary>
    public double[] ToDoubleArray() => DType switch
    {
        DType.Float64 => ToArray<double>(),
        DType.Float32 => ToArray<float>().Select(x => (double)x).ToArray(),
        _ => ToArray<int>().Select(x => (double)x).ToArray(),
    };

    /// <summary>Copies the elements in row-major order into <paramref name="destination"/>.</summary>
    public void CopyTo<T>(Span<T> destination) where T : unmanaged
    {
        if (destination.Length < Numel)
            throw new ArgumentException($"CopyTo: destination holds {destination.Length} elements, tensor {ShapeString} has {Numel}");
        var arr = Array<T>();
        if (IsContiguous) arr.AsSpan(Offset, Numel).CopyTo(destination);
        else StridedCopy.ToDense(arr, Offset, _shape, _strides, destination[..Numel]);
    }

    /// <summary>Overwrites the elements (in place, row-major) from <paramref name="source"/>.</summary>
    public Tensor CopyFrom<T>(ReadOnlySpan<T> source) where T : unmanaged
    {
        if (source.Length != Numel)
            throw new ArgumentException($"CopyFrom: {source.Length} values for tensor {ShapeString} of {Numel} elements");
        CheckInPlaceAllowed("CopyFrom");
        var arr = Array<T>();
        if (IsContiguous) source.CopyTo(arr.AsSpan(Offset, Numel));
        else StridedCopy.FromDense(source, arr, Offset, _shape, _strides);
        BumpVersion();
        return this;
    }

    /// <summary>Overwrites this tensor's elements with <paramref name="source"/>'s (same shape and dtype), in place.</summary>
    public Tensor CopyFrom(Tensor source)
    {
        if (!ShapeUtil.SameShape(source.Shape, Shape) || source.DType != DType)
            throw new ArgumentException($"CopyFrom: source {source.DType} {source.ShapeString} does not match {DType} {ShapeString}");
        switch (DType)
        {
            case DType.Float32: CopyFrom<float>(source.Contiguous().Span<float>()); break;
            case DType.Float64: CopyFrom<double>(source.Contiguous().Span<double>()); break;
            default: CopyFrom<int>(source.Contiguous().Span<int>()); break;
        }
        return this;
    }

    /// <summary>The single element of a one-element tensor, as a double.</summary>
    public double Item()
    {
        if (Numel != 1) throw new InvalidOperationException($"Item() needs a tensor with one element, got {ShapeString}");
        return DType switch
        {
            DType.Float32 => Array<float>()[Offset],
            DType.Float64 => Array<double>()[Offset],
            _ => Array<int>()[Offset],
        };
    }

    /// <summary>The element at a multi-index (negative indices count from the end), as a double.</summary>
    [System.Runtime.CompilerServices.IndexerName("ElementAt")]
    public double this[params int[] index]
    {
        get
        {
            int off = ElementOffset(index);
            return DType switch
            {
                DType.Float32 => Array<float>()[off],
                DType.Float64 => Array<double>()[off],
                _ => Array<int>()[off],
            };
        }
    }

    private int ElementOffset(int[] index)
    {
        if (index.Length != Rank)
            throw new ArgumentException($"index of rank {index.Length} into a tensor {ShapeString}");
        int off = Offset;
        for (int d = 0; d < Rank; d++)
        {
            int i = index[d] < 0 ? index[d] + _shape[d] : index[d];
            if (i < 0 || i >= _shape[d])
                throw new IndexOutOfRangeException($"index {index[d]} is out of range for dimension {d} of size {_shape[d]} in tensor {ShapeString}");
            off += i * _strides[d];
        }
        return off;
    }

    /// <summary>Sets every element to <paramref name="value"/>, in place.</summary>
    public Tensor Fill(double value)
    {
        CheckInPlaceAllowed("Fill");
        if (IsContiguous) FillRaw(value);
        else
        {
            var tmp = Full(_shape, value, DType);
            CopyFrom(tmp);
            return this;
        }
        BumpVersion();
        return this;
    }

    /// <summary>Sets every element to zero, in place.</summary>
    public Tensor Zero() => Fill(0);

    /// <summary>A dense copy when this is a strided view, else this tensor itself. Differentiable.</summary>
    public Tensor Contiguous() => IsContiguous ? this : Clone();

    /// <summary>A dense copy that owns its buffer. Differentiable.</summary>
    public Tensor Clone()
    {
        var r = Empty(_shape, DType);
        CopyDataTo(r);
        if (Autograd.ShouldRecord(this))
            Autograd.Record(r, "clone", [this], g => [g]);
        return r;
    }

    /// <summary>Copies this tensor's elements (any layout) into dense <paramref name="dst"/> of the same numel and dtype.</summary>
    internal void CopyDataTo(Tensor dst)
    {
        switch (DType)
        {
            case DType.Float32: CopyTo<float>(dst.Span<float>()); break;
            case DType.Float64: CopyTo<double>(dst.Span<double>()); break;
            default: CopyTo<int>(dst.Span<int>()); break;
        }
    }

    internal void ClearRaw()
    {
        switch (DType)
        {
            case DType.Float32: Span<float>().Clear(); break;
            case DType.Float64: Span<double>().Clear(); break;
            default: Span<int>().Clear(); break;
        }
    }

    internal void FillRaw(double value)
    {
        switch (DType)
        {
            case DType.Float32: Span<float>().Fill((float)value); break;
            case DType.Float64: Span<double>().Fill(value); break;
            default: Span<int>().Fill(checked((int)value)); break;
        }
    }

    /// <summary>Refuses in-place writes that would silently corrupt the graph (leaves that require grad, outside NoGrad).</summary>
    internal void CheckInPlaceAllowed(string op)
    {
        if (GradMode.IsEnabled && RequiresGrad && IsLeaf)
            throw new InvalidOperationException($"{op}: in-place write to a leaf {ShapeString} that requires grad; do it inside GradMode.NoGrad()");
    }
}
