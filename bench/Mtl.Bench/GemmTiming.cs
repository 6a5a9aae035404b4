// Timing helpers of the GEMM benchmarks: calibrated samples by wall clock or thread CPU clock, medians or maxima.
using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Mtl.Bench;

/// <summary>How samples are timed and summarised; set once from the command line.</summary>
internal static class GemmTiming
{
    /// <summary>Time by the calling thread's CPU clock (meaningful for one-thread rows only): other jobs on a shared
    /// machine then matter much less. Default: wall clock.</summary>
    public static bool CpuClock;

    /// <summary>Summarise samples by their maximum instead of their median (for tuning on a shared machine).</summary>
    public static bool Best;

    /// <summary>Warms up (JIT, caches, thread start) and returns the number of calls that take about one sample.</summary>
    public static int Calibrate(Action run, double sampleSeconds)
    {
        run();
        long t0 = Stopwatch.GetTimestamp();
        int calls = 0;
        while (Stopwatch.GetElapsedTime(t0).TotalSeconds < sampleSeconds / 2 || calls < 2)
        {
            run();
            calls++;
        }
        double perCall = Stopwatch.GetElapsedTime(t0).TotalSeconds / calls;
        return Math.Max(1, (int)(sampleSeconds / perCall));
    }

    /// <summary>GFLOP/s of <paramref name="calls"/> back-to-back calls of <paramref name="flop"/> each.</summary>
    public static double Sample(Action run, int calls, double flop)
    {
        if (CpuClock)
        {
            double c0 = ThreadCpuSeconds();
            for (int i = 0; i < calls; i++) run();
            return flop * calls / (ThreadCpuSeconds() - c0) * 1e-9;
        }
        long t0 = Stopwatch.GetTimestamp();
        for (int i = 0; i < calls; i++) run();
        return flop * calls / Stopwatch.GetElapsedTime(t0).TotalSeconds * 1e-9;
    }

    /// <summary>Median (or maximum with <see cref="Best"/>).</summary>
    public static double Summary(List<double> xs)
    {
        if (Best) return xs.Max();
        xs.Sort();
        return xs.Count % 2 == 1 ? xs[xs.Count / 2] : (xs[xs.Count / 2 - 1] + xs[xs.Count / 2]) / 2;
    }

    /// <summary>
    /// Lets spinning worker threads go to sleep before the other library runs: OpenBLAS's pthread workers spin (with
    /// sched_yield) for about 2^28 cycles after a multi-threaded call, which would steal a core from the next sample.
    /// </summary>
    public static void Settle(int threads) => Thread.Sleep(threads > 1 ? (Best ? 120 : 150) : 2);

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds, Nanoseconds;
    }

    [DllImport("libc", EntryPoint = "clock_gettime")]
    private static extern int ClockGetTime(int clock, out TimeSpec t);

    /// <summary>CPU time of the calling thread (Linux CLOCK_THREAD_CPUTIME_ID).</summary>
    public static double ThreadCpuSeconds()
    {
        ClockGetTime(3, out var t);
        return t.Seconds + t.Nanoseconds * 1e-9;
    }
}
