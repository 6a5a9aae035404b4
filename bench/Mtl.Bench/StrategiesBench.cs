// Benchmark `strategies`: time per training step of every balancing strategy relative to equal weighting (LeNet MultiFashion, K = 2).
using System.Diagnostics;
using System.Globalization;
using System.Text;
using Mtl.Data;
using Mtl.MultiTask.Architectures;
using Mtl.MultiTask.Balancing;
using Mtl.MultiTask.Tasks;
using Mtl.MultiTask.Training;
using Mtl.NN;
using Mtl.NN.Optim;
using Mtl.Threading;

namespace Mtl.Bench;

/// <summary>
/// Trains the LeNet hard-sharing MultiFashion model (committed 3,000-pair sample, batch 256, SGD 0.01 momentum 0.9)
/// with every registered strategy at its default options, interleaved in rounds so that machine noise hits all of
/// them alike, and reports the median milliseconds per full-batch step and its ratio to <c>ew</c> in the same round
/// (median over rounds), after one untimed pass over all strategies (JIT warm-up). Gradient-level strategies pay one backward pass per task plus their combination; issue 6
/// asks them to stay within 2.5× of <c>ew</c>. Options: <c>--rounds N</c> (3), <c>--steps N</c> (10 measured steps
/// per strategy and round, after 2 warm-up steps), <c>--threads N</c> (2), <c>--only a,b</c>, <c>--model lenet|mmoe</c>
/// (mmoe: the strategy-table's MMoE, 8 experts 100→16, towers 16→8→1, synthetic tasks, batch 128, Adam 1e-3).
/// <c>--quick</c>: 1 round of 3 steps.
/// </summary>
internal sealed class StrategiesBench : IBenchmark
{
    public string Name => "strategies";
    public string Description => "ms per training step of every balancing strategy vs equal weighting (LeNet MultiFashion, K=2)";

    private const int Warmup = 2;

    // The model under test: how to build it, its optimiser, its data and batch size.
    private sealed record Setup(string Description, Func<MultiTaskModel> Build, Func<MultiTaskModel, Optimizer> Optimizer,
        IMultiTaskDataset Train, IMultiTaskDataset Val, int BatchSize);

    private static Setup LeNet()
    {
        var train = MultiDigitBuilder.MultiFashion(Samples.FashionTrain(), new MultiDigitOptions { Seed = 0 });
        var val = MultiDigitBuilder.MultiFashion(Samples.FashionTest(), new MultiDigitOptions { Seed = 1, Count = 512 });
        var tasks = BenchModels.FashionTasks(MultiFashionPairs.Tasks);
        return new Setup($"LeNet hard sharing, MultiFashion sample ({train.Count} pairs), SGD 0.01 m0.9, batch 256",
            () => BenchModels.LeNetHard(tasks, 0),
            m => new SGD(m.Parameters(), new SGDOptions { Lr = 0.01, Momentum = 0.9 }), train, val, 256);
    }

    private static Setup Mmoe()
    {
        var data = SyntheticCorrelatedTasks.Generate(new SyntheticTasksOptions { Count = 6_000, Dim = 100, Correlation = 0.5, SinTerms = 10, Seed = 7 }).Dataset;
        var tasks = BenchModels.MmoeTasks(["task1", "task2"]);
        return new Setup("MMoE 8 experts 100→16, towers 16→8→1, synthetic tasks (6,000 samples), Adam 1e-3, batch 128",
            () => BenchModels.Mmoe(tasks, 0),
            m => new Adam(m.Parameters(), new AdamOptions { Lr = 1e-3 }), data.Subset(Enumerable.Range(0, 5_000).ToArray()),
            data.Subset(Enumerable.Range(5_000, 1_000).ToArray()), 128);
    }

    public int Run(BenchOptions options)
    {
        int rounds = BenchArgs.Int(options.Args, "--rounds", options.Quick ? 1 : 3);
        int steps = BenchArgs.Int(options.Args, "--steps", options.Quick ? 3 : 10);
        int threads = BenchArgs.Int(options.Args, "--threads", 2);
        var only = BenchArgs.Value(options.Args, "--only")?.Split(',', StringSplitOptions.RemoveEmptyEntries);
        var names = StrategyRegistry.All.Select(s => s.Name).Where(n => only is null || only.Contains(n) || n == "ew").ToList();
        names.Remove("ew");
        names.Insert(0, "ew");

        string modelName = BenchArgs.Value(options.Args, "--model") ?? "lenet";
        var setup = modelName switch
        {
            "lenet" => LeNet(),
            "mmoe" => Mmoe(),
            _ => throw new ArgumentException($"strategies: --model must be lenet or mmoe, got '{modelName}'"),
        };
        Console.WriteLine($"strategies: {setup.Description}, {threads} thread(s), {rounds} round(s) × {steps} steps after {Warmup} warm-up");

        int saved = MtlThreads.Count;
        var perRound = names.ToDictionary(n => n, _ => new List<double>());
        try
        {
            MtlThreads.Count = threads;
            if (!options.Quick)   // one untimed pass, so that JIT tiering does not favour whichever strategy runs later
                foreach (var name in names) MedianStepMs(name, setup, steps);
            for (int r = 0; r < rounds; r++)
                foreach (var name in names)
                    perRound[name].Add(MedianStepMs(name, setup, steps));
        }
        finally { MtlThreads.Count = saved; }

        var rows = names.Select(n => new Row(n, StrategyRegistry.Get(n).Family, Median(perRound[n]),
            Median(perRound[n].Zip(perRound["ew"], (a, b) => a / b).ToList()))).ToList();
        Console.WriteLine($"{"strategy",-12} {"family",-20} {"ms/step",9} {"× ew",6}");
        foreach (var row in rows)
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{row.Strategy,-12} {row.Family,-20} {row.Ms,9:F2} {row.Ratio,6:F2}"));
        var worst = rows.Where(r => r.Family == StrategyFamily.GradientCombination).MaxBy(r => r.Ratio);
        if (worst is not null)
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"slowest gradient-level strategy: {worst.Strategy} at {worst.Ratio:F2}× ew (issue 6 asks ≤ 2.5×)"));
        if (options.Json)
        {
            var sb = new StringBuilder("{\"model\":\"").Append(modelName).Append("\",\"threads\":").Append(threads).Append(",\"batch\":").Append(setup.BatchSize).Append(",\"rows\":[");
            sb.AppendJoin(",", rows.Select(r => string.Create(CultureInfo.InvariantCulture,
                $"{{\"strategy\":\"{r.Strategy}\",\"family\":\"{r.Family}\",\"ms_per_step\":{r.Ms:F3},\"ratio_to_equal\":{r.Ratio:F3}}}")));
            Console.WriteLine(sb.Append("]}").ToString());
        }
        return 0;
    }

    private sealed record Row(string Strategy, StrategyFamily Family, double Ms, double Ratio);

    // Median duration of the full-batch steps after the warm-up, from step-completion timestamps.
    private static double MedianStepMs(string strategy, Setup setup, int steps)
    {
        var model = setup.Build();
        var trainer = new MultiTaskTrainer(model, setup.Optimizer(model),
            new TrainerOptions { Epochs = 1000, MaxSteps = Warmup + steps, RestoreBest = false }, strategy: StrategyRegistry.Create(strategy));
        using var trainLoader = new DataLoader(setup.Train, new DataLoaderOptions { BatchSize = setup.BatchSize, Shuffle = true, Seed = 0 });
        using var valLoader = new DataLoader(setup.Val, new DataLoaderOptions { BatchSize = setup.BatchSize });
        var clock = Stopwatch.StartNew();
        var durations = new List<double>();
        double last = 0;
        int lastEpoch = 0;
        trainer.StepCompleted += s =>
        {
            double now = clock.Elapsed.TotalMilliseconds;
            if (s.Step > Warmup && s.Samples == setup.BatchSize && s.Epoch == lastEpoch) durations.Add(now - last);
            last = now;
            lastEpoch = s.Epoch;
        };
        trainer.Fit(TrainingSource.FromLoader(trainLoader), TrainingSource.FromLoader(valLoader));
        return durations.Count == 0 ? double.NaN : Median(durations);
    }

    private static double Median(List<double> values)
    {
        var v = values.Where(double.IsFinite).Order().ToList();
        if (v.Count == 0) return double.NaN;
        return v.Count % 2 == 1 ? v[v.Count / 2] : 0.5 * (v[v.Count / 2 - 1] + v[v.Count / 2]);
    }
}
