// The default schedule: every task takes a batch at every step.
namespace Mtl.MultiTask.Scheduling;

/// <summary>Options of <see cref="AllTasksScheduler"/> (none).</summary>
public sealed record AllTasksOptions;

/// <summary>
/// <c>all</c>: every task takes one batch at every step (the multi-input default). An epoch lasts as many steps as the
/// longest loader has batches; shorter loaders start over, with a new shuffle, when they run out. Stateless.
/// </summary>
public sealed class AllTasksScheduler() : TaskScheduler("all")
{
    /// <summary>max over tasks of batchesₖ.</summary>
    public override int StepsPerEpoch(IReadOnlyList<int> batchesPerTask)
    {
        ArgumentNullException.ThrowIfNull(batchesPerTask);
        return batchesPerTask.Count == 0 ? 0 : batchesPerTask.Max();
    }

    /// <inheritdoc/>
    protected override EpochPlan CreatePlan(int epoch, int steps) => EpochPlan.EveryTask(steps, TaskCount);
}
