// Static weighting: fixed per-task loss weights λ chosen by the user (the "static λ" baseline and Pareto sweeps).
namespace Mtl.MultiTask.Balancing.Strategies;

/// <summary>Options of <see cref="StaticWeighting"/>.</summary>
public sealed record StaticWeightingOptions
{
    /// <summary>λₖ per task, in task order (null = 1 for every task). Must be finite and non-negative.</summary>
    public IReadOnlyList<double>? Weights { get; init; }
}

/// <summary>Σ λₖ·Lₖ with λ fixed for the whole run.</summary>
public sealed class StaticWeighting : BalancingStrategy
{
    private readonly double[]? _lambda;

    public StaticWeighting(StaticWeightingOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Weights is { } w)
        {
            if (w.Count == 0) throw new ArgumentException("strategy 'static': weights is empty");
            foreach (var x in w)
                if (!double.IsFinite(x) || x < 0) throw new ArgumentException($"strategy 'static': weights must be finite and ≥ 0, got [{string.Join(", ", w)}]");
            _lambda = w.ToArray();
        }
    }

    public override bool NeedsGradients => false;

    protected override void Initialize(int tasks)
    {
        if (_lambda is not null && _lambda.Length != tasks)
            throw new ArgumentException($"strategy 'static': {_lambda.Length} weights given for {tasks} tasks");
    }

    protected override void ComputeLossWeights(StrategyStep step, Span<double> weights)
    {
        if (_lambda is null) weights.Fill(1.0);
        else _lambda.CopyTo(weights);
    }
}
