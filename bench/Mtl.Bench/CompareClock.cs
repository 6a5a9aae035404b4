// Measures the core clock for the `compare` benchmark's peak figure: a chain of dependent 64-bit multiplies (3 cycles each on Zen 4).
using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace Mtl.Bench;

/// <summary>The machine's FP32 peak as used by `compare`: cores × 32 FLOP/cycle (two 256-bit FMA pipes) × clock.</summary>
internal static class CompareClock
{
    /// <summary>FP32 FLOPs per cycle per core on this machine (PERF-NOTES: AVX-512 FMAs run as two 256-bit halves).</summary>
    public const double FlopsPerCycle = 32;

    /// <summary>The clock PERF-NOTES measured, used when the measurement here is implausible.</summary>
    public const double NotesGhz = 3.67;

    /// <summary>Latency in cycles of one dependent 64-bit integer multiply (imul r64, r64 on Zen 4 and on recent Intel cores).</summary>
    private const int MulLatency = 3;

    /// <summary>The measured clock in GHz (best of 40 runs of 2^21 iterations × 8 dependent multiplies) and how it was obtained.</summary>
    public static (double Ghz, string How) Measure()
    {
        const long iterations = 1L << 21;
        double best = double.MaxValue;
        Chain(1000, 3); // compile
        for (int r = 0; r < 40; r++)   // many short runs: the best one is the least disturbed on a shared machine
        {
            long t0 = Stopwatch.GetTimestamp();
            Chain(iterations, 3);
            best = Math.Min(best, Stopwatch.GetElapsedTime(t0).TotalSeconds);
        }
        double ghz = iterations * 8.0 * MulLatency / best / 1e9;
        return ghz is > 1.5 and < 6
            ? (ghz, $"measured here: dependent imul chain, {MulLatency} cycles each, best of 40 short runs")
            : (NotesGhz, $"PERF-NOTES figure (the chain here gave an implausible {ghz:F2} GHz)");
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static long Chain(long n, long x)
    {
        long m = x | 1;
        for (long i = 0; i < n; i++)
        {
            x *= m; x *= m; x *= m; x *= m;
            x *= m; x *= m; x *= m; x *= m;
        }
        return x;
    }
}
