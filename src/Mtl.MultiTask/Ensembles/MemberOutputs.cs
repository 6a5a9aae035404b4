// Runs every member once over validation data (no grad, eval mode) and keeps each task's labelled outputs for weight fitting.
using Mtl.MultiTask.Architectures;
using Mtl.MultiTask.Tasks;
using Mtl.MultiTask.Training;
using Mtl.Storage;

namespace Mtl.MultiTask.Ensembles;

/// <summary>
/// One task's validation samples as the weight fitters see them: for each labelled row n and member m,
/// <see cref="Values"/>[m][n·Width + k] — log-probabilities over the classes (classification, sequence labelling: one
/// row per labelled position), the logit (multi-label: one row per label) or the predicted value (regression: one row
/// per value); <see cref="Targets"/>[n] the class index, the 0/1 label or the target value.
/// </summary>
internal sealed record TaskSamples(TaskSpec Task, int Width, double[][] Values, double[] Targets)
{
    /// <summary>Labelled rows.</summary>
    public int Count => Targets.Length;
}

/// <summary>Collects <see cref="TaskSamples"/> of every task of an ensemble.</summary>
internal static class MemberOutputs
{
    /// <summary>One pass over <paramref name="source"/> (each task's own loader for per-task sources), members in eval mode under no-grad.</summary>
    public static Dictionary<string, TaskSamples> Collect(IReadOnlyList<MultiTaskModel> members, IReadOnlyList<TaskSpec> tasks, TrainingSource source)
    {
        source.Check(tasks, "ensemble validation");
        var values = tasks.ToDictionary(t => t.Name, _ => members.Select(_ => new List<double>()).ToArray(), StringComparer.Ordinal);
        var targets = tasks.ToDictionary(t => t.Name, _ => new List<double>(), StringComparer.Ordinal);
        var byName = tasks.ToDictionary(t => t.Name, StringComparer.Ordinal);
        var modes = members.Select(m => m.Training).ToArray();
        foreach (var m in members) m.Eval();
        try
        {
            using (GradMode.NoGrad())
            {
                IEnumerable<(Data.DataLoader Loader, string[] Tasks)> passes = source.Joint is { } joint
                    ? [(joint, tasks.Select(t => t.Name).ToArray())]
                    : source.PerTask!.Select(kv => (kv.Value, new[] { kv.Key }));
                foreach (var (loader, names) in passes)
                    foreach (var batch in loader.Epoch(0))
                    {
                        using var scope = TensorScope.Begin();
                        var outputs = members.Select(m => m.Forward(batch.Input)).ToArray();
                        foreach (var name in names)
                        {
                            if (!batch.Targets.TryGetValue(name, out var target))
                                throw new ArgumentException($"task '{name}': the validation batch has no targets for it (batch tasks: {string.Join(", ", batch.Targets.Keys)})");
                            Add(byName[name], outputs.Select(o => o[name]).ToArray(), target, batch.Masks[name], values[name], targets[name]);
                        }
                    }
            }
        }
        finally
        {
            for (int i = 0; i < members.Count; i++) members[i].Train(modes[i]);
        }
        return tasks.ToDictionary(t => t.Name, t => new TaskSamples(t, Width(t), values[t.Name].Select(v => v.ToArray()).ToArray(), targets[t.Name].ToArray()),
            StringComparer.Ordinal);
    }

    private static int Width(TaskSpec t) => t.Kind is TaskKind.Classification or TaskKind.SequenceLabeling ? t.OutputSize : 1;

    // Appends one batch: masked-out samples and negative (ignored) class targets are skipped.
    private static void Add(TaskSpec task, Tensor[] outputs, Tensor target, Tensor? mask, List<double>[] values, List<double> targets)
    {
        var shape = outputs[0].Shape.ToArray();
        for (int m = 1; m < outputs.Length; m++)
            if (!outputs[m].Shape.SequenceEqual(shape))
                throw new ArgumentException($"task '{task.Name}': member {m} outputs {outputs[m].ShapeString}, member 0 {outputs[0].ShapeString}");
        var data = outputs.Select(o => o.Detach().ToDoubleArray()).ToArray();
        var t = target.ToDoubleArray();
        int b = shape[0];
        var keep = mask?.ToDoubleArray();
        if (task.Kind is TaskKind.Classification or TaskKind.SequenceLabeling)
        {
            int c = shape[1], s = 1;
            for (int i = 2; i < shape.Length; i++) s *= shape[i];
            if (t.Length != b * s) throw new ArgumentException($"task '{task.Name}': targets {target.ShapeString} do not match outputs {outputs[0].ShapeString}");
            var row = new double[c];
            for (int i = 0; i < b; i++)
            {
                if (keep is not null && keep[i] == 0) continue;
                for (int j = 0; j < s; j++)
                {
                    double y = t[i * s + j];
                    if (y < 0) continue;
                    for (int m = 0; m < outputs.Length; m++)
                    {
                        for (int k = 0; k < c; k++) row[k] = data[m][(i * c + k) * s + j];
                        values[m].AddRange(OutputMixer.LogSoftmax(row));
                    }
                    targets.Add(y);
                }
            }
            return;
        }
        if (t.Length != data[0].Length) throw new ArgumentException($"task '{task.Name}': targets {target.ShapeString} do not match outputs {outputs[0].ShapeString}");
        int w = b == 0 ? 1 : t.Length / b;
        for (int i = 0; i < b; i++)
        {
            if (keep is not null && keep[i] == 0) continue;
            for (int j = i * w; j < (i + 1) * w; j++)
            {
                for (int m = 0; m < outputs.Length; m++) values[m].Add(data[m][j]);
                targets.Add(t[j]);
            }
        }
    }
}
