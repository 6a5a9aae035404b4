// Synthetic token sequences with two classification tasks read from marker-token counts (the `compare` LSTM data).
namespace Mtl.Data;

/// <summary>Options of <see cref="SyntheticTokenTasks"/>.</summary>
public sealed record SyntheticTokenOptions
{
    /// <summary>Number of sequences.</summary>
    public int Count { get; init; } = 4096;

    /// <summary>Vocabulary size V: ids lie in [1, V) (0 is padding and never drawn).</summary>
    public int VocabularySize { get; init; } = 20_000;

    /// <summary>Length of every sequence (no padding).</summary>
    public int Length { get; init; } = 200;

    /// <summary>Marker tokens planted for the winning set of each task (the other sets get fewer).</summary>
    public int Markers { get; init; } = 8;

    /// <summary>Seed of every random draw.</summary>
    public ulong Seed { get; init; }
}

/// <summary>
/// Token sequences whose labels are learnable from their content: task <c>marker2</c> (2 classes) says which of two
/// marker-token sets occurs more often in the sequence, task <c>marker4</c> (4 classes) which of four sets occurs most.
/// Sets are 16 ids each starting at id 2 (set s of the 2-way task: ids 2+16s..; of the 4-way task: ids 34+16s..).
/// Each sequence is filled with ids drawn uniformly from the non-marker range [98, V), then for each task the label's
/// set gets <see cref="SyntheticTokenOptions.Markers"/> ids at random positions and every other set Markers/2 (later
/// plants may overwrite earlier ones, so counts are approximate but the label's set stays ahead on average).
/// </summary>
public static class SyntheticTokenTasks
{
    /// <summary>Task names, in label-column order.</summary>
    public static readonly string[] TaskNames = ["marker2", "marker4"];

    /// <summary>Number of classes per task, in <see cref="TaskNames"/> order.</summary>
    public static readonly int[] Classes = [2, 4];

    private const int SetSize = 16, FirstMarker = 2, FirstPlain = FirstMarker + 6 * SetSize;

    /// <summary>Generates the sequences and their labels as a token dataset (lengths all equal to Length).</summary>
    public static InMemoryDataset Generate(SyntheticTokenOptions? options = null)
    {
        var o = options ?? new SyntheticTokenOptions();
        if (o.Count < 0) throw new ArgumentOutOfRangeException(nameof(options), o.Count, "SyntheticTokenTasks: Count must be 0 or more");
        if (o.VocabularySize <= FirstPlain)
            throw new ArgumentOutOfRangeException(nameof(options), o.VocabularySize, $"SyntheticTokenTasks: VocabularySize must exceed {FirstPlain} (the marker ids)");
        if (o.Length < 1) throw new ArgumentOutOfRangeException(nameof(options), o.Length, "SyntheticTokenTasks: Length must be at least 1");
        if (o.Markers < 1) throw new ArgumentOutOfRangeException(nameof(options), o.Markers, "SyntheticTokenTasks: Markers must be at least 1");
        var gen = new Generator(o.Seed);
        int n = o.Count, len = o.Length;
        var tokens = new int[(long)n * len];
        var labels = new[] { new int[n], new int[n] };
        for (int i = 0; i < n; i++)
        {
            var row = tokens.AsSpan(i * len, len);
            for (int t = 0; t < len; t++) row[t] = FirstPlain + gen.NextInt(o.VocabularySize - FirstPlain);
            int firstSet = 0;
            for (int task = 0; task < 2; task++)
            {
                int label = gen.NextInt(Classes[task]);
                labels[task][i] = label;
                for (int s = 0; s < Classes[task]; s++)
                {
                    int plant = s == label ? o.Markers : o.Markers / 2;
                    int baseId = FirstMarker + (firstSet + s) * SetSize;
                    for (int k = 0; k < plant; k++) row[gen.NextInt(len)] = baseId + gen.NextInt(SetSize);
                }
                firstSet += Classes[task];
            }
        }
        var lengths = Enumerable.Repeat(len, n).ToArray();
        return InMemoryDataset.FromTokens(len, tokens, lengths,
            LabelColumn.Classes(TaskNames[0], Classes[0], labels[0]), LabelColumn.Classes(TaskNames[1], Classes[1], labels[1]));
    }
}
