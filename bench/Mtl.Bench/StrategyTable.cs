// Benchmark `strategy-table`: every balancing strategy on MultiFashion (LeNet hard sharing) and synthetic MMoE tasks, with Δm vs single-task.
using System.Globalization;
using System.Text;
using Mtl.Data;
using Mtl.MultiTask.Architectures;
using Mtl.MultiTask.Balancing;
using Mtl.MultiTask.Metrics;
using Mtl.MultiTask.Tasks;
using Mtl.MultiTask.Training;
using Mtl.NN;
using Mtl.NN.Optim;
using Mtl.Threading;

namespace Mtl.Bench;

/// <summary>
/// The comparison table of issue 6. For each data set and seed, single-task baselines (the same architecture built for
/// one task, same budget) are trained once; then the multi-task model with every registered strategy at its default
/// options. Each row: the strategy's per-task test metric (mean ± std over seeds), Δm% against the baselines of the same
/// seed, and training time per epoch relative to <c>ew</c>. Models are evaluated after the last epoch (no selection on
/// test data); Auto-Lambda gets a validation split carved from the training images.
/// <list type="bullet">
/// <item>multifashion: LeNet + hard sharing; pairs from the first <c>--train</c> (10,000) full Fashion-MNIST training
/// images, validation pairs from the next 1,000, 2,000 test pairs from the test set (the committed sample when the full set is
/// absent); SGD lr 0.05 momentum 0.9, batch 256, <c>--epochs</c> (5).</item>
/// <item>mmoe: synthetic correlated regression tasks (d = 100, p = 0.5, 10 sine terms; Ma et al. 2018); MMoE with 8
/// experts of width 16 and towers 16→8→1; <c>--mmoe-train</c> (20,000) train / 1,000 validation / 2,000 test; Adam lr 1e-3, batch 128, <c>--mmoe-epochs</c> (10).</item>
/// </list>
/// Options: <c>--seeds N</c> (3), <c>--data multifashion|mmoe|both</c>, <c>--only a,b</c>, <c>--threads N</c> (2).
/// <c>--quick</c>: committed sample, 1 epoch, 1 seed, a handful of strategies.
/// </summary>
internal sealed class StrategyTable : IBenchmark
{
    public string Name => "strategy-table";
    public string Description => "every balancing strategy on MultiFashion and synthetic MMoE: per-task metrics, Δm vs single-task, time/epoch vs ew";

    private static readonly string[] QuickSet = ["ew", "mean", "pcgrad", "mgda", "uw", "cagrad"];

    private sealed record Problem(string Name, string Metric, bool HigherIsBetter, string[] Tasks, int Epochs,
        Func<IReadOnlyList<TaskSpec>, ulong, MultiTaskModel> Build, Func<MultiTaskModel, Optimizer> Optimizer,
        IMultiTaskDataset Train, IMultiTaskDataset Val, IMultiTaskDataset Test, int BatchSize, string Description);

    private sealed class Row(string problem, string strategy, int seeds)
    {
        public string Problem { get; } = problem;
        public string Strategy { get; } = strategy;
        public double[][] Task { get; } = [new double[seeds], new double[seeds]];
        public double[] DeltaM { get; } = new double[seeds];
        public double[] SecondsPerEpoch { get; } = new double[seeds];
        public string? Error { get; set; }
    }

    public int Run(BenchOptions options)
    {
        bool quick = options.Quick;
        int seeds = BenchArgs.Int(options.Args, "--seeds", quick ? 1 : 3);
        int threads = BenchArgs.Int(options.Args, "--threads", 2);
        string which = BenchArgs.Value(options.Args, "--data") ?? "both";
        var only = BenchArgs.Value(options.Args, "--only")?.Split(',', StringSplitOptions.RemoveEmptyEntries);
        var names = StrategyRegistry.All.Select(s => s.Name)
            .Where(n => n == "ew" || (only ?? (quick ? QuickSet : null))?.Contains(n) != false).ToList();
        names.Remove("ew");
        names.Insert(0, "ew");

        var problems = new List<Problem>();
        if (which is "both" or "multifashion") problems.Add(MultiFashion(options, quick));
        if (which is "both" or "mmoe") problems.Add(Mmoe(options, quick));
        int saved = MtlThreads.Count;
        var rows = new List<Row>();
        try
        {
            MtlThreads.Count = threads;
            foreach (var p in problems)
            {
                Console.WriteLine($"{p.Name}: {p.Description}; {seeds} seed(s), {threads} thread(s)");
                var baselines = new double[seeds][];
                for (int s = 0; s < seeds; s++)
                    baselines[s] = p.Tasks.Select(t => TrainOne(p, [t], null, (ulong)s).Metrics[0]).ToArray();
                Console.WriteLine($"  single-task baselines ({p.Metric}): " + string.Join(", ", p.Tasks.Select((t, i) => $"{t} {SeedStats.Pm(baselines.Select(b => b[i]))}")));
                foreach (var name in names)
                {
                    var row = new Row(p.Name, name, seeds);
                    rows.Add(row);
                    try
                    {
                        for (int s = 0; s < seeds; s++)
                        {
                            var r = TrainOne(p, p.Tasks, name, (ulong)s);
                            row.Task[0][s] = r.Metrics[0];
                            row.Task[1][s] = r.Metrics[1];
                            row.SecondsPerEpoch[s] = r.SecondsPerEpoch;
                            row.DeltaM[s] = DeltaM.Compute(p.Tasks.Select((t, i) => new MetricComparison(t, p.Metric, r.Metrics[i], baselines[s][i], p.HigherIsBetter)).ToList());
                        }
                    }
                    catch (Exception e) when (e is not OutOfMemoryException)
                    {
                        row.Error = e.GetType().Name + ": " + e.Message;
                    }
                    Console.WriteLine("  " + Describe(row, rows));
                }
            }
        }
        finally { MtlThreads.Count = saved; }

        foreach (var p in problems) PrintTable(p, rows.Where(r => r.Problem == p.Name).ToList());
        if (options.Json) Console.WriteLine(Json(rows, seeds, threads));
        return 0;
    }

    private sealed record Outcome(double[] Metrics, double SecondsPerEpoch);

    private static Outcome TrainOne(Problem p, string[] taskNames, string? strategy, ulong seed)
    {
        var tasks = Specs(p, taskNames);
        var model = p.Build(tasks, seed);
        var balancing = strategy is null ? null : StrategyRegistry.Create(strategy);
        var trainer = new MultiTaskTrainer(model, p.Optimizer(model), new TrainerOptions { Epochs = p.Epochs, RestoreBest = false }, strategy: balancing);
        using var train = new DataLoader(p.Train, new DataLoaderOptions { BatchSize = p.BatchSize, Shuffle = true, Seed = seed });
        using var val = new DataLoader(p.Val, new DataLoaderOptions { BatchSize = 1000 });
        using var test = new DataLoader(p.Test, new DataLoaderOptions { BatchSize = 1000 });
        bool needsValidation = strategy is not null && StrategyRegistry.Get(strategy).Family == StrategyFamily.Bilevel;
        var fit = trainer.Fit(TrainingSource.FromLoader(train), needsValidation ? TrainingSource.FromLoader(val) : null);
        var metrics = trainer.Evaluate(test).Metrics;
        return new Outcome(taskNames.Select(t => metrics[t][p.Metric]).ToArray(), fit.Seconds / Math.Max(1, fit.Epochs));
    }

    private static TaskSpec[] Specs(Problem p, string[] names) => p.Name == "mmoe" ? BenchModels.MmoeTasks(names) : BenchModels.FashionTasks(names);

    private static Problem MultiFashion(BenchOptions options, bool quick)
    {
        int trainImages = BenchArgs.Int(options.Args, "--train", 10_000);
        int epochs = BenchArgs.Int(options.Args, "--epochs", quick ? 1 : 5);
        var images = FashionSplits.Load(quick, trainImages);
        var (train, val, test, source) = images.Pairs();
        return new Problem("multifashion", "accuracy", true, MultiFashionPairs.Tasks, epochs,
            BenchModels.LeNetHard,
            m => new SGD(m.Parameters(), new SGDOptions { Lr = 0.05, Momentum = 0.9 }), train, val, test, 256,
            $"LeNet hard sharing, {train.Count} train / {test.Count} test pairs ({source}), SGD 0.05 m0.9, batch 256, {epochs} epoch(s)");
    }

    private static Problem Mmoe(BenchOptions options, bool quick)
    {
        int trainCount = BenchArgs.Int(options.Args, "--mmoe-train", quick ? 2_000 : 20_000), valCount = 1_000, testCount = 2_000;
        int epochs = BenchArgs.Int(options.Args, "--mmoe-epochs", quick ? 1 : 10);
        var data = SyntheticCorrelatedTasks.Generate(new SyntheticTasksOptions
        {
            Count = trainCount + valCount + testCount, Dim = 100, Correlation = 0.5, SinTerms = 10, Seed = 7,
        }).Dataset;
        var train = data.Subset(Enumerable.Range(0, trainCount).ToArray());
        var val = data.Subset(Enumerable.Range(trainCount, valCount).ToArray());
        var test = data.Subset(Enumerable.Range(trainCount + valCount, testCount).ToArray());
        return new Problem("mmoe", "mse", false, ["task1", "task2"], epochs,
            (tasks, seed) => BenchModels.Mmoe(tasks, 1000 + seed),
            m => new Adam(m.Parameters(), new AdamOptions { Lr = 1e-3 }), train, val, test, 128,
            $"MMoE 8×16 experts on synthetic tasks (d=100, p=0.5), {trainCount} train / {testCount} test, Adam 1e-3, batch 128, {epochs} epoch(s)");
    }

    private static double TimeRatio(Row row, List<Row> rows)
    {
        var ew = rows.First(r => r.Problem == row.Problem && r.Strategy == "ew");
        return row.SecondsPerEpoch.Average() / ew.SecondsPerEpoch.Average();
    }

    private static string Describe(Row row, List<Row> rows) => row.Error is not null ? $"{row.Strategy,-12} FAILED {row.Error}"
        : string.Create(CultureInfo.InvariantCulture, $"{row.Strategy,-12} {SeedStats.Pm(row.Task[0])}  {SeedStats.Pm(row.Task[1])}  Δm {SeedStats.Pm(row.DeltaM, "F2")}  {TimeRatio(row, rows):F2}× ew");

    private static void PrintTable(Problem p, List<Row> rows)
    {
        Console.WriteLine();
        Console.WriteLine($"{p.Name} ({p.Metric}, {(p.HigherIsBetter ? "higher" : "lower")} is better)");
        Console.WriteLine($"| strategy | {p.Tasks[0]} | {p.Tasks[1]} | Δm % | time/epoch × ew |");
        Console.WriteLine("|---|---|---|---|---|");
        foreach (var r in rows)
            Console.WriteLine(r.Error is not null ? $"| {r.Strategy} | failed: {r.Error} | | | |"
                : string.Create(CultureInfo.InvariantCulture, $"| {r.Strategy} | {SeedStats.Pm(r.Task[0])} | {SeedStats.Pm(r.Task[1])} | {SeedStats.Pm(r.DeltaM, "F2")} | {TimeRatio(r, rows):F2} |"));
    }

    private static string Json(List<Row> rows, int seeds, int threads)
    {
        string Arr(double[] v) => "[" + string.Join(",", v.Select(x => x.ToString("R", CultureInfo.InvariantCulture))) + "]";
        var sb = new StringBuilder(string.Create(CultureInfo.InvariantCulture, $"{{\"seeds\":{seeds},\"threads\":{threads},\"rows\":["));
        sb.AppendJoin(",", rows.Select(r => r.Error is not null
            ? $"{{\"data\":\"{r.Problem}\",\"strategy\":\"{r.Strategy}\",\"error\":{System.Text.Json.JsonSerializer.Serialize(r.Error)}}}"
            : string.Create(CultureInfo.InvariantCulture,
                $"{{\"data\":\"{r.Problem}\",\"strategy\":\"{r.Strategy}\",\"task1\":{Arr(r.Task[0])},\"task2\":{Arr(r.Task[1])},\"delta_m\":{Arr(r.DeltaM)},\"seconds_per_epoch\":{Arr(r.SecondsPerEpoch)},\"time_ratio_to_equal\":{TimeRatio(r, rows):F3}}}")));
        return sb.Append("]}").ToString();
    }
}
