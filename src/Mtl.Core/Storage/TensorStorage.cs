// The flat buffer behind one or more tensor views, with the version counter that guards tensors saved for backward.
namespace Mtl.Storage;

/// <summary>A flat, typed buffer shared by all views of a tensor.</summary>
public abstract class TensorStorage
{
    /// <summary>Element type.</summary>
    public abstract DType DType { get; }

    /// <summary>Number of elements.</summary>
    public abstract int Length { get; }

    /// <summary>Bumped by every in-place write, so backward can detect changes to saved tensors.</summary>
    public int Version { get; internal set; }

    /// <summary>True once the owning scope gave the buffer back to the pool.</summary>
    public abstract bool IsReleased { get; }

    internal abstract void ReleaseToPool();

    internal abstract TensorStorage CloneEmpty(int length, bool pooled);
}

/// <summary>Typed storage over a managed array.</summary>
internal sealed class TensorStorage<T> : TensorStorage where T : unmanaged
{
    private T[]? _data;
    private readonly int _length;

    internal TensorStorage(T[] data, bool pooled)
    {
        _data = data;
        _length = data.Length;
        Pooled = pooled;
    }

    /// <summary>Whether the array came from <see cref="BufferPool{T}"/> and goes back when its scope ends.</summary>
    internal bool Pooled { get; }

    public override DType DType => DTypes.Of<T>();
    public override int Length => _length;
    public override bool IsReleased => _data is null;

    /// <summary>The backing array; throws if the scope that owned it has ended.</summary>
    internal T[] Array => _data ?? throw new ObjectDisposedException(
        "Tensor", "this tensor's buffer was returned to the pool when its TensorScope ended; call Keep() on tensors that must outlive the scope");

    internal override void ReleaseToPool()
    {
        var d = _data;
        if (d is null) return;
        _data = null;
        if (Pooled) BufferPool<T>.Return(d);
    }

    internal override TensorStorage CloneEmpty(int length, bool pooled) => Allocate(length, pooled);

    internal static TensorStorage<T> Allocate(int length, bool pooled) =>
        pooled ? new TensorStorage<T>(BufferPool<T>.Rent(length), true)
               : new TensorStorage<T>(length == 0 ? [] : GC.AllocateUninitializedArray<T>(length), false);
}
