// Random Loss Weighting (Lin et al. 2022): fresh random loss weights softmax(z), z ~ N(0, 1), at every step.
namespace Mtl.MultiTask.Balancing.Strategies;

/// <summary>Options of <see cref="RandomLossWeighting"/>.</summary>
public sealed record RandomLossWeightingOptions
{
    /// <summary>Seed of the strategy's generator (the same seed gives the same weight sequence).</summary>
    public ulong Seed { get; init; }
}

/// <summary>
/// Lin, Ye, Xu, Shi and Zhang, "Reasonable Effectiveness of Random Weighting: A Litmus Test for Multi-Task Learning",
/// TMLR 2022. At every step K standard normal samples zₖ are drawn (in task order, from the strategy's own
/// <see cref="Generator"/>) and the loss weights are w = softmax(z) — positive and summing to 1. The paper studies
/// several sampling distributions; the standard normal with softmax is its main choice and LibMTL's only one.
/// Stochastic: results depend on <see cref="RandomLossWeightingOptions.Seed"/>. State: the generator's position.
/// </summary>
public sealed class RandomLossWeighting(RandomLossWeightingOptions options) : BalancingStrategy
{
    private readonly ulong _seed = (options ?? throw new ArgumentNullException(nameof(options))).Seed;
    private readonly Generator _generator = new(options.Seed);
    private double[] _z = [];

    public override bool NeedsGradients => false;
    public override bool IsStochastic => true;

    protected override void Initialize(int tasks) => _z = new double[tasks];

    protected override void ComputeLossWeights(StrategyStep step, Span<double> weights)
    {
        for (int k = 0; k < _z.Length; k++) _z[k] = _generator.NextNormal();
        LossWeightingMath.Softmax(_z, weights);
    }

    protected override void OnReset() => _generator.Reseed(_seed);

    protected override void WriteState(StrategyState state) => state.Set("generator", _generator);

    protected override void ReadState(StrategyState state) => state.Restore("generator", _generator);
}
