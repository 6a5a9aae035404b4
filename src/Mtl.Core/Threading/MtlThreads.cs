// The global, settable thread count used by every parallel kernel, and a deterministic parallel-for over fixed chunks.
namespace Mtl.Threading;

/// <summary>
/// Global thread count for Mtl's CPU kernels (default: all cores). Work is always split into the same chunks for the
/// same thread count and problem size, so results are bit-identical run to run.
/// </summary>
public static class MtlThreads
{
    private static int _count = Environment.ProcessorCount;

    [ThreadStatic]
    private static bool _inChunk;

    /// <summary>
    /// True while this thread runs one chunk of a parallel <see cref="For"/>: work started from there (a nested For, a
    /// GEMM) stays on this thread, because the other threads are already busy with the sibling chunks.
    /// </summary>
    public static bool InParallelChunk => _inChunk;

    private static int _parallelRunning;

    /// <summary>
    /// True while any parallel <see cref="For"/> (more than one chunk) is in progress on any thread. GEMM reads this
    /// (not the per-thread flag, whose first read on a thread allocates) to stay off its worker pool meanwhile; a GEMM's
    /// result does not depend on its split, so this cannot change any value.
    /// </summary>
    public static bool ParallelForRunning => Volatile.Read(ref _parallelRunning) != 0;

    /// <summary>Number of threads kernels may use; at least 1.</summary>
    public static int Count
    {
        get => _count;
        set
        {
            if (value < 1)
                throw new ArgumentOutOfRangeException(nameof(value), value, "MtlThreads.Count must be at least 1.");
            _count = value;
        }
    }

    /// <summary>
    /// Runs <paramref name="body"/>(chunk, start, end) over [0, n) split into at most <see cref="Count"/> contiguous
    /// chunks whose bounds depend only on n, the thread count and <paramref name="minPerChunk"/>.
    /// </summary>
    public static void For(int n, int minPerChunk, Action<int, int, int> body)
    {
        if (n <= 0) return;
        int chunks = ChunkCount(n, minPerChunk);
        if (chunks == 1)
        {
            body(0, 0, n);
            return;
        }
        Interlocked.Increment(ref _parallelRunning);
        try
        {
            Parallel.For(0, chunks, new ParallelOptions { MaxDegreeOfParallelism = chunks }, c =>
            {
                var (s, e) = ChunkBounds(n, chunks, c);
                bool outer = _inChunk;
                _inChunk = true;
                try { body(c, s, e); }
                finally { _inChunk = outer; }
            });
        }
        finally { Interlocked.Decrement(ref _parallelRunning); }
    }

    /// <summary>How many chunks <see cref="For"/> uses for n items (1 inside a parallel chunk).</summary>
    public static int ChunkCount(int n, int minPerChunk)
    {
        if (_inChunk) return 1; // nested inside a parallel chunk: serial
        int byWork = Math.Max(1, n / Math.Max(1, minPerChunk));
        return Math.Max(1, Math.Min(Math.Min(_count, byWork), n));
    }

    /// <summary>Bounds of chunk c when [0, n) is split into <paramref name="chunks"/> near-equal parts.</summary>
    public static (int Start, int End) ChunkBounds(int n, int chunks, int c)
    {
        long s = (long)n * c / chunks, e = (long)n * (c + 1) / chunks;
        return ((int)s, (int)e);
    }
}
