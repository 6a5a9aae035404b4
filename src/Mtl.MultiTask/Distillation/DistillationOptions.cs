// Options of knowledge distillation: temperature, the soft/hard mixing coefficient, and teacher-output caching.
namespace Mtl.MultiTask.Distillation;

/// <summary>
/// Options of <see cref="Distiller"/> (defaults: Hinton et al. 2015's T = 4 and an even mix of the soft and hard losses).
/// A distilled task's loss is <c>α·soft + (1 − α)·hard</c>: for classification <c>soft = T²·KL(softmax(z_t/T) ‖
/// softmax(z_s/T))</c>, for multi-label <c>T²·BCE(σ(z_s/T), σ(z_t/T))</c>, for regression <c>MSE(y_s, y_t)</c>
/// (no temperature), where z_t / y_t are the teacher's outputs and z_s / y_s the student's.
/// </summary>
public sealed record DistillationOptions
{
    /// <summary>Softmax temperature T &gt; 0 of the soft targets (classification and multi-label).</summary>
    public double Temperature { get; init; } = 4;

    /// <summary>Weight α ∈ [0, 1] of the soft (teacher) loss; 1 − α goes to the hard-label loss. 0 = no distillation, 1 = teacher only.</summary>
    public double Alpha { get; init; } = 0.5;

    /// <summary>
    /// Compute each teacher's outputs over the training data once, before the first step, and look them up by sample
    /// index (the data loader's <c>MultiTaskBatch.Indices</c>). Right whenever a sample's input is the same every
    /// epoch (every Mtl dataset); turn it off for a dataset that augments its inputs at random, and the teachers then
    /// run on every training batch.
    /// </summary>
    public bool CacheTeacherOutputs { get; init; } = true;

    /// <summary>Batch size of the teachers' pass over the training data when caching.</summary>
    public int CacheBatchSize { get; init; } = 512;

    internal void Validate()
    {
        if (!(Temperature > 0) || double.IsInfinity(Temperature))
            throw new ArgumentOutOfRangeException(nameof(Temperature), Temperature, "DistillationOptions: Temperature must be positive and finite");
        if (!(Alpha >= 0 && Alpha <= 1))
            throw new ArgumentOutOfRangeException(nameof(Alpha), Alpha, "DistillationOptions: Alpha must be in [0, 1]");
        if (CacheBatchSize <= 0)
            throw new ArgumentOutOfRangeException(nameof(CacheBatchSize), CacheBatchSize, "DistillationOptions: CacheBatchSize must be positive");
    }
}
