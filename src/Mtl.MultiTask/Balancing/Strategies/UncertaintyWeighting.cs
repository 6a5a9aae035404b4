// Uncertainty weighting (Kendall, Gal & Cipolla 2018): learned log-variances s turn the loss into Σ ½e^{−s}L + ½s.
using Mtl.MultiTask.Balancing.Solvers;

namespace Mtl.MultiTask.Balancing.Strategies;

/// <summary>Options of <see cref="UncertaintyWeighting"/>.</summary>
public sealed record UncertaintyWeightingOptions
{
    /// <summary>
    /// Learning rate of the strategy's own Adam on s (β 0.9/0.999, ε 1e-8). The paper trains s jointly with the
    /// network by its optimiser (LibMTL likewise); 1e-3, PyTorch's Adam default, is Mtl's choice.
    /// </summary>
    public double Lr { get; init; } = 1e-3;

    /// <summary>Initial log-variance s₀ of every task: −0.5 as LibMTL (first weights ½e^{0.5} ≈ 0.82); the paper gives none.</summary>
    public double InitialLogVariance { get; init; } = -0.5;
}

/// <summary>
/// Kendall, Gal and Cipolla, "Multi-Task Learning Using Uncertainty to Weigh Losses for Scene Geometry and Semantics",
/// CVPR 2018. Each task has a learned log-variance sₖ = log σₖ²; the objective is Σₖ ½e^{−sₖ}Lₖ + ½sₖ (the paper's
/// regression form, which LibMTL uses for every task). The loss weights applied are wₖ = ½e^{−sₖ} with s as it is
/// before this call — as in joint training, where the step's loss uses the current s. The strategy then updates s
/// itself with one Adam step on its analytic gradient ∂/∂sₖ = ½ − ½e^{−sₖ}Lₖ (the model is never seen); for a
/// constant loss, s tends to log Lₖ, i.e. the weight to 1/(2Lₖ). State: s and Adam's moments.
/// </summary>
public sealed class UncertaintyWeighting : BalancingStrategy
{
    private readonly double _initial;
    private readonly StrategyAdam _adam;
    private double[] _s = [];
    private double[] _grad = [];

    public UncertaintyWeighting(UncertaintyWeightingOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _adam = new StrategyAdam(LossWeightingMath.Positive("uw", "Lr", options.Lr, allowZero: true));
        _initial = double.IsFinite(options.InitialLogVariance) ? options.InitialLogVariance
            : throw new ArgumentException($"strategy 'uw': InitialLogVariance must be finite, got {options.InitialLogVariance}");
    }

    /// <summary>The learned log-variances sₖ = log σₖ² (empty before the first call).</summary>
    public IReadOnlyList<double> LogVariances => _s;

    public override bool NeedsGradients => false;

    protected override void Initialize(int tasks)
    {
        _s = new double[tasks];
        Array.Fill(_s, _initial);
        _grad = new double[tasks];
        _adam.Reset(tasks);
    }

    protected override void ComputeLossWeights(StrategyStep step, Span<double> weights)
    {
        for (int k = 0; k < _s.Length; k++)
        {
            double precision = 0.5 * Math.Exp(-_s[k]);   // ½e^{−s}
            weights[k] = precision;
            _grad[k] = 0.5 - precision * step.Losses[k];
        }
        _adam.Step(_s, _grad);
    }

    protected override void OnReset()
    {
        _s = [];
        _grad = [];
    }

    protected override void WriteState(StrategyState state)
    {
        state.Set("log_variances", _s);
        _adam.Write(state, "adam");
    }

    protected override void ReadState(StrategyState state)
    {
        _s = state.GetArray("log_variances", Tasks);
        _adam.Read(state, "adam");
    }
}
