// A multi-task dataset of token-id sequences padded to a max length, with their lengths and one label per task.
namespace Mtl.Data;

/// <summary>
/// Texts encoded as Int32 token ids of shape (L), padded with <see cref="Vocabulary.PadId"/> (0) after each
/// sequence's <see cref="LengthOf"/> tokens (<see cref="InputInfo.VariableLength"/> = true), and width-1 labels per
/// task (class index or float; missing labels have mask 0). Immutable, so concurrent reads are safe.
/// <code>
/// var tok = new Tokenizer();
/// var train = ImdbReader.Read(root, "train");
/// var vocab = Vocabulary.Build(train.Texts.Select(tok.Tokenize), minFrequency: 2, maxSize: 20_000);
/// var trainSet = TextDataset.Encode(train, tok, vocab, maxLength: 256);
/// var testSet = TextDataset.Encode(ImdbReader.Read(root, "test"), tok, vocab, maxLength: 256);
/// </code>
/// </summary>
public sealed class TextDataset : IMultiTaskDataset
{
    private readonly int[] _ids;      // (N, L)
    private readonly int[] _lengths;  // (N)
    private readonly TaskLabels[] _tasks;
    private readonly ScalarLabelTable _labelTable;

    private TextDataset(int[] ids, int[] lengths, int maxLength, TaskLabels[] tasks, float[] labels, bool[] present, Vocabulary vocabulary)
    {
        _ids = ids;
        _lengths = lengths;
        _tasks = tasks;
        _labelTable = new ScalarLabelTable("text dataset", labels, present, tasks.Length);
        MaxLength = maxLength;
        Vocabulary = vocabulary;
        Input = new InputInfo([maxLength], DType.Int32, VariableLength: true);
    }

    /// <summary>
    /// Tokenizes every text of <paramref name="corpus"/>, maps tokens to ids with <paramref name="vocabulary"/> and
    /// pads/truncates them to <paramref name="maxLength"/> (keeping the start by default).
    /// </summary>
    /// <exception cref="DataFileException">A text has no tokens (the message names its source).</exception>
    public static TextDataset Encode(TextCorpus corpus, Tokenizer tokenizer, Vocabulary vocabulary, int maxLength,
        TruncationSide truncation = TruncationSide.KeepStart)
    {
        ArgumentNullException.ThrowIfNull(corpus);
        ArgumentNullException.ThrowIfNull(tokenizer);
        ArgumentNullException.ThrowIfNull(vocabulary);
        if (maxLength < 1) throw new ArgumentOutOfRangeException(nameof(maxLength), $"text dataset: maxLength must be >= 1, got {maxLength}");
        int n = corpus.Count, t = corpus.Tasks.Count;
        var ids = new int[(long)n * maxLength];
        var lengths = new int[n];
        var labels = new float[n * t];
        var present = new bool[n * t];
        for (int i = 0; i < n; i++)
        {
            var tokens = tokenizer.Tokenize(corpus.Texts[i]);
            if (tokens.Count == 0)
                throw new DataFileException(corpus.Sources[i], corpus.Lines[i], null, "the text has no tokens (empty or only markup/white space); expected a non-empty text");
            lengths[i] = SequencePadding.PadOrTruncate(vocabulary.Encode(tokens), ids.AsSpan(i * maxLength, maxLength), truncation);
            for (int k = 0; k < t; k++)
                if (corpus.Label(i, k) is { } v) { labels[i * t + k] = v; present[i * t + k] = true; }
        }
        return new TextDataset(ids, lengths, maxLength, [.. corpus.Tasks], labels, present, vocabulary);
    }

    /// <inheritdoc/>
    public int Count => _lengths.Length;

    /// <summary>Int32 token ids of shape (L = <see cref="MaxLength"/>), variable length.</summary>
    public InputInfo Input { get; }

    /// <inheritdoc/>
    public IReadOnlyList<TaskLabels> Tasks => _tasks;

    /// <summary>The padded length L.</summary>
    public int MaxLength { get; }

    /// <summary>The vocabulary the ids refer to.</summary>
    public Vocabulary Vocabulary { get; }

    /// <summary>Number of real (non-padding) tokens of sample <paramref name="index"/>, at most <see cref="MaxLength"/>.</summary>
    public int LengthOf(int index)
    {
        CheckIndex(index);
        return _lengths[index];
    }

    /// <summary>Not supported: text inputs are token ids, read them with <see cref="ReadTokens"/>.</summary>
    public int ReadInput(int index, Span<float> destination) =>
        throw new NotSupportedException("text dataset: inputs are Int32 token ids, not floats; use ReadTokens");

    /// <summary>Copies the L padded token ids of sample <paramref name="index"/>; returns its length.</summary>
    public int ReadTokens(int index, Span<int> destination)
    {
        CheckIndex(index);
        if (destination.Length < MaxLength)
            throw new ArgumentException($"text dataset: destination holds {destination.Length} ids, samples are padded to {MaxLength}");
        _ids.AsSpan(index * MaxLength, MaxLength).CopyTo(destination);
        return _lengths[index];
    }

    /// <summary>Writes the label (class index or float) into destination[0]; false when missing.</summary>
    public bool ReadLabel(int index, int task, Span<float> destination)
    {
        CheckIndex(index);
        return _labelTable.Read(index, task, destination);
    }

    private void CheckIndex(int index)
    {
        if ((uint)index >= (uint)Count)
            throw new ArgumentOutOfRangeException(nameof(index), $"text dataset: sample {index} out of range [0, {Count})");
    }
}
