// The `gemm` benchmark: Mtl's float32 GEMM against OpenBLAS, measured alternately in one run (squares, skinny shapes).
using System.Globalization;
using System.Text;
using Mtl.Kernels;
using Mtl.Threading;

namespace Mtl.Bench;

/// <summary>
/// GFLOP/s of C = A·B (row-major) for Mtl and OpenBLAS. Each row warms both up, then alternates timed samples of Mtl
/// and OpenBLAS and reports the medians and ratio = mtl / openblas. --json ends with one JSON line; --quick runs a
/// reduced set. Tuning flags: --shapes 512,256x50x320 --threads 1,2 --trans TN --path direct|packed --kc/--mc/--nc N
/// --no-blas --cpu (thread CPU clock) --best (maximum of many short samples); diagnostics: --kernels, --peak, --pack.
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
        bool noBlas = options.Args.Contains("--no-blas");
        bool blas = !noBlas && OpenBlas.TryLoad();
        Console.WriteLine(blas ? $"OpenBLAS: {OpenBlas.LoadedFrom}"
            : noBlas ? "OpenBLAS disabled by --no-blas (reporting Mtl only)"
            : OpenBlas.InstallHint + " (reporting Mtl only)");
        Console.WriteLine($"Mtl kernel: {GemmKernelSelect.Current}; processors: {Environment.ProcessorCount}");
        GemmTiming.CpuClock = options.Args.Contains("--cpu");
        GemmTiming.Best = options.Args.Contains("--best");
        if (options.Args.Contains("--kernels")) return GemmProbes.Kernels(options.Quick);
        if (options.Args.Contains("--peak")) return GemmProbes.Peak();
        if (options.Args.Contains("--pack")) return GemmProbes.Pack();

        int[] squares = options.Quick ? [256, 1024] : [128, 256, 512, 1024, 2048];
        var skinny = options.Quick ? [(256, 50, 320), (12800, 10, 25)] : Skinny;
        int[] threadCounts = [1, 2];
        if (Flag(options, "--shapes") is { } list)
        {
            var parts = list.Split(',');
            squares = parts.Where(x => !x.Contains('x')).Select(int.Parse).ToArray();
            skinny = parts.Where(x => x.Contains('x')).Select(x => x.Split('x').Select(int.Parse).ToArray())
                .Select(v => (v[0], v[1], v[2])).ToArray();
        }
        if (Flag(options, "--threads") is { } ts) threadCounts = ts.Split(',').Select(int.Parse).ToArray();
        bool transA = false, transB = false;
        if (Flag(options, "--trans") is { } tr) (transA, transB) = (tr[0] == 'T', tr[1] == 'T');
        if (Flag(options, "--split") is { } split) SgemmSplit.ForceByRows = split == "rows";
        if (Flag(options, "--cpt") is { } cpt) SgemmSplit.ChunksPerThread = int.Parse(cpt);
        if (Flag(options, "--kc") is { } kc) SgemmPlan.TuneKC = int.Parse(kc);
        if (Flag(options, "--mc") is { } mc) SgemmPlan.TuneMC = int.Parse(mc);
        if (Flag(options, "--nc") is { } nc) SgemmPlan.TuneNC = int.Parse(nc);
        if (Flag(options, "--path") is { } path) SgemmPlan.ForcePath = Enum.Parse<SgemmPath>(path, ignoreCase: true);
        double sample = options.Quick ? 0.04 : 0.1;
        int reps = options.Quick ? 3 : 5;
        if (GemmTiming.Best) (sample, reps) = (0.02, 15);

        int threadsBefore = MtlThreads.Count;
        var rows = new List<Row>();
        Console.WriteLine($"{"shape (m×n×k)",-18} {"thr",3} {"mtl GF/s",9} {"openblas GF/s",14} {"ratio",6}");
        try
        {
            var shapes = squares.Select(n => (true, n, n, n)).Concat(skinny.Select(s => (false, s.Item1, s.Item2, s.Item3)));
            foreach (var (square, m, n, k) in shapes)
                foreach (int t in threadCounts)
                    rows.Add(Print(Measure(square, m, n, k, t, transA, transB, blas, sample, reps)));
        }
        finally
        {
            MtlThreads.Count = threadsBefore;
        }
        if (options.Json) Console.WriteLine(Json(rows));
        return 0;
    }

    private static Row Measure(bool square, int m, int n, int k, int threads, bool transA, bool transB, bool blas,
        double sample, int reps)
    {
        using var p = new GemmOperands(m, n, k, transA, transB);
        MtlThreads.Count = threads;
        if (blas) OpenBlas.SetThreads(threads);
        double flop = 2.0 * m * n * k;
        int mtlCalls = GemmTiming.Calibrate(p.Mtl, sample);
        GemmTiming.Settle(1);
        int blasCalls = blas ? GemmTiming.Calibrate(p.Blas, sample) : 0;
        GemmTiming.Settle(threads);
        var mtl = new List<double>();
        var ob = new List<double>();
        for (int r = 0; r < reps; r++)
        {
            mtl.Add(GemmTiming.Sample(p.Mtl, mtlCalls, flop));
            GemmTiming.Settle(1);
            if (!blas) continue;
            ob.Add(GemmTiming.Sample(p.Blas, blasCalls, flop));
            GemmTiming.Settle(threads);
        }
        return new Row(square, m, n, k, threads, GemmTiming.Summary(mtl), blas ? GemmTiming.Summary(ob) : null);
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

    /// <summary>{"rows":[{"m":..,"n":..,"k":..,"threads":..,"mtl_gflops":..,"openblas_gflops":..,"ratio":..},..]}</summary>
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
}
