// How an ensemble combines its members' outputs, and the options of the two combinations fitted on validation data.
namespace Mtl.MultiTask.Ensembles;

/// <summary>How <see cref="ModelEnsemble"/> combines its members' per-task outputs.</summary>
public enum EnsembleCombination
{
    /// <summary>
    /// Probability averaging: classification log((1/M)·Σ softmax(z_m)), multi-label logit((1/M)·Σ σ(z_m)), regression
    /// the mean.
    /// </summary>
    Average,

    /// <summary>
    /// Majority voting: classification the class most members predict (ties broken by the averaged probability),
    /// multi-label a per-label majority (ties likewise), regression the median.
    /// </summary>
    Vote,

    /// <summary>
    /// Learned weights: per task a weight vector w on the simplex (w = softmax(a)) fitted on validation data to
    /// minimise the loss of the weighted probability mixture Σ w_m p_m (regression: Σ w_m y_m).
    /// </summary>
    Learned,

    /// <summary>
    /// Sparse mixing: per task non-negative weights fitted with an L1 penalty by proximal gradient, so useless members get
    /// exactly 0; classification logits Σ w_m log p_m, multi-label logits Σ w_m z_m, regression Σ w_m y_m.
    /// </summary>
    Sparse,
}

/// <summary>Options of the weight fitting done by <see cref="ModelEnsemble.Fit"/> (learned and sparse combinations).</summary>
public sealed record EnsembleFitOptions
{
    /// <summary>Full-batch Adam steps of the learned (simplex) weights.</summary>
    public int LearnedSteps { get; init; } = 300;

    /// <summary>Adam learning rate of the learned weights' logits a (w = softmax(a)).</summary>
    public double LearnedLearningRate { get; init; } = 0.05;

    /// <summary>L1 coefficient λ of sparse mixing (loss + λ·Σ_m w_m, w ≥ 0); 0 = no penalty (only the clamp at 0).</summary>
    public double SparseLambda { get; init; } = 1e-3;

    /// <summary>Most proximal-gradient steps of sparse mixing.</summary>
    public int SparseSteps { get; init; } = 500;

    /// <summary>Sparse mixing stops when no weight moves more than this in one step.</summary>
    public double SparseTolerance { get; init; } = 1e-7;

    /// <summary>Checks the values; throws naming the option.</summary>
    public void Validate()
    {
        if (LearnedSteps < 0) throw new ArgumentException($"EnsembleFitOptions.LearnedSteps must be ≥ 0, got {LearnedSteps}");
        if (!(LearnedLearningRate > 0)) throw new ArgumentException($"EnsembleFitOptions.LearnedLearningRate must be > 0, got {LearnedLearningRate}");
        if (!(SparseLambda >= 0) || double.IsInfinity(SparseLambda)) throw new ArgumentException($"EnsembleFitOptions.SparseLambda must be finite and ≥ 0, got {SparseLambda}");
        if (SparseSteps < 0) throw new ArgumentException($"EnsembleFitOptions.SparseSteps must be ≥ 0, got {SparseSteps}");
        if (!(SparseTolerance >= 0)) throw new ArgumentException($"EnsembleFitOptions.SparseTolerance must be ≥ 0, got {SparseTolerance}");
    }
}
