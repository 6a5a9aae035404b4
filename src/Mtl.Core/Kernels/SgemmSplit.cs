// How C is cut into chunks for the GEMM threads: whole register tiles along the rows or the columns.
namespace Mtl.Kernels;

/// <summary>
/// C cut into <see cref="Chunks"/> runs of whole tiles (MR rows or NR columns), so each element is computed in the
/// same tile, by the same operations, whatever the number of chunks or the thread that runs them.
/// </summary>
internal readonly record struct SgemmSplit(bool ByRows, int Chunks, int Tiles, int TileSize, int Extent)
{
    /// <summary>Below this many multiply-adds (m·n·k) a call runs on one thread.</summary>
    internal const long DefaultMinParallelWork = 1 << 18;

    [ThreadStatic] private static long? _minParallelWork;

    /// <summary>The threshold for calls made from the current thread (tests lower it to split small problems).</summary>
    internal static long MinParallelWork
    {
        get => _minParallelWork ?? DefaultMinParallelWork;
        set => _minParallelWork = value;
    }

    /// <summary>Chunks per thread on the direct path with row-major B (benchmark knob).</summary>
    internal static int ChunksPerThread = 2;

    /// <summary>Benchmark override of the split direction (null = the better balanced one).</summary>
    internal static bool? ForceByRows;

    public static SgemmSplit Single(int m) => new(true, 1, 1, m, m);

    public static SgemmSplit Choose<K>(in SgemmArgs g, SgemmPath path, int threads) where K : struct, IGemmKernel
    {
        if (threads <= 1 || (long)g.M * g.N * g.K < MinParallelWork) return Single(g.M);
        int tm = (g.M + K.MR - 1) / K.MR, tn = (g.N + K.NR - 1) / K.NR;
        long rowsCost = (long)((tm + threads - 1) / threads) * tn;
        long colsCost = (long)tm * ((tn + threads - 1) / threads);
        // The direct path splits columns whenever they balance (each row chunk would repeat the packing of all of B:
        // at 512² on two threads rows gave 145 GFLOP/s, columns 165); the packed path takes the better balance.
        bool byRows = ForceByRows ?? (path == SgemmPath.Direct ? tn < 4 * threads : rowsCost <= colsCost);
        int tiles = byRows ? tm : tn;
        // Chunks are claimed dynamically, so a few per thread absorb a late or preempted thread; but every direct chunk
        // repeats some packing of B (256×50×320 on two threads: 145, 141, 116, 106 GFLOP/s for 1, 2, 4, 8 chunks per
        // thread). Two per thread for the direct path with row-major B; the packed paths cut one per thread.
        int wanted = path == SgemmPath.Direct && g.BRowsContiguous ? threads * ChunksPerThread : threads;
        int chunks = Math.Min(tiles, wanted);
        if (chunks <= 1) return Single(g.M);
        return new SgemmSplit(byRows, chunks, tiles, byRows ? K.MR : K.NR, byRows ? g.M : g.N);
    }

    /// <summary>Element range [start, end) of chunk c along the split dimension.</summary>
    public (int Start, int End) Range(int c)
    {
        int t0 = (int)((long)Tiles * c / Chunks), t1 = (int)((long)Tiles * (c + 1) / Chunks);
        return (t0 * TileSize, Math.Min(Extent, t1 * TileSize));
    }
}
