// Per-task losses of one batch: only labelled samples count (the task mask), weighted by the task's static λ.
using Mtl.Data;
using Mtl.MultiTask.Tasks;

namespace Mtl.MultiTask.Training;

/// <summary>Computes each task's loss on the samples that carry its label, failing clearly on NaN/Inf.</summary>
internal static class TaskLosses
{
    /// <summary>
    /// Loss per task (tasks with no labelled sample in the batch are left out). Rows whose mask is 0 are removed before
    /// the loss, so any loss works with partially labelled batches. With a <paramref name="distiller"/>, a task that has a
    /// teacher gets the distilled loss (α·soft + (1 − α)·hard) on the same rows.
    /// </summary>
    public static Dictionary<string, Tensor> Compute(IReadOnlyList<TaskSpec> tasks, IReadOnlyDictionary<string, Tensor> outputs,
        MultiTaskBatch batch, long step, Distillation.Distiller? distiller = null)
    {
        var losses = new Dictionary<string, Tensor>(tasks.Count, StringComparer.Ordinal);
        foreach (var t in tasks)
        {
            if (!batch.Targets.TryGetValue(t.Name, out var target))
                throw new ArgumentException($"task '{t.Name}': the batch has no targets for it (batch tasks: {string.Join(", ", batch.Targets.Keys)})");
            if (!outputs.TryGetValue(t.Name, out var prediction))
                throw new ArgumentException($"task '{t.Name}': the model produced no output for it (outputs: {string.Join(", ", outputs.Keys)})");
            if (prediction.Rank < 2 || prediction.Shape[^1] != t.OutputSize || prediction.Shape[0] != batch.Size)
                throw new ArgumentException($"task '{t.Name}': the model's output {prediction.ShapeString} does not fit the task's {t.OutputSize} outputs for a batch of {batch.Size} (expected ({batch.Size}, …, {t.OutputSize}))");
            var mask = batch.Masks[t.Name].ToArray<float>();
            int labelled = mask.Count(m => m != 0);
            if (labelled == 0) continue;
            Tensor? rows = null;
            if (labelled < mask.Length)
            {
                rows = Tensor.From(Enumerable.Range(0, mask.Length).Where(i => mask[i] != 0).ToArray());
                prediction = prediction.IndexSelect(0, rows);
                target = target.IndexSelect(0, rows);
            }
            if (t.Kind == TaskKind.Regression && target.Rank == prediction.Rank - 1) target = target.Unsqueeze(-1);
            var loss = t.ResolveLoss().Compute(prediction, target);
            if (distiller is not null && distiller.Distils(t.Name))
            {
                var teacher = distiller.TeacherOutputs(t.Name, batch);   // (B, C), no gradient
                if (rows is not null) teacher = teacher.IndexSelect(0, rows);
                loss = distiller.Mix(t, loss, prediction, teacher);
            }
            double value = loss.Item();
            if (!double.IsFinite(value))
                throw new LossDivergedException(t.Name, step, value);
            losses[t.Name] = loss;
        }
        return losses;
    }
}

/// <summary>
/// A task's loss became NaN or infinite. The message names the task and the step, and the checkpoint left untouched
/// (the last good one) when checkpointing was on.
/// </summary>
public sealed class LossDivergedException(string task, long step, double value, string? keptCheckpoint = null)
    : Exception($"task '{task}': loss diverged to {value} at step {step}" + (keptCheckpoint is null
        ? "; no checkpoint was being written"
        : $"; the last good checkpoint is kept: {keptCheckpoint}"))
{
    public string Task { get; } = task;
    public long Step { get; } = step;
    public double Value { get; } = value;

    /// <summary>The last good checkpoint (unchanged), or null when none was written.</summary>
    public string? KeptCheckpoint { get; } = keptCheckpoint;
}
