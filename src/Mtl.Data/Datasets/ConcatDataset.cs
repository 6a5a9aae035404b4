// Several datasets with the same input layout, one after another, over the union of their tasks.
namespace Mtl.Data;

/// <summary>
/// The samples of <see cref="Parts"/> concatenated in order. Inputs must share shape, dtype and variable-length flag.
/// The task list is the union of the parts' tasks (first appearance order; a name used twice must have the same kind,
/// class count and width); a sample has no label for a task its part lacks.
/// </summary>
public sealed class ConcatDataset : IMultiTaskDataset
{
    private readonly IMultiTaskDataset[] _parts;
    private readonly int[] _starts;          // starts[p] = first sample of part p; starts[^1] = Count
    private readonly int[][] _partTask;      // [part][task] = index into the part's tasks, or -1
    private readonly TaskLabels[] _tasks;

    /// <summary>Concatenates <paramref name="parts"/> (at least one).</summary>
    public ConcatDataset(params IMultiTaskDataset[] parts)
    {
        ArgumentNullException.ThrowIfNull(parts);
        if (parts.Length == 0) throw new ArgumentException("ConcatDataset: needs at least one dataset", nameof(parts));
        var first = parts[0].Input;
        var tasks = new List<TaskLabels>();
        for (int p = 0; p < parts.Length; p++)
        {
            var inp = parts[p].Input;
            if (inp.DType != first.DType || inp.VariableLength != first.VariableLength || !inp.Shape.AsSpan().SequenceEqual(first.Shape))
                throw new ArgumentException($"ConcatDataset: part {p} has input {inp.DType} {InMemoryDataset.Fmt(inp.Shape)}{(inp.VariableLength ? " variable-length" : "")}, part 0 has {first.DType} {InMemoryDataset.Fmt(first.Shape)}{(first.VariableLength ? " variable-length" : "")}", nameof(parts));
            foreach (var t in parts[p].Tasks)
            {
                var existing = tasks.FirstOrDefault(x => x.Name == t.Name);
                if (existing is null) tasks.Add(t);
                else if (!TaskMaskedDataset.SameDefinition(existing, t))
                    throw new ArgumentException($"ConcatDataset: task '{t.Name}' is {TaskMaskedDataset.Describe(existing)} in an earlier part but {TaskMaskedDataset.Describe(t)} in part {p}", nameof(parts));
            }
        }
        _parts = parts.ToArray();
        _tasks = tasks.ToArray();
        _starts = new int[parts.Length + 1];
        for (int p = 0; p < parts.Length; p++) _starts[p + 1] = checked(_starts[p] + parts[p].Count);
        _partTask = parts.Select(part => _tasks.Select(t => IndexOf(part.Tasks, t.Name)).ToArray()).ToArray();
    }

    /// <summary>The concatenated datasets.</summary>
    public IReadOnlyList<IMultiTaskDataset> Parts => _parts;

    /// <inheritdoc />
    public int Count => _starts[^1];

    /// <inheritdoc />
    public InputInfo Input => _parts[0].Input;

    /// <inheritdoc />
    public IReadOnlyList<TaskLabels> Tasks => _tasks;

    /// <summary>Which part sample <paramref name="index"/> comes from, and its index there.</summary>
    public (int Part, int Local) Locate(int index)
    {
        if ((uint)index >= (uint)Count)
            throw new ArgumentOutOfRangeException(nameof(index), index, $"ConcatDataset: sample {index} outside [0, {Count})");
        int p = Array.BinarySearch(_starts, index);
        if (p < 0) p = ~p - 1;
        while (_starts[p + 1] <= index) p++; // skip empty parts that share a start
        return (p, index - _starts[p]);
    }

    /// <inheritdoc />
    public int ReadInput(int index, Span<float> destination)
    {
        var (p, i) = Locate(index);
        return _parts[p].ReadInput(i, destination);
    }

    /// <inheritdoc />
    public int ReadTokens(int index, Span<int> destination)
    {
        var (p, i) = Locate(index);
        return _parts[p].ReadTokens(i, destination);
    }

    /// <inheritdoc />
    public bool ReadLabel(int index, int task, Span<float> destination)
    {
        if ((uint)task >= (uint)_tasks.Length)
            throw new ArgumentOutOfRangeException(nameof(task), task, $"ConcatDataset: task {task} outside [0, {_tasks.Length})");
        var (p, i) = Locate(index);
        int s = _partTask[p][task];
        return s >= 0 && _parts[p].ReadLabel(i, s, destination);
    }

    private static int IndexOf(IReadOnlyList<TaskLabels> tasks, string name)
    {
        for (int i = 0; i < tasks.Count; i++) if (tasks[i].Name == name) return i;
        return -1;
    }
}
