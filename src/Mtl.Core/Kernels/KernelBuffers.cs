// Buffer helpers shared by the fused kernels: dense tensors as Memory (capturable by parallel lambdas), pooled scratch.
using System.Buffers;

namespace Mtl.Kernels;

/// <summary>Views of tensor data for kernels that run parallel lambdas (which cannot capture spans).</summary>
internal static class KernelBuffers
{
    /// <summary>The elements of a dense tensor as memory (empty for null).</summary>
    public static Memory<T> Mem<T>(Tensor? t) where T : unmanaged => t is null ? Memory<T>.Empty : t.Array<T>().AsMemory(t.Offset, t.Numel);
}

/// <summary>Arrays rented from the shared pool for one kernel call, all returned on dispose.</summary>
internal sealed class RentedBuffers<T> : IDisposable where T : unmanaged
{
    private readonly List<T[]> _rented = new(8);

    /// <summary>A rented array of at least <paramref name="length"/> elements (contents undefined).</summary>
    public T[] Take(int length)
    {
        var a = ArrayPool<T>.Shared.Rent(length);
        _rented.Add(a);
        return a;
    }

    public void Dispose()
    {
        foreach (var a in _rented) ArrayPool<T>.Shared.Return(a);
        _rented.Clear();
    }
}
