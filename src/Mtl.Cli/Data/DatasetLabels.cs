// Reads a split's labels per task: which samples carry them, class counts and value statistics, and label text.
using System.Globalization;
using Mtl.Data;

namespace Mtl.Cli.Data;

/// <summary>Label statistics of one task over one split (class counts, or mean/min/max of regression values).</summary>
/// <param name="Labelled">Samples carrying this task's label.</param>
/// <param name="ClassCounts">Per class, for class tasks (null otherwise).</param>
/// <param name="Mean">Mean of all label values (regression), NaN when none.</param>
/// <param name="Min">Smallest label value (regression).</param>
/// <param name="Max">Largest label value (regression).</param>
internal sealed record LabelStats(int Labelled, long[]? ClassCounts, double Mean, double Min, double Max);

/// <summary>Helpers over the labels of a <see cref="SplitData"/>, for <c>mtl data show</c> and <c>mtl data preview</c>.</summary>
internal static class DatasetLabels
{
    /// <summary>The dataset holding task <paramref name="task"/>'s samples in <paramref name="split"/>, and the task's index in it.</summary>
    public static (IMultiTaskDataset Data, int Task) For(SplitData split, string task)
    {
        var data = split.Joint ?? split.PerTask!.For(task);
        int index = data.Tasks.Select(t => t.Name).ToList().IndexOf(task);
        return (data, index);
    }

    /// <summary>Counts task <paramref name="task"/>'s labels in <paramref name="split"/>.</summary>
    public static LabelStats Stats(SplitData split, TaskLabels task)
    {
        var (data, t) = For(split, task.Name);
        var classCounts = task.Kind == LabelKind.FloatVector ? null : new long[task.NumClasses];
        int width = task.Kind == LabelKind.ClassPerPosition ? data.Input.Shape[0] : task.Kind == LabelKind.FloatVector ? task.Width : 1;
        var value = new float[width];
        int labelled = 0;
        double sum = 0, min = double.PositiveInfinity, max = double.NegativeInfinity;
        long values = 0;
        for (int i = 0; i < data.Count; i++)
        {
            if (!data.ReadLabel(i, t, value)) continue;
            labelled++;
            if (classCounts is not null)
            {
                foreach (var v in value)
                    if ((uint)(int)v < (uint)classCounts.Length) classCounts[(int)v]++;
                continue;
            }
            foreach (var v in value)
            {
                sum += v;
                min = Math.Min(min, v);
                max = Math.Max(max, v);
                values++;
            }
        }
        return new LabelStats(labelled, classCounts, values == 0 ? double.NaN : sum / values, min, max);
    }

    /// <summary>Sample <paramref name="index"/>'s label for <paramref name="task"/> as text ("-" when it has none).</summary>
    public static string Text(IMultiTaskDataset data, int index, int task)
    {
        var info = data.Tasks[task];
        var value = new float[info.Kind == LabelKind.FloatVector ? info.Width : info.Kind == LabelKind.ClassPerPosition ? data.Input.Shape[0] : 1];
        if (!data.ReadLabel(index, task, value)) return "-";
        if (info.Kind == LabelKind.FloatVector) return string.Join(", ", value.Select(v => v.ToString("0.###", CultureInfo.InvariantCulture)));
        if (info.Kind == LabelKind.ClassPerPosition) return string.Join(" ", value.Select(v => ClassName(info, (int)v)));
        return ClassName(info, (int)value[0]);
    }

    /// <summary>The name of class <paramref name="c"/> (its index when the task has no names).</summary>
    public static string ClassName(TaskLabels task, int c) =>
        task.ClassNames is { } names && (uint)c < (uint)names.Count ? names[c] : c.ToString(CultureInfo.InvariantCulture);
}
