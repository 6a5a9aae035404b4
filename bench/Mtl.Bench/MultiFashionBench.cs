// Benchmark `multifashion`: the Sener–Koltun LeNet hard-sharing recipe on full MultiFashion, Mtl vs PyTorch on the same pairs.
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Mtl.Data;
using Mtl.MultiTask.Architectures;
using Mtl.MultiTask.Tasks;
using Mtl.MultiTask.Training;
using Mtl.NN;
using Mtl.NN.Optim;
using Mtl.Threading;

namespace Mtl.Bench;

/// <summary>
/// Sener &amp; Koltun (NeurIPS 2018) MultiFashion recipe, trained by Mtl and by PyTorch on exactly the same pairs:
/// Mtl builds 60,000 training pairs (full Fashion-MNIST training set, pairing seed 0) and 10,000 test pairs (test set,
/// seed 1), writes them to a temporary folder, trains <c>Trunk.LeNet()</c> + <c>HardSharing</c> with
/// <see cref="MultiTaskTrainer"/>, then runs bench/reference/multifashion_lenet.py on the files. Recipe for both:
/// Conv(1→10,5) MaxPool(2) ReLU Conv(10→20,5) MaxPool(2) ReLU Flatten Linear(320→50) ReLU, heads Linear(50→10) ×2,
/// PyTorch-default initialisation, loss = sum of the two cross-entropies, SGD lr 0.01 momentum 0.9, batch 256
/// shuffled (last partial batch kept), 10 epochs; the same thread count for both (MtlThreads.Count and
/// torch.set_num_threads, default 2). Reports per-task test accuracy, the difference in points, wall time and
/// training samples/s. Options: <c>--seeds N</c> (seeds 0..N−1, figures are means), <c>--epochs N</c>,
/// <c>--threads N</c>, <c>--keep</c> (keep the pair files). <c>--quick</c>: 2,000 training / 1,000 test pairs, 1 epoch.
/// </summary>
internal sealed class MultiFashionBench : IBenchmark
{
    public string Name => "multifashion";
    public string Description => "LeNet hard sharing on full MultiFashion (Sener-Koltun recipe): Mtl vs PyTorch test accuracy on the same pairs";

    private const int BatchSize = 256;
    private const double Lr = 0.01, Momentum = 0.9;
    private const string Script = "multifashion_lenet.py";

    private sealed record Epoch(int Number, double TrainLoss, double TopLeft, double BottomRight, double TrainSeconds);

    private sealed record Outcome(ulong Seed, double TopLeft, double BottomRight, double Seconds, double TrainSeconds, long Params,
        IReadOnlyList<string> Shapes, IReadOnlyList<Epoch> Epochs)
    {
        public double SamplesPerSecond(int samples) => samples / TrainSeconds;
    }

    public int Run(BenchOptions options)
    {
        bool quick = options.Quick;
        int epochs = BenchArgs.Int(options.Args, "--epochs", quick ? 1 : 10);
        int seeds = BenchArgs.Int(options.Args, "--seeds", 1);
        int threads = BenchArgs.Int(options.Args, "--threads", 2);
        bool keep = BenchArgs.Flag(options.Args, "--keep");

        var pairs = MultiFashionPairs.Build(quick);
        if (pairs is null)
        {
            Console.WriteLine($"multifashion: the full Fashion-MNIST is not installed (looked in {string.Join(", ", FashionMnist.Candidates())}); " +
                $"install it with `{FashionMnist.InstallCommand}`. No figures.");
            if (options.Json) Console.WriteLine("{\"dataset\":null,\"mtl\":null,\"torch\":null,\"diff_points\":null,\"note\":\"full Fashion-MNIST not installed\"}");
            return 0;
        }
        Console.WriteLine($"multifashion: {pairs.Train.Count} training / {pairs.Test.Count} test pairs from the {pairs.Source}");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  recipe: LeNet hard sharing, SGD lr {Lr} momentum {Momentum}, batch {BatchSize} shuffled, {epochs} epoch(s), {threads} thread(s), seeds 0..{seeds - 1}"));

        string folder = Path.Combine(Path.GetTempPath(), $"mtl-multifashion-{Environment.ProcessId}");
        var mtlRuns = new List<Outcome>();
        var torchRuns = new List<Outcome>();
        string? torchFailure = null;
        int savedThreads = MtlThreads.Count;
        try
        {
            pairs.Write(folder);
            MtlThreads.Count = threads;
            for (int s = 0; s < seeds; s++)
            {
                var mtl = TrainMtl(pairs, (ulong)s, epochs);
                mtlRuns.Add(mtl);
                PrintEpochs("mtl", mtl);
                if (torchFailure is not null) continue;
                var torch = TrainTorch(folder, (ulong)s, epochs, threads, quick, out torchFailure);
                if (torch is null) continue;
                torchRuns.Add(torch);
                PrintEpochs("torch", torch);
            }
        }
        finally
        {
            MtlThreads.Count = savedThreads;
            if (keep) Console.WriteLine($"pair files kept in {folder}");
            else if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
        }
        if (torchFailure is not null) { Console.WriteLine($"PyTorch comparison skipped: {torchFailure}"); torchRuns.Clear(); }

        PrintSummary(mtlRuns, torchRuns, pairs.Train.Count * epochs);
        if (options.Json) Console.WriteLine(Json(pairs, epochs, threads, mtlRuns, torchRuns, torchFailure));
        return 0;
    }

    private static TaskSpec[] Specs() => BenchModels.FashionTasks(MultiFashionPairs.Tasks);

    private static Outcome TrainMtl(MultiFashionPairs pairs, ulong seed, int epochs)
    {
        var model = BenchModels.LeNetHard(Specs(), seed);   // every layer (trunk and heads) draws from the default generator
        var trainer = new MultiTaskTrainer(model, new SGD(model.Parameters(), new SGDOptions { Lr = Lr, Momentum = Momentum }),
            new TrainerOptions { Epochs = epochs, RestoreBest = false });
        using var train = new DataLoader(pairs.Train, new DataLoaderOptions { BatchSize = BatchSize, Shuffle = true, Seed = seed });
        using var test = new DataLoader(pairs.Test, new DataLoaderOptions { BatchSize = 1000 });

        // The trainer evaluates after each epoch's last step; time from that step to EpochCompleted is evaluation.
        var log = new List<Epoch>();
        var sw = new Stopwatch();
        TimeSpan lastStep = TimeSpan.Zero, evaluating = TimeSpan.Zero;
        double lossSum = 0;
        int seen = 0, n = pairs.Train.Count;
        trainer.StepCompleted += s =>
        {
            int size = Math.Min(BatchSize, n - seen);
            lossSum += s.Total * size;
            seen += size;
            lastStep = sw.Elapsed;
        };
        trainer.EpochCompleted += (e, r) =>
        {
            evaluating += sw.Elapsed - lastStep;
            log.Add(new Epoch(e + 1, lossSum / seen, r.Metrics["top_left"]["accuracy"], r.Metrics["bottom_right"]["accuracy"],
                (sw.Elapsed - evaluating).TotalSeconds));
            lossSum = 0;
            seen = 0;
        };
        sw.Start();
        var final = trainer.Fit(train, test).Last!;
        sw.Stop();
        var shapes = model.NamedParameters().Select(p => Shape(p.Parameter.ShapeArray)).ToList();
        return new Outcome(seed, final.Metrics["top_left"]["accuracy"], final.Metrics["bottom_right"]["accuracy"], sw.Elapsed.TotalSeconds,
            (sw.Elapsed - evaluating).TotalSeconds, model.ParameterCount(), shapes, log);
    }

    private static Outcome? TrainTorch(string folder, ulong seed, int epochs, int threads, bool quick, out string? failure)
    {
        var args = new[] { "--data", folder, "--epochs", $"{epochs}", "--batch", $"{BatchSize}", "--lr", Lr.ToString(CultureInfo.InvariantCulture),
            "--momentum", Momentum.ToString(CultureInfo.InvariantCulture), "--seed", $"{seed}", "--threads", $"{threads}" };
        var result = ReferenceScript.Run(Script, args, echoPrefix: null, TimeSpan.FromMinutes(quick ? 5 : 60));
        failure = result.Failure;
        if (failure is not null) return null;
        if (result.Event("final") is not { } final || result.Event("model") is not { } model)
        {
            failure = $"{Script} printed no final result";
            return null;
        }
        var epochLog = result.Objects.Where(o => o.TryGetProperty("event", out var e) && e.GetString() == "epoch")
            .Select(o => new Epoch(o.GetProperty("epoch").GetInt32(), o.GetProperty("train_loss").GetDouble(), o.GetProperty("top_left").GetDouble(),
                o.GetProperty("bottom_right").GetDouble(), o.GetProperty("train_seconds").GetDouble())).ToList();
        var shapes = model.GetProperty("shapes").EnumerateObject().Select(p => Shape(p.Value.EnumerateArray().Select(d => d.GetInt32()).ToArray())).ToList();
        return new Outcome(seed, final.GetProperty("top_left").GetDouble(), final.GetProperty("bottom_right").GetDouble(), final.GetProperty("seconds").GetDouble(),
            final.GetProperty("train_seconds").GetDouble(), model.GetProperty("params").GetInt64(), shapes, epochLog);
    }

    private static string Shape(int[] s) => "(" + string.Join(",", s) + ")";

    private static void PrintEpochs(string who, Outcome r)
    {
        foreach (var e in r.Epochs)
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  {who,-5} seed {r.Seed} epoch {e.Number,2}: train loss {e.TrainLoss:F4}  test acc top_left {e.TopLeft:F4} bottom_right {e.BottomRight:F4}  ({e.TrainSeconds:F1} s training)"));
    }

    private static double Mean(IEnumerable<double> v) => v.Average();

    private static void PrintSummary(List<Outcome> mtl, List<Outcome> torch, int samplesPerRun)
    {
        Console.WriteLine($"{"framework",-10} {"params",7} {"top_left acc",13} {"bottom_right acc",17} {"seconds",8} {"train samples/s",16}");
        void Row(string name, List<Outcome> runs) => Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{name,-10} {runs[0].Params,7} {Mean(runs.Select(r => r.TopLeft)),13:F4} {Mean(runs.Select(r => r.BottomRight)),17:F4} {Mean(runs.Select(r => r.Seconds)),8:F1} {Mean(runs.Select(r => r.SamplesPerSecond(samplesPerRun))),16:F0}"));
        Row("Mtl", mtl);
        if (torch.Count == 0) return;
        Row("PyTorch", torch);
        bool sameShapes = mtl[0].Shapes.SequenceEqual(torch[0].Shapes);
        Console.WriteLine($"parameters: Mtl {mtl[0].Params} vs PyTorch {torch[0].Params}; shapes in order {(sameShapes ? "identical" : "DIFFER")}: " +
            $"Mtl {string.Join(" ", mtl[0].Shapes)} | PyTorch {string.Join(" ", torch[0].Shapes)}");
        int k = Math.Min(mtl.Count, torch.Count);
        double dTl = 100 * (Mean(mtl.Take(k).Select(r => r.TopLeft)) - Mean(torch.Take(k).Select(r => r.TopLeft)));
        double dBr = 100 * (Mean(mtl.Take(k).Select(r => r.BottomRight)) - Mean(torch.Take(k).Select(r => r.BottomRight)));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Mtl - PyTorch: top_left {dTl:+0.00;-0.00} points, bottom_right {dBr:+0.00;-0.00} points (issue 5 asks |diff| <= 1); time ratio Mtl/PyTorch {Mean(mtl.Select(r => r.TrainSeconds)) / Mean(torch.Select(r => r.TrainSeconds)):F2}"));
    }

    private static string Json(MultiFashionPairs pairs, int epochs, int threads, List<Outcome> mtl, List<Outcome> torch, string? torchFailure)
    {
        int samples = pairs.Train.Count * epochs;
        string Side(List<Outcome> runs) => string.Create(CultureInfo.InvariantCulture,
            $"{{\"top_left\":{Mean(runs.Select(r => r.TopLeft)):F4},\"bottom_right\":{Mean(runs.Select(r => r.BottomRight)):F4},\"seconds\":{Mean(runs.Select(r => r.Seconds)):F2}," +
            $"\"train_seconds\":{Mean(runs.Select(r => r.TrainSeconds)):F2},\"samples_per_s\":{Mean(runs.Select(r => r.SamplesPerSecond(samples))):F1},\"params\":{runs[0].Params}," +
            $"\"per_seed\":[{string.Join(",", runs.Select(r => $"{{\"seed\":{r.Seed},\"top_left\":{r.TopLeft:F4},\"bottom_right\":{r.BottomRight:F4},\"seconds\":{r.Seconds:F2}}}"))}]}}");
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"{{\"dataset\":\"{pairs.Dataset}\",\"train_pairs\":{pairs.Train.Count},\"test_pairs\":{pairs.Test.Count},\"epochs\":{epochs},\"batch\":{BatchSize},\"threads\":{threads},");
        sb.Append("\"mtl\":").Append(Side(mtl)).Append(",\"torch\":");
        if (torch.Count == 0) sb.Append("null,\"diff_points\":null,\"torch_note\":").Append(JsonSerializer.Serialize(torchFailure ?? "not run"));
        else
        {
            int k = Math.Min(mtl.Count, torch.Count);
            sb.Append(Side(torch)).Append(string.Create(CultureInfo.InvariantCulture,
                $",\"diff_points\":{{\"top_left\":{100 * (Mean(mtl.Take(k).Select(r => r.TopLeft)) - Mean(torch.Take(k).Select(r => r.TopLeft))):F2}," +
                $"\"bottom_right\":{100 * (Mean(mtl.Take(k).Select(r => r.BottomRight)) - Mean(torch.Take(k).Select(r => r.BottomRight))):F2}}}," +
                $"\"same_parameter_shapes\":{(mtl[0].Shapes.SequenceEqual(torch[0].Shapes) ? "true" : "false")}"));
        }
        return sb.Append('}').ToString();
    }
}
