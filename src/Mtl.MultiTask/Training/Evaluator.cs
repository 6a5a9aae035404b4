// Runs a model over evaluation data in no-grad eval mode and accumulates every task's streaming metrics.
using Mtl.MultiTask.Architectures;
using Mtl.MultiTask.Metrics;
using Mtl.Storage;

namespace Mtl.MultiTask.Training;

/// <summary>Evaluates a multi-task model's tasks on joint or per-task data.</summary>
public static class Evaluator
{
    /// <summary>
    /// Metrics of every task of <paramref name="model"/> (task → metric → value) over one pass of
    /// <paramref name="source"/>; per-task sources give each task's metrics from its own loader. The model's
    /// training mode is restored afterwards.
    /// </summary>
    public static EvaluationResult Run(MultiTaskModel model, TrainingSource source)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(source);
        source.Check(model.Tasks, "evaluation");
        bool wasTraining = model.Training;
        model.Eval();
        var metrics = model.Tasks.ToDictionary(t => t.Name, t => t.CreateMetrics(), StringComparer.Ordinal);
        try
        {
            using (GradMode.NoGrad())
            {
                if (source.Joint is { } joint) Accumulate(model, joint, model.Tasks.Select(t => t.Name).ToArray(), metrics);
                else foreach (var (task, loader) in source.PerTask!) Accumulate(model, loader, [task], metrics);
            }
        }
        finally { model.Train(wasTraining); }
        return new EvaluationResult(metrics.ToDictionary(
            kv => kv.Key,
            kv => (IReadOnlyDictionary<string, double>)kv.Value.ToDictionary(m => m.Name, m => m.Compute()),
            StringComparer.Ordinal));
    }

    private static void Accumulate(MultiTaskModel model, Data.DataLoader loader, string[] tasks, Dictionary<string, IReadOnlyList<IMetric>> metrics)
    {
        foreach (var batch in loader.Epoch(0))
        {
            using var scope = TensorScope.Begin();
            var outputs = model.Forward(batch.Input);
            foreach (var t in tasks)
            {
                if (!batch.Targets.TryGetValue(t, out var target))
                    throw new ArgumentException($"task '{t}': the evaluation batch has no targets for it (batch tasks: {string.Join(", ", batch.Targets.Keys)})");
                foreach (var m in metrics[t]) m.Update(outputs[t], target, batch.Masks[t]);
            }
        }
    }
}
