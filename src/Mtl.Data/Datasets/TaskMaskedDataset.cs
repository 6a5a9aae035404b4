// Presents a dataset under a wider task list: tasks the source lacks read as absent (mask 0) for every sample.
namespace Mtl.Data;

/// <summary>
/// Re-labels <see cref="Source"/> against a given task list: a task the source carries (same name and definition) reads
/// through, any other task is absent for every sample. Used to put single-task datasets side by side (multi-input MTL),
/// and to keep only some of a dataset's tasks.
/// </summary>
public sealed class TaskMaskedDataset : IMultiTaskDataset
{
    private readonly TaskLabels[] _tasks;
    private readonly int[] _sourceTask; // per task: index into the source's tasks, or -1

    /// <summary>
    /// Creates the view over task list <paramref name="tasks"/>; only source tasks whose names are in
    /// <paramref name="keep"/> (default: all) carry labels.
    /// </summary>
    public TaskMaskedDataset(IMultiTaskDataset source, IReadOnlyList<TaskLabels> tasks, IEnumerable<string>? keep = null)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(tasks);
        Source = source;
        _tasks = tasks.ToArray();
        var keepSet = keep?.ToHashSet(StringComparer.Ordinal);
        _sourceTask = new int[_tasks.Length];
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (int t = 0; t < _tasks.Length; t++)
        {
            if (!names.Add(_tasks[t].Name)) throw new ArgumentException($"TaskMaskedDataset: task name '{_tasks[t].Name}' appears twice", nameof(tasks));
            _sourceTask[t] = -1;
            for (int s = 0; s < source.Tasks.Count; s++)
            {
                var st = source.Tasks[s];
                if (st.Name != _tasks[t].Name) continue;
                if (!SameDefinition(st, _tasks[t]))
                    throw new ArgumentException($"TaskMaskedDataset: task '{st.Name}' is {Describe(st)} in the source but {Describe(_tasks[t])} in the task list", nameof(tasks));
                if (keepSet is null || keepSet.Contains(st.Name)) _sourceTask[t] = s;
            }
        }
        if (keepSet is not null)
        {
            foreach (var k in keepSet)
            {
                if (!source.Tasks.Any(t => t.Name == k))
                    throw new ArgumentException($"TaskMaskedDataset: the source has no task '{k}'; its tasks are: {string.Join(", ", source.Tasks.Select(t => t.Name))}", nameof(keep));
                if (!_tasks.Any(t => t.Name == k))
                    throw new ArgumentException($"TaskMaskedDataset: task '{k}' to keep is not in the task list", nameof(keep));
            }
        }
    }

    /// <summary>The wrapped dataset.</summary>
    public IMultiTaskDataset Source { get; }

    /// <inheritdoc />
    public int Count => Source.Count;

    /// <inheritdoc />
    public InputInfo Input => Source.Input;

    /// <inheritdoc />
    public IReadOnlyList<TaskLabels> Tasks => _tasks;

    /// <inheritdoc />
    public int ReadInput(int index, Span<float> destination) => Source.ReadInput(index, destination);

    /// <inheritdoc />
    public int ReadTokens(int index, Span<int> destination) => Source.ReadTokens(index, destination);

    /// <inheritdoc />
    public bool ReadLabel(int index, int task, Span<float> destination)
    {
        if ((uint)task >= (uint)_tasks.Length)
            throw new ArgumentOutOfRangeException(nameof(task), task, $"TaskMaskedDataset: task {task} outside [0, {_tasks.Length})");
        int s = _sourceTask[task];
        if (s < 0)
        {
            if ((uint)index >= (uint)Source.Count)
                throw new ArgumentOutOfRangeException(nameof(index), index, $"TaskMaskedDataset: sample {index} outside [0, {Source.Count})");
            return false;
        }
        return Source.ReadLabel(index, s, destination);
    }

    internal static bool SameDefinition(TaskLabels a, TaskLabels b) =>
        a.Kind == b.Kind && a.NumClasses == b.NumClasses && a.Width == b.Width;

    internal static string Describe(TaskLabels t) => t.Kind switch
    {
        LabelKind.ClassIndex => $"{t.NumClasses}-class",
        LabelKind.FloatVector => $"a {t.Width}-wide float vector",
        _ => $"{t.NumClasses}-class per position over {t.Width} positions",
    };
}
