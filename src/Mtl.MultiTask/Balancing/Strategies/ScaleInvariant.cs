// Scale-invariant loss: Σ log Lₖ, i.e. loss weights 1/Lₖ — the result does not change when a loss is rescaled.
namespace Mtl.MultiTask.Balancing.Strategies;

/// <summary>Options of <see cref="ScaleInvariant"/>.</summary>
public sealed record ScaleInvariantOptions
{
    /// <summary>
    /// ε added to every loss (objective Σ log(Lₖ+ε)), so a tiny loss cannot get an unbounded weight; 1e-8 is Mtl's
    /// choice (the baseline's descriptions use no guard; LibMTL's STCH warm-up uses the same objective with 1e-20).
    /// </summary>
    public double Epsilon { get; init; } = 1e-8;
}

/// <summary>
/// The scale-invariant baseline of Navon et al., "Multi-Task Learning as a Bargaining Game" (Nash-MTL), ICML 2022:
/// minimise Σₖ log Lₖ, whose gradient is Σₖ ∇Lₖ/Lₖ — so the loss weights are wₖ = 1/(Lₖ+ε), and multiplying a task's
/// loss by a constant does not change the update. Losses must be ≥ 0 (and some ε &gt; 0 is needed for a zero loss). No state.
/// </summary>
public sealed class ScaleInvariant : BalancingStrategy
{
    private readonly double _eps;

    public ScaleInvariant(ScaleInvariantOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _eps = LossWeightingMath.Positive("si", "Epsilon", options.Epsilon, allowZero: true);
    }

    public override bool NeedsGradients => false;

    protected override void ComputeLossWeights(StrategyStep step, Span<double> weights)
    {
        LossWeightingMath.RequireNonNegative(Name, step.Losses);
        for (int k = 0; k < weights.Length; k++)
        {
            double l = step.Losses[k] + _eps;
            if (l <= 0) throw new ArgumentException($"strategy '{Name}': task {k} has loss 0 and Epsilon is 0, so its weight 1/L is infinite");
            weights[k] = 1 / l;
        }
    }
}
