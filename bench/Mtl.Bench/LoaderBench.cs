// Benchmark `loader`: MultiFashion batches of 256 through the prefetching DataLoader vs the reference LeNet's training speed.
using System.Diagnostics;
using System.Globalization;
using Mtl.Data;
using Mtl.NN;
using Mtl.NN.Optim;
using Mtl.Storage;

namespace Mtl.Bench;

/// <summary>
/// Builds MultiFashion (Sener–Koltun recipe, seed 0) from the full Fashion-MNIST training set when it is installed
/// (apt-get install dataset-fashion-mnist), else from the committed 3,000-image sample, and measures in one run:
/// (1) the loader's throughput — batch 256, shuffled, prefetch 4 on one worker thread, the consumer doing nothing but
/// take batches — in samples/s over whole epochs, with prefetch 0 beside it for reference and the managed bytes allocated
/// per batch; (2) the training throughput of the reference LeNet hard-sharing model on batches from the same loader
/// (Conv 1→10 5×5, max-pool 2, ReLU, Conv 10→20 5×5, max-pool 2, ReLU, flatten, Linear 320→50, ReLU; two heads
/// Linear 50→10; summed cross-entropies; SGD lr 0.01 momentum 0.9; each step in a TensorScope). The issue asks for
/// loader/train ≥ 10.
/// </summary>
internal sealed class LoaderBench : IBenchmark
{
    public string Name => "loader";
    public string Description => "DataLoader throughput on MultiFashion (batch 256, prefetch) vs LeNet training throughput";

    private const int BatchSize = 256;

    public int Run(BenchOptions options)
    {
        bool quick = options.Quick;
        var sw = Stopwatch.StartNew();
        string? fullDir = FashionMnist.TryFind();
        var fashion = fullDir is not null ? FashionMnist.Load(train: true, fullDir, limit: quick ? 20_000 : null) : Samples.FashionTrain();
        string source = fullDir is not null ? $"full Fashion-MNIST training set ({fullDir}, {fashion.Count} images)" : $"committed sample (data/{Samples.FashionFolder}, {fashion.Count} images; install the full set with `{FashionMnist.InstallCommand}`)";
        double loadMs = sw.Elapsed.TotalMilliseconds;
        sw.Restart();
        var multi = MultiDigitBuilder.MultiFashion(fashion, new MultiDigitOptions { Seed = 0 });
        double buildMs = sw.Elapsed.TotalMilliseconds;

        int epochs = quick ? 2 : 3;
        var prefetched = MeasureLoader(multi, prefetch: 4, epochs);
        var direct = MeasureLoader(multi, prefetch: 0, epochs);
        var (trainRate, steps, firstLoss, lastLoss) = MeasureTraining(multi, quick ? 12 : 40);
        double ratio = prefetched.SamplesPerSecond / trainRate;

        Console.WriteLine($"loader benchmark: MultiFashion from the {source}");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  load {loadMs:F0} ms, build {multi.Count} MultiFashion images {buildMs:F0} ms; batch {BatchSize}, shuffled"));
        Console.WriteLine($"{"measurement",-44} {"samples/s",12} {"batches",8} {"alloc B/batch",14}");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{"loader, prefetch 4, 1 worker",-44} {prefetched.SamplesPerSecond,12:F0} {prefetched.Batches,8} {prefetched.AllocPerBatch,14:F0}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{"loader, prefetch 0 (consumer thread)",-44} {direct.SamplesPerSecond,12:F0} {direct.Batches,8} {direct.AllocPerBatch,14:F0}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{"LeNet hard sharing, SGD step (prefetch 4)",-44} {trainRate,12:F0} {steps,8} {"",14}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"loader / train = {ratio:F1}x (issue asks >= 10x); training loss {firstLoss:F3} -> {lastLoss:F3} over the timed steps"));
        if (options.Json)
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{{\"loader_samples_per_s\":{prefetched.SamplesPerSecond:F1},\"train_samples_per_s\":{trainRate:F1},\"ratio\":{ratio:F2},\"loader_prefetch0_samples_per_s\":{direct.SamplesPerSecond:F1},\"loader_alloc_bytes_per_batch\":{prefetched.AllocPerBatch:F0},\"dataset\":\"{(fullDir is not null ? "full" : "sample")}\",\"samples\":{multi.Count},\"batch\":{BatchSize}}}"));
        return 0;
    }

    private sealed record LoaderFigures(double SamplesPerSecond, int Batches, double AllocPerBatch);

    private static LoaderFigures MeasureLoader(IMultiTaskDataset data, int prefetch, int epochs)
    {
        using var loader = new DataLoader(data, new DataLoaderOptions { BatchSize = BatchSize, Shuffle = true, Seed = 1, Prefetch = prefetch, Workers = 1 });
        double checksum = 0;
        foreach (var b in loader.Epoch(0)) checksum += b.Indices[0]; // warm-up epoch: JIT, buffer ring
        long samples = 0;
        int batches = 0;
        long alloc0 = GC.GetTotalAllocatedBytes(precise: true);
        var sw = Stopwatch.StartNew();
        for (int e = 1; e <= epochs; e++)
            foreach (var b in loader.Epoch(e))
            {
                samples += b.Size;
                batches++;
                checksum += b.Indices[0];
            }
        double seconds = sw.Elapsed.TotalSeconds;
        long alloc = GC.GetTotalAllocatedBytes(precise: true) - alloc0;
        GC.KeepAlive(checksum);
        return new LoaderFigures(samples / seconds, batches, (double)alloc / Math.Max(1, batches));
    }

    private static (double Rate, int Steps, double FirstLoss, double LastLoss) MeasureTraining(IMultiTaskDataset data, int steps)
    {
        var gen = new Generator(7);
        var trunk = new Sequential(
            new Conv2d(1, 10, 5, generator: gen), new MaxPool2d(2), new ReLU(),
            new Conv2d(10, 20, 5, generator: gen), new MaxPool2d(2), new ReLU(),
            new Flatten(), new Linear(320, 50, generator: gen), new ReLU());
        var head1 = new Linear(50, 10, generator: gen);
        var head2 = new Linear(50, 10, generator: gen);
        var opt = new SGD(trunk.Parameters().Concat(head1.Parameters()).Concat(head2.Parameters()), new SGDOptions { Lr = 0.01, Momentum = 0.9 });
        using var loader = new DataLoader(data, new DataLoaderOptions { BatchSize = BatchSize, Shuffle = true, Seed = 2, Prefetch = 4, Workers = 1, DropLast = true });

        double Step(MultiTaskBatch batch)
        {
            using var scope = TensorScope.Begin();
            opt.ZeroGrad();
            var h = trunk.Forward(batch.Input);                                                     // (B, 50)
            var loss = Losses.CrossEntropy(head1.Forward(h), batch.Targets["top_left"])
                .Add(Losses.CrossEntropy(head2.Forward(h), batch.Targets["bottom_right"]));
            loss.Backward();
            opt.Step();
            return loss.Item();
        }

        const int warmup = 3;
        int done = 0, timed = 0;
        double first = double.NaN, last = double.NaN;
        var sw = new Stopwatch();
        for (int epoch = 0; timed < steps; epoch++)
        {
            foreach (var batch in loader.Epoch(epoch))
            {
                if (done == warmup) sw.Start();
                double l = Step(batch);
                if (done >= warmup)
                {
                    if (timed == 0) first = l;
                    last = l;
                    if (++timed >= steps) break;
                }
                done++;
            }
        }
        sw.Stop();
        return (timed * (double)BatchSize / sw.Elapsed.TotalSeconds, timed, first, last);
    }
}
