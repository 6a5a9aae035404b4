// Convenience methods on any multi-task dataset: subsets, task lookup, reading class labels.
namespace Mtl.Data;

/// <summary>Helpers shared by every <see cref="IMultiTaskDataset"/>.</summary>
public static class DatasetExtensions
{
    /// <summary>A view of samples <paramref name="indices"/> (no copy).</summary>
    public static SubsetDataset Subset(this IMultiTaskDataset dataset, ReadOnlySpan<int> indices) => new(dataset, indices);

    /// <summary>Position of the task named <paramref name="name"/>.</summary>
    /// <exception cref="KeyNotFoundException">No such task; the message lists the tasks.</exception>
    public static int TaskIndex(this IMultiTaskDataset dataset, string name)
    {
        var tasks = dataset.Tasks;
        for (int t = 0; t < tasks.Count; t++) if (tasks[t].Name == name) return t;
        throw new KeyNotFoundException($"dataset has no task '{name}'; tasks are: {string.Join(", ", tasks.Select(x => x.Name))}");
    }

    /// <summary>
    /// The class index of every sample for a <see cref="LabelKind.ClassIndex"/> task, with -1 where the label is absent.
    /// </summary>
    public static int[] ClassLabels(this IMultiTaskDataset dataset, string task)
    {
        int t = dataset.TaskIndex(task);
        var info = dataset.Tasks[t];
        if (info.Kind != LabelKind.ClassIndex)
            throw new ArgumentException($"task '{task}' holds {info.Kind} labels, not class indices", nameof(task));
        var result = new int[dataset.Count];
        Span<float> v = stackalloc float[1];
        for (int i = 0; i < result.Length; i++) result[i] = dataset.ReadLabel(i, t, v) ? (int)v[0] : -1;
        return result;
    }

    /// <summary>
    /// Every sample's float input, concatenated (Count × SampleSize); the array itself for an in-memory dataset (do not
    /// modify it), a new one otherwise.
    /// </summary>
    public static float[] AllInputs(this IMultiTaskDataset dataset)
    {
        if (dataset is InMemoryDataset { InputArray: { } a }) return a;
        if (dataset.Input.DType != DType.Float32)
            throw new ArgumentException($"AllInputs: the dataset's inputs are {dataset.Input.DType}, not Float32");
        int size = dataset.Input.SampleSize();
        var r = new float[(long)dataset.Count * size];
        for (int i = 0; i < dataset.Count; i++) dataset.ReadInput(i, r.AsSpan(i * size, size));
        return r;
    }

    /// <summary>Values per sample input: prod of <see cref="InputInfo.Shape"/>.</summary>
    public static int SampleSize(this InputInfo input)
    {
        long n = 1;
        foreach (int d in input.Shape) n *= d;
        return checked((int)n);
    }
}
