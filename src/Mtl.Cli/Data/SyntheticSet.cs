// The `synthetic` dataset: the MMoE paper's regression task pairs with a controllable correlation.
using Mtl.Data;

namespace Mtl.Cli.Data;

/// <summary>Options of the <c>synthetic</c> dataset (Ma et al. 2018; defaults: a small, quick set-up).</summary>
public sealed record SyntheticData
{
    /// <summary>Samples generated (split into train, validation and test).</summary>
    public int Count { get; init; } = 4000;

    /// <summary>Input dimension d.</summary>
    public int Dim { get; init; } = 20;

    /// <summary>Correlation p between the two tasks of a pair, in [−1, 1].</summary>
    public double Correlation { get; init; } = 0.5;

    /// <summary>Number m of sine terms.</summary>
    public int SinTerms { get; init; } = 2;

    /// <summary>Noise standard deviation σ.</summary>
    public double NoiseStd { get; init; } = 0.01;

    /// <summary>Task pairs; pair k gives tasks task{2k+1}, task{2k+2}.</summary>
    public int Pairs { get; init; } = 1;

    /// <summary>Scale c of the weight vectors.</summary>
    public double Scale { get; init; } = 1;

    /// <summary>Share of the samples used for testing.</summary>
    public double TestFraction { get; init; } = 0.25;

    /// <summary>Share of the samples used for validation.</summary>
    public double ValidationFraction { get; init; } = 0.1;
}

/// <summary>Builds the <c>synthetic</c> dataset (regression tasks task1, task2, …, one value each).</summary>
internal static class SyntheticSet
{
    public static IReadOnlyList<string> TaskNames(SyntheticData o) => Enumerable.Range(1, 2 * Math.Max(1, o.Pairs)).Select(i => $"task{i}").ToList();

    public static DataBundle Build(SyntheticData o, ulong seed)
    {
        DataBundle.CheckFraction(o.TestFraction, "test_fraction");
        DataBundle.CheckFraction(o.ValidationFraction, "validation_fraction");
        if (o.TestFraction + o.ValidationFraction >= 1) throw new ArgumentException($"test_fraction + validation_fraction must be below 1, got {o.TestFraction + o.ValidationFraction}");
        var data = SyntheticCorrelatedTasks.Generate(new SyntheticTasksOptions
        {
            Count = o.Count, Dim = o.Dim, Correlation = o.Correlation, SinTerms = o.SinTerms, NoiseStd = o.NoiseStd, Pairs = o.Pairs, Scale = o.Scale, Seed = seed,
        }).Dataset;
        var s = Splits.RandomIndices(data.Count, 1 - o.TestFraction - o.ValidationFraction, o.ValidationFraction, o.TestFraction, seed + 1);
        return new DataBundle
        {
            Tasks = data.Tasks,
            Input = data.Input,
            Train = new SplitData(data.Subset(s.Train), null),
            Validation = s.Validation.Length == 0 ? null : new SplitData(data.Subset(s.Validation), null),
            Test = new SplitData(data.Subset(s.Test), null),
        };
    }
}
