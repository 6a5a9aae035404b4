// Per-element-type pool of arrays keyed by exact length, so a repeating training step reuses the same buffers.
namespace Mtl.Storage;

/// <summary>
/// A pool of arrays bucketed by exact length. Training steps repeat the same shapes, so exact buckets give full reuse
/// without rounding waste. Thread-safe. Buffers come back only through <see cref="TensorScope"/>.
/// </summary>
internal static class BufferPool<T> where T : unmanaged
{
    private static readonly Dictionary<int, Stack<T[]>> Buckets = new();
    private static readonly object Gate = new();
    private static long _pooledElements;

    /// <summary>Upper bound on elements kept in the pool (about 1 GiB of float32); beyond it returned arrays are dropped.</summary>
    internal static long MaxPooledElements { get; set; } = 1L << 28;

    /// <summary>Takes an array of exactly <paramref name="length"/> elements; contents are undefined.</summary>
    public static T[] Rent(int length)
    {
        if (length == 0) return [];
        lock (Gate)
        {
            if (Buckets.TryGetValue(length, out var stack) && stack.Count > 0)
            {
                _pooledElements -= length;
                return stack.Pop();
            }
        }
        return GC.AllocateUninitializedArray<T>(length);
    }

    /// <summary>Gives an array back for reuse.</summary>
    public static void Return(T[] array)
    {
        if (array.Length == 0) return;
        lock (Gate)
        {
            if (_pooledElements + array.Length > MaxPooledElements) return;
            if (!Buckets.TryGetValue(array.Length, out var stack))
                Buckets[array.Length] = stack = new Stack<T[]>();
            stack.Push(array);
            _pooledElements += array.Length;
        }
    }

    /// <summary>Drops every pooled array (for tests and memory pressure).</summary>
    public static void Clear()
    {
        lock (Gate)
        {
            Buckets.Clear();
            _pooledElements = 0;
        }
    }
}
