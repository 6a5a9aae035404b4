// Benchmark `compare`: Mtl vs PyTorch training throughput on three mirrored models, same machine, same run, same threads.
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Mtl.Threading;

namespace Mtl.Bench;

/// <summary>
/// For each model (lenet, mmoe, lstm — <see cref="CompareCase"/>) and thread count (1, 2): Mtl and the PyTorch reference
/// script (bench/reference/compare_*.py, one long-lived process per PyTorch thread set-up) train the same model on the
/// same batches in the same order; after warm-up steps, timed rounds alternate between the two frameworks (Mtl first in
/// even rounds, PyTorch first in odd ones) and the medians give samples/s and their ratio. At more than one thread
/// PyTorch runs in several set-ups (its own threads or OpenBLAS's, see <see cref="Setups"/>) and the best one counts. Also: Mtl's managed allocation per step over the
/// timed rounds, peak memory (Mtl: the process' peak working set so far; PyTorch: ru_maxrss of its process), FLOPs per
/// sample and achieved GFLOP/s against the peak of the cores used, and both frameworks' loss/accuracy on an evaluation
/// split after the same number of steps. Options: <c>--models lenet,mmoe,lstm</c>, <c>--threads 1,2</c>,
/// <c>--rounds N</c>, <c>--scale X</c> (multiplies the steps per round), <c>--seed N</c> (both frameworks' initialisation
/// seed, 0; the data do not change — for the run-to-run spread of the final losses). <c>--quick</c>: tiny step counts.
/// </summary>
internal sealed class CompareBench : IBenchmark
{
    public string Name => "compare";
    public string Description => "Mtl vs PyTorch training samples/s on lenet, mmoe and lstm at 1 and 2 threads (ratio, alloc/step, GFLOP/s, loss)";

    private sealed record Row(string Model, int Threads, int Batch, double MtlSps, double? TorchSps, double AllocPerStep, double MtlPeakMb, double? TorchRssMb,
        double FlopsPerSample, double PeakGflops, long MtlParams, long? TorchParams, double MtlLoss, double? TorchLoss, double[]? MtlAcc, double[]? TorchAcc,
        int Steps, string? TorchNote, string? TorchSetup, double MtlTrainLoss, double? TorchTrainLoss)
    {
        public double? Ratio => TorchSps is { } t ? MtlSps / t : null;
        public double MtlGflops => MtlSps * FlopsPerSample / 1e9;
        public double? TorchGflops => TorchSps * FlopsPerSample / 1e9;
    }

    /// <summary>Warm-up steps and steps per timed round of each model (full run, quick run).</summary>
    private static (int Warm, int Steps) Plan(string model, bool quick) => (model, quick) switch
    {
        ("lenet", false) => (5, 40),
        ("mmoe", false) => (30, 300),
        ("lstm", false) => (2, 8),
        ("lenet", true) => (1, 3),
        ("mmoe", true) => (5, 20),
        _ => (1, 2),
    };

    public int Run(BenchOptions options)
    {
        bool quick = options.Quick;
        var models = (BenchArgs.Value(options.Args, "--models") ?? "lenet,mmoe,lstm").Split(',', StringSplitOptions.RemoveEmptyEntries);
        var threadCounts = (BenchArgs.Value(options.Args, "--threads") ?? "1,2").Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray();
        int rounds = BenchArgs.Int(options.Args, "--rounds", quick ? 2 : 5);
        double scale = BenchArgs.Double(options.Args, "--scale", 1);
        ulong seed = (ulong)BenchArgs.Int(options.Args, "--seed", 0);   // initialisation seed of both frameworks (the data stay the same)
        var unknown = models.Where(m => CompareCase.All.All(c => c.Name != m)).ToList();
        if (unknown.Count > 0) { Console.Error.WriteLine($"compare: unknown model(s) {string.Join(", ", unknown)}; known: lenet, mmoe, lstm"); return 2; }

        var (ghz, clockHow) = CompareClock.Measure();
        double corePeak = CompareClock.FlopsPerCycle * ghz;   // GFLOP/s per core
        string loadBefore = Load();
        Console.WriteLine($"compare: {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} cores, load {loadBefore}; " +
            string.Create(CultureInfo.InvariantCulture, $"clock {ghz:F2} GHz ({clockHow}); peak {corePeak:F0} GFLOP/s per core, {2 * corePeak:F0} for two"));
        Console.WriteLine($"PyTorch: {(TorchPython.Interpreter is { } py ? py : "not installed (apt-get install python3-torch); torch figures are null")}, " +
            "env OMP_WAIT_POLICY=PASSIVE; at n > 1 threads the best of torch.set_num_threads(n) with OPENBLAS_NUM_THREADS=1, " +
            "set_num_threads(1) with OPENBLAS_NUM_THREADS=n and (full runs) both n; Mtl: MtlThreads.Count = n");

        var rows = new List<Row>();
        int savedThreads = MtlThreads.Count;
        try
        {
            foreach (var c in CompareCase.All.Where(c => models.Contains(c.Name)))
            {
                var data = c.LoadData(quick);
                if (data is null)
                {
                    Console.WriteLine($"{c.Name}: data not available (full Fashion-MNIST not installed: {Mtl.Data.FashionMnist.InstallCommand}); skipped");
                    continue;
                }
                var (warm, steps) = Plan(c.Name, quick);
                steps = Math.Max(1, (int)Math.Round(steps * scale));
                Console.WriteLine($"{c.Name}: {data.Source}; batch {c.Batch}, {c.Optimizer} lr {c.Lr.ToString(CultureInfo.InvariantCulture)}" +
                    $"{(c.Momentum > 0 ? $" momentum {c.Momentum.ToString(CultureInfo.InvariantCulture)}" : "")}; {warm} warm-up + {rounds} x {steps} timed steps per framework; " +
                    $"config {c.Config}; FLOPs/sample {c.TrainFlopsPerSample / 1e6:F3} M ({c.MacsNote} multiply-adds, x2 FLOP, x3 train)");
                string folder = Path.Combine(Path.GetTempPath(), $"mtl-compare-{c.Name}-{Environment.ProcessId}");
                try
                {
                    data.Write(folder);
                    foreach (int threads in threadCounts)
                        rows.Add(RunOne(c, data, folder, threads, warm, steps, rounds, corePeak * threads, quick, seed));
                }
                finally
                {
                    if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
                }
            }
        }
        finally { MtlThreads.Count = savedThreads; }

        PrintTable(rows, loadBefore);
        if (options.Json) Console.WriteLine(Json(rows, ghz, clockHow, loadBefore));
        return 0;
    }

    /// <summary>A PyTorch thread set-up: torch.set_num_threads and OPENBLAS_NUM_THREADS (OMP_WAIT_POLICY=PASSIVE always).</summary>
    private sealed record TorchSetup(int TorchThreads, int OpenBlasThreads)
    {
        public string Label => $"torch {TorchThreads} / OpenBLAS {OpenBlasThreads}";
    }

    /// <summary>
    /// The set-ups tried at <paramref name="threads"/> threads; the best one is reported (PyTorch at its best). One thread:
    /// torch 1 / OpenBLAS 1. More: PyTorch's own threads with OpenBLAS pinned to 1, OpenBLAS's threads with PyTorch's
    /// pinned to 1, and both (full runs only).
    /// </summary>
    private static TorchSetup[] Setups(int threads, bool quick) => threads == 1
        ? [new(1, 1)]
        : quick ? [new(threads, 1), new(1, threads)] : [new(threads, 1), new(1, threads), new(threads, threads)];

    private static Row RunOne(CompareCase c, CompareData data, string folder, int threads, int warm, int steps, int rounds, double peak, bool quick, ulong seed)
    {
        MtlThreads.Count = threads;
        var mtl = new CompareMtl(c, data, seed);
        string? note = null;
        var setups = Setups(threads, quick);
        var workers = new List<(TorchSetup Setup, CompareTorch Worker, List<double> Times, List<double> Losses)>();
        foreach (var setup in setups)
        {
            if (note is not null) break;
            var w = CompareTorch.Start(c.Script, ["--data", folder, "--threads", $"{setup.TorchThreads}", .. c.ScriptArgs(seed)], setup.OpenBlasThreads,
                TimeSpan.FromMinutes(quick ? 2 : 10), out note);
            if (w is not null) workers.Add((setup, w, [], []));
        }
        mtl.Train(warm);
        foreach (var w in workers)
            if (note is null && w.Worker.Train(warm) is null) note = $"{c.Script} failed: {w.Worker.Tail()}";
        var mtlTimes = new List<double>();
        double mtlTrainLoss = double.NaN;   // mean training loss of the last timed round
        long allocated = 0;
        for (int r = 0; r < rounds; r++)
        {
            void MtlRound()
            {
                long a0 = GC.GetTotalAllocatedBytes(true);
                var (seconds, loss) = mtl.Train(steps);
                mtlTrainLoss = loss;
                allocated += GC.GetTotalAllocatedBytes(true) - a0;
                mtlTimes.Add(seconds);
            }
            void TorchRound()
            {
                foreach (var w in workers)
                {
                    if (note is not null) return;
                    if (w.Worker.Train(steps) is { } round)
                    {
                        w.Times.Add(round.GetProperty("seconds").GetDouble());
                        w.Losses.Add(round.GetProperty("loss").GetDouble());
                    }
                    else note = $"{c.Script} failed: {w.Worker.Tail()}";
                }
            }
            if (r % 2 == 0) { MtlRound(); TorchRound(); }
            else { TorchRound(); MtlRound(); }
        }
        var (mtlLoss, mtlAcc) = mtl.Evaluate();
        double samples = (double)steps * c.Batch;
        double? torchLoss = null, torchRss = null, torchSps = null, torchTrainLoss = null;
        double[]? torchAcc = null;
        long? torchParams = null;
        string? setupUsed = null;
        var setupFigures = new List<string>();
        if (workers.Count > 0 && note is null)
        {
            var best = workers.MaxBy(w => samples / Median(w.Times));
            torchSps = samples / Median(best.Times);
            setupUsed = best.Setup.Label;
            torchTrainLoss = best.Losses[^1];
            setupFigures.AddRange(workers.Select(w => string.Create(CultureInfo.InvariantCulture, $"{w.Setup.Label}: {samples / Median(w.Times):F0}")));
            torchParams = best.Worker.Model.GetProperty("params").GetInt64();
            if (best.Worker.Eval() is { } ev)
            {
                torchLoss = ev.GetProperty("loss").GetDouble();
                if (ev.GetProperty("acc") is { ValueKind: JsonValueKind.Object } acc) torchAcc = acc.EnumerateObject().Select(p => p.Value.GetDouble()).ToArray();
            }
            if (best.Worker.Quit() is { } fin) torchRss = fin.GetProperty("maxrss_kb").GetDouble() / 1024;
        }
        foreach (var w in workers) w.Worker.Dispose();
        using var self = Process.GetCurrentProcess();
        double mtlPeak = self.PeakWorkingSet64 / (1024.0 * 1024);
        if (torchSps is null && note is null) note = "PyTorch not run";
        var row = new Row(c.Name, threads, c.Batch, samples / Median(mtlTimes), torchSps, (double)allocated / (rounds * steps), mtlPeak, torchRss,
            c.TrainFlopsPerSample, peak, mtl.Parameters, torchParams, mtlLoss, torchLoss, mtlAcc, torchAcc, warm + rounds * steps, note, setupUsed,
            mtlTrainLoss, torchTrainLoss);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  {c.Name} threads {threads}: Mtl {row.MtlSps:F0} samples/s (rounds {string.Join(" ", mtlTimes.Select(t => (samples / t).ToString("F0", CultureInfo.InvariantCulture)))}), " +
            $"PyTorch {(torchSps is { } ts ? ts.ToString("F0", CultureInfo.InvariantCulture) : "n/a")} (best set-up {setupUsed ?? "n/a"}; {string.Join(", ", setupFigures)}); " +
            $"params Mtl {mtl.Parameters} / PyTorch {(torchParams?.ToString(CultureInfo.InvariantCulture) ?? "n/a")}{(note is null ? "" : "; " + note)}; load {Load()}"));
        return row;
    }

    private static double Median(List<double> v)
    {
        var s = v.OrderBy(x => x).ToArray();
        return s.Length % 2 == 1 ? s[s.Length / 2] : 0.5 * (s[s.Length / 2 - 1] + s[s.Length / 2]);
    }

    private static string Load()
    {
        try { return string.Join(" ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3)); }
        catch (IOException) { return "n/a"; }
        catch (UnauthorizedAccessException) { return "n/a"; }
    }

    private static string F(double? v, string format) => v is { } x ? x.ToString(format, CultureInfo.InvariantCulture) : "n/a";

    private static string Acc(double[]? a) => a is null ? "-" : string.Join("/", a.Select(x => x.ToString("F3", CultureInfo.InvariantCulture)));

    private static void PrintTable(List<Row> rows, string load)
    {
        Console.WriteLine();
        Console.WriteLine($"| model | thr | Mtl samples/s | PyTorch samples/s | ratio | Mtl alloc/step | Mtl GFLOP/s | % peak | PyTorch GFLOP/s | Mtl peak WS MB | PyTorch maxrss MB | params Mtl/PyTorch | train loss Mtl / PyTorch | eval loss Mtl / PyTorch | eval acc Mtl / PyTorch | steps | PyTorch set-up |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
        foreach (var r in rows)
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {r.Model} | {r.Threads} | {r.MtlSps:F0} | {F(r.TorchSps, "F0")} | {F(r.Ratio, "F2")} | {r.AllocPerStep / 1024:F1} KB | {r.MtlGflops:F1} | {100 * r.MtlGflops / r.PeakGflops:F1}% | " +
                $"{F(r.TorchGflops, "F1")} | {r.MtlPeakMb:F0} | {F(r.TorchRssMb, "F0")} | {r.MtlParams}/{F(r.TorchParams, "F0")} | {r.MtlTrainLoss:F4} / {F(r.TorchTrainLoss, "F4")} | {r.MtlLoss:F4} / {F(r.TorchLoss, "F4")} | {Acc(r.MtlAcc)} / {Acc(r.TorchAcc)} | {r.Steps} | {r.TorchSetup ?? "-"} |"));
        Console.WriteLine($"load (1/5/15 min) at start {load}, at end {Load()}; % peak = Mtl GFLOP/s / (threads x 32 FLOP/cycle x clock)");
    }

    private static string Json(List<Row> rows, double ghz, string clockHow, string load)
    {
        string N(double? v, string format = "F1") => v is { } x && double.IsFinite(x) ? x.ToString(format, CultureInfo.InvariantCulture) : "null";
        string A(double[]? a) => a is null ? "null" : "[" + string.Join(",", a.Select(x => N(x, "F4"))) + "]";
        var sb = new StringBuilder("{\"rows\":[");
        sb.Append(string.Join(",", rows.Select(r =>
            $"{{\"model\":\"{r.Model}\",\"threads\":{r.Threads},\"mtl_samples_per_s\":{N(r.MtlSps)},\"torch_samples_per_s\":{N(r.TorchSps)},\"ratio\":{N(r.Ratio, "F3")}," +
            $"\"mtl_alloc_bytes_per_step\":{N(r.AllocPerStep, "F0")},\"mtl_peak_working_set_mb\":{N(r.MtlPeakMb)},\"torch_maxrss_mb\":{N(r.TorchRssMb)}," +
            $"\"train_flops_per_sample\":{N(r.FlopsPerSample, "F0")},\"mtl_gflops\":{N(r.MtlGflops, "F2")},\"torch_gflops\":{N(r.TorchGflops, "F2")},\"peak_gflops\":{N(r.PeakGflops)}," +
            $"\"mtl_pct_of_peak\":{N(100 * r.MtlGflops / r.PeakGflops, "F2")},\"mtl_params\":{r.MtlParams},\"torch_params\":{N(r.TorchParams, "F0")}," +
            $"\"mtl_train_loss\":{N(r.MtlTrainLoss, "F5")},\"torch_train_loss\":{N(r.TorchTrainLoss, "F5")}," +
            $"\"mtl_eval_loss\":{N(r.MtlLoss, "F5")},\"torch_eval_loss\":{N(r.TorchLoss, "F5")},\"mtl_eval_acc\":{A(r.MtlAcc)},\"torch_eval_acc\":{A(r.TorchAcc)},\"steps\":{r.Steps}," +
            $"\"torch_setup\":{(r.TorchSetup is null ? "null" : JsonSerializer.Serialize(r.TorchSetup))},\"torch_note\":{(r.TorchNote is null ? "null" : JsonSerializer.Serialize(r.TorchNote))}}}")));
        sb.Append(CultureInfo.InvariantCulture, $"],\"clock_ghz\":{ghz:F3},\"clock_source\":{JsonSerializer.Serialize(clockHow)},\"load\":{JsonSerializer.Serialize(load)},");
        sb.Append("\"torch_env\":\"OMP_WAIT_POLICY=PASSIVE; best of torch.set_num_threads / OPENBLAS_NUM_THREADS set-ups per row (torch_setup)\"}");
        return sb.ToString();
    }
}
