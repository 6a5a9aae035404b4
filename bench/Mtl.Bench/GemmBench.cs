// The `gemm` benchmark: Mtl's float32 GEMM against OpenBLAS, measured alternately in one run (squares, skinny shapes).
using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using Mtl.Kernels;
using Mtl.Threading;

namespace Mtl.Bench;

/// <summary>
/// GFLOP/s of C = A·B (row-major, no transposes) for Mtl and OpenBLAS. Each row warms both up, then alternates timed
/// samples of Mtl and OpenBLAS and reports medians. Extra flags: --kernels (every Mtl kernel kind, one thread).
/// </summary>
internal sealed class GemmBench : IBenchmark
{
    public string Name => "gemm";
    public string Description => "float32 GEMM GFLOP/s vs OpenBLAS: squares 128–2048 and skinny shapes, 1 and 2 threads";

    private static readonly (int M, int N, int K)[] Skinny =
        [(256, 50, 320), (256, 320, 50), (320, 50, 256), (64, 512, 256), (64, 256, 512), (12800, 10, 25), (2048, 20, 250)];

    private sealed record Row(bool Square, int M, int N, int K, int Threads, double Mtl, double? Blas);

    public int Run(BenchOptions options)
    {
        bool blas = OpenBlas.TryLoad();
        if (options.Args.Contains("--no-blas")) blas = false;
        Console.WriteLine(blas ? $"OpenBLAS: {OpenBlas.LoadedFrom}" : OpenBlas.InstallHint + " (reporting Mtl only)");
        Console.WriteLine($"Mtl kernel: {GemmKernelSelect.Current}; processors: {Environment.ProcessorCount}");
        // --cpu: time by the calling thread's CPU clock (one-thread rows only) so other jobs on the machine matter less
        _cpu = options.Args.Contains("--cpu");
        if (options.Args.Contains("--kernels")) return Kernels(options.Quick);
        if (options.Args.Contains("--peak")) return Peak();
        if (options.Args.Contains("--pack")) return Pack();

        int[] squares = options.Quick ? [256, 1024] : [128, 256, 512, 1024, 2048];
        var skinny = options.Quick ? [(256, 50, 320), (12800, 10, 25)] : Skinny;
        int[] threadCounts = [1, 2];
        if (Flag(options, "--shapes") is { } list)
        {
            // e.g. --shapes 512,256x50x320: squares and m×n×k shapes instead of the standard rows
            var parts = list.Split(',');
            squares = parts.Where(x => !x.Contains('x')).Select(int.Parse).ToArray();
            skinny = parts.Where(x => x.Contains('x')).Select(x => x.Split('x').Select(int.Parse).ToArray())
                .Select(v => (v[0], v[1], v[2])).ToArray();
        }
        if (Flag(options, "--threads") is { } ts) threadCounts = ts.Split(',').Select(int.Parse).ToArray();
        if (Flag(options, "--trans") is { } tr) (_transA, _transB) = (tr[0] == 'T', tr[1] == 'T');
        if (Flag(options, "--kc") is { } kc) SgemmPlan.TuneKC = int.Parse(kc);
        if (Flag(options, "--mc") is { } mc) SgemmPlan.TuneMC = int.Parse(mc);
        if (Flag(options, "--nc") is { } nc) SgemmPlan.TuneNC = int.Parse(nc);
        if (Flag(options, "--path") is { } path) SgemmPlan.ForcePath = Enum.Parse<SgemmPath>(path, ignoreCase: true);
        double sample = options.Quick ? 0.04 : 0.1;
        int reps = options.Quick ? 3 : 5;
        // --best: many short samples and their maximum, for tuning on a machine shared with other jobs
        _best = options.Args.Contains("--best");
        if (_best) (sample, reps) = (0.02, 15);
        int threadsBefore = MtlThreads.Count;
        var rows = new List<Row>();
        Console.WriteLine($"{"shape (m×n×k)",-18} {"thr",3} {"mtl GF/s",9} {"openblas GF/s",14} {"ratio",6}");
        try
        {
            foreach (int n in squares)
                foreach (int t in threadCounts)
                    rows.Add(Print(Measure(true, n, n, n, t, blas, sample, reps)));
            foreach (var (m, n, k) in skinny)
                foreach (int t in threadCounts)
                    rows.Add(Print(Measure(false, m, n, k, t, blas, sample, reps)));
        }
        finally
        {
            MtlThreads.Count = threadsBefore;
        }
        if (options.Json) Console.WriteLine(Json(rows));
        return 0;
    }

    /// <summary>The value after a flag (e.g. --threads 1,2), or null.</summary>
    private static string? Flag(BenchOptions o, string name)
    {
        int i = o.Args.ToList().IndexOf(name);
        return i >= 0 && i + 1 < o.Args.Count ? o.Args[i + 1] : null;
    }

    private static Row Print(Row r)
    {
        string shape = r.Square ? $"n={r.N}" : $"{r.M}×{r.N}×{r.K}";
        string b = r.Blas is { } v ? v.ToString("F1", CultureInfo.InvariantCulture) : "n/a";
        string ratio = r.Blas is { } w ? (r.Mtl / w).ToString("F2", CultureInfo.InvariantCulture) : "n/a";
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{shape,-18} {r.Threads,3} {r.Mtl,9:F1} {b,14} {ratio,6}"));
        return r;
    }

    private static string Json(List<Row> rows)
    {
        var sb = new StringBuilder("{\"rows\":[");
        for (int i = 0; i < rows.Count; i++)
        {
            var r = rows[i];
            if (i > 0) sb.Append(',');
            string blas = r.Blas is { } v ? Num(v) : "null";
            string ratio = r.Blas is { } w ? Num(r.Mtl / w, "F3") : "null";
            sb.Append(CultureInfo.InvariantCulture,
                $"{{\"m\":{r.M},\"n\":{r.N},\"k\":{r.K},\"threads\":{r.Threads},\"mtl_gflops\":{Num(r.Mtl)},");
            sb.Append(CultureInfo.InvariantCulture, $"\"openblas_gflops\":{blas},\"ratio\":{ratio}}}");
        }
        return sb.Append("]}").ToString();
    }

    private static string Num(double v, string format = "F2") => v.ToString(format, CultureInfo.InvariantCulture);

    private static unsafe Row Measure(bool square, int m, int n, int k, int threads, bool blas, double sample, int reps)
    {
        using var p = new Problem(m, n, k);
        MtlThreads.Count = threads;
        if (blas) OpenBlas.SetThreads(threads);
        double flop = 2.0 * m * n * k;
        int mtlCalls = Calibrate(p.Mtl, flop, sample);
        int blasCalls = blas ? Calibrate(p.Blas, flop, sample) : 0;
        var mtl = new List<double>();
        var ob = new List<double>();
        for (int r = 0; r < reps; r++)
        {
            mtl.Add(Time(p.Mtl, mtlCalls, flop));
            Settle(1);
            if (!blas) continue;
            ob.Add(Time(p.Blas, blasCalls, flop));
            Settle(threads);
        }
        return new Row(square, m, n, k, threads, Stat(mtl), blas ? Stat(ob) : null);
    }

    /// <summary>
    /// Lets spinning worker threads go to sleep before the other library runs: OpenBLAS's pthread workers spin (with
    /// sched_yield) for about 2^28 cycles after a multi-threaded call, which would steal a core from the next sample.
    /// </summary>
    private static void Settle(int threads) => Thread.Sleep(threads > 1 ? (_best ? 120 : 150) : 2);

    /// <summary>Warms up (JIT, caches, thread start) and returns the number of calls that take about one sample.</summary>
    private static int Calibrate(Action run, double flop, double sample)
    {
        run();
        long t0 = Stopwatch.GetTimestamp();
        int calls = 0;
        while (Stopwatch.GetElapsedTime(t0).TotalSeconds < sample / 2 || calls < 2)
        {
            run();
            calls++;
        }
        double perCall = Stopwatch.GetElapsedTime(t0).TotalSeconds / calls;
        return Math.Max(1, (int)(sample / perCall));
    }

    private static double Time(Action run, int calls, double flop)
    {
        if (_cpu)
        {
            double c0 = ThreadCpuSeconds();
            for (int i = 0; i < calls; i++) run();
            return flop * calls / (ThreadCpuSeconds() - c0) * 1e-9;
        }
        long t0 = Stopwatch.GetTimestamp();
        for (int i = 0; i < calls; i++) run();
        return flop * calls / Stopwatch.GetElapsedTime(t0).TotalSeconds * 1e-9;
    }

    private static bool _cpu;
    private static bool _transA, _transB;

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds, Nanoseconds;
    }

    [DllImport("libc", EntryPoint = "clock_gettime")]
    private static extern int ClockGetTime(int clock, out TimeSpec t);

    /// <summary>CPU time of the calling thread (Linux CLOCK_THREAD_CPUTIME_ID).</summary>
    private static double ThreadCpuSeconds()
    {
        ClockGetTime(3, out var t);
        return t.Seconds + t.Nanoseconds * 1e-9;
    }

    private static bool _best;

    private static double Stat(List<double> xs) => _best ? xs.Max() : Median(xs);

    private static double Median(List<double> xs)
    {
        xs.Sort();
        return xs.Count % 2 == 1 ? xs[xs.Count / 2] : (xs[xs.Count / 2 - 1] + xs[xs.Count / 2]) / 2;
    }

    /// <summary>Every kernel kind forced in turn, one thread, alternating, on a few shapes: the 512 vs 256-bit check.</summary>
    private static unsafe int Kernels(bool quick)
    {
        int before = MtlThreads.Count;
        MtlThreads.Count = 1;
        GemmKernelKind[] kinds = [GemmKernelKind.Avx512, GemmKernelKind.Avx2, GemmKernelKind.Portable];
        (int, int, int)[] shapes = quick ? [(256, 256, 256)] : [(256, 256, 256), (1024, 1024, 1024), (256, 50, 320)];
        Console.WriteLine($"Vector512 accelerated: {System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated}, " +
                          $"Vector256: {System.Runtime.Intrinsics.Vector256.IsHardwareAccelerated}");
        foreach (var (m, n, k) in shapes)
        {
            using var p = new Problem(m, n, k);
            double flop = 2.0 * m * n * k;
            var res = new Dictionary<GemmKernelKind, List<double>>();
            var calls = new Dictionary<GemmKernelKind, int>();
            foreach (var kind in kinds)
            {
                Gemm.ForceKernel = kind;
                calls[kind] = Calibrate(p.Mtl, flop, 0.1);
                res[kind] = [];
            }
            for (int r = 0; r < 5; r++)
                foreach (var kind in kinds)
                {
                    Gemm.ForceKernel = kind;
                    res[kind].Add(Time(p.Mtl, calls[kind], flop));
                }
            Gemm.ForceKernel = GemmKernelKind.Auto;
            Console.WriteLine($"{m}×{n}×{k}: " + string.Join("  ",
                kinds.Select(x => string.Create(CultureInfo.InvariantCulture, $"{x} {Median(res[x]):F1} GF/s"))));
        }
        MtlThreads.Count = before;
        return 0;
    }

    /// <summary>Micro-kernel alone on L1-resident packed panels: the ceiling for the whole GEMM.</summary>
    private static unsafe int Peak()
    {
        const int kc = 256;
        float* a = (float*)NativeMemory.AlignedAlloc(8 * kc * 4, 64), b = (float*)NativeMemory.AlignedAlloc(48 * kc * 4, 64);
        float* c = (float*)NativeMemory.AlignedAlloc(8 * 48 * 4 * 4, 64);
        for (int i = 0; i < 8 * kc; i++) a[i] = 0.001f * i;
        for (int i = 0; i < 48 * kc; i++) b[i] = 0.002f * i;
        double best = 0, bestStrided = 0;
        for (int r = 0; r < 30; r++)
        {
            double t0 = ThreadCpuSeconds();
            int calls = 20_000;
            for (int i = 0; i < calls; i++) GemmKernelAvx2.Tile(kc, a, 1, 6, b, 16, c, 16, 6, 16, 1f, 1f);
            best = Math.Max(best, 2.0 * 6 * 16 * kc * calls / (ThreadCpuSeconds() - t0) * 1e-9);
            t0 = ThreadCpuSeconds();
            for (int i = 0; i < calls; i++) GemmKernelAvx2.Tile(kc, a, 1, 1, b, 16, c, 16, 6, 16, 1f, 1f);
            bestStrided = Math.Max(bestStrided, 2.0 * 6 * 16 * kc * calls / (ThreadCpuSeconds() - t0) * 1e-9);
        }
        Console.WriteLine($"avx2 6x16 kc={kc}: best {best:F1} GF/s packed A, {bestStrided:F1} row-major A");
        return 0;
    }

    /// <summary>Packing speed alone (floats per ns, thread CPU time): A (m×k stored row-major or transposed), B.</summary>
    private static unsafe int Pack()
    {
        const int m = 256, k = 320;
        float* src = (float*)NativeMemory.AlignedAlloc(m * k * 4, 64), dst = (float*)NativeMemory.AlignedAlloc(m * k * 8, 64);
        for (int i = 0; i < m * k; i++) src[i] = i;
        foreach (bool trans in new[] { false, true })
        {
            double best = 0;
            for (int r = 0; r < 20; r++)
            {
                double t0 = ThreadCpuSeconds();
                for (int i = 0; i < 200; i++)
                    GemmPack.A<GemmKernelAvx2>(m, k, src, trans ? 1 : k, trans ? m : 1, dst);
                best = Math.Max(best, 200.0 * m * k / (ThreadCpuSeconds() - t0) * 1e-9);
            }
            Console.WriteLine($"pack A {(trans ? "transposed" : "row-major")} {m}x{k}: {best:F2} floats/ns");
        }
        return 0;
    }

    /// <summary>Native, 64-byte-aligned operands filled with values in [-1, 1).</summary>
    private sealed unsafe class Problem : IDisposable
    {
        private readonly int _m, _n, _k;
        private readonly float* _a, _b, _c;
        public readonly Action Mtl, Blas;

        public Problem(int m, int n, int k)
        {
            (_m, _n, _k) = (m, n, k);
            _a = Alloc((nint)m * k, 1);
            _b = Alloc((nint)k * n, 2);
            _c = Alloc((nint)m * n, 3);
            // --trans TN etc.: A stored k×m (lda = m) and/or B stored n×k (ldb = k); default A·B
            bool ta = _transA, tb = _transB;
            int lda = ta ? m : k, ldb = tb ? k : n;
            Mtl = () => Gemm.Sgemm(ta, tb, _m, _n, _k, 1f, _a, lda, _b, ldb, 0f, _c, _n);
            Blas = () => OpenBlas.Sgemm(ta, tb, _m, _n, _k, 1f, _a, lda, _b, ldb, 0f, _c, _n);
        }

        private static float* Alloc(nint count, int seed)
        {
            var p = (float*)NativeMemory.AlignedAlloc((nuint)(count * sizeof(float)), 64);
            var rng = new Random(seed);
            for (nint i = 0; i < count; i++) p[i] = (float)(rng.NextDouble() * 2 - 1);
            return p;
        }

        public void Dispose()
        {
            NativeMemory.AlignedFree(_a);
            NativeMemory.AlignedFree(_b);
            NativeMemory.AlignedFree(_c);
        }
    }
}
