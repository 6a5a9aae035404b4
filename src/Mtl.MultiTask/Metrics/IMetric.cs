// The streaming metric contract: reset, update with a batch (predictions, targets, mask), compute the value.
namespace Mtl.MultiTask.Metrics;

/// <summary>
/// A task metric accumulated over batches. <see cref="Update"/> takes the model's predictions for a batch, the targets
/// as the loader collates them, and the task's 0/1 mask (samples without a label are skipped).
/// </summary>
public interface IMetric
{
    /// <summary>Short name, e.g. "accuracy", "macro_f1", "mse".</summary>
    string Name { get; }

    /// <summary>True when larger values are better (accuracy), false when smaller are (MSE).</summary>
    bool HigherIsBetter { get; }

    /// <summary>Forgets everything accumulated.</summary>
    void Reset();

    /// <summary>Adds one batch.</summary>
    void Update(Tensor prediction, Tensor target, Tensor? mask = null);

    /// <summary>The metric over everything added since the last reset (NaN when nothing was added).</summary>
    double Compute();
}
