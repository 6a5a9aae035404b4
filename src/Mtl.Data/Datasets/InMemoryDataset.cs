// A multi-task dataset held in arrays: float32 inputs or int32 token sequences, and one label column per task.
namespace Mtl.Data;

/// <summary>
/// An <see cref="IMultiTaskDataset"/> whose samples live in memory: float32 inputs (N × prod(sample shape), row-major)
/// or int32 token ids (N × maxLength, padded with 0) with per-sample lengths, plus one <see cref="LabelColumn"/> per
/// task. Arrays are taken as given (not copied) and must not be modified afterwards; reads are thread-safe.
/// </summary>
public sealed class InMemoryDataset : IMultiTaskDataset
{
    private readonly float[]? _inputs;
    private readonly int[]? _tokens;
    private readonly int[]? _lengths;
    private readonly LabelColumn[] _columns;
    private readonly TaskLabels[] _tasks;
    private readonly Dictionary<string, int> _taskIndex;

    /// <summary>
    /// Fixed-size float inputs: <paramref name="inputs"/> holds Count × prod(<paramref name="sampleShape"/>) values.
    /// </summary>
    /// <example><c>new InMemoryDataset([1, 28, 28], pixels, LabelColumn.Classes("item", 10, labels))</c></example>
    public InMemoryDataset(int[] sampleShape, float[] inputs, params LabelColumn[] labels)
        : this(sampleShape, inputs, null, labels) { }

    /// <summary>
    /// Float inputs; when <paramref name="lengths"/> is given the samples are variable-length sequences of
    /// (sampleShape[0] = max length, ...) rows of which only the first lengths[i] are meaningful (the rest must be 0).
    /// </summary>
    public InMemoryDataset(int[] sampleShape, float[] inputs, int[]? lengths, params LabelColumn[] labels)
    {
        ArgumentNullException.ThrowIfNull(sampleShape);
        ArgumentNullException.ThrowIfNull(inputs);
        int size = CheckShape(sampleShape);
        if (size == 0 ? inputs.Length != 0 : inputs.Length % size != 0)
            throw new ArgumentException($"InMemoryDataset: {inputs.Length} input values are not a whole number of samples of shape {Fmt(sampleShape)} ({size} values each)", nameof(inputs));
        int n = size == 0 ? (labels.Length > 0 ? labels[0].Count : 0) : inputs.Length / size;
        _inputs = inputs;
        Input = new InputInfo(sampleShape.ToArray(), DType.Float32, lengths is not null);
        if (lengths is not null) CheckLengths(lengths, n, sampleShape[0]);
        _lengths = lengths;
        Count = n;
        (_columns, _tasks, _taskIndex) = CheckColumns(labels, n);
        SampleSize = size;
    }

    private InMemoryDataset(int maxLength, int[] tokens, int[] lengths, LabelColumn[] labels)
    {
        if (maxLength <= 0) throw new ArgumentOutOfRangeException(nameof(maxLength), maxLength, "InMemoryDataset: maxLength must be positive");
        if (tokens.Length % maxLength != 0)
            throw new ArgumentException($"InMemoryDataset: {tokens.Length} token ids are not a whole number of rows of max length {maxLength}", nameof(tokens));
        int n = tokens.Length / maxLength;
        CheckLengths(lengths, n, maxLength);
        for (int i = 0; i < tokens.Length; i++)
        {
            if (tokens[i] < 0)
                throw new ArgumentOutOfRangeException(nameof(tokens), tokens[i], $"InMemoryDataset: sample {i / maxLength} position {i % maxLength} has negative token id {tokens[i]}");
        }
        _tokens = tokens;
        _lengths = lengths;
        Input = new InputInfo([maxLength], DType.Int32, true);
        Count = n;
        (_columns, _tasks, _taskIndex) = CheckColumns(labels, n);
        SampleSize = maxLength;
    }

    /// <summary>
    /// Token-id inputs: <paramref name="tokens"/> holds Count × <paramref name="maxLength"/> ids (0 = padding after
    /// each sample's length), <paramref name="lengths"/> one length in [0, maxLength] per sample.
    /// </summary>
    public static InMemoryDataset FromTokens(int maxLength, int[] tokens, int[] lengths, params LabelColumn[] labels)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        ArgumentNullException.ThrowIfNull(lengths);
        return new InMemoryDataset(maxLength, tokens, lengths, labels);
    }

    /// <inheritdoc />
    public int Count { get; }

    /// <inheritdoc />
    public InputInfo Input { get; }

    /// <inheritdoc />
    public IReadOnlyList<TaskLabels> Tasks => _tasks;

    /// <summary>Values per sample input (prod of the sample shape).</summary>
    public int SampleSize { get; }

    /// <summary>All float inputs (Count × SampleSize), or empty for token datasets.</summary>
    public ReadOnlyMemory<float> Inputs => _inputs;

    /// <summary>The float input array itself (null for token datasets); callers must not modify it.</summary>
    internal float[]? InputArray => _inputs;

    /// <summary>All token ids (Count × max length), or empty for float datasets.</summary>
    public ReadOnlyMemory<int> Tokens => _tokens;

    /// <summary>Per-sample lengths for variable-length inputs, or empty.</summary>
    public ReadOnlyMemory<int> Lengths => _lengths;

    /// <summary>The label columns, in task order.</summary>
    public IReadOnlyList<LabelColumn> Columns => _columns;

    /// <summary>The label column of task <paramref name="name"/>.</summary>
    public LabelColumn Labels(string name) => _columns[TaskIndex(name)];

    /// <summary>Position of task <paramref name="name"/> in <see cref="Tasks"/>.</summary>
    /// <exception cref="KeyNotFoundException">No such task; the message lists the tasks.</exception>
    public int TaskIndex(string name) => _taskIndex.TryGetValue(name, out int i) ? i
        : throw new KeyNotFoundException($"InMemoryDataset: no task '{name}'; tasks are: {string.Join(", ", _tasks.Select(t => t.Name))}");

    /// <inheritdoc />
    public int ReadInput(int index, Span<float> destination)
    {
        CheckIndex(index);
        if (_inputs is null) throw new InvalidOperationException("InMemoryDataset: this dataset holds token ids (Int32); use ReadTokens");
        _inputs.AsSpan(index * SampleSize, SampleSize).CopyTo(destination);
        return _lengths is null ? (Input.Shape.Length > 0 ? Input.Shape[0] : 1) : _lengths[index];
    }

    /// <inheritdoc />
    public int ReadTokens(int index, Span<int> destination)
    {
        CheckIndex(index);
        if (_tokens is null) throw new InvalidOperationException("InMemoryDataset: this dataset holds float inputs; use ReadInput");
        _tokens.AsSpan(index * SampleSize, SampleSize).CopyTo(destination);
        return _lengths![index];
    }

    /// <inheritdoc />
    public bool ReadLabel(int index, int task, Span<float> destination)
    {
        CheckIndex(index);
        if ((uint)task >= (uint)_columns.Length)
            throw new ArgumentOutOfRangeException(nameof(task), task, $"InMemoryDataset: task {task} outside [0, {_columns.Length})");
        return _columns[task].Read(index, destination);
    }

    /// <summary>A new in-memory dataset holding copies of samples <paramref name="indices"/> in that order.</summary>
    public InMemoryDataset Take(ReadOnlySpan<int> indices)
    {
        foreach (int j in indices) CheckIndex(j);
        var cols = new LabelColumn[_columns.Length];
        for (int t = 0; t < cols.Length; t++) cols[t] = _columns[t].Take(indices);
        int[]? lengths = _lengths is null ? null : new int[indices.Length];
        if (lengths is not null) for (int i = 0; i < indices.Length; i++) lengths[i] = _lengths![indices[i]];
        if (_tokens is not null)
        {
            var tok = new int[indices.Length * SampleSize];
            for (int i = 0; i < indices.Length; i++) _tokens.AsSpan(indices[i] * SampleSize, SampleSize).CopyTo(tok.AsSpan(i * SampleSize));
            return new InMemoryDataset(SampleSize, tok, lengths!, cols);
        }
        var inp = new float[indices.Length * SampleSize];
        for (int i = 0; i < indices.Length; i++) _inputs.AsSpan(indices[i] * SampleSize, SampleSize).CopyTo(inp.AsSpan(i * SampleSize));
        return new InMemoryDataset(Input.Shape, inp, lengths, cols);
    }

    private void CheckIndex(int index)
    {
        if ((uint)index >= (uint)Count)
            throw new ArgumentOutOfRangeException(nameof(index), index, $"InMemoryDataset: sample {index} outside [0, {Count})");
    }

    private static (LabelColumn[], TaskLabels[], Dictionary<string, int>) CheckColumns(LabelColumn[] labels, int n)
    {
        ArgumentNullException.ThrowIfNull(labels);
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int t = 0; t < labels.Length; t++)
        {
            var c = labels[t] ?? throw new ArgumentNullException(nameof(labels), $"InMemoryDataset: label column {t} is null");
            if (c.Count != n)
                throw new ArgumentException($"InMemoryDataset: task '{c.Name}' has {c.Count} labels for {n} samples", nameof(labels));
            if (!index.TryAdd(c.Name, t))
                throw new ArgumentException($"InMemoryDataset: task name '{c.Name}' appears twice", nameof(labels));
        }
        return (labels.ToArray(), labels.Select(c => c.Info).ToArray(), index);
    }

    private static int CheckShape(int[] shape)
    {
        long size = 1;
        foreach (int d in shape)
        {
            if (d < 0) throw new ArgumentException($"InMemoryDataset: sample shape {Fmt(shape)} has a negative dimension", nameof(shape));
            size *= d;
        }
        if (size > int.MaxValue) throw new ArgumentException($"InMemoryDataset: sample shape {Fmt(shape)} is too large", nameof(shape));
        return (int)size;
    }

    private static void CheckLengths(int[] lengths, int n, int maxLength)
    {
        if (lengths.Length != n)
            throw new ArgumentException($"InMemoryDataset: {lengths.Length} lengths for {n} samples", nameof(lengths));
        for (int i = 0; i < n; i++)
        {
            if ((uint)lengths[i] > (uint)maxLength)
                throw new ArgumentOutOfRangeException(nameof(lengths), lengths[i], $"InMemoryDataset: sample {i} has length {lengths[i]}, outside [0, {maxLength}]");
        }
    }

    internal static string Fmt(ReadOnlySpan<int> shape) => "(" + string.Join(", ", shape.ToArray()) + ")";
}
