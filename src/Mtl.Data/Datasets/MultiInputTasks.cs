// Multi-input MTL: one dataset per task (e.g. sentiment on one corpus, topic on another), each masking the others.
namespace Mtl.Data;

/// <summary>
/// A set of per-task datasets keyed by task name, for multi-input multi-task learning. Dataset <c>d</c> registered under
/// task <c>t</c> contributes only its labels for <c>t</c> (it must carry a task named <c>t</c>; other tasks it carries are
/// ignored). Every view presents all tasks (<see cref="Tasks"/>, in key order), so batches from task <c>t</c>'s dataset
/// have mask 0 for every other task. Inputs must share a layout so the views can also be mixed (<see cref="Mixed"/>).
/// </summary>
public sealed class MultiInputTasks
{
    private readonly Dictionary<string, TaskMaskedDataset> _views = new(StringComparer.Ordinal);
    private readonly List<string> _order = [];

    /// <summary>Registers (task, dataset) pairs in the given order.</summary>
    /// <example><c>new MultiInputTasks(("sentiment", imdb), ("topic", agNews))</c></example>
    public MultiInputTasks(params (string Task, IMultiTaskDataset Dataset)[] perTask)
        : this(perTask.Select(p => new KeyValuePair<string, IMultiTaskDataset>(p.Task, p.Dataset))) { }

    /// <summary>Registers the datasets, in the dictionary's enumeration order (use a list of pairs to fix it).</summary>
    public MultiInputTasks(IEnumerable<KeyValuePair<string, IMultiTaskDataset>> perTask)
    {
        ArgumentNullException.ThrowIfNull(perTask);
        var pairs = perTask.ToList();
        if (pairs.Count == 0) throw new ArgumentException("MultiInputTasks: needs at least one task", nameof(perTask));
        var tasks = new List<TaskLabels>();
        InputInfo? input = null;
        foreach (var (name, ds) in pairs)
        {
            ArgumentNullException.ThrowIfNull(ds, name);
            var t = ds.Tasks.FirstOrDefault(x => x.Name == name)
                ?? throw new ArgumentException($"MultiInputTasks: the dataset for task '{name}' has no task of that name; it has: {string.Join(", ", ds.Tasks.Select(x => x.Name))}", nameof(perTask));
            if (tasks.Any(x => x.Name == name)) throw new ArgumentException($"MultiInputTasks: task '{name}' is registered twice", nameof(perTask));
            if (input is not null && (input.DType != ds.Input.DType || input.VariableLength != ds.Input.VariableLength || !input.Shape.AsSpan().SequenceEqual(ds.Input.Shape)))
                throw new ArgumentException($"MultiInputTasks: task '{name}' has input {ds.Input.DType} {InMemoryDataset.Fmt(ds.Input.Shape)}, task '{tasks[0].Name}' has {input.DType} {InMemoryDataset.Fmt(input.Shape)}", nameof(perTask));
            input ??= ds.Input;
            tasks.Add(t);
            _order.Add(name);
        }
        Tasks = tasks;
        foreach (var (name, ds) in pairs) _views[name] = new TaskMaskedDataset(ds, tasks, [name]);
    }

    /// <summary>All tasks, one per registered dataset.</summary>
    public IReadOnlyList<TaskLabels> Tasks { get; }

    /// <summary>Task names in registration order.</summary>
    public IReadOnlyList<string> TaskNames => _order;

    /// <summary>Task <paramref name="task"/>'s dataset over all <see cref="Tasks"/>: labels for that task only.</summary>
    public IMultiTaskDataset For(string task) => _views.TryGetValue(task, out var v) ? v
        : throw new KeyNotFoundException($"MultiInputTasks: no task '{task}'; tasks are: {string.Join(", ", _order)}");

    /// <summary>All datasets concatenated (registration order), so one loader can mix tasks within a batch.</summary>
    public ConcatDataset Mixed() => new(_order.Select(n => (IMultiTaskDataset)_views[n]).ToArray());

    /// <summary>One loader per task, all with the same options.</summary>
    public IReadOnlyDictionary<string, DataLoader> Loaders(DataLoaderOptions options) =>
        _order.ToDictionary(n => n, n => new DataLoader(_views[n], options), StringComparer.Ordinal);
}
