// Benchmark `mmoe-synthetic`: MMoE vs parameter-matched hard sharing on the MMoE paper's synthetic correlated tasks.
using System.Diagnostics;
using System.Globalization;
using System.Text;
using Mtl.Data;
using Mtl.MultiTask.Architectures;
using Mtl.MultiTask.Tasks;
using Mtl.MultiTask.Training;
using Mtl.NN;
using Mtl.NN.Optim;
using Mtl.Threading;

namespace Mtl.Bench;

/// <summary>
/// The qualitative synthetic-data result of Ma et al., "Modeling Task Relationships in Multi-task Learning with
/// Multi-gate Mixture-of-Experts", KDD 2018 (§4): on two regression tasks whose correlation p is controlled
/// (<see cref="SyntheticCorrelatedTasks"/> with its defaults: d = 100, m = 10 sine terms αᵢ = i, βᵢ = i², c = 1,
/// σ = 0.01), MMoE (8 experts Linear(100→16) + ReLU, a softmax gate per task, towers Linear(16→8) ReLU Linear(8→1)) is
/// compared with hard sharing (one shared Linear(100→w) + ReLU, towers Linear(w→8) ReLU Linear(8→1)) whose width w
/// makes the total parameter counts (gates included) as close as possible. Both: Adam, batch 128, the same epochs, MSE
/// per task summed. Per seed s a fresh data set (generator seed s; train, validation and test parts) and fresh
/// initialisations. As in the paper the learning rate is grid-searched ({1e-4, 1e-3, 1e-2}): every model is trained at
/// every rate, and for each (p, model) the rate with the lowest mean validation MSE is selected; the test MSE is
/// reported for every rate and marked for the selected one (mean ± standard deviation over seeds).
/// Options: <c>--seeds N</c> (default 5), <c>--epochs N</c> (20), <c>--lrs a,b</c>, <c>--train N</c> (100,000),
/// <c>--val N</c> and <c>--test N</c> (2,000 each), <c>--threads N</c> (1), <c>--p 0.5,0.9</c>, <c>--curve</c> (test MSE per
/// epoch, diagnostic). <c>--quick</c>: p = 0.5, 2 seeds, lr 1e-3 only, 2,000 + 500 + 500 samples, 2 epochs.
/// </summary>
internal sealed class MmoeVsHardSharing : IBenchmark
{
    public string Name => "mmoe-synthetic";
    public string Description => "MMoE vs parameter-matched hard sharing on the MMoE paper's synthetic tasks (test MSE, mean +- std over seeds)";

    private const int Dim = BenchModels.MmoeDim, Experts = BenchModels.MmoeExperts, ExpertWidth = BenchModels.MmoeExpertWidth,
        TowerWidth = BenchModels.TowerWidth, BatchSize = 128;
    private static readonly string[] TaskNames = ["task1", "task2"];

    /// <summary>One (p, model, learning rate) cell: figures per seed.</summary>
    private sealed class Row(double p, string model, double lr, long parameters, int seeds, int epochs)
    {
        public double P { get; } = p;
        public string Model { get; } = model;
        public double Lr { get; } = lr;
        public long Params { get; } = parameters;
        public double[] Task1 { get; } = new double[seeds];
        public double[] Task2 { get; } = new double[seeds];
        public double[] Test { get; } = new double[seeds];
        public double[] Val { get; } = new double[seeds];
        public double[] Train { get; } = new double[seeds];
        public double[][] Curve { get; } = Enumerable.Range(0, seeds).Select(_ => new double[epochs]).ToArray();
        public double Seconds { get; set; }
        public double LabelVariance { get; set; }
        public bool Selected { get; set; }
    }

    private sealed record Split(IMultiTaskDataset Train, IMultiTaskDataset Val, IMultiTaskDataset Test);

    public int Run(BenchOptions options)
    {
        bool quick = options.Quick;
        var args = options.Args;
        int seeds = BenchArgs.Int(args, "--seeds", quick ? 2 : 5);
        int epochs = BenchArgs.Int(args, "--epochs", quick ? 2 : 20);
        int trainCount = BenchArgs.Int(args, "--train", quick ? 2_000 : 100_000);
        int valCount = BenchArgs.Int(args, "--val", quick ? 500 : 2_000);
        int testCount = BenchArgs.Int(args, "--test", quick ? 500 : 2_000);
        int threads = BenchArgs.Int(args, "--threads", 1);
        double[] lrs = BenchArgs.Doubles(args, "--lrs") ?? BenchArgs.Doubles(args, "--lr") ?? (quick ? [1e-3] : [1e-4, 1e-3, 1e-2]);
        double[] ps = BenchArgs.Doubles(args, "--p") ?? (quick ? [0.5] : [0.5, 0.9, 1.0]);

        long mmoeParams = BuildMmoe(0).ParameterCount();
        int width = MatchingWidth(mmoeParams);
        long hardParams = BuildHard(width, 0).ParameterCount();
        Console.WriteLine($"mmoe-synthetic: d = {Dim}, m = 10 sine terms, {trainCount} train / {valCount} validation / {testCount} test samples per seed, {seeds} seeds, " +
            string.Create(CultureInfo.InvariantCulture, $"Adam lr in {{{string.Join(", ", lrs)}}}, batch {BatchSize}, {epochs} epochs, {threads} thread(s)"));
        Console.WriteLine($"parameters: MMoE {mmoeParams} ({Experts} experts {Dim}->{ExpertWidth}, 2 gates {Dim}->{Experts}, towers {ExpertWidth}->{TowerWidth}->1) " +
            $"vs hard sharing {hardParams} (shared {Dim}->{width}, towers {width}->{TowerWidth}->1); difference {hardParams - mmoeParams:+0;-0}");

        var rows = new List<Row>();
        int saved = MtlThreads.Count;
        try
        {
            MtlThreads.Count = threads;
            foreach (double p in ps)
            {
                var cells = lrs.SelectMany(lr => new[] { new Row(p, "mmoe", lr, mmoeParams, seeds, epochs), new Row(p, "hard", lr, hardParams, seeds, epochs) }).ToList();
                var variance = new double[seeds];
                for (int s = 0; s < seeds; s++)
                {
                    var split = Generate(p, s, trainCount, valCount, testCount);
                    variance[s] = LabelVariance(split.Test);
                    foreach (var c in cells)
                    {
                        var model = c.Model == "mmoe" ? BuildMmoe((ulong)s) : BuildHard(width, (ulong)s);
                        c.Seconds += Train(model, split, (ulong)s, epochs, c, s) / seeds;
                    }
                    foreach (double lr in lrs)
                    {
                        var m = cells.First(c => c.Model == "mmoe" && c.Lr == lr);
                        var h = cells.First(c => c.Model == "hard" && c.Lr == lr);
                        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                            $"  p {p:F1} seed {s} lr {lr:G}: test MSE (avg of tasks) mmoe {m.Test[s]:F4}  hard {h.Test[s]:F4}  (train MSE mmoe {m.Train[s]:F4}, hard {h.Train[s]:F4})"));
                    }
                }
                foreach (var c in cells) c.LabelVariance = variance.Average();
                foreach (var group in cells.GroupBy(c => c.Model)) group.MinBy(c => c.Val.Average())!.Selected = true;
                rows.AddRange(cells);
            }
        }
        finally { MtlThreads.Count = saved; }

        PrintTable(rows);
        if (BenchArgs.Flag(args, "--curve")) PrintCurves(rows, epochs);
        if (options.Json) Console.WriteLine(Json(rows, seeds, epochs, trainCount, valCount, testCount, threads));
        return 0;
    }

    /// <summary>Data of seed <paramref name="seed"/>: the first samples train, the next validate, the last test.</summary>
    private static Split Generate(double p, int seed, int train, int val, int test)
    {
        var data = SyntheticCorrelatedTasks.Generate(new SyntheticTasksOptions
        {
            Count = train + val + test, Dim = Dim, Correlation = p, SinTerms = 10, Seed = (ulong)seed,
        }).Dataset;
        return new Split(data.Subset(Enumerable.Range(0, train).ToArray()), data.Subset(Enumerable.Range(train, val).ToArray()),
            data.Subset(Enumerable.Range(train + val, test).ToArray()));
    }

    /// <summary>Regression tasks with the paper's towers: Linear(width → 8) ReLU Linear(8 → 1).</summary>
    private static TaskSpec[] Specs() => BenchModels.MmoeTasks(TaskNames);

    private static MultiTaskModel BuildMmoe(ulong seed) => BenchModels.Mmoe(Specs(), 1000 + seed);

    private static MultiTaskModel BuildHard(int width, ulong seed)
    {
        Init.ManualSeed(2000 + seed);
        return ArchitectureRegistry.Create("hard", new ArchitectureContext(Specs(), Trunk.Mlp(Dim, [width])));
    }

    /// <summary>The shared width whose hard-sharing parameter count is nearest <paramref name="target"/> (the count is linear in w).</summary>
    private static int MatchingWidth(long target)
    {
        long c1 = BuildHard(1, 0).ParameterCount(), c2 = BuildHard(2, 0).ParameterCount();
        int guess = (int)Math.Max(1, Math.Round((double)(target - c1) / (c2 - c1) + 1));
        return Enumerable.Range(Math.Max(1, guess - 2), 5).MinBy(w => Math.Abs(c1 + (w - 1) * (c2 - c1) - target));
    }

    private static double Avg(EvaluationResult r) => 0.5 * (r.Metrics[TaskNames[0]]["mse"] + r.Metrics[TaskNames[1]]["mse"]);

    /// <summary>
    /// Trains one model at the row's learning rate and records, at seed <paramref name="s"/>, its final test MSE per task,
    /// its validation and training-set MSE (averages of tasks) and the test MSE after every epoch (diagnostic curve;
    /// never used for selection). Returns the seconds taken.
    /// </summary>
    private static double Train(MultiTaskModel model, Split data, ulong seed, int epochs, Row row, int s)
    {
        var sw = Stopwatch.StartNew();
        var trainer = new MultiTaskTrainer(model, new Adam(model.Parameters(), new AdamOptions { Lr = row.Lr }), new TrainerOptions { Epochs = epochs, RestoreBest = false });
        using var trainLoader = new DataLoader(data.Train, new DataLoaderOptions { BatchSize = BatchSize, Shuffle = true, Seed = seed });
        using var testLoader = new DataLoader(data.Test, new DataLoaderOptions { BatchSize = 1000 });
        using var valLoader = new DataLoader(data.Val, new DataLoaderOptions { BatchSize = 1000 });
        using var trainEval = new DataLoader(data.Train, new DataLoaderOptions { BatchSize = 1000 });
        trainer.EpochCompleted += (e, r) => row.Curve[s][e] = Avg(r);
        var result = trainer.Fit(trainLoader, testLoader).Last!;
        row.Task1[s] = result.Metrics[TaskNames[0]]["mse"];
        row.Task2[s] = result.Metrics[TaskNames[1]]["mse"];
        row.Test[s] = Avg(result);
        row.Val[s] = Avg(trainer.Evaluate(valLoader));
        row.Train[s] = Avg(trainer.Evaluate(trainEval));
        return sw.Elapsed.TotalSeconds;
    }

    /// <summary>Variance of the test labels, averaged over the two tasks: the MSE of always predicting the mean.</summary>
    private static double LabelVariance(IMultiTaskDataset test)
    {
        Span<float> v = stackalloc float[1];
        double total = 0;
        for (int t = 0; t < TaskNames.Length; t++)
        {
            var y = new double[test.Count];
            for (int i = 0; i < y.Length; i++) { test.ReadLabel(i, t, v); y[i] = v[0]; }
            double mean = y.Average();
            total += y.Sum(x => (x - mean) * (x - mean)) / y.Length;
        }
        return total / TaskNames.Length;
    }

    private static void PrintTable(List<Row> rows)
    {
        Console.WriteLine("test MSE, mean ± std over seeds; * = learning rate selected by mean validation MSE");
        Console.WriteLine($"{"p",4} {"model",-6} {"lr",7} {"params",7} {"task1 test MSE",18} {"task2 test MSE",18} {"average test MSE",18} {"val MSE",8} {"train MSE",18} {"label var",9} {"s/run",7}");
        foreach (var r in rows)
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{r.P,4:F1} {r.Model,-6} {r.Lr,7:G}{(r.Selected ? "*" : " ")}{r.Params,7} {SeedStats.Pm(r.Task1),18} {SeedStats.Pm(r.Task2),18} {SeedStats.Pm(r.Test),18} {r.Val.Average(),8:F4} {SeedStats.Pm(r.Train),18} {r.LabelVariance,9:F3} {r.Seconds,7:F1}"));
        foreach (var g in rows.GroupBy(r => r.P))
        {
            void Compare(string label, Row m, Row h)
            {
                int wins = m.Test.Zip(h.Test).Count(x => x.First < x.Second);
                double mm = SeedStats.Of(m.Test).Mean, hm = SeedStats.Of(h.Test).Mean;
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"p {g.Key:F1}, {label}: MMoE (lr {m.Lr:G}) average test MSE {mm:F4} vs hard sharing (lr {h.Lr:G}) {hm:F4} — {(mm < hm ? "MMoE" : "hard sharing")} lower; MMoE lower in {wins} of {m.Test.Length} seeds"));
            }
            Compare("selected learning rates", g.First(r => r.Model == "mmoe" && r.Selected), g.First(r => r.Model == "hard" && r.Selected));
            foreach (double lr in g.Select(r => r.Lr).Distinct())
                Compare($"both at lr {lr:G}", g.First(r => r.Model == "mmoe" && r.Lr == lr), g.First(r => r.Model == "hard" && r.Lr == lr));
        }
    }

    /// <summary>Mean over seeds of the test MSE after selected epochs (diagnostic only; the reported figure is the last epoch's).</summary>
    private static void PrintCurves(List<Row> rows, int epochs)
    {
        var marks = new[] { 1, 2, 3, 5, 10, 20, 30, 50, 75, 100, 150, 200 }.Where(e => e < epochs).Append(epochs).ToArray();
        Console.WriteLine("test MSE (average of tasks, mean over seeds) after epoch:");
        Console.WriteLine($"{"p",4} {"model",-6} {"lr",7} " + string.Join(" ", marks.Select(e => $"{e,7}")));
        foreach (var r in rows)
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{r.P,4:F1} {r.Model,-6} {r.Lr,7:G} ")
                + string.Join(" ", marks.Select(e => r.Curve.Average(c => c[e - 1]).ToString("F3", CultureInfo.InvariantCulture).PadLeft(7))));
    }

    private static string Json(List<Row> rows, int seeds, int epochs, int train, int val, int test, int threads)
    {
        var sb = new StringBuilder("{\"rows\":[");
        sb.Append(string.Join(",", rows.Select(r =>
        {
            var (m, s) = SeedStats.Of(r.Test);
            var (m1, s1) = SeedStats.Of(r.Task1);
            var (m2, s2) = SeedStats.Of(r.Task2);
            var (mt, st) = SeedStats.Of(r.Train);
            return string.Create(CultureInfo.InvariantCulture,
                $"{{\"p\":{r.P},\"model\":\"{r.Model}\",\"lr\":{r.Lr},\"selected\":{(r.Selected ? "true" : "false")},\"params\":{r.Params},\"test_loss_mean\":{m:F5},\"test_loss_std\":{s:F5}," +
                $"\"task1_mse_mean\":{m1:F5},\"task1_mse_std\":{s1:F5},\"task2_mse_mean\":{m2:F5},\"task2_mse_std\":{s2:F5},\"val_loss_mean\":{r.Val.Average():F5}," +
                $"\"train_loss_mean\":{mt:F5},\"train_loss_std\":{st:F5},\"test_label_variance\":{r.LabelVariance:F5},\"seconds_per_run\":{r.Seconds:F2}}}");
        })));
        sb.Append(CultureInfo.InvariantCulture, $"],\"seeds\":{seeds},\"epochs\":{epochs},\"batch\":{BatchSize},\"train\":{train},\"val\":{val},\"test\":{test},\"threads\":{threads}}}");
        return sb.ToString();
    }
}
