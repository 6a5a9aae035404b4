// One scalar label (class index or float) per sample and task with presence flags: the label store of tabular and text data.
namespace Mtl.Data;

/// <summary>
/// Labels laid out (N, T): one float per sample and task (a class index or a regression value) plus a presence flag,
/// read through <see cref="IMultiTaskDataset.ReadLabel"/>'s contract. <paramref name="owner"/> names the dataset in errors.
/// </summary>
internal sealed class ScalarLabelTable(string owner, float[] labels, bool[] present, int taskCount)
{
    /// <summary>Writes the label into destination[0]; false when the sample has no label for the task.</summary>
    public bool Read(int index, int task, Span<float> destination)
    {
        if ((uint)task >= (uint)taskCount)
            throw new ArgumentOutOfRangeException(nameof(task), $"{owner}: task {task} out of range [0, {taskCount})");
        if (destination.Length < 1) throw new ArgumentException($"{owner}: label destination is empty; expected room for 1 value");
        int k = index * taskCount + task;
        if (!present[k]) return false;
        destination[0] = labels[k];
        return true;
    }
}
