// The `synthetic-text` dataset: token sequences whose two classification labels come from marker-token counts.
using Mtl.Data;

namespace Mtl.Cli.Data;

/// <summary>Options of the <c>synthetic-text</c> dataset (defaults: the `compare` benchmark's LSTM data).</summary>
public sealed record SyntheticTextData
{
    /// <summary>Sequences generated (split into train, validation and test).</summary>
    public int Count { get; init; } = 4608;

    /// <summary>Vocabulary size (ids 0 = padding and 1 = unknown are never drawn).</summary>
    public int VocabularySize { get; init; } = 20_000;

    /// <summary>Length of every sequence.</summary>
    public int Length { get; init; } = 200;

    /// <summary>Marker tokens planted for each task's winning set.</summary>
    public int Markers { get; init; } = 8;

    /// <summary>Share of the sequences used for testing.</summary>
    public double TestFraction { get; init; } = 0.1;

    /// <summary>Share of the sequences used for validation.</summary>
    public double ValidationFraction { get; init; }
}

/// <summary>Builds the <c>synthetic-text</c> dataset (<see cref="SyntheticTokenTasks"/>: tasks marker2 and marker4).</summary>
internal static class SyntheticTextSet
{
    public static IReadOnlyList<string> TaskNames => SyntheticTokenTasks.TaskNames;

    public static DataBundle Build(SyntheticTextData o, ulong seed)
    {
        DataBundle.CheckFraction(o.TestFraction, "test_fraction");
        DataBundle.CheckFraction(o.ValidationFraction, "validation_fraction");
        if (o.TestFraction + o.ValidationFraction >= 1) throw new ArgumentException($"test_fraction + validation_fraction must be below 1, got {o.TestFraction + o.ValidationFraction}");
        var data = SyntheticTokenTasks.Generate(new SyntheticTokenOptions
        {
            Count = o.Count, VocabularySize = o.VocabularySize, Length = o.Length, Markers = o.Markers, Seed = seed,
        });
        // The first samples train, then validation, then test (in order, as the `compare` benchmark reads them).
        int test = (int)Math.Round(o.Count * o.TestFraction), val = (int)Math.Round(o.Count * o.ValidationFraction), train = o.Count - test - val;
        int[] Range(int start, int n) => Enumerable.Range(start, n).ToArray();
        return new DataBundle
        {
            Tasks = data.Tasks,
            Input = data.Input,
            Train = new SplitData(data.Subset(Range(0, train)), null),
            Validation = val == 0 ? null : new SplitData(data.Subset(Range(train, val)), null),
            Test = new SplitData(data.Subset(Range(train + val, test)), null),
            Tokenizer = new Tokenizer(),
            Vocabulary = Vocabulary.FromTokens(Enumerable.Range(Vocabulary.UnkId + 1, o.VocabularySize - 2).Select(i => $"tok{i}")),
        };
    }
}
