// An in-memory multi-task dataset of encoded tabular rows: a float feature vector per row and one label per task.
namespace Mtl.Data;

/// <summary>
/// Encoded rows of a table (made by <see cref="FittedTabularTransform.Transform"/>): Float32 inputs of shape (F) and
/// width-1 labels per task — a class index for classification, a float for regression — any of which may be missing
/// (empty label cell, mask 0). Immutable, so concurrent reads are safe.
/// </summary>
public sealed class TabularDataset : IMultiTaskDataset
{
    private readonly float[] _features; // (N, F)
    private readonly long[] _lines;
    private readonly int _width;
    private readonly TaskLabels[] _tasks;
    private readonly ScalarLabelTable _labelTable;
    private readonly string[] _featureNames;

    internal TabularDataset(float[] features, int width, string[] featureNames, TaskLabels[] tasks, float[] labels, bool[] present,
        string sourceName, long[] lines)
    {
        _features = features;
        _width = width;
        _featureNames = featureNames;
        _tasks = tasks;
        _labelTable = new ScalarLabelTable("tabular dataset", labels, present, tasks.Length);
        _lines = lines;
        SourceName = sourceName;
        Count = lines.Length;
        Input = new InputInfo([width], DType.Float32);
    }

    /// <inheritdoc/>
    public int Count { get; }

    /// <summary>Float32 features of shape (F), F = <see cref="FittedTabularTransform.FeatureCount"/>.</summary>
    public InputInfo Input { get; }

    /// <inheritdoc/>
    public IReadOnlyList<TaskLabels> Tasks => _tasks;

    /// <summary>Names of the encoded features (see <see cref="FittedTabularTransform.FeatureNames"/>).</summary>
    public IReadOnlyList<string> FeatureNames => _featureNames;

    /// <summary>The file the rows came from.</summary>
    public string SourceName { get; }

    /// <summary>1-based line of the source file on which sample <paramref name="index"/>'s row starts.</summary>
    public long SourceLine(int index)
    {
        CheckIndex(index);
        return _lines[index];
    }

    /// <summary>Copies the F encoded features of sample <paramref name="index"/>; returns F.</summary>
    public int ReadInput(int index, Span<float> destination)
    {
        CheckIndex(index);
        if (destination.Length < _width)
            throw new ArgumentException($"tabular dataset: destination holds {destination.Length} floats, sample has {_width} features");
        _features.AsSpan(index * _width, _width).CopyTo(destination);
        return _width;
    }

    /// <summary>Not supported: tabular inputs are Float32 features, read them with <see cref="ReadInput"/>.</summary>
    public int ReadTokens(int index, Span<int> destination) =>
        throw new NotSupportedException("tabular dataset: inputs are Float32 features, not token ids; use ReadInput");

    /// <summary>Writes the label (class index or regression value) into destination[0]; false when missing.</summary>
    public bool ReadLabel(int index, int task, Span<float> destination)
    {
        CheckIndex(index);
        return _labelTable.Read(index, task, destination);
    }

    private void CheckIndex(int index)
    {
        if ((uint)index >= (uint)Count)
            throw new ArgumentOutOfRangeException(nameof(index), $"tabular dataset: sample {index} out of range [0, {Count})");
    }
}
