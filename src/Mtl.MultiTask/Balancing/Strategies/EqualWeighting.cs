// Equal weighting: the plain sum of task losses (ew) and their mean (mean), the baselines of every comparison.
namespace Mtl.MultiTask.Balancing.Strategies;

/// <summary>Options of <see cref="EqualWeighting"/> (none).</summary>
public sealed record EqualWeightingOptions;

/// <summary>
/// Every task loss with weight 1 (<c>ew</c>: Σ Lₖ) or 1/K (<c>mean</c>: the average, same direction, 1/K the step).
/// </summary>
public sealed class EqualWeighting(bool mean) : BalancingStrategy
{
    /// <summary>True for the mean (weights 1/K), false for the sum (weights 1).</summary>
    public bool Mean { get; } = mean;

    public override bool NeedsGradients => false;

    protected override void ComputeLossWeights(StrategyStep step, Span<double> weights) => weights.Fill(Mean ? 1.0 / weights.Length : 1.0);
}
