// What the trainer reports: step logs, epoch logs, evaluation results, progress, and the callback interface.
namespace Mtl.MultiTask.Training;

/// <summary>One training step: per-task losses (unweighted; the auxiliary loss under "(auxiliary)"), the weighted total,
/// the task weights applied (NaN for a gradient strategy whose result is no weighted sum), the learning rate of the first parameter group and the batch size(s).</summary>
public sealed record StepLog(long Step, int Epoch, IReadOnlyDictionary<string, double> TaskLosses, double Total)
{
    /// <summary>Weight applied to each task's loss this step.</summary>
    public IReadOnlyDictionary<string, double> Weights { get; init; } = new Dictionary<string, double>();

    /// <summary>Learning rate of the first parameter group.</summary>
    public double LearningRate { get; init; }

    /// <summary>Samples in the step (all tasks' batches).</summary>
    public int Samples { get; init; }

    /// <summary>
    /// Cosine similarity of each pair of task gradients ("a|b", a before b in task order), logged on steps of a
    /// gradient-level strategy (free from the K×K Gramian); null on other steps.
    /// </summary>
    public IReadOnlyDictionary<string, double>? GradientCosines { get; init; }
}

/// <summary>Per-task metric values of one evaluation, by task then metric name.</summary>
public sealed record EvaluationResult(IReadOnlyDictionary<string, IReadOnlyDictionary<string, double>> Metrics);

/// <summary>One finished epoch: mean training losses, the validation result and score (when there is validation data).</summary>
public sealed record EpochLog(int Epoch, long Step, IReadOnlyDictionary<string, double> TrainLosses, EvaluationResult? Validation,
    double? Score, bool IsBest, double Seconds)
{
    /// <summary>
    /// The running task-affinity matrix Z (from task → onto task → value, NaN where unmeasured) when
    /// <see cref="TrainerOptions.AffinityEvery"/> is set; null otherwise.
    /// </summary>
    public IReadOnlyDictionary<string, IReadOnlyDictionary<string, double>>? Affinity { get; init; }
}

/// <summary>Progress within an epoch, for progress bars: steps done of the epoch's steps, samples per second so far.</summary>
public sealed record TrainingProgress(int Epoch, int Epochs, int StepInEpoch, int StepsPerEpoch, long Step, double SamplesPerSecond,
    IReadOnlyDictionary<string, double> LastLosses);

/// <summary>Hooks into the training loop; every method has an empty default, so implement only what you need.</summary>
public interface ITrainerCallback
{
    /// <summary>Before the first step (after a resume, before the first resumed step).</summary>
    void OnFitStart(MultiTaskTrainer trainer) { }

    /// <summary>After every optimisation step.</summary>
    void OnStep(MultiTaskTrainer trainer, StepLog log) { }

    /// <summary>After every epoch (after validation, best-model keeping and checkpointing).</summary>
    void OnEpochEnd(MultiTaskTrainer trainer, EpochLog log) { }

    /// <summary>When training ends for any reason (budget, early stop, <see cref="MultiTaskTrainer.RequestStop"/>, cancellation).</summary>
    void OnFitEnd(MultiTaskTrainer trainer, FitResult result) { }
}

/// <summary>Why training ended.</summary>
public enum StopReason
{
    /// <summary>The epoch budget (or MaxSteps) was used up.</summary>
    Completed,
    /// <summary>The validation score stopped improving for Patience epochs.</summary>
    EarlyStopped,
    /// <summary>A callback called <see cref="MultiTaskTrainer.RequestStop"/>.</summary>
    Requested,
    /// <summary>The cancellation token fired (a checkpoint was written when checkpointing is on).</summary>
    Cancelled,
}

/// <summary>The outcome of <see cref="MultiTaskTrainer.Fit(TrainingSource, TrainingSource?, System.Threading.CancellationToken)"/>.</summary>
/// <param name="Last">Validation result of the last epoch (null without validation data).</param>
/// <param name="Best">Validation result of the best epoch (null without validation data).</param>
/// <param name="BestEpoch">The best epoch (−1 without validation data).</param>
/// <param name="Epochs">Epochs completed (including those before a resume).</param>
/// <param name="Steps">Optimisation steps taken (including those before a resume).</param>
/// <param name="Seconds">Wall time of this call.</param>
/// <param name="Reason">Why training ended.</param>
public sealed record FitResult(EvaluationResult? Last, EvaluationResult? Best, int BestEpoch, int Epochs, long Steps, double Seconds, StopReason Reason)
{
    /// <summary>The validation result of the weights the model holds now: <see cref="Best"/> when they were restored, else <see cref="Last"/>.</summary>
    public EvaluationResult? Final { get; init; }

    /// <summary>Shortcut for <see cref="Final"/>'s metrics (task → metric → value); throws without validation data.</summary>
    public IReadOnlyDictionary<string, IReadOnlyDictionary<string, double>> Metrics =>
        (Final ?? throw new InvalidOperationException("FitResult: training ran without validation data, so there are no metrics")).Metrics;
}
