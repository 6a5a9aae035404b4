// A view of another dataset restricted to a list of sample indices (splits, subsampling), without copying.
namespace Mtl.Data;

/// <summary>The samples <see cref="Indices"/> of <see cref="Source"/>, in that order; reads go to the source.</summary>
public sealed class SubsetDataset : IMultiTaskDataset
{
    private readonly int[] _indices;

    /// <summary>Creates the view; every index must lie in [0, source.Count). Repeats are allowed.</summary>
    public SubsetDataset(IMultiTaskDataset source, ReadOnlySpan<int> indices)
    {
        ArgumentNullException.ThrowIfNull(source);
        for (int i = 0; i < indices.Length; i++)
        {
            if ((uint)indices[i] >= (uint)source.Count)
                throw new ArgumentOutOfRangeException(nameof(indices), indices[i], $"SubsetDataset: index {i} is {indices[i]}, outside the source's [0, {source.Count})");
        }
        Source = source;
        _indices = indices.ToArray();
    }

    /// <summary>The dataset viewed.</summary>
    public IMultiTaskDataset Source { get; }

    /// <summary>Source index of each sample.</summary>
    public IReadOnlyList<int> Indices => _indices;

    /// <inheritdoc />
    public int Count => _indices.Length;

    /// <inheritdoc />
    public InputInfo Input => Source.Input;

    /// <inheritdoc />
    public IReadOnlyList<TaskLabels> Tasks => Source.Tasks;

    /// <inheritdoc />
    public int ReadInput(int index, Span<float> destination) => Source.ReadInput(Map(index), destination);

    /// <inheritdoc />
    public int ReadTokens(int index, Span<int> destination) => Source.ReadTokens(Map(index), destination);

    /// <inheritdoc />
    public bool ReadLabel(int index, int task, Span<float> destination) => Source.ReadLabel(Map(index), task, destination);

    private int Map(int index) => (uint)index < (uint)_indices.Length ? _indices[index]
        : throw new ArgumentOutOfRangeException(nameof(index), index, $"SubsetDataset: sample {index} outside [0, {_indices.Length})");
}
