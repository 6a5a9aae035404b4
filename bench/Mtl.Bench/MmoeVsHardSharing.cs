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
/// (<see cref="SyntheticCorrelatedTasks"/>: d = 100, m = 10 sine terms, c = 1, σ = 0.01), MMoE (8 experts
/// Linear(100→16) + ReLU, a softmax gate per task, towers Linear(16→8) ReLU Linear(8→1)) is compared with hard sharing
/// (one shared Linear(100→w) + ReLU, towers Linear(w→8) ReLU Linear(8→1)) whose width w makes the total parameter
/// counts (gates included) as close as possible. Both: Adam lr 1e-3, batch 128, the same epochs, MSE per task summed;
/// per seed s a fresh data set (generator seed s: 10,000 training and 2,000 test samples) and fresh initialisations.
/// Reports the test MSE per task and their average, mean ± standard deviation over seeds, for p = 0.5, 0.9, 1.0.
/// Options: <c>--seeds N</c> (default 5), <c>--epochs N</c> (default 50), <c>--lr X</c>, <c>--train N</c>,
/// <c>--test N</c>, <c>--threads N</c> (default 1), <c>--p 0.5,0.9</c>. <c>--quick</c>: p = 0.5, 2 seeds,
/// 2,000 + 500 samples, 2 epochs.
/// </summary>
internal sealed class MmoeVsHardSharing : IBenchmark
{
    public string Name => "mmoe-synthetic";
    public string Description => "MMoE vs parameter-matched hard sharing on the MMoE paper's synthetic tasks (test MSE, mean +- std over seeds)";

    private const int Dim = 100, Experts = 8, ExpertWidth = 16, TowerWidth = 8, BatchSize = 128;
    private static readonly string[] TaskNames = ["task1", "task2"];

    private sealed record Row(double P, string Model, long Params, int Width, double[] Task1, double[] Task2, double[] Average, double[] TrainAverage,
        double[][] Curve, double Seconds)
    {
        /// <summary>Mean over seeds of the test labels' variance (average of tasks): the MSE of predicting the mean.</summary>
        public double LabelVariance { get; init; }

        public static Row Empty(double p, string model, long parameters, int width, int seeds, int epochs) => new(p, model, parameters, width,
            new double[seeds], new double[seeds], new double[seeds], new double[seeds], Enumerable.Range(0, seeds).Select(_ => new double[epochs]).ToArray(), 0);
    }

    public int Run(BenchOptions options)
    {
        bool quick = options.Quick;
        var args = options.Args;
        int seeds = BenchArgs.Int(args, "--seeds", quick ? 2 : 5);
        int epochs = BenchArgs.Int(args, "--epochs", quick ? 2 : 50);
        double lr = BenchArgs.Double(args, "--lr", 1e-3);
        int trainCount = BenchArgs.Int(args, "--train", quick ? 2_000 : 10_000);
        int testCount = BenchArgs.Int(args, "--test", quick ? 500 : 2_000);
        int threads = BenchArgs.Int(args, "--threads", 1);
        int pIndex = args.ToList().IndexOf("--p");
        double[] ps = pIndex >= 0 && pIndex + 1 < args.Count
            ? args[pIndex + 1].Split(',').Select(s => double.Parse(s, CultureInfo.InvariantCulture)).ToArray()
            : quick ? [0.5] : [0.5, 0.9, 1.0];

        long mmoeParams = BuildMmoe(0).ParameterCount();
        int width = MatchingWidth(mmoeParams);
        long hardParams = BuildHard(width, 0).ParameterCount();
        Console.WriteLine($"mmoe-synthetic: d = {Dim}, m = 10 sine terms, {trainCount} train / {testCount} test samples per seed, {seeds} seeds, " +
            string.Create(CultureInfo.InvariantCulture, $"Adam lr {lr}, batch {BatchSize}, {epochs} epochs, {threads} thread(s)"));
        Console.WriteLine($"parameters: MMoE {mmoeParams} ({Experts} experts {Dim}->{ExpertWidth}, 2 gates {Dim}->{Experts}, towers {ExpertWidth}->{TowerWidth}->1) " +
            $"vs hard sharing {hardParams} (shared {Dim}->{width}, towers {width}->{TowerWidth}->1); difference {hardParams - mmoeParams:+0;-0}");

        var rows = new List<Row>();
        int saved = MtlThreads.Count;
        try
        {
            MtlThreads.Count = threads;
            foreach (double p in ps)
            {
                var mmoe = Row.Empty(p, "mmoe", mmoeParams, ExpertWidth, seeds, epochs);
                var hard = Row.Empty(p, "hard", hardParams, width, seeds, epochs);
                double mmoeSeconds = 0, hardSeconds = 0;
                var variance = new double[seeds];
                for (int s = 0; s < seeds; s++)
                {
                    var data = SyntheticCorrelatedTasks.Generate(new SyntheticTasksOptions
                    {
                        Count = trainCount + testCount, Dim = Dim, Correlation = p, SinTerms = 10, Seed = (ulong)s,
                    }).Dataset;
                    var train = data.Subset(Enumerable.Range(0, trainCount).ToArray());
                    var test = data.Subset(Enumerable.Range(trainCount, testCount).ToArray());
                    mmoeSeconds += Train(BuildMmoe((ulong)s), train, test, (ulong)s, epochs, lr, mmoe, s);
                    hardSeconds += Train(BuildHard(width, (ulong)s), train, test, (ulong)s, epochs, lr, hard, s);
                    variance[s] = LabelVariance(test);
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"  p {p:F1} seed {s}: test MSE (avg of tasks) mmoe {mmoe.Average[s]:F4}  hard {hard.Average[s]:F4}  (train MSE mmoe {mmoe.TrainAverage[s]:F4}, hard {hard.TrainAverage[s]:F4}; test label variance {variance[s]:F3})"));
                }
                rows.Add(mmoe with { Seconds = mmoeSeconds / seeds, LabelVariance = variance.Average() });
                rows.Add(hard with { Seconds = hardSeconds / seeds, LabelVariance = variance.Average() });
            }
        }
        finally { MtlThreads.Count = saved; }

        PrintTable(rows);
        if (BenchArgs.Flag(args, "--curve")) PrintCurves(rows, epochs);
        if (options.Json) Console.WriteLine(Json(rows, seeds, epochs, lr, trainCount, testCount, threads));
        return 0;
    }

    /// <summary>Regression tasks with the paper's towers: Linear(width → 8) ReLU Linear(8 → 1).</summary>
    private static TaskSpec[] Specs() => TaskNames.Select(t => new TaskSpec(t, TaskKind.Regression, 1)
    { Head = w => new Sequential(new Linear(w, TowerWidth), new ReLU(), new Linear(TowerWidth, 1)) }).ToArray();

    private static MultiTaskModel BuildMmoe(ulong seed)
    {
        Init.ManualSeed(1000 + seed);                       // experts, gates and towers all draw from the default generator
        return ArchitectureRegistry.Create("mmoe", new ArchitectureContext(Specs(), Trunk.Mlp(Dim, [ExpertWidth])),
            new MmoeOptions { NumExperts = Experts, ExpertWidth = ExpertWidth });
    }

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

    /// <summary>
    /// Trains one model and records, at seed <paramref name="s"/>, its final test MSE per task, its training-set MSE
    /// (average of tasks) and the test MSE after every epoch (the curve; never used to pick an epoch). Returns the seconds taken.
    /// </summary>
    private static double Train(MultiTaskModel model, IMultiTaskDataset train, IMultiTaskDataset test, ulong seed, int epochs, double lr, Row row, int s)
    {
        var sw = Stopwatch.StartNew();
        var trainer = new MultiTaskTrainer(model, new Adam(model.Parameters(), new AdamOptions { Lr = lr }), new TrainerOptions { Epochs = epochs });
        using var trainLoader = new DataLoader(train, new DataLoaderOptions { BatchSize = BatchSize, Shuffle = true, Seed = seed });
        using var testLoader = new DataLoader(test, new DataLoaderOptions { BatchSize = 1000 });
        using var trainEval = new DataLoader(train, new DataLoaderOptions { BatchSize = 1000 });
        static double Avg(EvaluationResult r) => 0.5 * (r.Metrics[TaskNames[0]]["mse"] + r.Metrics[TaskNames[1]]["mse"]);
        trainer.EpochCompleted += (e, r) => row.Curve[s][e] = Avg(r);
        var result = trainer.Fit(trainLoader, testLoader)!;
        row.Task1[s] = result.Metrics[TaskNames[0]]["mse"];
        row.Task2[s] = result.Metrics[TaskNames[1]]["mse"];
        row.Average[s] = Avg(result);
        row.TrainAverage[s] = Avg(trainer.Evaluate(trainEval));
        return sw.Elapsed.TotalSeconds;
    }

    private static (double Mean, double Std) Stats(double[] v)
    {
        double mean = v.Average();
        double std = v.Length > 1 ? Math.Sqrt(v.Sum(x => (x - mean) * (x - mean)) / (v.Length - 1)) : 0;
        return (mean, std);
    }

    private static string Pm(double[] v)
    {
        var (m, s) = Stats(v);
        return string.Create(CultureInfo.InvariantCulture, $"{m:F4} ± {s:F4}");
    }

    /// <summary>Variance of the test labels, averaged over the two tasks.</summary>
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
        Console.WriteLine($"{"p",4} {"model",-6} {"params",7} {"task1 test MSE",18} {"task2 test MSE",18} {"average test MSE",18} {"train MSE",18} {"label var",9} {"s/run",7}");
        foreach (var r in rows)
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{r.P,4:F1} {r.Model,-6} {r.Params,7} {Pm(r.Task1),18} {Pm(r.Task2),18} {Pm(r.Average),18} {Pm(r.TrainAverage),18} {r.LabelVariance,9:F3} {r.Seconds,7:F1}"));
        foreach (var g in rows.GroupBy(r => r.P))
        {
            var m = g.First(r => r.Model == "mmoe");
            var h = g.First(r => r.Model == "hard");
            int wins = m.Average.Zip(h.Average).Count(x => x.First < x.Second);
            double mm = Stats(m.Average).Mean, hm = Stats(h.Average).Mean;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"p {g.Key:F1}: MMoE average test MSE {mm:F4} vs hard sharing {hm:F4} ({(mm < hm ? "MMoE lower" : "hard sharing lower")}; MMoE lower in {wins} of {m.Average.Length} seeds)"));
        }
    }

    /// <summary>Mean over seeds of the test MSE after selected epochs (diagnostic only; the reported figure is the last epoch's).</summary>
    private static void PrintCurves(List<Row> rows, int epochs)
    {
        var marks = new[] { 1, 2, 3, 5, 10, 20, 30, 50, 75, 100, 150, 200 }.Where(e => e < epochs).Append(epochs).ToArray();
        Console.WriteLine("test MSE (average of tasks, mean over seeds) after epoch:");
        Console.WriteLine($"{"p",4} {"model",-6} " + string.Join(" ", marks.Select(e => $"{e,7}")));
        foreach (var r in rows)
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{r.P,4:F1} {r.Model,-6} ") + string.Join(" ", marks.Select(e => r.Curve.Average(c => c[e - 1]).ToString("F3", CultureInfo.InvariantCulture).PadLeft(7))));
    }

    private static string Json(List<Row> rows, int seeds, int epochs, double lr, int train, int test, int threads)
    {
        var sb = new StringBuilder("{\"rows\":[");
        sb.Append(string.Join(",", rows.Select(r =>
        {
            var (m, s) = Stats(r.Average);
            var (m1, s1) = Stats(r.Task1);
            var (m2, s2) = Stats(r.Task2);
            var (mt, st) = Stats(r.TrainAverage);
            return string.Create(CultureInfo.InvariantCulture,
                $"{{\"p\":{r.P},\"model\":\"{r.Model}\",\"params\":{r.Params},\"width\":{r.Width},\"test_loss_mean\":{m:F5},\"test_loss_std\":{s:F5}," +
                $"\"task1_mse_mean\":{m1:F5},\"task1_mse_std\":{s1:F5},\"task2_mse_mean\":{m2:F5},\"task2_mse_std\":{s2:F5}," +
                $"\"train_loss_mean\":{mt:F5},\"train_loss_std\":{st:F5},\"test_label_variance\":{r.LabelVariance:F5},\"seconds_per_run\":{r.Seconds:F2}}}");
        })));
        sb.Append(CultureInfo.InvariantCulture, $"],\"seeds\":{seeds},\"epochs\":{epochs},\"lr\":{lr},\"batch\":{BatchSize},\"train\":{train},\"test\":{test},\"threads\":{threads}}}");
        return sb.ToString();
    }
}
