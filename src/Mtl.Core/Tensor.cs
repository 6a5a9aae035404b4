// The Tensor type: an N-dimensional strided view over a shared storage, plus its autograd bookkeeping.
using System.Runtime.CompilerServices;
using Mtl.Storage;

namespace Mtl;

/// <summary>
/// An N-dimensional, row-major tensor of float32, float64 or int32. Several tensors may view one storage with their own
/// shape, strides and offset (reshape, transpose, slice, expand). Float tensors take part in reverse-mode autograd.
/// </summary>
public sealed partial class Tensor
{
    private readonly int[] _shape;
    private readonly int[] _strides;
    private bool _requiresGrad;

    internal Tensor(TensorStorage storage, int[] shape, int[] strides, int offset)
    {
        Storage = storage;
        _shape = shape;
        _strides = strides;
        Offset = offset;
        Numel = ShapeUtil.Numel(shape);
        IsContiguous = ShapeUtil.IsContiguous(shape, strides);
    }

    internal TensorStorage Storage { get; }

    /// <summary>Element offset of this view into its storage.</summary>
    internal int Offset { get; }

    /// <summary>Element type.</summary>
    public DType DType => Storage.DType;

    /// <summary>Sizes of each dimension.</summary>
    public ReadOnlySpan<int> Shape => _shape;

    /// <summary>Element strides of each dimension (0 for expanded dimensions).</summary>
    public ReadOnlySpan<int> Strides => _strides;

    internal int[] ShapeArray => _shape;
    internal int[] StridesArray => _strides;

    /// <summary>Number of dimensions.</summary>
    public int Rank => _shape.Length;

    /// <summary>Total number of elements.</summary>
    public int Numel { get; }

    /// <summary>True when the elements are laid out densely in row-major order.</summary>
    public bool IsContiguous { get; }

    /// <summary>Size of dimension <paramref name="dim"/> (negative counts from the end).</summary>
    public int Size(int dim) => _shape[ShapeUtil.NormalizeAxis(dim, Rank, "Size")];

    /// <summary>The shape written as (a, b, c).</summary>
    public string ShapeString => ShapeUtil.Format(_shape);

    // ---- autograd state ----

    /// <summary>The node that produced this tensor, or null for a leaf.</summary>
    public GradNode? GradFn { get; internal set; }

    /// <summary>True when no op produced this tensor (user-created or detached).</summary>
    public bool IsLeaf => GradFn is null;

    /// <summary>Whether gradients flow to this tensor. Settable on float leaves only.</summary>
    public bool RequiresGrad
    {
        get => _requiresGrad || GradFn is not null;
        set
        {
            if (GradFn is not null)
                throw new InvalidOperationException($"RequiresGrad can only be set on leaf tensors; this tensor {ShapeString} was produced by '{GradFn.OpName}' (use Detach() first)");
            if (value && !DType.IsFloating())
                throw new InvalidOperationException($"only float tensors can require gradients; this tensor is {DType} {ShapeString}");
            _requiresGrad = value;
        }
    }

    /// <summary>Accumulated gradient of a leaf after <see cref="Backward"/>; same shape as the tensor.</summary>
    public Tensor? Grad { get; set; }

    /// <summary>Sets <see cref="RequiresGrad"/> and returns this tensor (fluent).</summary>
    public Tensor RequireGrad(bool value = true)
    {
        RequiresGrad = value;
        return this;
    }

    // ---- raw data access for kernels ----

    /// <summary>The whole backing array (all views share it); use with <see cref="Offset"/> and strides.</summary>
    internal T[] Array<T>() where T : unmanaged
    {
        if (Storage is TensorStorage<T> s) return s.Array;
        throw new InvalidOperationException($"tensor of dtype {DType} {ShapeString} accessed as {typeof(T).Name}");
    }

    /// <summary>The elements of a contiguous tensor as a span.</summary>
    internal Span<T> Span<T>() where T : unmanaged
    {
        if (!IsContiguous) throw new InvalidOperationException($"internal: Span() on non-contiguous tensor {ShapeString}");
        return Array<T>().AsSpan(Offset, Numel);
    }

    /// <summary>Records an in-place write so that backward can refuse stale saved tensors.</summary>
    internal void BumpVersion() => Storage.Version++;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Tensor Wrap(TensorStorage storage, int[] shape) =>
        new(storage, shape, ShapeUtil.ContiguousStrides(shape), 0);

    /// <inheritdoc />
    public override string ToString() => TensorFormatter.Format(this);
}
