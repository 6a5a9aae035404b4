// How one float32 GEMM call runs: direct or packed path, cache blocking, and the split of C between threads.
namespace Mtl.Kernels;

/// <summary>The path of a GEMM call. Depends only on the problem's shape and the kernel, never on the thread count.</summary>
internal enum SgemmPath { Direct, Packed }

/// <summary>Chooses the path and blocking for a problem and a kernel.</summary>
internal static class SgemmPlan
{
    /// <summary>Override of the path for calls made from the current thread (null = choose). Tests and benchmarks.</summary>
    [ThreadStatic] internal static SgemmPath? ForcePath;

    /// <summary>Tiny blocks (KC 16, MC 2·MR, NC 2·NR) for calls from the current thread: lets tests run every loop.</summary>
    [ThreadStatic] internal static bool TinyBlocks;

    /// <summary>Largest B (k·n floats, 1 MB: the L2 of one core) that the direct path streams for every row of tiles.</summary>
    private const long DirectMaxBFloats = 1L << 18;

    public static SgemmPath Path<K>(in SgemmArgs g) where K : struct, IGemmKernel
    {
        if (ForcePath is { } forced) return forced;
        // Measured on Zen 4 (AVX2 kernel, one thread, thread CPU time): the direct path matches or beats the packed
        // one while the packed B (k·n floats) stays in cache — 512² 89 vs 87 GFLOP/s, 1536² 94 vs 91, 2048² 78 vs 89 —
        // but past L2 every tile streams its B panel from the shared L3 (~10 B/cycle), which other processes on the
        // machine disturb far more than the packed path, whose hot data sits in L1/L2; so direct only while B fits L2.
        // An A stored transposed with rows of 4 KB or more goes packed too: its strips would cost a TLB miss per k
        // (4096×64×1024 TN: 44 vs 72).
        if (g.ARs == 1 && g.AKs * sizeof(float) >= 4096) return SgemmPath.Packed;
        return (long)g.K * g.N <= DirectMaxBFloats ? SgemmPath.Direct : SgemmPath.Packed;
    }

    /// <summary>Benchmark override of the maximum KC, MC, NC (0 = default).</summary>
    internal static int TuneKC, TuneMC, TuneNC;

    /// <summary>KC/MC/NC for a kernel; KC is balanced so the K slices are near equal (depends on k only).</summary>
    public static SgemmBlocking Blocking<K>(int k) where K : struct, IGemmKernel
    {
        if (TinyBlocks) return new SgemmBlocking(Math.Max(1, Math.Min(16, k)), 2 * K.MR, 2 * K.NR);
        int kcMax = TuneKC > 0 ? TuneKC : 384;
        int mcMax = TuneMC > 0 ? TuneMC : K.NR >= 32 ? 192 : 144;
        int slices = Math.Max(1, (k + kcMax - 1) / kcMax);
        int kc = (k + slices - 1) / slices;
        int mc = mcMax / K.MR * K.MR;
        int nc = (TuneNC > 0 ? TuneNC : 2048) / K.NR * K.NR;
        return new SgemmBlocking(kc, mc, nc);
    }
}
