// A view of some tasks of a multi-task model, so the trainer and evaluator can work on those tasks' data alone.
using Mtl.MultiTask.Architectures;
using Mtl.MultiTask.Tasks;

namespace Mtl.MultiTask.Transfer;

/// <summary>
/// The tasks <see cref="Tasks"/> of <see cref="Model"/>: the forward pass runs the whole model and returns those tasks'
/// outputs only. Its parameters are the model's (under the prefix <c>model.</c>), so training the view trains the model
/// — with the other tasks' parameters frozen, only what the chosen tasks need (see <see cref="TaskAddition"/>).
/// The model's auxiliary loss is passed on.
/// </summary>
public sealed class TaskSubset : MultiTaskModel
{
    private readonly TaskSpec[] _tasks;

    /// <summary>A view of <paramref name="model"/>'s tasks named <paramref name="taskNames"/> (in the model's order).</summary>
    public TaskSubset(MultiTaskModel model, IEnumerable<string> taskNames)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(taskNames);
        var names = taskNames.ToHashSet(StringComparer.Ordinal);
        foreach (var n in names)
            if (!model.Tasks.Any(t => t.Name == n))
                throw new ArgumentException($"TaskSubset: the model has no task '{n}' (tasks: {string.Join(", ", model.Tasks.Select(t => t.Name))})");
        if (names.Count == 0) throw new ArgumentException("TaskSubset: give at least one task");
        _tasks = model.Tasks.Where(t => names.Contains(t.Name)).ToArray();
        Model = RegisterModule("model", model);
    }

    /// <summary>The whole model.</summary>
    public MultiTaskModel Model { get; }

    public override IReadOnlyList<TaskSpec> Tasks => _tasks;

    public override IReadOnlyDictionary<string, Tensor> Forward(Tensor input)
    {
        var all = Model.Forward(input);
        var outputs = new Dictionary<string, Tensor>(_tasks.Length, StringComparer.Ordinal);
        foreach (var t in _tasks) outputs[t.Name] = all[t.Name];
        return outputs;
    }

    public override Tensor? AuxiliaryLoss() => Model.AuxiliaryLoss();
}
