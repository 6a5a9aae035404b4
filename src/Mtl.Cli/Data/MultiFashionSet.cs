// The `multifashion` dataset: MultiFashion pairs from the committed Fashion-MNIST sample or the full data set.
using Mtl.Data;

namespace Mtl.Cli.Data;

/// <summary>Where the Fashion-MNIST (or MNIST) images come from.</summary>
public enum ImageSource
{
    /// <summary>The small sample committed under data/ (no download).</summary>
    Sample,
    /// <summary>The full data set (Fashion-MNIST: Debian's <c>dataset-fashion-mnist</c> under /usr/share/datasets/fashion-mnist, or <c>directory</c>).</summary>
    Full,
}

/// <summary>Options of the <c>multifashion</c> dataset.</summary>
public sealed record MultiFashionData
{
    /// <summary>sample: 3,000 train + 1,000 test images committed in data/; full: 60,000 + 10,000 (apt-get install -y dataset-fashion-mnist).</summary>
    public ImageSource Source { get; init; } = ImageSource.Sample;

    /// <summary>Folder holding the full set's IDX files (null = $MTL_FASHION_MNIST, then /usr/share/datasets/fashion-mnist).</summary>
    public string? Directory { get; init; }

    /// <summary>Training base images to pair (the first ones; null = all).</summary>
    public int? TrainCount { get; init; }

    /// <summary>Test base images to pair (the first ones; null = all).</summary>
    public int? TestCount { get; init; }

    /// <summary>Share of the training pairs held out for validation (model selection, early stopping).</summary>
    public double ValidationFraction { get; init; } = 0.1;

    /// <summary>The pairing recipe (Sener &amp; Koltun 2018, or Lin et al. 2019's 36×36 shifted pairs).</summary>
    public MultiDigitRecipe Recipe { get; init; } = MultiDigitRecipe.SenerKoltun2018;
}

/// <summary>Builds the <c>multifashion</c> dataset: tasks top_left and bottom_right (10 classes each).</summary>
internal static class MultiFashionSet
{
    public static readonly string[] TaskNames = ["top_left", "bottom_right"];

    public static DataBundle Build(MultiFashionData o, ulong seed)
    {
        var (train, test) = o.Source == ImageSource.Sample
            ? (Samples.FashionTrain(), Samples.FashionTest())
            : (FashionMnist.Load(true, o.Directory), FashionMnist.Load(false, o.Directory));
        return Pairs(train, test, o.TrainCount, o.TestCount, o.ValidationFraction, o.Recipe, seed, MultiDigitBuilder.MultiFashion);
    }

    /// <summary>Pairs train and test images (seeds <paramref name="seed"/> and seed + 1) and holds out validation pairs.</summary>
    public static DataBundle Pairs(IMultiTaskDataset train, IMultiTaskDataset test, int? trainCount, int? testCount, double validation,
        MultiDigitRecipe recipe, ulong seed, Func<IMultiTaskDataset, MultiDigitOptions, string, InMemoryDataset> build)
    {
        string task = train.Tasks[0].Name;
        var pairsTrain = build(train, new MultiDigitOptions { Seed = seed, Count = trainCount, Recipe = recipe }, task);
        var pairsTest = build(test, new MultiDigitOptions { Seed = seed + 1, Count = testCount, Recipe = recipe }, task);
        var (fit, val) = DataBundle.HoldOut(pairsTrain, validation, seed + 2);
        return new DataBundle
        {
            Tasks = pairsTrain.Tasks,
            Input = pairsTrain.Input,
            Train = new SplitData(fit, null),
            Validation = val is null ? null : new SplitData(val, null),
            Test = new SplitData(pairsTest, null),
        };
    }
}
