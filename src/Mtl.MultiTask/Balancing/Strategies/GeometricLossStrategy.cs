// Geometric loss strategy (Chennupati et al. 2019): minimise the geometric mean of the task losses (ΠLₖ)^{1/K}.
namespace Mtl.MultiTask.Balancing.Strategies;

/// <summary>Options of <see cref="GeometricLossStrategy"/>.</summary>
public sealed record GeometricLossOptions
{
    /// <summary>
    /// ε added to every loss, so that a zero loss gives finite weights: the objective is (Π(Lₖ+ε))^{1/K}. Not in the
    /// paper or LibMTL; 1e-8 (FAMO's loss guard) is Mtl's choice.
    /// </summary>
    public double Epsilon { get; init; } = 1e-8;
}

/// <summary>
/// Chennupati, Sistu, Yogamani and Rawashdeh, "MultiNet++: Multi-Stream Feature Aggregation and Geometric Loss Strategy
/// for Multi-Task Learning", CVPR Workshops 2019. The objective is the geometric mean G = (Πₖ Lₖ)^{1/K}; its gradient is
/// Σₖ wₖ∇Lₖ with wₖ = ∂G/∂Lₖ = G/(K·Lₖ), which this strategy returns as (detached) loss weights — so the trainer's
/// Σ wₖLₖ step equals the step on G. Computed in logs: wₖ = exp(mean_j log(L_j+ε) − log(Lₖ+ε))/K. (LibMTL
/// back-propagates G itself and logs Lₖ/(K·ΠL), which is not the weight it applied.) Losses must be ≥ 0. No state.
/// </summary>
public sealed class GeometricLossStrategy : BalancingStrategy
{
    private readonly double _eps;

    public GeometricLossStrategy(GeometricLossOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _eps = LossWeightingMath.Positive("gls", "Epsilon", options.Epsilon, allowZero: true);
    }

    public override bool NeedsGradients => false;

    protected override void ComputeLossWeights(StrategyStep step, Span<double> weights)
    {
        LossWeightingMath.RequireNonNegative(Name, step.Losses);
        int k = weights.Length;
        if (_eps == 0 && step.Losses.Any(l => l == 0))
            throw new ArgumentException($"strategy '{Name}': a task loss is 0 and Epsilon is 0, so the weights G/(K·Lₖ) are undefined");
        double meanLog = 0;
        for (int i = 0; i < k; i++) meanLog += Math.Log(step.Losses[i] + _eps);
        meanLog /= k;
        for (int i = 0; i < k; i++) weights[i] = Math.Exp(meanLog - Math.Log(step.Losses[i] + _eps)) / k;
    }
}
