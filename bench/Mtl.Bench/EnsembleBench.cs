// Benchmark `ensemble`: three LeNet hard-sharing models on MultiFashion and their average, vote, learned and sparse ensembles.
using System.Globalization;
using System.Text;
using Mtl.Data;
using Mtl.MultiTask.Architectures;
using Mtl.MultiTask.Ensembles;
using Mtl.MultiTask.Training;
using Mtl.NN.Optim;
using Mtl.Threading;

namespace Mtl.Bench;

/// <summary>
/// Issue 7's ensemble check: three LeNet hard-sharing models (<see cref="BenchModels.LeNetHard"/>, initial seeds 0, 1, 2,
/// shuffles seeded alike) trained on MultiFashion with the strategy-table recipe (pairs from the first <c>--train</c>
/// (10,000) full Fashion-MNIST training images, validation pairs from the next 1,000, 2,000 test pairs; SGD lr 0.05
/// momentum 0.9, batch 256, <c>--epochs</c> (5), last epoch kept), then their ensembles: probability averaging,
/// majority vote, learned simplex weights and sparse mixing (λ = <c>--lambda</c>, 1e-3), the last two fitted on the
/// validation pairs. Prints test accuracy per task of each member, the best member (per task, the best of the three),
/// and each ensemble; the JSON line gives the rows and whether each ensemble beats the best member on both tasks.
/// <c>--quick</c>: committed sample, 1 epoch. <c>--threads N</c> (2).
/// </summary>
internal sealed class EnsembleBench : IBenchmark
{
    public string Name => "ensemble";
    public string Description => "3 LeNet hard-sharing models on MultiFashion vs their average/vote/learned/sparse ensembles (test accuracy)";

    private static readonly (string Name, EnsembleCombination How)[] Combinations =
        [("average", EnsembleCombination.Average), ("vote", EnsembleCombination.Vote), ("learned", EnsembleCombination.Learned), ("sparse", EnsembleCombination.Sparse)];

    public int Run(BenchOptions options)
    {
        bool quick = options.Quick;
        int epochs = BenchArgs.Int(options.Args, "--epochs", quick ? 1 : 5);
        int trainImages = BenchArgs.Int(options.Args, "--train", 10_000);
        int threads = BenchArgs.Int(options.Args, "--threads", 2);
        double lambda = BenchArgs.Double(options.Args, "--lambda", 1e-3);
        var (train, val, test, source) = Data(quick, trainImages);
        var tasks = BenchModels.FashionTasks(MultiFashionPairs.Tasks);
        Console.WriteLine($"ensemble: LeNet hard sharing × 3 (seeds 0, 1, 2), {train.Count} train / {val.Count} validation / {test.Count} test pairs ({source}), " +
            $"SGD 0.05 m0.9, batch 256, {epochs} epoch(s), {threads} thread(s)");
        int saved = MtlThreads.Count;
        var rows = new List<(string Model, double[] Accuracy)>();
        try
        {
            MtlThreads.Count = threads;
            using var valLoader = new DataLoader(val, new DataLoaderOptions { BatchSize = 1000 });
            using var testLoader = new DataLoader(test, new DataLoaderOptions { BatchSize = 1000 });
            var members = new List<MultiTaskModel>();
            for (ulong seed = 0; seed < 3; seed++)
            {
                var model = BenchModels.LeNetHard(tasks, seed);
                using var loader = new DataLoader(train, new DataLoaderOptions { BatchSize = 256, Shuffle = true, Seed = seed });
                var trainer = new MultiTaskTrainer(model, new SGD(model.Parameters(), new SGDOptions { Lr = 0.05, Momentum = 0.9 }),
                    new TrainerOptions { Epochs = epochs, RestoreBest = false });
                var fit = trainer.Fit(TrainingSource.FromLoader(loader));
                members.Add(model);
                rows.Add(($"member {seed}", Accuracy(model, testLoader)));
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  member {seed}: {Format(rows[^1].Accuracy)}  ({fit.Seconds:F0} s)"));
            }
            var best = new double[2];
            for (int k = 0; k < 2; k++) best[k] = rows.Max(r => r.Accuracy[k]);
            rows.Add(("best member", best));
            foreach (var (name, how) in Combinations)
            {
                var ensemble = ModelEnsemble.Fit(members, how, TrainingSource.FromLoader(valLoader), new EnsembleFitOptions { SparseLambda = lambda });
                rows.Add((name, Accuracy(ensemble, testLoader)));
                string weights = how is EnsembleCombination.Learned or EnsembleCombination.Sparse
                    ? "  weights " + string.Join("; ", ensemble.Weights.Select(kv => kv.Key + " " + string.Join(", ", kv.Value.Select(v => v.ToString("F3", CultureInfo.InvariantCulture)))))
                    : "";
                Console.WriteLine($"  {name}: {Format(rows[^1].Accuracy)}{weights}");
            }
            PrintTable(rows);
            if (options.Json) Console.WriteLine(Json(rows, best));
        }
        finally { MtlThreads.Count = saved; }
        return 0;
    }

    private static double[] Accuracy(MultiTaskModel model, DataLoader test)
    {
        var metrics = Evaluator.Run(model, TrainingSource.FromLoader(test)).Metrics;
        return MultiFashionPairs.Tasks.Select(t => metrics[t]["accuracy"]).ToArray();
    }

    // The strategy-table data (FashionSplits): 10,000 / 1,000 / 2,000 pairs of full Fashion-MNIST, or the committed sample.
    private static (IMultiTaskDataset Train, IMultiTaskDataset Val, IMultiTaskDataset Test, string Source) Data(bool quick, int trainImages)
    {
        var pairs = FashionSplits.Load(quick, trainImages).Pairs();
        return (pairs.Train, pairs.Val, pairs.Test, pairs.Source);
    }

    private static string Format(double[] a) => string.Create(CultureInfo.InvariantCulture, $"top_left {a[0]:F4}, bottom_right {a[1]:F4}");

    private static void PrintTable(List<(string Model, double[] Accuracy)> rows)
    {
        Console.WriteLine();
        Console.WriteLine("| model | top_left accuracy | bottom_right accuracy |");
        Console.WriteLine("|---|---|---|");
        foreach (var (model, a) in rows) Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {model} | {a[0]:F4} | {a[1]:F4} |"));
    }

    private static string Json(List<(string Model, double[] Accuracy)> rows, double[] best)
    {
        var sb = new StringBuilder("{\"rows\":[");
        sb.AppendJoin(",", rows.Select(r => string.Create(CultureInfo.InvariantCulture,
            $"{{\"model\":\"{r.Model}\",\"top_left\":{r.Accuracy[0]:R},\"bottom_right\":{r.Accuracy[1]:R}}}")));
        sb.Append("],\"beats_best_member\":{");
        sb.AppendJoin(",", Combinations.Select(c =>
        {
            var a = rows.First(r => r.Model == c.Name).Accuracy;
            return $"\"{c.Name}\":{(a[0] > best[0] && a[1] > best[1] ? "true" : "false")}";
        }));
        return sb.Append("}}").ToString();
    }
}
