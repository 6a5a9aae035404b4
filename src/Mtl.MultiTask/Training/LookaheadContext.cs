// What a look-ahead strategy is given before a training step: the model, the step's batches, a validation batch, the lr.
using Mtl.Data;
using Mtl.MultiTask.Architectures;

namespace Mtl.MultiTask.Training;

/// <summary>
/// The view of one training step that an <see cref="Balancing.ILookaheadStrategy"/> gets: the model (in training mode),
/// the step's training batches, the validation batches the trainer drew for it (cycling through the validation data
/// passed to <c>Fit</c>), and the optimiser's current learning rate. Batches are either one joint batch holding every
/// task's labels or one batch per task in task order, as in the trainer. <see cref="Losses"/> computes per-task loss
/// tensors exactly as a training step does (masks, loss functions, divergence checks).
/// </summary>
public sealed class LookaheadContext
{
    /// <summary>A context for <paramref name="model"/> (the trainer builds one per step; tests and studies may too).</summary>
    public LookaheadContext(MultiTaskModel model, IReadOnlyList<MultiTaskBatch> training, IReadOnlyList<MultiTaskBatch> validation,
        double learningRate, long step = 1, int epoch = 0)
    {
        Model = model ?? throw new ArgumentNullException(nameof(model));
        TrainingBatches = Check(training, nameof(training));
        ValidationBatches = Check(validation, nameof(validation));
        if (!double.IsFinite(learningRate) || learningRate < 0)
            throw new ArgumentException($"LookaheadContext: the learning rate must be finite and ≥ 0, got {learningRate}");
        LearningRate = learningRate;
        Step = step;
        Epoch = epoch;
    }

    /// <summary>The model being trained.</summary>
    public MultiTaskModel Model { get; }

    /// <summary>This step's training batches (one joint batch, or one per task in task order).</summary>
    public IReadOnlyList<MultiTaskBatch> TrainingBatches { get; }

    /// <summary>The validation batches drawn for this step (same layout as the training batches of the validation source).</summary>
    public IReadOnlyList<MultiTaskBatch> ValidationBatches { get; }

    /// <summary>The optimiser's current learning rate (its first parameter group's).</summary>
    public double LearningRate { get; }

    /// <summary>The step about to be taken (1-based).</summary>
    public long Step { get; }

    /// <summary>The current epoch (0-based).</summary>
    public int Epoch { get; }

    /// <summary>
    /// Runs the model on <paramref name="batches"/> (one forward per batch) and returns each task's loss, in
    /// <see cref="MultiTaskModel.Tasks"/> order, null where the batches hold no label for the task. Differentiable
    /// unless called under <see cref="GradMode.NoGrad"/>; the architecture's auxiliary loss is not included.
    /// </summary>
    public Tensor?[] Losses(IReadOnlyList<MultiTaskBatch> batches)
    {
        ArgumentNullException.ThrowIfNull(batches);
        var tasks = Model.Tasks;
        if (batches.Count != 1 && batches.Count != tasks.Count)
            throw new ArgumentException($"LookaheadContext: {batches.Count} batches for {tasks.Count} tasks (give one joint batch or one per task)");
        var losses = new Tensor?[tasks.Count];
        for (int b = 0; b < batches.Count; b++)
        {
            var outputs = Model.Forward(batches[b].Input);
            var batchTasks = batches.Count == 1 ? tasks : [tasks[b]];
            var computed = TaskLosses.Compute(batchTasks, outputs, batches[b], Step);
            for (int t = 0; t < tasks.Count; t++)
                if (computed.TryGetValue(tasks[t].Name, out var l)) losses[t] = l;
        }
        return losses;
    }

    private static IReadOnlyList<MultiTaskBatch> Check(IReadOnlyList<MultiTaskBatch> batches, string name)
    {
        ArgumentNullException.ThrowIfNull(batches, name);
        if (batches.Count == 0) throw new ArgumentException($"LookaheadContext: no {name} batches given");
        return batches;
    }
}
