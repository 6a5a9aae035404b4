// Benchmark `transfer`: a LeNet trunk trained on MultiFashion, frozen, with a new head for the Fashion-MNIST coarse-group task, vs training it all from scratch.
using System.Globalization;
using System.Text;
using Mtl.Data;
using Mtl.MultiTask.Architectures;
using Mtl.MultiTask.Tasks;
using Mtl.MultiTask.Training;
using Mtl.MultiTask.Transfer;
using Mtl.NN;
using Mtl.NN.Optim;
using Mtl.NN.Transfer;
using Mtl.Threading;

namespace Mtl.Bench;

/// <summary>
/// Issue 7's transfer comparison (the "proxy layer" recipe). Pre-training: LeNet hard sharing on MultiFashion pairs
/// of the first <c>--train</c> (10,000) Fashion-MNIST training images, <c>--pretrain-epochs</c> (10), seed 100. Target
/// task: Fashion-MNIST's 5-way coarse group (<see cref="FashionHierarchy"/>) on single items — <c>--target-train</c>
/// (10,000) training images taken after image 20,000 (disjoint from the pre-training images), 2,000 test images.
/// For each seed: (a) <b>frozen</b>: the pre-trained trunk (<c>encoder.*</c>) loaded through
/// <c>WeightTransfer</c>, frozen, and a new Linear head trained; (b) <b>cached</b>: the same, but the frozen trunk
/// runs once over the training images (<c>EncodedDataset</c>) and the head trains on its outputs; (c) <b>fine-tuned</b>:
/// the pre-trained start, nothing frozen; (d) <b>scratch</b>: the same model from random initialisation, all trained. All: SGD lr 0.05 momentum 0.9,
/// batch 256, <c>--epochs</c> (5); test accuracy after the last epoch, training wall time (the pre-training is reported
/// separately: it is paid once and reused by every new task). <c>--quick</c>: committed sample, 1 epoch, 1 seed.
/// </summary>
internal sealed class TransferBench : IBenchmark
{
    public string Name => "transfer";
    public string Description => "frozen MultiFashion trunk + new head vs from scratch on the Fashion-MNIST coarse-group task (accuracy, time)";

    private static readonly string[] Modes = ["frozen", "cached", "fine-tuned", "scratch"];

    public int Run(BenchOptions options)
    {
        bool quick = options.Quick;
        int seeds = BenchArgs.Int(options.Args, "--seeds", quick ? 1 : 3);
        int epochs = BenchArgs.Int(options.Args, "--epochs", quick ? 1 : 5);
        int pretrainEpochs = BenchArgs.Int(options.Args, "--pretrain-epochs", quick ? 1 : 10);
        int trainImages = BenchArgs.Int(options.Args, "--train", 10_000);
        int targetImages = BenchArgs.Int(options.Args, "--target-train", 10_000);
        int saved = MtlThreads.Count;
        MtlThreads.Count = BenchArgs.Int(options.Args, "--threads", 2);
        try
        {
            var pairs = FashionSplits.Load(quick, trainImages).Pairs();
            var items = FashionSplits.Load(quick, targetImages, skip: 20_000);
            var groupTrain = FashionHierarchy.Build(items.Train);
            var groupTest = FashionHierarchy.Build(items.Test);
            Console.WriteLine($"transfer: pre-train on {pairs.Train.Count} MultiFashion pairs ({pairs.Source}, {pretrainEpochs} epochs); target: coarse group (5-way) of " +
                $"{groupTrain.Count} single items, {groupTest.Count} test; {epochs} epochs, SGD 0.05 m0.9, batch 256; {MtlThreads.Count} threads");

            var pretrained = BenchModels.LeNetHard(BenchModels.FashionTasks(MultiFashionPairs.Tasks), 100);
            using (var loader = new DataLoader(pairs.Train, new DataLoaderOptions { BatchSize = 256, Shuffle = true, Seed = 100 }))
            {
                var fit = new MultiTaskTrainer(pretrained, BenchEval.Sgd(pretrained), new TrainerOptions { Epochs = pretrainEpochs, RestoreBest = false }).Fit(loader);
                var acc = BenchEval.Accuracy(pretrained, pairs.Test);
                Console.WriteLine($"pre-trained: {string.Join(", ", MultiFashionPairs.Tasks.Select(t => $"{t} {acc[t]:P2}"))} in {fit.Seconds:F1} s");
                PretrainSeconds = fit.Seconds;
            }
            var weights = pretrained.StateDict();

            var results = Modes.ToDictionary(m => m, _ => new List<(double Accuracy, double Seconds, long Trainable)>());
            for (int s = 0; s < seeds; s++)
                foreach (var mode in Modes)
                {
                    var r = TrainTarget(mode, weights, groupTrain, groupTest, (ulong)s, epochs);
                    results[mode].Add(r);
                    Console.WriteLine($"seed {s} {mode,-10} {r.Accuracy:P2} in {r.Seconds:F2} s ({r.Trainable:N0} trainable parameters)");
                }

            double scratchAcc = results["scratch"].Average(r => r.Accuracy), scratchSeconds = results["scratch"].Average(r => r.Seconds);
            Console.WriteLine();
            Console.WriteLine("| target model | trainable parameters | group accuracy (mean ± std) | vs scratch (points) | train s | time vs scratch |");
            Console.WriteLine("|---|---|---|---|---|---|");
            foreach (var mode in Modes)
            {
                var rs = results[mode];
                double acc = rs.Average(r => r.Accuracy), sec = rs.Average(r => r.Seconds);
                Console.WriteLine($"| {mode} | {rs[0].Trainable:N0} | {SeedStats.Percent(rs.Select(r => r.Accuracy))} | {100 * (acc - scratchAcc):+0.00;-0.00} | {sec:F2} | {sec / scratchSeconds:F2}× |");
            }
            Console.WriteLine($"(pre-training, paid once: {PretrainSeconds:F1} s)");
            if (options.Json)
            {
                var json = new StringBuilder("{\"benchmark\":\"transfer\",\"rows\":[");
                json.AppendJoin(",", Modes.Select(m => string.Create(CultureInfo.InvariantCulture,
                    $"{{\"model\":\"{m}\",\"accuracy\":{results[m].Average(r => r.Accuracy):F4},\"seconds\":{results[m].Average(r => r.Seconds):F3},\"trainable_parameters\":{results[m][0].Trainable}}}")));
                double frozenAcc = results["frozen"].Average(r => r.Accuracy), frozenSec = results["frozen"].Average(r => r.Seconds);
                json.Append(CultureInfo.InvariantCulture, $"],\"pretrain_seconds\":{PretrainSeconds:F3},\"frozen_minus_scratch_points\":{100 * (frozenAcc - scratchAcc):F2},\"frozen_time_fraction\":{frozenSec / scratchSeconds:F3}," +
                    $"\"cached_time_fraction\":{results["cached"].Average(r => r.Seconds) / scratchSeconds:F3}}}");
                Console.WriteLine(json);
            }
            return 0;
        }
        finally { MtlThreads.Count = saved; }
    }

    private double PretrainSeconds { get; set; }

    private static (double Accuracy, double Seconds, long Trainable) TrainTarget(string mode, StateDict pretrained, IMultiTaskDataset train,
        IMultiTaskDataset test, ulong seed, int epochs)
    {
        Init.ManualSeed(seed);
        TaskSpec[] tasks = [new TaskSpec(FashionHierarchy.GroupTask, TaskKind.Classification, 5)];
        var model = ArchitectureRegistry.Create("hard", new ArchitectureContext(tasks, Trunk.LeNet()));
        if (mode != "scratch")
        {
            WeightTransfer.Load(model, pretrained, new NameMap().Only("encoder.*"), strict: false);
            if (mode is "frozen" or "cached") model.FreezeMatching("encoder.*");
        }
        if (mode == "cached") return TrainOnCachedFeatures((HardSharing)model, tasks, train, test, seed, epochs);
        using var loader = new DataLoader(train, new DataLoaderOptions { BatchSize = 256, Shuffle = true, Seed = seed });
        var fit = new MultiTaskTrainer(model, BenchEval.Sgd(model), new TrainerOptions { Epochs = epochs, RestoreBest = false }).Fit(loader);
        return (BenchEval.Accuracy(model, test)[FashionHierarchy.GroupTask], fit.Seconds, model.ParameterCount(trainableOnly: true));
    }

    // The frozen trunk runs once over the training images (EncodedDataset); a heads-only model trains on its outputs and
    // its heads load back into the full model, which is then tested on images. The time counts the encoding pass.
    private static (double Accuracy, double Seconds, long Trainable) TrainOnCachedFeatures(HardSharing model, TaskSpec[] tasks, IMultiTaskDataset train,
        IMultiTaskDataset test, ulong seed, int epochs)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var encoded = EncodedDataset.Create(model.Encoder, train);
        var heads = new HardSharing(new Identity(), model.RepresentationWidth, tasks);
        WeightTransfer.Load(heads, model.StateDict(), new NameMap().Only("heads.*"), strict: false);   // the same initial head
        using var loader = new DataLoader(encoded, new DataLoaderOptions { BatchSize = 256, Shuffle = true, Seed = seed });
        new MultiTaskTrainer(heads, BenchEval.Sgd(heads), new TrainerOptions { Epochs = epochs, RestoreBest = false }).Fit(loader);
        double seconds = clock.Elapsed.TotalSeconds;
        WeightTransfer.Load(model, heads.StateDict(), new NameMap().Only("heads.*"), strict: false);
        return (BenchEval.Accuracy(model, test)[FashionHierarchy.GroupTask], seconds, heads.ParameterCount(trainableOnly: true));
    }
}
