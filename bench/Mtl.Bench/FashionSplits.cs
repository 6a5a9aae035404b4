// Fashion-MNIST train/validation/test images for the benchmarks: the full dataset when installed, else the committed sample.
using Mtl.Data;

namespace Mtl.Bench;

/// <summary>
/// Single Fashion-MNIST items split for a benchmark, and the MultiFashion pairs built from them (pairing seeds 0, 2, 1
/// for train, validation, test). With the Debian dataset (<c>apt-get install dataset-fashion-mnist</c>) and not
/// <c>--quick</c>: training images [<c>skip</c>, skip + train) of the training file, the next 1,000 for validation,
/// the first 2,000 test images; otherwise the committed sample (its last 500 training images validate).
/// </summary>
internal sealed record FashionSplits(IMultiTaskDataset Train, IMultiTaskDataset Val, IMultiTaskDataset Test, string Source)
{
    public static FashionSplits Load(bool quick, int trainImages, int skip = 0)
    {
        string? dir = quick ? null : FashionMnist.TryFind();
        if (dir is null)
        {
            var sample = Samples.FashionTrain();
            return new FashionSplits(new SubsetDataset(sample, Enumerable.Range(0, sample.Count - 500).ToArray()),
                new SubsetDataset(sample, Enumerable.Range(sample.Count - 500, 500).ToArray()), Samples.FashionTest(),
                quick ? "committed sample" : "committed sample: the full Fashion-MNIST was not found, so these figures are not comparable to docs/benchmarks.md");
        }
        var images = FashionMnist.Load(train: true, dir, limit: skip + trainImages + 1_000);
        return new FashionSplits(new SubsetDataset(images, Enumerable.Range(skip, trainImages).ToArray()),
            new SubsetDataset(images, Enumerable.Range(skip + trainImages, 1_000).ToArray()),
            FashionMnist.Load(train: false, dir, limit: 2_000), "full Fashion-MNIST");
    }

    /// <summary>MultiFashion pairs of each split (top_left, bottom_right).</summary>
    public FashionSplits Pairs() => new(MultiDigitBuilder.MultiFashion(Train, new MultiDigitOptions { Seed = 0 }),
        MultiDigitBuilder.MultiFashion(Val, new MultiDigitOptions { Seed = 2 }), MultiDigitBuilder.MultiFashion(Test, new MultiDigitOptions { Seed = 1 }), Source);
}
