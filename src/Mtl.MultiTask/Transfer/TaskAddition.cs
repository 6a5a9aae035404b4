// Adds tasks to a trained multi-task model: the same architecture with more tasks, the trained weights copied and frozen.
using Mtl.MultiTask.Architectures;
using Mtl.MultiTask.Tasks;
using Mtl.NN.Transfer;

namespace Mtl.MultiTask.Transfer;

/// <summary>
/// The result of <see cref="TaskAddition.Add"/>: the extended <see cref="Model"/> (old and new tasks), the view
/// <see cref="NewTasks"/> to train on the new tasks' data, and what was copied (<see cref="Report"/>) and left trainable
/// (<see cref="TrainableParameters"/>).
/// </summary>
public sealed record ExtendedModel(MultiTaskModel Model, TaskSubset NewTasks, TransferReport Report, IReadOnlyList<string> TrainableParameters);

/// <summary>
/// "Add a new task to a trained multi-task model and train only what it needs." The model is rebuilt with the old tasks
/// plus the new ones by the same builder (e.g. <c>ts =&gt; ArchitectureRegistry.Create("mmoe", new ArchitectureContext(ts,
/// trunk), options)</c>); every tensor of the trained model is copied under the same name and — by default — frozen,
/// so what stays trainable is exactly what the new tasks add: their heads (hard sharing), their gates and towers (MMoE,
/// CGC/PLE), their columns (cross-stitch) and so on. The old tasks' outputs are unchanged bit for bit. Train
/// <see cref="ExtendedModel.NewTasks"/> with the ordinary trainer on data labelled for the new tasks only.
/// </summary>
public static class TaskAddition
{
    /// <summary>Builds the extended model; see <see cref="TaskAddition"/>.</summary>
    /// <exception cref="ArgumentException">A new task's name is already a task of <paramref name="trained"/>, or the
    /// builder does not rebuild the trained model's tensors (a name missing or a shape different — the report lists them).</exception>
    public static ExtendedModel Add(MultiTaskModel trained, IReadOnlyList<TaskSpec> newTasks, Func<IReadOnlyList<TaskSpec>, MultiTaskModel> buildModel,
        bool freezeExisting = true)
    {
        ArgumentNullException.ThrowIfNull(trained);
        ArgumentNullException.ThrowIfNull(newTasks);
        ArgumentNullException.ThrowIfNull(buildModel);
        if (newTasks.Count == 0) throw new ArgumentException("TaskAddition: give at least one new task");
        foreach (var t in newTasks)
            if (trained.Tasks.Any(o => o.Name == t.Name))
                throw new ArgumentException($"TaskAddition: task '{t.Name}' is already a task of the trained model");
        var all = trained.Tasks.Concat(newTasks).ToArray();
        TaskSpec.Validate(all);
        var model = buildModel(all);
        if (!model.Tasks.Select(t => t.Name).SequenceEqual(all.Select(t => t.Name)))
            throw new ArgumentException($"TaskAddition: the builder made a model with tasks ({string.Join(", ", model.Tasks.Select(t => t.Name))}), expected ({string.Join(", ", all.Select(t => t.Name))})");

        var report = WeightTransfer.Preview(model, trained.StateDict());
        var unused = report.UnusedSources.Where(u => u.MappedTo is null).Select(u => u.Source).ToList();
        if (report.Mismatched.Count > 0 || unused.Count > 0)
            throw new ArgumentException("TaskAddition: the extended model does not contain the trained model's tensors — build it with the same architecture and trunk:" +
                string.Concat(report.Mismatched.Select(m => $"\n  {m.Target}: trained {m.SourceShape}, extended {m.TargetShape}")) +
                string.Concat(unused.Select(u => $"\n  {u}: not in the extended model")));
        report = WeightTransfer.Load(model, trained.StateDict(), strict: false);

        if (freezeExisting)
        {
            var copied = report.Loaded.Select(l => l.Target).ToHashSet(StringComparer.Ordinal);
            var toFreeze = model.NamedParameters().Select(p => p.Name).Where(copied.Contains).ToArray();
            if (toFreeze.Length > 0) model.FreezeMatching(toFreeze.Select(n => "re:" + System.Text.RegularExpressions.Regex.Escape(n)).ToArray());
        }
        var trainable = model.NamedParameters().Where(p => p.Parameter.RequiresGrad).Select(p => p.Name).ToList();
        return new ExtendedModel(model, new TaskSubset(model, newTasks.Select(t => t.Name)), report, trainable);
    }
}
