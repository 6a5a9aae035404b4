// Which tasks a batch trains: the model's tasks whose targets it carries (its position in the step does not matter).
using Mtl.Data;
using Mtl.MultiTask.Tasks;

namespace Mtl.MultiTask.Training;

/// <summary>
/// Maps a batch to its tasks by its targets: the model tasks the batch holds targets for. A joint batch holds all of
/// them; a batch of a <see cref="MultiInputTasks"/> loader holds every task's targets but labels (mask 1) only its own,
/// and <see cref="TaskLosses"/> leaves out tasks without a labelled sample — so a step of 1..K per-task batches, in any
/// order, gives each task the loss of its own batch.
/// </summary>
internal static class BatchTasks
{
    /// <summary>The tasks of <paramref name="tasks"/> that <paramref name="batch"/> has targets for (the list itself when all).</summary>
    public static IReadOnlyList<TaskSpec> Of(IReadOnlyList<TaskSpec> tasks, MultiTaskBatch batch)
    {
        int present = 0;
        foreach (var t in tasks) if (batch.Targets.ContainsKey(t.Name)) present++;
        if (present == tasks.Count) return tasks;
        var list = new List<TaskSpec>(present);
        foreach (var t in tasks) if (batch.Targets.ContainsKey(t.Name)) list.Add(t);
        return list;
    }
}
