// The trainer's side of task affinity: measuring the look-ahead affinity matrix every N steps during training.
using Mtl.Data;
using Mtl.MultiTask.Diagnostics;

namespace Mtl.MultiTask.Training;

public sealed partial class MultiTaskTrainer
{
    /// <summary>The checkpoint component holding the task-affinity accumulators (when <see cref="TrainerOptions.AffinityEvery"/> is set).</summary>
    public const string AffinityComponent = "affinity";

    private TaskAffinity? _affinity;

    /// <summary>
    /// The running mean of the inter-task affinity Z_{i→j} over the steps measured so far (every
    /// <see cref="TrainerOptions.AffinityEvery"/>-th step, including those before a resume); null when it is off or
    /// before the first measurement. Also written to each epoch record of the metrics log as <c>"affinity"</c>.
    /// Feed it to <see cref="TaskGrouping.Suggest(AffinityMatrix, int)"/> for a grouping of the tasks.
    /// </summary>
    public AffinityMatrix? Affinity => _affinity is { Measurements: > 0 } a ? a.Matrix : null;

    /// <summary>Called after each affinity measurement with the step (1-based, the step about to be taken) and that step's matrix.</summary>
    public event Action<long, AffinityMatrix>? AffinityMeasured;

    private TaskAffinity AffinityTracker() => _affinity ??= new TaskAffinity(Model);

    // Measures on the batches of the step about to be taken, with the current learning rate, before the update; the
    // model's parameters, buffers and the default generator are left exactly as they were, so training is unchanged.
    private void MeasureAffinity(IReadOnlyList<MultiTaskBatch> batches)
    {
        double lr = Optimizer.ParamGroups.Count > 0 ? Optimizer.ParamGroups[0].Lr : 0;
        AffinityMatrix step;
        try { step = AffinityTracker().Measure(batches, lr); }
        catch (LossDivergedException e) { throw Diverged(e.Task, Step + 1, e.Value); }
        AffinityMeasured?.Invoke(Step + 1, step);
    }
}
