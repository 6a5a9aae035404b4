// Options of the multi-task trainer: budget, model selection and early stopping, checkpoints and the metrics log.
namespace Mtl.MultiTask.Training;

/// <summary>Options of <see cref="MultiTaskTrainer"/>.</summary>
public sealed record TrainerOptions
{
    /// <summary>Passes over the training data.</summary>
    public int Epochs { get; init; } = 10;

    /// <summary>Stop after this many optimisation steps in all (null = no limit; the epoch budget still applies).</summary>
    public long? MaxSteps { get; init; }

    /// <summary>
    /// Early stopping: stop when the validation score (<see cref="ModelSelection"/>) has not improved by more than
    /// <see cref="MinDelta"/> for this many epochs (null = never stop early). Needs validation data.
    /// </summary>
    public int? Patience { get; init; }

    /// <summary>The improvement of the score (in Δm percentage points) that counts for early stopping and best-model keeping.</summary>
    public double MinDelta { get; init; }

    /// <summary>
    /// Keep the weights of the epoch with the best validation score and load them back when training ends (default
    /// true; needs validation data). The best weights are also written to <c>best.safetensors</c> when checkpointing.
    /// </summary>
    public bool RestoreBest { get; init; } = true;

    /// <summary>
    /// Reference per-task metric values for the score (task → metric → value, e.g. single-task baselines); the score is
    /// then Δm against them. Without it the score is Δm against the first validation epoch, which ranks epochs the same
    /// way for a given run.
    /// </summary>
    public IReadOnlyDictionary<string, IReadOnlyDictionary<string, double>>? ReferenceMetrics { get; init; }

    /// <summary>
    /// Folder for checkpoints: <c>last.safetensors</c> (written atomically at the end of every
    /// <see cref="CheckpointEvery"/>-th epoch and on cancellation) and <c>best.safetensors</c>. Null = no checkpoints.
    /// </summary>
    public string? CheckpointDirectory { get; init; }

    /// <summary>Write <c>last.safetensors</c> every this many epochs.</summary>
    public int CheckpointEvery { get; init; } = 1;

    /// <summary>A JSON-lines file to append one record per step and per epoch to (null = none).</summary>
    public string? MetricsLogPath { get; init; }

    /// <summary>
    /// What gradient-level strategies' task gradients are taken with respect to: the shared parameters (default) or
    /// the shared representation (needs a model implementing <see cref="Balancing.ISharedRepresentation"/>, joint
    /// batches, and a strategy that supports it).
    /// </summary>
    public Balancing.GradientSpace GradientSpace { get; init; } = Balancing.GradientSpace.SharedParameters;

    /// <summary>
    /// Measure the look-ahead task affinity (<see cref="Diagnostics.TaskAffinity"/>, Fifty et al. 2021) on every N-th
    /// step's batches (steps 1, N + 1, 2N + 1, …) with the current learning rate; the running K×K mean is
    /// <see cref="MultiTaskTrainer.Affinity"/> and the <c>"affinity"</c> field of each epoch record in the metrics log.
    /// Measuring leaves training unchanged bit for bit; it costs about K + 1 forward and K backward passes per
    /// measured step. Null = off.
    /// </summary>
    public int? AffinityEvery { get; init; }

    /// <summary>
    /// Distil teachers into the model being trained (<see cref="Distillation.Distiller"/>): each task with a teacher
    /// trains on α·soft + (1 − α)·hard loss. Null = plain hard-label training.
    /// </summary>
    public Distillation.Distiller? Distillation { get; init; }

    internal void Validate()
    {
        if (Epochs < 0) throw new ArgumentOutOfRangeException(nameof(Epochs), Epochs, "TrainerOptions: Epochs must be 0 or more");
        if (MaxSteps is < 0) throw new ArgumentOutOfRangeException(nameof(MaxSteps), MaxSteps, "TrainerOptions: MaxSteps must be 0 or more");
        if (Patience is < 1) throw new ArgumentOutOfRangeException(nameof(Patience), Patience, "TrainerOptions: Patience must be at least 1");
        if (CheckpointEvery < 1) throw new ArgumentOutOfRangeException(nameof(CheckpointEvery), CheckpointEvery, "TrainerOptions: CheckpointEvery must be at least 1");
        if (AffinityEvery is < 1) throw new ArgumentOutOfRangeException(nameof(AffinityEvery), AffinityEvery, "TrainerOptions: AffinityEvery must be at least 1 (null = off)");
        if (!(MinDelta >= 0)) throw new ArgumentOutOfRangeException(nameof(MinDelta), MinDelta, "TrainerOptions: MinDelta must be ≥ 0");
    }
}
