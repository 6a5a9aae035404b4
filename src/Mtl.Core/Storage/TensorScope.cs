// A scope that owns the buffers of tensors created inside it and returns them to the pool when disposed.
namespace Mtl.Storage;

/// <summary>
/// While a scope is active on a thread, every new tensor buffer is rented from a pool and owned by the scope; disposing
/// the scope returns them all, so a repeated training step allocates (almost) nothing. Tensors that must outlive the
/// scope call <see cref="Tensor.Keep"/>. Outside any scope, buffers are ordinary garbage-collected arrays.
/// Using a tensor after its scope ended throws <see cref="ObjectDisposedException"/>.
/// </summary>
public sealed class TensorScope : IDisposable
{
    [ThreadStatic] private static TensorScope? _current;

    private readonly List<TensorStorage> _owned = new(256);
    private readonly TensorScope? _parent;
    private readonly int _threadId;
    private bool _disposed;

    private TensorScope(TensorScope? parent)
    {
        _parent = parent;
        _threadId = Environment.CurrentManagedThreadId;
    }

    /// <summary>The innermost active scope on this thread, or null.</summary>
    public static TensorScope? Current => _current;

    /// <summary>Begins a scope on this thread; dispose it (using) to give its buffers back.</summary>
    public static TensorScope Begin()
    {
        var s = new TensorScope(_current);
        _current = s;
        return s;
    }

    /// <summary>Number of buffers the scope owns now.</summary>
    public int OwnedCount => _owned.Count;

    internal static bool Active => _current is not null;

    internal static void Register(TensorStorage storage) => _current?._owned.Add(storage);

    /// <summary>Takes a buffer out of every active scope, so it lives until garbage-collected.</summary>
    internal static void Detach(TensorStorage storage)
    {
        for (var s = _current; s is not null; s = s._parent)
        {
            int i = s._owned.LastIndexOf(storage);
            if (i >= 0) s._owned.RemoveAt(i);
        }
    }

    /// <summary>Returns every owned buffer to the pool and ends the scope.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        if (Environment.CurrentManagedThreadId != _threadId)
            throw new InvalidOperationException("a TensorScope must be disposed on the thread that began it");
        if (!ReferenceEquals(_current, this))
            throw new InvalidOperationException("TensorScopes must be disposed innermost first");
        _disposed = true;
        _current = _parent;
        foreach (var st in _owned) st.ReleaseToPool();
        _owned.Clear();
    }
}
