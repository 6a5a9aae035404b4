// What a strategy is told at each step besides the gradients, and what a one-off combination returns.
namespace Mtl.MultiTask.Balancing;

/// <summary>
/// The step a strategy is called for: the K task losses (unweighted, in task order), the optimisation step (1-based)
/// and the epoch (0-based). Strategies that keep histories (DWA's per-epoch losses, FAMO's previous losses) read them here.
/// </summary>
public sealed record StrategyStep(IReadOnlyList<double> Losses, long Step = 1, int Epoch = 0);

/// <summary>
/// A combination's outcome: the combined gradient (length P) and the weights w with combined = wᵀG, or null when the
/// method's result is not such a combination (GradDrop, trimmed mean).
/// </summary>
public sealed record StrategyResult(double[] Combined, double[]? Weights);
