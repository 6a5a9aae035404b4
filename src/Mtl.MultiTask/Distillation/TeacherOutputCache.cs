// The teachers' outputs over one training dataset, computed once and looked up by sample index.
using Mtl.Data;
using Mtl.MultiTask.Architectures;
using Mtl.MultiTask.Training;

namespace Mtl.MultiTask.Distillation;

/// <summary>
/// Per task, one row of teacher outputs per sample of a dataset (row i = the teacher's output for sample i), filled by
/// one no-grad, eval-mode pass of each teacher over the dataset in order.
/// </summary>
internal sealed class TeacherOutputCache
{
    private readonly Dictionary<string, float[]> _rows = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int[]> _shapes = new(StringComparer.Ordinal);   // per-sample output shape
    private float[] _scratch = [];   // one batch's rows, reused

    private TeacherOutputCache(IMultiTaskDataset dataset) => Dataset = dataset;

    /// <summary>The dataset whose samples the rows belong to.</summary>
    public IMultiTaskDataset Dataset { get; }

    /// <summary>Whether outputs of <paramref name="task"/> are held.</summary>
    public bool Has(string task) => _rows.ContainsKey(task);

    /// <summary>Runs every teacher of <paramref name="tasksByTeacher"/> over <paramref name="dataset"/> once (eval mode).</summary>
    public static TeacherOutputCache Build(IMultiTaskDataset dataset, IReadOnlyList<(MultiTaskModel Teacher, string[] Tasks)> tasksByTeacher, int batchSize)
    {
        var cache = new TeacherOutputCache(dataset);
        foreach (var (teacher, tasks) in tasksByTeacher)
        {
            if (tasks.Length == 0) continue;
            SampleRows[] collected = [];
            TeacherRun.InEvalMode(teacher, () => collected = SampleRows.Collect(dataset, batchSize,
                tasks.Select(t => $"distillation: the teacher of task '{t}'").ToArray(),
                x => { var outputs = teacher.Forward(x); return tasks.Select(t => outputs[t]).ToArray(); }));
            for (int k = 0; k < tasks.Length; k++)
            {
                cache._rows[tasks[k]] = collected[k].Rows;
                cache._shapes[tasks[k]] = collected[k].Shape;
            }
        }
        return cache;
    }

    /// <summary>The cached outputs of <paramref name="task"/> for the samples <paramref name="indices"/>: (B, ...).</summary>
    public Tensor Lookup(string task, int[] indices)
    {
        var rows = _rows[task];
        var shape = _shapes[task];
        int width = shape.Aggregate(1, (a, b) => a * b);
        int need = indices.Length * width;
        if (_scratch.Length < need) _scratch = new float[need];
        var span = _scratch.AsSpan(0, need);
        for (int b = 0; b < indices.Length; b++)
        {
            int i = indices[b];
            if ((uint)i >= (uint)Dataset.Count)
                throw new ArgumentException($"distillation: batch sample index {i} is outside the training dataset's {Dataset.Count} samples the teacher outputs were cached for");
            rows.AsSpan((int)((long)i * width), width).CopyTo(span.Slice(b * width, width));
        }
        return Tensor.Empty([indices.Length, .. shape], DType.Float32).CopyFrom<float>(span);
    }
}
